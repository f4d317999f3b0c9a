package cdn

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDjangoVersionFromLock(t *testing.T) {
	cases := []struct {
		name, lock string
		want       DjangoVersion
		found      bool
	}{
		// Poetry writes the name as the project spells it.
		{"poetry", "[[package]]\nname = \"asgiref\"\nversion = \"3.7.2\"\n\n[[package]]\nname = \"Django\"\nversion = \"4.2.7\"\n[package.dependencies]\nasgiref = \">=3.6.0,<4\"\n", DjangoVersion{4, 2}, true},
		// uv writes normalised names.
		{"uv", "version = 1\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"django\"\nversion = \"5.1.4\"\nsource = { registry = \"https://pypi.org/simple\" }\n", DjangoVersion{5, 1}, true},
		// PEP 751 pylock.toml.
		{"pylock", "lock-version = \"1.0\"\ncreated-by = \"pip\"\n\n[[packages]]\nname = \"django\"\nversion = \"5.2\"\n", DjangoVersion{5, 2}, true},
		{"pre-release", "[[package]]\nname = \"Django\"\nversion = \"5.0rc1\"\n", DjangoVersion{5, 0}, true},
		{"django-like names are not Django", "[[package]]\nname = \"django-storages\"\nversion = \"1.14\"\n[[package]]\nname = \"djangorestframework\"\nversion = \"3.14.0\"\n", DjangoVersion{}, false},
		{"empty", "", DjangoVersion{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, found, err := DjangoVersionFromLock("poetry.lock", []byte(c.lock))
			require.NoError(t, err)
			assert.Equal(t, c.found, found)
			assert.Equal(t, c.want, v)
		})
	}
}

func TestDjangoVersionFromLockErrors(t *testing.T) {
	_, _, err := DjangoVersionFromLock("poetry.lock", []byte("[[package]]\nname = \"Django\"\nversion = 4.2.7\n"))
	var le *LockError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "poetry.lock", le.File)
	assert.Equal(t, 3, le.Line)
	assert.Contains(t, le.Error(), "poetry.lock:3:")

	_, found, err := DjangoVersionFromLock("uv.lock", []byte("[[package]]\nname = \"django\"\nversion = \"main\"\n"))
	require.True(t, errors.As(err, &le), "%v", err)
	assert.False(t, found)
	assert.Equal(t, 3, le.Line)
	assert.Contains(t, le.Msg, `"main"`)

	_, _, err = DjangoVersionFromLock("poetry.lock", make([]byte, MaxLockFileSize+1))
	require.True(t, errors.As(err, &le))
	assert.Contains(t, le.Msg, "more than")
}

// FuzzDjangoVersionFromLock: lock files are user input; reading one must
// not panic, and a found version is a real release.
func FuzzDjangoVersionFromLock(f *testing.F) {
	for _, s := range []string{"[[package]]\nname = \"Django\"\nversion = \"4.2.7\"\n", "[[packages]]\nname='django'\nversion='5.0a1'\n", "[[package]\n", "a = [[[[[[[1]]]]]]]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		v, found, err := DjangoVersionFromLock("poetry.lock", data)
		if found && (err != nil || v.Major < 1) {
			t.Fatalf("found %v with err %v", v, err)
		}
	})
}

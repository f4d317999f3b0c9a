package gunicornconf

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersionFromLockRealFiles reads the real lock files cited in
// testdata/locks/SOURCES.md.
func TestVersionFromLockRealFiles(t *testing.T) {
	cases := []struct {
		path    string
		release string
		want    Version
		line    int
		text    bool
	}{
		// Locks gunicorn 20.1.0 (line 108). The catalogue's 20.1 text is
		// Debian's patched copy, so it is not PyPI's 20.1.0 text.
		{"testdata/locks/python-project-52/poetry.lock", "20.1.0", Version{20, 1}, 108, false},
		// gunicorn==25.1.0 on line 2; the catalogue has 25.1.0's own text.
		{"testdata/locks/uvicorn-gunicorn-docker/requirements.txt", "25.1.0", Version{25, 1}, 2, true},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			data, err := os.ReadFile(c.path)
			require.NoError(t, err)
			v, found, err := VersionFromLock(c.path, data)
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, c.release, v.Release)
			assert.Equal(t, c.want, v.Version)
			assert.Equal(t, c.line, v.Line)
			assert.Equal(t, c.text, v.Text)
			assert.Equal(t, c.path, v.File)
		})
	}
}

func TestVersionFromLockFormats(t *testing.T) {
	cases := []struct {
		name, file, lock string
		release          string
		want             Version
		line             int
		text             bool
	}{
		{"uv", "uv.lock", "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"flask\"\nversion = \"3.1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"gunicorn\"\nversion = \"23.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [\n    { name = \"packaging\" },\n]\n", "23.0.0", Version{23, 0}, 12, true},
		{"pylock", "pylock.toml", "lock-version = \"1.0\"\ncreated-by = \"pip\"\n\n[[packages]]\nname = \"gunicorn\"\nversion = \"26.0.0\"\n", "26.0.0", Version{26, 0}, 6, true},
		// A patch release of a catalogued line maps to it, without the
		// claim that the catalogue holds that exact text.
		{"other patch", "uv.lock", "[[package]]\nname = \"gunicorn\"\nversion = \"23.0.1\"\n", "23.0.1", Version{23, 0}, 3, false},
		// A line between two texts is derived, not a text.
		{"derived line", "poetry.lock", "[[package]]\nname = \"Gunicorn\"\nversion = \"24.1.1\"\n", "24.1.1", Version{24, 1}, 3, false},
		{"pipfile", "Pipfile.lock", "{\n    \"_meta\": {\"hash\": {\"sha256\": \"00\"}},\n    \"default\": {\n        \"gunicorn\": {\n            \"hashes\": [\"sha256:00\"],\n            \"index\": \"pypi\",\n            \"version\": \"==22.0.0\"\n        }\n    },\n    \"develop\": {}\n}\n", "22.0.0", Version{22, 0}, 4, true},
		{"pipfile develop", "Pipfile.lock", "{\"default\": {}, \"develop\": {\"gunicorn\": {\"version\": \"==26.2.2\"}}}", "26.2.2", Version{26, 2}, 1, true},
		{"requirements with hashes and extras", "requirements/production.txt", "#\n# pip-compile --generate-hashes\n#\ngunicorn[gevent]==20.1.0 \\\n    --hash=sha256:9dcc4547dbb1cb284accfb15ab5667a0e5d1881cc443e0677b4882a4067a807e \\\n    --hash=sha256:e0a968b5ba15f8a328fdfd7ab1fcb5af4470c28aaf7e55df02a99bc13138e6e8\n    # via -r requirements/production.in\n", "20.1.0", Version{20, 1}, 4, false},
		{"requirements with a marker", "requirements-prod.txt", "-r base.txt\nDjango==4.2.7  # web\ngunicorn == 23.0.0 ; sys_platform != \"win32\"\n", "23.0.0", Version{23, 0}, 3, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, found, err := VersionFromLock(c.file, []byte(c.lock))
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, c.release, v.Release)
			assert.Equal(t, c.want, v.Version)
			assert.Equal(t, c.line, v.Line)
			assert.Equal(t, c.text, v.Text)
		})
	}
}

func TestVersionFromLockNotFound(t *testing.T) {
	for file, lock := range map[string]string{
		"poetry.lock":      "[[package]]\nname = \"gunicorn-thrift\"\nversion = \"0.3\"\n",
		"requirements.txt": "uvicorn==0.30.0\n# gunicorn==23.0.0\ngreen-unicorn==1.0\n",
		"Pipfile.lock":     "{\"default\": {\"django\": {\"version\": \"==4.2\"}}}",
		"uv.lock":          "",
	} {
		_, found, err := VersionFromLock(file, []byte(lock))
		assert.NoError(t, err, file)
		assert.False(t, found, file)
	}
}

func TestVersionFromLockErrors(t *testing.T) {
	cases := []struct {
		name, file, lock string
		line             int
		msg              string
	}{
		// The catalogue holds no 19.x: refused like -gunicorn-version 19.9.
		{"no catalogue", "poetry.lock", "[[package]]\nname = \"gunicorn\"\nversion = \"19.9.0\"\n", 3, "no catalogue for gunicorn 19.9"},
		{"newer than the catalogue", "requirements.txt", "gunicorn==27.0.0\n", 1, "no catalogue for gunicorn 27.0"},
		{"unpinned", "requirements.txt", "flask\ngunicorn>=20.1,<24\n", 2, "not pinned to one release (gunicorn>=20.1,<24)"},
		{"wildcard", "requirements.txt", "gunicorn==23.0.*\n", 1, "not pinned to one release"},
		{"direct url", "requirements.txt", "gunicorn @ https://example.invalid/gunicorn-23.0.0.tar.gz\n", 1, "not pinned to one release"},
		{"pipfile range", "Pipfile.lock", "{\"default\": {\n\"gunicorn\": {\"version\": \">=20\"}}}", 2, "not pinned to one release"},
		{"two releases", "uv.lock", "[[package]]\nname = \"gunicorn\"\nversion = \"23.0.0\"\n\n[[package]]\nname = \"gunicorn\"\nversion = \"22.0.0\"\n", 7, "two releases (23.0.0 at line 3, 22.0.0 here)"},
		{"not a version", "uv.lock", "[[package]]\nname = \"gunicorn\"\nversion = \"main\"\n", 3, `gunicorn version "main"`},
		{"not TOML", "poetry.lock", "[[package]\nname = 1\n", 1, "not a TOML lock file"},
		{"not JSON", "Pipfile.lock", "{\n  \"default\": {,\n}", 2, "not a Pipfile.lock"},
		{"unknown kind", "setup.cfg", "[options]\ninstall_requires = gunicorn==23.0.0\n", 0, "not a lock file deploykit reads"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := VersionFromLock(c.file, []byte(c.lock))
			var le *LockError
			require.True(t, errors.As(err, &le), "%v", err)
			assert.Equal(t, c.file, le.File)
			assert.Equal(t, c.line, le.Line, le.Error())
			assert.Contains(t, le.Msg, c.msg)
		})
	}
	_, _, err := VersionFromLock("uv.lock", make([]byte, MaxLockFileSize+1))
	var le *LockError
	require.True(t, errors.As(err, &le))
	assert.Contains(t, le.Msg, "more than")
}

// FuzzVersionFromLock: lock files are user input; reading one must not
// panic, and a found pin maps to a release the catalogue knows.
func FuzzVersionFromLock(f *testing.F) {
	for _, s := range []string{"[[package]]\nname = \"gunicorn\"\nversion = \"23.0.0\"\n", "gunicorn==25.1.0 \\\n --hash=sha256:00\n", "{\"default\": {\"gunicorn\": {\"version\": \"==22.0.0\"}}}", "[[package]\n", "gunicorn[\n"} {
		f.Add("uv.lock", []byte(s))
		f.Add("requirements.txt", []byte(s))
		f.Add("Pipfile.lock", []byte(s))
	}
	f.Fuzz(func(t *testing.T, file string, data []byte) {
		v, found, err := VersionFromLock(file, data)
		if err != nil || !found {
			return
		}
		_, perr := ParseVersion(v.Version.String())
		if perr != nil {
			t.Fatalf("found %+v, which the catalogue does not know: %v", v, perr)
		}
	})
}

package gunicornconf

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitShell(t *testing.T) {
	// Expected values follow POSIX shell word splitting (Python's
	// shlex.split in POSIX mode).
	cases := map[string][]string{
		"--timeout 600 --bind=0.0.0.0:8000": {"--timeout", "600", "--bind=0.0.0.0:8000"},
		`-e 'A=b c' -e "D=\"e\""`:           {"-e", "A=b c", "-e", `D="e"`},
		`a\ b  c`:                           {"a b", "c"},
		"":                                  nil,
		`''`:                                {""},
	}
	for in, want := range cases {
		got, err := SplitShell(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{`'open`, `"open`, `trailing\`} {
		_, err := SplitShell(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseArgs(t *testing.T) {
	set, rest, err := ParseArgs([]string{"-w4", "--timeout", "30", "--bind=0.0.0.0:80", "-b", "[::]:80", "--preload", "-k", "gthread", "app:app"})
	require.NoError(t, err)
	assert.Equal(t, []string{"app:app"}, rest)
	assert.Equal(t, []FlagSetting{
		{"workers", "-w", "4"}, {"timeout", "--timeout", "30"}, {"bind", "--bind", "0.0.0.0:80"},
		{"bind", "-b", "[::]:80"}, {"preload_app", "--preload", ""}, {"worker_class", "-k", "gthread"},
	}, set)
	_, _, err = ParseArgs([]string{"--no-such-flag"})
	assert.Error(t, err)
	_, _, err = ParseArgs([]string{"--timeout"})
	assert.Error(t, err)
}

func TestParseLineEndingsAndCompactStatements(t *testing.T) {
	src := "workers = 2\r\ntimeout = \\\r\n    45\r\nif x: keepalive = 3\r\nthreads = 2; backlog = 64\r\n"
	f, err := Parse("crlf.py", []byte(src))
	require.NoError(t, err)
	for name, want := range map[string]struct {
		line int
		val  string
	}{"workers": {1, "2"}, "timeout": {2, "45"}, "threads": {5, "2"}, "backlog": {5, "64"}} {
		a, ok := f.Binding(name)
		require.True(t, ok, name)
		assert.Equal(t, want.line, a.Line, name)
		assert.Equal(t, want.val, a.Value.Python(), name)
	}
	k, ok := f.Binding("keepalive")
	require.True(t, ok)
	assert.False(t, k.Value.Known())
	assert.True(t, k.Conditional)
	assert.Equal(t, 4, k.Line)
}

package gunicornconf

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// python runs Debian's CPython, the reference for what a gunicorn.conf.py
// evaluates to. Tests that need it skip when it is missing.
func python(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(testenv.DebianPython); err != nil {
		if testenv.InCI() {
			t.Fatalf("CI=true and %s is missing", testenv.DebianPython)
		}
		testenv.Unavailable(t, testenv.DebianPython+" is missing")
	}
	return testenv.DebianPython
}

type pyName struct {
	Kind  string `json:"kind"`
	Repr  string `json:"repr"`
	Arity int    `json:"arity"`
}

func pyDump(t *testing.T, path string, env ...string) map[string]pyName {
	t.Helper()
	cmd := exec.Command(python(t), "testdata/pydump.py", path)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("python %s: %v\n%s", path, err, ee.Stderr)
	}
	require.NoError(t, err)
	var m map[string]pyName
	require.NoError(t, json.Unmarshal(out, &m))
	return m
}

// TestParseMatchesCPython checks every statically known value against
// CPython executing the same file, and that deploykit knows the values a
// plain literal file holds.
func TestParseMatchesCPython(t *testing.T) {
	for _, name := range []string{"literals.py", "hooks.py"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "parse", name)
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			f, err := Parse(path, src)
			require.NoError(t, err)
			py := pyDump(t, path)
			for _, n := range f.Names() {
				a, _ := f.Binding(n)
				want, ok := py[n]
				if !ok {
					continue // conditional binding CPython did not take
				}
				switch a.Value.Kind {
				case KindUnknown:
					if name == "literals.py" {
						t.Errorf("%s: deploykit does not know %s = %s (%s)", n, a.Expr, want.Repr, a.Value.Reason)
					}
				case KindCallable:
					assert.Equal(t, "function", want.Kind, n)
					assert.Equal(t, want.Arity, a.Value.Arity, "arity of %s", n)
				case KindModule:
					assert.Equal(t, "module", want.Kind, n)
				default:
					assert.Equal(t, want.Repr, a.Value.Python(), "value of %s (%s)", n, a.Expr)
				}
			}
		})
	}
}

func TestParseMarksDynamicValuesUnknown(t *testing.T) {
	path := filepath.Join("testdata", "parse", "hooks.py")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	f, err := Parse(path, src)
	require.NoError(t, err)
	cases := []struct {
		name string
		host bool
		env  []string
	}{
		{"workers", true, nil},
		{"threads", false, []string{"THREADS"}},
		{"timeout", false, []string{"TIMEOUT"}},
		{"port", false, []string{"PORT"}},
		{"bind", false, []string{"PORT"}},
		{"name", false, nil},
		{"comp", false, nil},
		{"loglevel", false, nil},
		{"setproctitle", false, nil},
		{"Helper", false, nil},
	}
	for _, c := range cases {
		a, ok := f.Binding(c.name)
		require.True(t, ok, c.name)
		assert.False(t, a.Value.Known(), "%s should not be statically known, got %s", c.name, a.Value.Python())
		assert.NotEmpty(t, a.Value.Reason, c.name)
		assert.Equal(t, c.host, a.Value.HostDependent, "%s host-dependent", c.name)
		assert.Equal(t, c.env, a.Value.Env, "%s environment", c.name)
	}
	lvl, _ := f.Binding("loglevel")
	assert.True(t, lvl.Conditional)
	assert.Equal(t, 37, lvl.Line, "the last binding of loglevel is in the else branch")
	// Fallbacks: the value when the variable is unset.
	th, _ := f.Binding("threads")
	require.NotNil(t, th.Value.Fallback)
	assert.Equal(t, "4", th.Value.Fallback.Python())
	to, _ := f.Binding("timeout")
	require.NotNil(t, to.Value.Fallback)
	assert.Equal(t, "30", to.Value.Fallback.Python())
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"workers = (1 + 2\n", 1, 11, "never closed"},
		{"umask = 022\n", 1, 9, "leading zeros"},
		{"x = 'abc\n", 1, 5, "unterminated string"},
		{"a = 1\nb = \"\"\"never\nclosed\n", 2, 5, "unterminated string"},
		{"a = [1, 2)\n", 1, 10, "does not match"},
		{"a = 1 ]\n", 1, 7, "unmatched"},
		{"  a = 1\n", 1, 3, "unexpected indent"},
		{"a = 1 $ 2\n", 1, 7, "invalid character"},
		{"a = 1\\ b\n", 1, 6, "continuation"},
		{"a = 12abc\n", 1, 5, "invalid number"},
	}
	for _, c := range cases {
		_, err := Parse("conf.py", []byte(c.src))
		var pe *ParseError
		require.ErrorAs(t, err, &pe, c.src)
		assert.Equal(t, "conf.py", pe.File)
		assert.Equal(t, c.line, pe.Line, c.src)
		assert.Equal(t, c.col, pe.Column, c.src)
		assert.Contains(t, pe.Error(), c.msg)
		assert.Contains(t, pe.Error(), "conf.py:")
	}
}

// TestParseErrorsAgreeWithCPython: every file Parse rejects, CPython
// rejects too (a SyntaxError), so deploykit never refuses a valid file for
// these cases.
func TestParseErrorsAgreeWithCPython(t *testing.T) {
	py := python(t)
	for _, src := range []string{"workers = (1 + 2\n", "umask = 022\n", "x = 'abc\n", "a = [1, 2)\n", "  a = 1\n", "a = 12abc\n"} {
		cmd := exec.Command(py, "-c", "import sys; compile(sys.stdin.read(), 'conf.py', 'exec')")
		cmd.Stdin = stringsReader(src)
		assert.Error(t, cmd.Run(), "CPython accepted %q", src)
		_, err := Parse("conf.py", []byte(src))
		assert.Error(t, err)
	}
}

// A match statement is checked as CPython compiles it (syntax_match.go):
// a valid one parses, an unreachable capture is CPython's SyntaxError, and
// a syntax error is never "not modelled".
func TestMatchStatementIsChecked(t *testing.T) {
	_, err := Parse("gunicorn.conf.py", []byte("match x:\n    case 1:\n        workers = 2\n"))
	require.NoError(t, err)

	_, err = Parse("gunicorn.conf.py", []byte("match x:\n    case a:\n        pass\n    case b:\n        pass\n"))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.NotModelled)
	assert.Equal(t, "name capture 'a' makes remaining patterns unreachable", pe.Msg) // CPython 3.11's message
	assert.Equal(t, 2, pe.Line)

	_, err = Parse("gunicorn.conf.py", []byte("match x:\n    case 1\n"))
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.NotModelled, "a syntax error is not 'not modelled'")
}

// A Latin-1 file (PEP 263 cookie) is evaluated from its decoded text, and a
// lone carriage return ends a line, as in CPython.
func TestParseLatin1AndCarriageReturns(t *testing.T) {
	src := []byte("# -*- coding: latin-1 -*-\nproc_name = \"caf\xe9\"\nworkers = 3\n")
	f, err := Parse("gunicorn.conf.py", src)
	require.NoError(t, err)
	require.Len(t, f.Assignments, 2)
	assert.Equal(t, "café", f.Assignments[0].Value.Str)
	assert.Equal(t, int64(3), f.Assignments[1].Value.Int)

	f, err = Parse("gunicorn.conf.py", []byte("workers = 2\rthreads = 4\r"))
	require.NoError(t, err)
	require.Len(t, f.Assignments, 2)
	assert.Equal(t, 2, f.Assignments[1].Line)
}

// Errors are reported on CPython's line, also in a file with "\r\n" line
// ends (the recognizer reads "\n"); where CPython's tokenizer decides,
// on its column too. Expected positions: python3's compile() of the bytes.
func TestTokenizerErrorPositions(t *testing.T) {
	for _, c := range []struct {
		src       string
		line, col int // col 0: the message names the token, not CPython's offset
	}{
		{"workers = 2\nx = 1__0\n", 2, 0},
		{"workers = 2\r\nthreads = 4\r\nx = 1__0\r\n", 3, 0},
		{"x = 1\r\ny = 'abc\r\n", 2, 5},
		{"x = 5\\", 1, 7},
		{"x = 1\r\nif x:\r\n\ty = 1\r\n        z = 2\r\n", 4, 0},
	} {
		_, err := Parse("gunicorn.conf.py", []byte(c.src))
		var pe *ParseError
		require.ErrorAs(t, err, &pe, c.src)
		assert.Equal(t, c.line, pe.Line, "%q: %v", c.src, err)
		if c.col > 0 {
			assert.Equal(t, c.col, pe.Column, "%q: %v", c.src, err)
		}
	}
}

package cache

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected values follow minimatch 3's documented translation of a glob
// segment into a JavaScript regular expression (dot: true, noext: true).
func TestSegmentMatch(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*", ".hidden", true},
		{"*", ".", false},
		{"*", "..", false},
		{".*", ".", true}, // no dot guard when the pattern starts with a dot
		{"*.py", "a.py", true},
		{"*.py", ".py", true},
		{"*.py", "a.pyc", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"?", "😀", false}, // two UTF-16 units
		{"??", "😀", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[!a]", "b", true},
		{"[!a]", "a", false},
		{"[^a]", "a", false},
		{"[z-a]", "[z-a]", true}, // invalid class: literal text
		{"[z-a]", "b", false},
		{"a[", "a[", true},
		{"*[", "x[undefined", true}, // minimatch renders parse('') as "undefined"
		{"*[", "x[", false},
		{"[]a]", "]", true},
		{"[]a]", "a", true},
		{"[]a]", "b", false},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{`[\]]`, "]", true},
		{`a\`, `a\`, true},
		{"[[:alpha:]]", "a]", true},
		{"[[:alpha:]]", "x", false},
		{"*", "\nfoo", false}, // (?=.) refuses a leading newline
		{"*", "foo\n", true},
		{"[!]", "x", true}, // [^] matches any unit
		{"[]", "[]", true},
		{"[a-]", "-", true},
		{`[\d]`, "d", true},
		{`[\d]`, "1", false},
		{`[z\-a]`, "z", false}, // minimatch writes z-a: the expression fails to compile
		{"a+b", "a+b", true},
		{"a(b)", "a(b)", true},
		{"{a,b}", "{a,b}", true}, // no braces
		{"@(a)", "@(a)", true},   // no extglob
		{"!(a)", "!(a)", true},
		{"a**b", "axyb", true},
		{"**", "anything", true},
	}
	for _, c := range cases {
		m := compileSegment(c.pat)
		var buf []uint16
		assert.Equal(t, c.want, m.match(c.name, &buf), "pattern %q name %q", c.pat, c.name)
	}
}

func TestGetLiteral(t *testing.T) {
	cases := map[string]string{
		"abc":    "abc",
		`a\*b`:   "a*b",
		"a*":     "",
		"a?":     "",
		"[a]":    "a",
		"[ab]":   "",
		"[.]":    ".",
		"a[":     "a[",
		"[😀]":    "", // two units
		`[\]]`:   "]",
		`trail\`: `trail\`,
	}
	for in, want := range cases {
		assert.Equal(t, want, getLiteral(in), in)
	}
}

func TestSearchPaths(t *testing.T) {
	set, err := compilePatterns("b/*\n!x/**\n**/y\na/c/**\nb/*", "/ws", "/home")
	require.NoError(t, err)
	// "/ws" (from **/y) is an ancestor of "/ws/b" and "/ws/a/c".
	assert.Equal(t, []string{"/ws"}, set.searchPaths())

	set, err = compilePatterns("b/*\na/c/**\na/c/d\nb/*", "/ws", "/home")
	require.NoError(t, err)
	assert.Equal(t, []string{"/ws/b", "/ws/a/c"}, set.searchPaths())
}

func TestGlobEscape(t *testing.T) {
	assert.Equal(t, "/a/[[]x]/b", globEscape("/a/[x]/b"))
	assert.Equal(t, "/a/[/b]", globEscape("/a/[/b]"))
	assert.Equal(t, "/a[?][*]", globEscape("/a?*"))
	assert.Equal(t, `/a\\b`, globEscape(`/a\b`))
}

func TestWorkspaceWithGlobCharacters(t *testing.T) {
	// The workspace path is escaped before patterns are rooted at it.
	set, err := compilePatterns("*.lock", "/w[1]/x*", "/home")
	require.NoError(t, err)
	assert.Equal(t, matchAll, set.match(splitSlashes("/w[1]/x*/p.lock"), false, new([]uint16)))
	assert.Equal(t, matchNone, set.match(splitSlashes("/w1/xy/p.lock"), false, new([]uint16)))
	assert.Equal(t, []string{"/w[1]/x*"}, set.searchPaths())
}

func TestJSTrim(t *testing.T) {
	assert.Equal(t, "a b", jsTrim("\t\n\v\f\r \u00a0\ufeffa b\u2028\u3000"))
	assert.Equal(t, "\u0085a", jsTrim("\u0085a")) // NEL is not JS white space
}

func TestJSRegexpValid(t *testing.T) {
	valid := []string{"[a]", "[a-z]", "[]a]", "[]()]", "[]*]", "[]{]", `[\d-a]`, "[]a{1}]", "[^]"}
	invalid := []string{"[z-a]", `[a\]`, "[](]", "[])]", "[]**]", "[]{2,1}]", `[]\`}
	for _, s := range valid {
		assert.True(t, jsRegexpValid(units(s, nil)), s)
	}
	for _, s := range invalid {
		assert.False(t, jsRegexpValid(units(s, nil)), s)
	}
}

// FuzzPattern compiles arbitrary pattern text and matches it against an
// arbitrary name: it must never panic, and a plain name must match itself.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"**/poetry.lock", "!a/**", "[z-a]", "*[", "[!]", `\`, "a/../b", "~/x", "./a", "[]a]", "[[:alpha:]]", "?😀", "!", "#c", "a\nb"} {
		f.Add(s, "poetry.lock")
	}
	f.Fuzz(func(t *testing.T, text, name string) {
		set, err := compilePatterns(text, "/ws", "/home/u")
		if err == nil {
			segs := splitSlashes("/ws/" + strings.ReplaceAll(name, "/", "_"))
			_ = set.match(segs, false, new([]uint16))
			_ = set.partialMatch(segs, false, new([]uint16))
			_ = set.searchPaths()
		}
		plain := true
		for _, r := range name {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				plain = false
			}
		}
		if plain && name != "" && utf8.ValidString(name) {
			set, err := compilePatterns(name, "/ws", "/home/u")
			require.NoError(t, err)
			assert.Equal(t, matchAll, set.match([]string{"", "ws", name}, false, new([]uint16)))
			assert.Equal(t, matchNone, set.match([]string{"", "ws", name + "x"}, false, new([]uint16)))
		}
	})
}

// FuzzSegmentFastPath checks the "prefix*suffix" shortcut against the
// general matcher.
func FuzzSegmentFastPath(f *testing.F) {
	for _, s := range [][2]string{{"*.py", "a.py"}, {"test_*", "test_x"}, {"a*b", "ab"}, {"*\u2028", "\u2028"}, {"*😀", "x😀"}, {"*", "\n"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		if strings.Contains(pat, "/") || strings.Contains(name, "/") || !utf8.ValidString(pat) || !utf8.ValidString(name) {
			return
		}
		m := compileSegment(pat)
		if !m.fast {
			return
		}
		slow := m
		slow.fast = false
		var b1, b2 []uint16
		assert.Equal(t, slow.match(name, &b1), m.match(name, &b2), "pattern %q name %q", pat, name)
	})
}

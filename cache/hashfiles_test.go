package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree builds files (path -> content; content "->target" makes a symbolic
// link, a path ending in "/" makes a directory) under a new workspace.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	ws := t.TempDir()
	for p, c := range files {
		full := filepath.Join(ws, p)
		if strings.HasSuffix(p, "/") {
			require.NoError(t, os.MkdirAll(full, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if strings.HasPrefix(c, "->") {
			require.NoError(t, os.Symlink(c[2:], full))
			continue
		}
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return ws
}

// expectHash is the hashFiles definition applied by hand: sha256 over the
// raw sha256 digests of the given contents, in the given order.
func expectHash(contents ...string) string {
	if len(contents) == 0 {
		return ""
	}
	outer := sha256.New()
	for _, c := range contents {
		d := sha256.Sum256([]byte(c))
		outer.Write(d[:])
	}
	return hex.EncodeToString(outer.Sum(nil))
}

func hashArgs(t *testing.T, ws string, args ...string) (string, error) {
	t.Helper()
	return HashFiles(context.Background(), ws, args, HashOptions{HomeDir: "/nonexistent-home"})
}

func TestHashFilesSingleFileKnownValue(t *testing.T) {
	// sha256(sha256("x")) computed with coreutils:
	// printf x | sha256sum | xxd -r -p | sha256sum
	const want = "0a325ca303eb3014c43ae004970f343634db176fa1697bcc8c9efac94626488d"
	ws := tree(t, map[string]string{"poetry.lock": "x"})
	got, err := hashArgs(t, ws, "**/poetry.lock")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, want, expectHash("x"))
}

func TestHashFilesRules(t *testing.T) {
	type tc struct {
		name  string
		files map[string]string
		args  []string
		// order lists the files whose contents make the hash, in the
		// order derived from the rules by hand.
		order []string
	}
	cases := []tc{
		{
			name:  "nothing matched gives empty string",
			files: map[string]string{"a.txt": "a"},
			args:  []string{"**/*.lock"},
		},
		{
			name:  "missing search path is skipped",
			files: map[string]string{"a.txt": "a"},
			args:  []string{"nope/**", "a.txt"},
			order: []string{"a.txt"},
		},
		{
			name: "star matches dotfiles and the implicit descendants take .git",
			files: map[string]string{
				".env": "e", ".git/config": "g", "b": "b",
			},
			args:  []string{"*"},
			order: []string{".env", ".git/config", "b"},
		},
		{
			name: "depth first, children in byte order (not sorted full paths)",
			files: map[string]string{
				"a/x": "ax", "a/y": "ay", "a-b": "ab", "a.txt": "at", "B": "B", "_": "_",
			},
			// root children by bytes: "B"(0x42) "_"(0x5f) "a" "a-b" "a.txt"
			args:  []string{"**"},
			order: []string{"B", "_", "a/x", "a/y", "a-b", "a.txt"},
		},
		{
			name:  "pattern order decides the walk order of disjoint search paths",
			files: map[string]string{"a/1": "a1", "b/1": "b1"},
			args:  []string{"b/**", "a/**"},
			order: []string{"b/1", "a/1"},
		},
		{
			name:  "a search path with an ancestor search path is walked once, in tree order",
			files: map[string]string{"a/1": "a1", "b/1": "b1"},
			args:  []string{"b/**", "**/1"},
			order: []string{"a/1", "b/1"},
		},
		{
			name:  "duplicate patterns hash a file once",
			files: map[string]string{"p.lock": "p"},
			args:  []string{"p.lock", "p.lock", "*.lock"},
			order: []string{"p.lock"},
		},
		{
			name:  "exclude then re-include: the last matching pattern wins",
			files: map[string]string{"a/keep.txt": "k", "a/drop.txt": "d", "z.txt": "z"},
			args:  []string{"**", "!a/**", "a/keep.txt"},
			order: []string{"a/keep.txt", "z.txt"},
		},
		{
			name:  "exclude after include removes",
			files: map[string]string{"m/a.py": "a", "m/test_a.py": "t", ".venv/x.py": "v"},
			args:  []string{"**/*.py", "!**/test_*.py"},
			order: []string{".venv/x.py", "m/a.py"},
		},
		{
			name:  "a double bang is no negation",
			files: map[string]string{"a": "a", "b": "b"},
			args:  []string{"!!a"},
			order: []string{"a"},
		},
		{
			name:  "a bang with spaces negates",
			files: map[string]string{"a": "a", "b": "b"},
			args:  []string{"*", "!  a"},
			order: []string{"b"},
		},
		{
			name:  "a directory name hashes everything below it",
			files: map[string]string{"src/a": "a", "src/d/b": "b", "srcx": "x"},
			args:  []string{"src"},
			order: []string{"src/a", "src/d/b"},
		},
		{
			name:  "trailing slash: directory contents via the implicit pattern",
			files: map[string]string{"src/a": "a", "src/d/b": "b"},
			args:  []string{"src/"},
			order: []string{"src/a", "src/d/b"},
		},
		{
			name:  "trailing slash on a regular file matches nothing",
			files: map[string]string{"f": "f"},
			args:  []string{"f/"},
		},
		{
			name:  "explicit ** matches the directory itself and below",
			files: map[string]string{"d/x": "x", "d/e/y": "y"},
			args:  []string{"d/**"},
			order: []string{"d/e/y", "d/x"},
		},
		{
			name:  "multi-line argument, comments and blank lines",
			files: map[string]string{"a": "a", "b": "b", "c": "c"},
			args:  []string{"c\n# b\n\n   a   "},
			order: []string{"c", "a"},
		},
		{
			name:  "leading ./ is the workspace",
			files: map[string]string{"a/b": "b"},
			args:  []string{"./a/b"},
			order: []string{"a/b"},
		},
		{
			name:  "question mark, classes and negated classes",
			files: map[string]string{"a1": "1", "a2": "2", "ab": "b", "c1": "c"},
			args:  []string{"a?", "!?[!0-9]", "!a[2]"},
			order: []string{"a1"},
		},
		{
			name:  "escaped star is a literal star",
			files: map[string]string{"*": "star", "x": "x"},
			args:  []string{`\*`},
			order: []string{"*"},
		},
		{
			name:  "case sensitive",
			files: map[string]string{"Poetry.lock": "P", "poetry.lock": "p"},
			args:  []string{"**/poetry.lock"},
			order: []string{"poetry.lock"},
		},
		{
			name:  "globstar in the middle matches zero segments",
			files: map[string]string{"a/b": "ab", "a/x/y/b": "axyb"},
			args:  []string{"a/**/b"},
			order: []string{"a/b", "a/x/y/b"},
		},
		{
			name: "symlink to a file is hashed by its target's content",
			files: map[string]string{
				"real.txt": "content", "link.txt": "->real.txt",
			},
			args:  []string{"*.txt"},
			order: []string{"link.txt", "real.txt"},
		},
		{
			name: "without the option a symlinked directory is not descended",
			files: map[string]string{
				"d/f": "f", "ld": "->d",
			},
			args:  []string{"**"},
			order: []string{"d/f"},
		},
		{
			name: "with the option a symlinked directory is descended",
			files: map[string]string{
				"d/f": "f", "ld": "->d",
			},
			args:  []string{"--follow-symbolic-links", "**"},
			order: []string{"d/f", "ld/f"},
		},
		{
			name: "the option is case-insensitive",
			files: map[string]string{
				"d/f": "f", "ld": "->d",
			},
			args:  []string{"--Follow-Symbolic-LINKS", "**"},
			order: []string{"d/f", "ld/f"},
		},
		{
			name: "with the option a cycle is skipped",
			files: map[string]string{
				"d/f": "f", "d/loop": "->..",
			},
			// d/loop resolves to the workspace, an ancestor: skipped.
			args:  []string{"--follow-symbolic-links", "**"},
			order: []string{"d/f"},
		},
		{
			name: "with the option a dangling symlink is omitted",
			files: map[string]string{
				"a": "a", "dangling": "->missing",
			},
			args:  []string{"--follow-symbolic-links", "*"},
			order: []string{"a"},
		},
		{
			name: "an excluded dangling symlink is fine",
			files: map[string]string{
				"a": "a", "dangling": "->missing",
			},
			args:  []string{"*", "!dangling"},
			order: []string{"a"},
		},
		{
			name:  "an option-looking later argument is a pattern",
			files: map[string]string{"--x": "x"},
			args:  []string{"nothing", "--x"},
			order: []string{"--x"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := tree(t, c.files)
			var contents []string
			for _, p := range c.order {
				b, err := os.ReadFile(filepath.Join(ws, p))
				require.NoError(t, err)
				contents = append(contents, string(b))
			}
			got, err := hashArgs(t, ws, c.args...)
			require.NoError(t, err)
			assert.Equal(t, expectHash(contents...), got)

			r, err := HashFilesDetailed(context.Background(), ws, c.args, HashOptions{HomeDir: "/nonexistent-home", Workers: 1})
			require.NoError(t, err)
			var rel []string
			for _, f := range r.Files {
				real, _ := filepath.EvalSymlinks(ws)
				rel = append(rel, strings.TrimPrefix(f, real+"/"))
			}
			if len(c.order) == 0 {
				assert.Empty(t, rel)
			} else {
				assert.Equal(t, c.order, rel)
			}
		})
	}
}

func TestHashFilesErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string
	}{
		{"no arguments", nil, nil},
		{"too many arguments", nil, make([]string, 256)},
		{"unknown option", nil, []string{"--nope", "a"}},
		{"parent segment", nil, []string{"../x"}},
		{"inner parent segment", nil, []string{"a/../b"}},
		{"inner dot segment", nil, []string{"a/./b"}},
		{"escaped dot segment", nil, []string{`a/\./b`}},
		{"class dot segment", nil, []string{"a/[.]/b"}},
		{"empty after negation", nil, []string{"!"}},
		{"matched dangling symlink", map[string]string{"dangling": "->missing"}, []string{"*"}},
		{"matched symlink loop with the option", map[string]string{"self": "->self"}, []string{"--follow-symbolic-links", "*"}},
		{"search path through a file", map[string]string{"f": "f"}, []string{"f/x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := tree(t, c.files)
			_, err := hashArgs(t, ws, c.args...)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrRunnerFailure), "%v", err)
		})
	}
}

func TestHashFilesOutsideWorkspaceIgnored(t *testing.T) {
	outside := tree(t, map[string]string{"secret": "s"})
	ws := tree(t, map[string]string{"a": "a"})
	got, err := hashArgs(t, ws, filepath.Join(outside, "secret"))
	require.NoError(t, err)
	assert.Equal(t, "", got)
	got, err = hashArgs(t, ws, filepath.Join(outside, "secret"), "a")
	require.NoError(t, err)
	assert.Equal(t, expectHash("a"), got)
}

func TestHashFilesHomePattern(t *testing.T) {
	ws := tree(t, map[string]string{"a/b": "b"})
	real, err := filepath.EvalSymlinks(ws)
	require.NoError(t, err)
	got, err := HashFiles(context.Background(), ws, []string{"~/a/b"}, HashOptions{HomeDir: real})
	require.NoError(t, err)
	assert.Equal(t, expectHash("b"), got)
}

func TestHashFilesNoFollowSymlinkToDirectoryMatchedAsFile(t *testing.T) {
	// "ld" matches '*' as a file (lstat), then stat says directory: skipped.
	ws := tree(t, map[string]string{"d/": "", "ld": "->d", "z": "z"})
	got, err := hashArgs(t, ws, "*", "!d/**", "!d")
	require.NoError(t, err)
	assert.Equal(t, expectHash("z"), got)
}

func TestHashFilesInvalidUTF8Name(t *testing.T) {
	ws := tree(t, map[string]string{"ok": "ok"})
	require.NoError(t, os.WriteFile(filepath.Join(ws, "bad\xff"), []byte("b"), 0o644))
	// Node decodes the name lossily, so its lstat fails: the runner errors.
	_, err := hashArgs(t, ws, "*")
	require.ErrorIs(t, err, ErrRunnerFailure)
	// With the option the entry looks like a broken link: omitted.
	got, err := hashArgs(t, ws, "--follow-symbolic-links", "*")
	require.NoError(t, err)
	assert.Equal(t, expectHash("ok"), got)
	// Not matched, not touched.
	got, err = hashArgs(t, ws, "ok")
	require.NoError(t, err)
	assert.Equal(t, expectHash("ok"), got)
}

func TestHashFilesParallelKeepsOrder(t *testing.T) {
	files := map[string]string{}
	var order []string
	for i := 0; i < 300; i++ {
		p := filepath.Join("d"+string(rune('a'+i%7)), "f"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+".txt")
		if _, ok := files[p]; ok {
			continue
		}
		files[p] = strings.Repeat(p, i%11+1)
	}
	ws := tree(t, files)
	r1, err := HashFilesDetailed(context.Background(), ws, []string{"**/*.txt"}, HashOptions{Workers: 1})
	require.NoError(t, err)
	r8, err := HashFilesDetailed(context.Background(), ws, []string{"**/*.txt"}, HashOptions{Workers: 8})
	require.NoError(t, err)
	assert.Equal(t, r1.Hash, r8.Hash)
	assert.Equal(t, r1.Files, r8.Files)
	// The order is the byte order of the relative paths here (no name is a
	// prefix of a sibling directory), derived independently by sorting.
	for p := range files {
		order = append(order, p)
	}
	sortStrings(order)
	var contents []string
	for _, p := range order {
		contents = append(contents, files[p])
	}
	assert.Equal(t, expectHash(contents...), r8.Hash)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestHashFilesCancelled(t *testing.T) {
	ws := tree(t, map[string]string{"a": "a"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := HashFiles(ctx, ws, []string{"**"}, HashOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestPatternErrorNamesLine(t *testing.T) {
	ws := tree(t, nil)
	_, err := hashArgs(t, ws, "a", "# comment\nb/../c")
	var pe *PatternError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	assert.Equal(t, "b/../c", pe.Pattern)
	assert.Contains(t, err.Error(), "line 3")
}

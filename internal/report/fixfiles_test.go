package report

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const dockerfile = "FROM python:3.12-slim as build\n" +
	"RUN apt-get update && apt-get install -y gcc\n" +
	"COPY . /app\n" +
	"RUN chown -R app:app /app\n"

const migration = "BEGIN;\nCREATE INDEX idx_a ON t (a);\nCOMMIT;\n"

// fixDiags are the kinds of mechanical fixes issue 11 names: FROM ... as ->
// AS, a missing --no-install-recommends, chown -R -> COPY --chown, and
// CREATE INDEX -> CONCURRENTLY with the non-atomic marker.
func fixDiags() []Diagnostic {
	return []Diagnostic{
		{Pos: Position{File: "Dockerfile", Line: 1, Column: 23}, Rule: "DK101", Message: "as", SuggestedFixes: []SuggestedFix{{Message: "write AS",
			TextEdits: []TextEdit{{Pos: Position{File: "Dockerfile", Line: 1, Column: 23}, End: Position{File: "Dockerfile", Line: 1, Column: 25}, NewText: "AS"}}}}},
		{Pos: Position{File: "Dockerfile", Line: 2, Column: 24}, Rule: "DK102", Message: "recommends", SuggestedFixes: []SuggestedFix{{Message: "add --no-install-recommends",
			TextEdits: []TextEdit{{Pos: Position{Line: 2, Column: 41}, NewText: " --no-install-recommends"}}}}},
		{Pos: Position{File: "./Dockerfile", Line: 4, Column: 1}, Rule: "DK002", Message: "chown", SuggestedFixes: []SuggestedFix{{Message: "COPY --chown",
			TextEdits: []TextEdit{
				{Pos: Position{Line: 3, Column: 6}, NewText: "--chown=app:app "},
				{Pos: Position{Line: 4, Column: 1}, End: Position{Line: 5, Column: 1}},
			}}}},
		{Pos: Position{File: "0001_index.sql", Line: 2, Column: 1}, Rule: "MG012", Message: "locks", SuggestedFixes: []SuggestedFix{
			{Message: "CONCURRENTLY, outside the transaction", TextEdits: []TextEdit{
				{Pos: Position{Line: 1, Column: 1}, End: Position{Line: 2, Column: 1}, NewText: "-- deploykit:non-atomic\n"},
				{Pos: Position{Line: 2, Column: 13}, NewText: " CONCURRENTLY"},
				{Pos: Position{Line: 3, Column: 1}, End: Position{Line: 4, Column: 1}},
			}},
			{Message: "a second way, ignored by -fix", TextEdits: []TextEdit{{Pos: Position{Line: 1, Column: 1}, NewText: "x"}}},
		}},
		{Pos: Position{File: "Dockerfile", Line: 1}, Rule: "DK900", Message: "advice only", SuggestedFixes: []SuggestedFix{{Message: "think"}}},
	}
}

const fixedDockerfile = "FROM python:3.12-slim AS build\n" +
	"RUN apt-get update && apt-get install -y --no-install-recommends gcc\n" +
	"COPY --chown=app:app . /app\n"

const fixedMigration = "-- deploykit:non-atomic\nCREATE INDEX CONCURRENTLY idx_a ON t (a);\n"

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o640))
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestApplyFixesToFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": dockerfile, "0001_index.sql": migration})
	changed, err := ApplyFixesToFiles(context.Background(), fixDiags(), FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, []string{"0001_index.sql", "Dockerfile"}, changed)
	assert.Equal(t, fixedDockerfile, readFile(t, filepath.Join(dir, "Dockerfile")))
	assert.Equal(t, fixedMigration, readFile(t, filepath.Join(dir, "0001_index.sql")))
	st, err := os.Stat(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the mode is kept")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind")

	// The analyser re-run on the fixed files reports none of these: nothing
	// changes. Re-applying the same (stale) insertions changes nothing
	// either: an insertion already in place is skipped.
	changed, err = ApplyFixesToFiles(context.Background(), nil, FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Empty(t, changed)
	stale := []Diagnostic{fixDiags()[0], fixDiags()[1]}
	changed, err = ApplyFixesToFiles(context.Background(), stale, FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Empty(t, changed, "AS->AS and an insertion already present change nothing")
	assert.Equal(t, fixedDockerfile, readFile(t, filepath.Join(dir, "Dockerfile")))
}

func TestApplyFixesToFilesRefusesOverlapAndWritesNothing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": dockerfile, "0001_index.sql": migration})
	overlap := Diagnostic{Pos: Position{File: "0001_index.sql", Line: 2}, Rule: "MG013", Message: "m", SuggestedFixes: []SuggestedFix{{
		TextEdits: []TextEdit{{Pos: Position{Line: 2, Column: 8}, End: Position{Line: 2, Column: 20}, NewText: "UNIQUE INDEX"}}}}}
	_, err := ApplyFixesToFiles(context.Background(), append(fixDiags(), overlap), FixOptions{Dir: dir})
	require.ErrorIs(t, err, ErrOverlap)
	var fe *FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "0001_index.sql", fe.File)
	assert.Contains(t, err.Error(), "0001_index.sql: overlapping edits: 2:8-2:20 and 2:13-2:13")
	assert.Equal(t, dockerfile, readFile(t, filepath.Join(dir, "Dockerfile")), "the Dockerfile, which had no problem, is not written either")
	assert.Equal(t, migration, readFile(t, filepath.Join(dir, "0001_index.sql")))

	// Edits outside the file and missing files are refused the same way.
	for name, d := range map[string]Diagnostic{
		"past the end": {Pos: Position{File: "Dockerfile", Line: 1}, SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: 9, Column: 1}, NewText: "x"}}}}},
		"no such file": {Pos: Position{File: "nope"}, SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: 1}, NewText: "x"}}}}},
	} {
		_, err := ApplyFixesToFiles(context.Background(), append(fixDiags(), d), FixOptions{Dir: dir})
		assert.Error(t, err, name)
		assert.Equal(t, dockerfile, readFile(t, filepath.Join(dir, "Dockerfile")), name)
	}
}

func TestApplyFixesToFilesRootAndLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links")
	}
	outside := writeFiles(t, map[string]string{"Dockerfile": dockerfile})
	dir := writeFiles(t, map[string]string{"0001_index.sql": migration})
	require.NoError(t, os.Symlink(filepath.Join(outside, "Dockerfile"), filepath.Join(dir, "Dockerfile")))

	_, err := ApplyFixesToFiles(context.Background(), fixDiags(), FixOptions{Dir: dir, Root: dir})
	assert.ErrorContains(t, err, "outside")
	assert.Equal(t, dockerfile, readFile(t, filepath.Join(outside, "Dockerfile")))
	assert.Equal(t, migration, readFile(t, filepath.Join(dir, "0001_index.sql")))

	// Without Root the link is followed: its target is fixed, the link stays.
	_, err = ApplyFixesToFiles(context.Background(), fixDiags(), FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, fixedDockerfile, readFile(t, filepath.Join(outside, "Dockerfile")))
	fi, err := os.Lstat(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeSymlink)

	// Two names for one file through a link are refused.
	dir2 := writeFiles(t, map[string]string{"a.sql": migration})
	require.NoError(t, os.Symlink("a.sql", filepath.Join(dir2, "b.sql")))
	two := []Diagnostic{
		{Pos: Position{File: "a.sql", Line: 2}, SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: 2, Column: 13}, NewText: " CONCURRENTLY"}}}}},
		{Pos: Position{File: "b.sql", Line: 1}, SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: 1, Column: 1}, NewText: "-- x\n"}}}}},
	}
	_, err = ApplyFixesToFiles(context.Background(), two, FixOptions{Dir: dir2})
	assert.ErrorContains(t, err, "the same file")
	assert.Equal(t, migration, readFile(t, filepath.Join(dir2, "a.sql")))
}

func TestApplyFixesToFilesCancelled(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": dockerfile, "0001_index.sql": migration})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ApplyFixesToFiles(ctx, fixDiags(), FixOptions{Dir: dir})
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Equal(t, dockerfile, readFile(t, filepath.Join(dir, "Dockerfile")))
}

func TestApplyFixesInMemory(t *testing.T) {
	files := map[string]string{"Dockerfile": dockerfile, "0001_index.sql": migration}
	read := func(p string) ([]byte, error) {
		s, ok := files[p]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(s), nil
	}
	got, err := ApplyFixes(fixDiags(), read)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"Dockerfile": []byte(fixedDockerfile), "0001_index.sql": []byte(fixedMigration)}, got)
}

// gnuDiff runs GNU diff -u on two texts and drops its two header lines,
// which carry temporary names and dates.
func gnuDiff(t *testing.T, a, b string) string {
	t.Helper()
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("GNU diff is not installed")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a"), []byte(a), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b"), []byte(b), 0o644))
	out, err := exec.Command("diff", "-u", filepath.Join(dir, "a"), filepath.Join(dir, "b")).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diff: %v", err)
	}
	return dropHeaders(string(out))
}

func dropHeaders(s string) string {
	for i := 0; i < 2; i++ {
		if k := strings.IndexByte(s, '\n'); k >= 0 {
			s = s[k+1:]
		}
	}
	return s
}

func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %02d\n", i)
	}
	return b.String()
}

// The hunks are GNU diff -u's, byte for byte, on fix-shaped changes.
func TestUnifiedDiffMatchesGNUDiff(t *testing.T) {
	long := numbered(40)
	replace := func(s, old, new string) string { return strings.Replace(s, old, new, 1) }
	cases := map[string][2]string{
		"one line":                 {dockerfile, fixedDockerfile},
		"migration":                {migration, fixedMigration},
		"first line":               {long, replace(long, "line 01\n", "LINE 01\n")},
		"last line":                {long, replace(long, "line 40\n", "LINE 40\n")},
		"insert at top":            {long, "# syntax=docker/dockerfile:1\n" + long},
		"append":                   {long, long + "EXPOSE 8000\n"},
		"two hunks (gap 7)":        {long, replace(replace(long, "line 10\n", "ten\n"), "line 18\n", "eighteen\n")},
		"merged hunks (gap 6)":     {long, replace(replace(long, "line 10\n", "ten\n"), "line 17\n", "seventeen\n")},
		"delete lines":             {long, replace(long, "line 10\nline 11\nline 12\n", "")},
		"no newline at end, added": {"a\nb\nc", "a\nb\nc\n"},
		"no newline, changed":      {"a\nb\nc", "a\nb\nC"},
		"no newline, kept":         {"a\nb\nc", "A\nb\nc"},
		"from empty":               {"", "a\nb\n"},
		"to empty":                 {"a\nb\n", ""},
		"crlf":                     {"FROM x as y\r\nRUN a\r\n", "FROM x AS y\r\nRUN a\r\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			mine := diffLines("a/f", "b/f", []byte(c[0]), []byte(c[1]))
			assert.True(t, strings.HasPrefix(mine, "--- a/f\n+++ b/f\n"), mine)
			assert.Equal(t, gnuDiff(t, c[0], c[1]), dropHeaders(mine))
		})
	}
	assert.Empty(t, diffLines("a", "b", []byte(long), []byte(long)))
}

// On arbitrary changes the diff may pair equal lines differently from GNU
// diff (both are shortest), so the check is what a user relies on: patch
// applies it and gets the new text, and it changes no more lines than GNU
// diff's.
func TestUnifiedDiffAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch is not installed")
	}
	r := rand.New(rand.NewSource(11))
	gen := func() string {
		var b strings.Builder
		for j, n := 0, r.Intn(14); j < n; j++ {
			b.WriteString(string(rune('a'+r.Intn(4))) + "\n")
		}
		s := b.String()
		if r.Intn(4) == 0 && s != "" {
			s = s[:len(s)-1]
		}
		return s
	}
	count := func(d string) int {
		n := 0
		for _, l := range strings.Split(d, "\n") {
			if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
				n++
			}
		}
		return n
	}
	dir := t.TempDir()
	for i := 0; i < 60; i++ {
		a, b := gen(), gen()
		d := diffLines("a/f", "b/f", []byte(a), []byte(b))
		if a == b {
			assert.Empty(t, d)
			continue
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte(a), 0o644))
		cmd := exec.Command("patch", "-s", "-p1", "-i", "-")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(d)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s\n%s", out, d)
		assert.Equal(t, b, readFile(t, filepath.Join(dir, "f")), d)
		assert.LessOrEqual(t, count(dropHeaders(d)), count(gnuDiff(t, a, b)), "a=%q b=%q", a, b)
	}
}

func TestUnifiedDiff(t *testing.T) {
	files := map[string]string{"Dockerfile": dockerfile, "0001_index.sql": migration}
	read := func(p string) ([]byte, error) {
		s, ok := files[filepath.Clean(p)]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(s), nil
	}
	d, err := UnifiedDiff(fixDiags(), read)
	require.NoError(t, err)
	assert.Equal(t, "--- a/0001_index.sql\n+++ b/0001_index.sql\n"+dropHeaders(diffLines("", "", []byte(migration), []byte(fixedMigration)))+
		"--- a/Dockerfile\n+++ b/Dockerfile\n"+gnuDiff(t, dockerfile, fixedDockerfile), d)

	// -diff then patch -p1 gives what -fix writes.
	dir := writeFiles(t, files)
	cmd := exec.Command("patch", "-s", "-p1", "-i", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(d)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, fixedDockerfile, readFile(t, filepath.Join(dir, "Dockerfile")))
	assert.Equal(t, fixedMigration, readFile(t, filepath.Join(dir, "0001_index.sql")))

	none, err := UnifiedDiff(nil, read)
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = UnifiedDiff(append(fixDiags(), Diagnostic{Pos: Position{File: "Dockerfile"}, SuggestedFixes: []SuggestedFix{{
		TextEdits: []TextEdit{{Pos: Position{Line: 1, Column: 1}, End: Position{Line: 1, Column: 30}, NewText: "FROM x"}}}}}), read)
	assert.ErrorIs(t, err, ErrOverlap)
}

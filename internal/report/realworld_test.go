package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realWorldFixes derives, from a workflow's text, the kind of edits the
// analysers' fixes make: a replacement of different length (re-pin every
// "uses: x@ref" to "@v9"), an insertion at the end of a line (" (fixed)"
// after the top-level name) and a deletion of whole lines (blank lines).
// Already-fixed text yields edits that change nothing, as a re-run
// analyser would report nothing.
func realWorldFixes(file, text string) []Diagnostic {
	var diags []Diagnostic
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		n := i + 1
		content := strings.TrimRight(l, "\r\n")
		if k := strings.Index(content, "uses: "); k >= 0 {
			if at := strings.LastIndex(content, "@"); at > k {
				end := len(content)
				if c := strings.Index(content[at:], " "); c >= 0 {
					end = at + c
				}
				if content[at+1:end] != "v9" {
					diags = append(diags, Diagnostic{Pos: Position{File: file, Line: n, Column: at + 2}, Rule: "RW1", Message: "re-pin",
						SuggestedFixes: []SuggestedFix{{Message: "pin v9", TextEdits: []TextEdit{{
							Pos: Position{Line: n, Column: at + 2}, End: Position{Line: n, Column: end + 1}, NewText: "v9"}}}}})
				}
			}
		}
		if strings.HasPrefix(content, "name:") && !strings.HasSuffix(content, " (fixed)") {
			diags = append(diags, Diagnostic{Pos: Position{File: file, Line: n, Column: 1}, Rule: "RW2", Message: "name",
				SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: n, Column: len(content) + 1}, NewText: " (fixed)"}}}}})
		}
		if strings.TrimSpace(content) == "" && strings.HasSuffix(l, "\n") {
			diags = append(diags, Diagnostic{Pos: Position{File: file, Line: n}, Rule: "RW3", Message: "blank",
				SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{{Pos: Position{Line: n, Column: 1}, End: Position{Line: n + 1, Column: 1}}}}}})
		}
	}
	return diags
}

// rewrite is the expected result, computed line by line without edits.
func rewrite(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		content, nl := strings.TrimRight(l, "\r\n"), l[len(strings.TrimRight(l, "\r\n")):]
		if strings.TrimSpace(content) == "" && strings.HasSuffix(l, "\n") {
			continue
		}
		if k := strings.Index(content, "uses: "); k >= 0 {
			if at := strings.LastIndex(content, "@"); at > k {
				rest := ""
				if c := strings.Index(content[at:], " "); c >= 0 {
					rest = content[at+c:]
				}
				content = content[:at+1] + "v9" + rest
			}
		}
		if strings.HasPrefix(content, "name:") {
			content += " (fixed)"
		}
		b.WriteString(content + nl)
	}
	return b.String()
}

func TestFixAndDiffOnRealWorkflows(t *testing.T) {
	files, err := filepath.Glob("testdata/realworld/*.yml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 20)
	dir := t.TempDir()
	var diags []Diagnostic
	originals := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		name := filepath.Base(f)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		originals[name] = string(data)
		diags = append(diags, realWorldFixes(name, string(data))...)
	}
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	diff, err := UnifiedDiff(diags, read)
	require.NoError(t, err)

	changed, err := ApplyFixesToFiles(context.Background(), diags, FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Len(t, changed, len(files), "every workflow has a name or a uses: line to fix")
	edits := 0
	for _, d := range diags {
		edits += len(d.SuggestedFixes[0].TextEdits)
	}
	t.Logf("%d files, %d edits, %d diff lines", len(files), edits, strings.Count(diff, "\n"))

	var again []Diagnostic
	for name, orig := range originals {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, rewrite(orig), string(got), name)
		again = append(again, realWorldFixes(name, string(got))...)
	}
	changed, err = ApplyFixesToFiles(context.Background(), again, FixOptions{Dir: dir})
	require.NoError(t, err)
	assert.Empty(t, changed, "a second pass changes nothing")

	// The diff, file by file, is GNU diff -u's.
	for _, part := range strings.Split(diff, "--- a/")[1:] {
		name := part[:strings.IndexByte(part, '\n')]
		fixed, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, gnuDiff(t, originals[name], string(fixed)), dropHeaders("--- a/"+part), name)
	}
	// And patch -p1 turns the originals into the fixed files.
	pdir := t.TempDir()
	for name, orig := range originals {
		require.NoError(t, os.WriteFile(filepath.Join(pdir, name), []byte(orig), 0o644))
	}
	if _, err := exec.LookPath("patch"); err == nil {
		cmd := exec.Command("patch", "-s", "-p1", "-i", "-")
		cmd.Dir = pdir
		cmd.Stdin = strings.NewReader(diff)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		for name := range originals {
			a, _ := os.ReadFile(filepath.Join(pdir, name))
			b, _ := os.ReadFile(filepath.Join(dir, name))
			assert.Equal(t, string(b), string(a), name)
		}
	}
}

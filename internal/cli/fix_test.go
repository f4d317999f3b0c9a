package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report"
)

// fixRoot is a tiny analyser: "lint FILE" reports one warning per line
// "bad" (fix: replace it with "good") and one info per line "meh" (no
// fix), through FixFlags, the way the example commands use it.
func fixRoot() *cobra.Command {
	root := &cobra.Command{Use: "tool"}
	ff := FixFlags{}
	lint := &cobra.Command{Use: "lint FILE", Args: ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := ff.Validate(); err != nil {
				return err
			}
			analyse := func() ([]report.Diagnostic, error) {
				b, err := os.ReadFile(args[0])
				if err != nil {
					return nil, Usagef("%v", err)
				}
				var diags []report.Diagnostic
				for i, line := range strings.SplitAfter(string(b), "\n") {
					word := strings.TrimSuffix(line, "\n")
					pos := report.Position{File: args[0], Line: i + 1, Column: 1}
					switch word {
					case "bad":
						diags = append(diags, report.Diagnostic{Pos: pos, Rule: "T1", Severity: report.SeverityWarning, Message: "bad line",
							SuggestedFixes: []report.SuggestedFix{{Message: "say good", TextEdits: []report.TextEdit{{Pos: pos, End: report.Position{File: args[0], Line: i + 1, Column: 4}, NewText: "good"}}}}})
					case "meh":
						diags = append(diags, report.Diagnostic{Pos: pos, Rule: "T2", Severity: report.SeverityInfo, Message: "meh line"})
					}
				}
				return diags, nil
			}
			diags, err := analyse()
			if err != nil {
				return err
			}
			done, changed, err := ff.Apply(c, diags)
			if err != nil || done {
				return err
			}
			if changed {
				if diags, err = analyse(); err != nil {
					return err
				}
			}
			for _, d := range Shown(&ff, diags, report.SeverityWarning, DiagnosticSeverity) {
				c.Printf("%d %s\n", d.Pos.Line, d.Rule)
			}
			if ff.Verbose {
				c.PrintErrln("verbose")
			}
			if report.AtOrAbove(diags, report.SeverityWarning) {
				return Findings()
			}
			return nil
		}}
	ff.Register(lint.Flags(), FixHelp{Fix: "fix it", Diff: "diff it", Quiet: "less", Verbose: "more"})
	root.AddCommand(lint)
	return root
}

func TestFixFlags(t *testing.T) {
	const src = "meh\nbad\nok\n"
	cases := []struct {
		name           string
		flags          []string
		code           int
		stdout, stderr string
		after          string
	}{
		{"findings", nil, 1, "1 T2\n2 T1\n", "", src},
		{"-q hides what is below the threshold", []string{"-q"}, 1, "2 T1\n", "", src},
		{"--quiet", []string{"--quiet"}, 1, "2 T1\n", "", src},
		{"-v", []string{"-v"}, 1, "1 T2\n2 T1\n", "verbose\n", src},
		{"-diff prints a diff, writes nothing, exits 0",
			[]string{"-diff"}, 0, "--- a/F\n+++ b/F\n@@ -1,3 +1,3 @@\n meh\n-bad\n+good\n ok\n", "", src},
		{"-fix applies, names the file, reports what is left", []string{"-fix"}, 0, "1 T2\n", "tool: fixed F\n", "meh\ngood\nok\n"},
		{"-fix -q", []string{"-fix", "-q"}, 0, "", "tool: fixed F\n", "meh\ngood\nok\n"},
		{"-fix and -diff", []string{"-fix", "-diff"}, 2, "", "tool: -fix and -diff exclude each other\n", src},
		{"-q and -v", []string{"-q", "-v"}, 2, "", "tool: -q and -v exclude each other\n", src},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A relative path, as users type it: the diff's headers are
			// git's a/PATH and b/PATH, which git apply and patch -p1 take.
			t.Chdir(t.TempDir())
			const file = "F"
			require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
			var out, errb bytes.Buffer
			code := Run(fixRoot(), append([]string{"lint", file}, c.flags...), &out, &errb)
			assert.Equal(t, c.code, code, "stderr: %s", errb.String())
			assert.Equal(t, c.stdout, out.String())
			assert.Equal(t, c.stderr, errb.String())
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, c.after, string(b))
		})
	}
}

func TestFixFlagsPrefixAndErrors(t *testing.T) {
	ff := FixFlags{Fix: true, Diff: true, Prefix: "lint: "}
	err := ff.Validate()
	var ee *ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, ExitUsage, ee.Code)
	assert.EqualError(t, err, "lint: -fix and -diff exclude each other")

	// An edit past the end of the file is refused before anything is
	// written: exit 2, naming the flag.
	dir := t.TempDir()
	file := filepath.Join(dir, "x.txt")
	require.NoError(t, os.WriteFile(file, []byte("abc"), 0o644))
	diags := []report.Diagnostic{{Pos: report.Position{File: file, Line: 1, Column: 1}, Rule: "T", Severity: report.SeverityError, Message: "m",
		SuggestedFixes: []report.SuggestedFix{{Message: "f", TextEdits: []report.TextEdit{{Pos: report.Position{File: file, Line: 9, Column: 1}, End: report.Position{File: file, Line: 9, Column: 2}, NewText: "x"}}}}}}
	for _, flag := range []string{"-fix", "-diff"} {
		f := FixFlags{Fix: flag == "-fix", Diff: flag == "-diff", Prefix: "lint: "}
		c := &cobra.Command{Use: "tool"}
		var out, errb bytes.Buffer
		c.SetOut(&out)
		c.SetErr(&errb)
		_, _, err := f.Apply(c, diags)
		require.ErrorAs(t, err, &ee, flag)
		assert.Equal(t, ExitUsage, ee.Code, flag)
		assert.True(t, strings.HasPrefix(err.Error(), "lint: "+flag+": "), err.Error())
		assert.Empty(t, out.String(), flag)
		b, _ := os.ReadFile(file)
		assert.Equal(t, "abc", string(b), flag)
	}

	// Without -fix or -diff, Apply does nothing.
	done, changed, err := (&FixFlags{}).Apply(&cobra.Command{}, diags)
	assert.False(t, done)
	assert.False(t, changed)
	assert.NoError(t, err)
}

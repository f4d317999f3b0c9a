package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/deploykit/deploykit/internal/report"
)

// FixFlags are the -fix, -diff, -q and -v flags every analyser command
// shares, and what -fix and -diff do. The conventions:
//
//   - -fix and -diff exclude each other, and so do -q and -v (exit 2).
//   - -diff prints the mechanical fixes as a unified diff on stdout
//     (report.UnifiedDiff: git apply and patch -p1 take it), writes nothing
//     and prints no findings; the command then exits 0 unless its input is
//     bad (2).
//   - -fix applies them in place (report.ApplyFixesToFiles), names each
//     changed file on stderr as "TOOL: fixed PATH", and the command lints
//     again and reports, and exits by, what is left.
//   - -q prints only the findings at or above -fail-on (Shown); what -v adds
//     is the command's own.
type FixFlags struct {
	Fix, Diff, Quiet, Verbose bool
	// Prefix starts the usage errors, like "lint: " for a command whose
	// other usage errors name the verb; "" for none.
	Prefix string
}

// FixHelp is the help text of each flag; the meaning of -q and -v is the
// command's own.
type FixHelp struct {
	Fix, Diff, Quiet, Verbose string
}

// Register defines -fix, -diff, -q/--quiet and -v/--verbose on fs.
func (f *FixFlags) Register(fs *pflag.FlagSet, help FixHelp) {
	fs.BoolVar(&f.Fix, "fix", false, help.Fix)
	fs.BoolVar(&f.Diff, "diff", false, help.Diff)
	fs.BoolVarP(&f.Quiet, "quiet", "q", false, help.Quiet)
	fs.BoolVarP(&f.Verbose, "verbose", "v", false, help.Verbose)
}

// Validate returns an exit-2 usage error for flags that exclude each other.
func (f *FixFlags) Validate() error {
	if f.Fix && f.Diff {
		return Usagef("%s-fix and -diff exclude each other", f.Prefix)
	}
	if f.Quiet && f.Verbose {
		return Usagef("%s-q and -v exclude each other", f.Prefix)
	}
	return nil
}

// Apply does what -diff or -fix ask for diags, and nothing without them.
// With -diff it writes the diff to c's stdout and returns done: the
// command prints nothing more. With -fix it applies the fixes and returns
// changed when a file changed: the command lints again. Errors of the
// fixes are exit-2 errors naming the flag; files renamed before a failure
// are still named on stderr.
func (f *FixFlags) Apply(c *cobra.Command, diags []report.Diagnostic) (done, changed bool, err error) {
	switch {
	case f.Diff:
		d, err := report.UnifiedDiff(diags, os.ReadFile)
		if err != nil {
			return false, false, Usagef("%s-diff: %v", f.Prefix, err)
		}
		_, err = io.WriteString(c.OutOrStdout(), d)
		return true, false, err
	case f.Fix:
		ctx := c.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		paths, err := report.ApplyFixesToFiles(ctx, diags, report.FixOptions{})
		for _, p := range paths {
			fmt.Fprintf(c.ErrOrStderr(), "%s: fixed %s\n", c.Root().Name(), p)
		}
		if err != nil {
			return false, false, Usagef("%s-fix: %v", f.Prefix, err)
		}
		return false, len(paths) > 0, nil
	}
	return false, false, nil
}

// Shown is xs, or with -q only the items whose severity is at or above
// min, in order.
func Shown[T any](f *FixFlags, xs []T, min report.Severity, severity func(T) report.Severity) []T {
	if !f.Quiet {
		return xs
	}
	var kept []T
	for _, x := range xs {
		if severity(x).Rank() >= min.Rank() {
			kept = append(kept, x)
		}
	}
	return kept
}

// DiagnosticSeverity is the severity of a diagnostic, for Shown.
func DiagnosticSeverity(d report.Diagnostic) report.Severity { return d.Severity }

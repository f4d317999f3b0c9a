// Package cli holds the conventions every deploykit example command shares,
// on top of github.com/spf13/cobra: -h and help exit 0, flags are accepted
// after positional arguments, and exit codes mean the same everywhere:
// 0 clean, 1 findings at or above -fail-on (or a failed check), 2 usage or
// I/O errors. FixFlags holds the -fix, -diff, -q and -v conventions of
// the analyser commands.
package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes shared by every command.
const (
	ExitClean    = 0
	ExitFindings = 1
	ExitUsage    = 2
)

// ExitError makes Run exit with Code. A nil Err prints nothing (findings
// were already printed); otherwise Err is printed to stderr.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Findings returns the error a command returns when it printed findings at
// or above the -fail-on threshold: exit 1, nothing more printed.
func Findings() error { return &ExitError{Code: ExitFindings} }

// Failed returns an exit-1 error with a message, for failed checks.
func Failed(err error) error { return &ExitError{Code: ExitFindings, Err: err} }

// Usagef returns an exit-2 usage error.
func Usagef(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Run executes root with args, writing to stdout and stderr, and returns the
// exit code. Errors that are not *ExitError (flag errors, I/O errors) exit 2.
func Run(root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	root.SetArgs(goStyleFlags(root, args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceUsage = true
	root.SilenceErrors = true
	// Interspersed flags are cobra's default; keep them on for every verb.
	root.Flags().SetInterspersed(true)
	for _, c := range root.Commands() {
		c.Flags().SetInterspersed(true)
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// pflag reads an unknown "-word" as shorthand letters and names
		// the first one; say which flag the user typed instead.
		if m := unknownShorthand.FindStringSubmatch(err.Error()); m != nil && len(m[1]) > 2 {
			err = fmt.Errorf("unknown flag: %s", m[1])
		}
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w (see '%s -h')", c.CommandPath(), err, c.CommandPath())}
	})
	err := root.Execute()
	if err == nil {
		return ExitClean
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", root.Name(), ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	return ExitUsage
}

var unknownShorthand = regexp.MustCompile(`^unknown shorthand flag: '.' in (-[^\s=]+)`)

// goStyleFlags rewrites Go-style single-dash long flags ("-format json",
// "-fail-on=error") to pflag's "--format" when the name is a long flag
// defined anywhere in the command tree, so both spellings work. Arguments
// after "--" are left alone.
func goStyleFlags(root *cobra.Command, args []string) []string {
	names := map[string]bool{"help": true}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name := a[1:]
			if j := strings.IndexByte(name, '='); j >= 0 {
				name = name[:j]
			}
			if len(name) > 1 && names[name] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// ExactArgs is cobra.ExactArgs whose error exits 2 with the command's usage line.
func ExactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return Usagef("%s: want %d argument(s), got %d (usage: %s)", c.CommandPath(), n, len(args), c.UseLine())
		}
		return nil
	}
}

// MinimumNArgs is cobra.MinimumNArgs whose error exits 2.
func MinimumNArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return Usagef("%s: want at least %d argument(s), got %d (usage: %s)", c.CommandPath(), n, len(args), c.UseLine())
		}
		return nil
	}
}

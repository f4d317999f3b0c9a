package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
)

func testRoot() *cobra.Command {
	root := &cobra.Command{Use: "tool", Short: "a tool"}
	var format string
	lint := &cobra.Command{Use: "lint FILE", Short: "lint a file", Args: ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			c.OutOrStdout().Write([]byte(args[0] + " " + format + "\n"))
			switch args[0] {
			case "bad":
				return Findings()
			case "io":
				return errors.New("read io: no such file")
			}
			return nil
		}}
	lint.Flags().StringVar(&format, "format", "text", "output format")
	root.AddCommand(lint)
	return root
}

// An unknown Go-style flag is named as typed, not as pflag's first
// shorthand letter.
func TestUnknownGoStyleFlagMessage(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(testRoot(), []string{"lint", "f", "-nosuch"}, &out, &errb)
	assert.Equal(t, 2, code)
	assert.Contains(t, errb.String(), "unknown flag: -nosuch")
	assert.NotContains(t, errb.String(), "shorthand")
}

func TestRunConventions(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"help flag exits 0", []string{"-h"}, 0, "lint"},
		{"help verb exits 0", []string{"help"}, 0, "lint a file"},
		{"verb help exits 0", []string{"lint", "-h"}, 0, "--format"},
		{"flag after positional is honoured", []string{"lint", "f", "--format", "json"}, 0, "f json\n"},
		{"go-style single-dash long flag", []string{"lint", "f", "-format=json"}, 0, "f json\n"},
		{"go-style single-dash long flag, separate value", []string{"lint", "-format", "sarif", "f"}, 0, "f sarif\n"},
		{"after -- nothing is a flag", []string{"lint", "--", "-format"}, 0, "-format text\n"},
		{"findings exit 1", []string{"lint", "bad"}, 1, "bad text\n"},
		{"io error exits 2", []string{"lint", "io"}, 2, "io text\n"},
		{"unknown flag exits 2", []string{"lint", "f", "--nope"}, 2, ""},
		{"unknown go-style flag exits 2", []string{"lint", "f", "-nosuch"}, 2, ""},
		{"wrong arg count exits 2", []string{"lint"}, 2, ""},
		{"unknown verb exits 2", []string{"frobnicate"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(testRoot(), c.args, &out, &errb)
			assert.Equal(t, c.code, code, "stderr: %s", errb.String())
			if c.out != "" {
				assert.Contains(t, out.String(), c.out)
			}
		})
	}
}

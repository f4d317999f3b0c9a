// Command workflow checks GitHub Actions workflows for deploy defects and
// generates a CI/CD pipeline for a Python web app on Azure App Service, with
// deploykit's workflow package.
//
//	workflow lint [-format text|json|sarif|github] [-fail-on error|warning|info] [-disable IDS] [-no-actionlint] [-fix|-diff] [-q|-v] [PATH...]
//	workflow generate -facts facts.json [-o FILE]
//	workflow rules
//
// lint reads each PATH (a workflow file, or a directory whose *.yml and
// *.yaml files are read; default .github/workflows) and reports actionlint's
// findings ("actionlint/<kind>") and deploykit's deploy rules (WF001...).
// Exit codes: 0 clean, 1 findings at or above -fail-on, 2 usage errors,
// unreadable paths and files that are not valid workflows (their positioned
// errors are printed first). Nothing touches the network.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/workflow"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the testable entry point; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(), args, stdout, stderr)
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "workflow",
		Short: "Check and generate GitHub Actions pipelines that build and deploy to Azure App Service",
		Long: "workflow lints .github/workflows with actionlint and deploykit's deploy rules (lint), writes a\n" +
			"ci-cd.yml from a facts file (generate), and documents the rules (rules).",
		SilenceUsage: true,
	}
	root.AddCommand(lintCmd(), generateCmd(), rulesCmd())
	return root
}

type lintFlags struct {
	format, failOn, disable string
	noActionlint            bool
	cli.FixFlags
}

func lintCmd() *cobra.Command {
	f := &lintFlags{}
	c := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Report workflow errors (actionlint) and deploy defects (WF001-WF012)",
		Long: "lint reads workflow files (a directory means its *.yml and *.yaml files; default .github/workflows),\n" +
			"runs actionlint's checks and deploykit's deploy rules, and prints the findings in -format.\n" +
			"Exit 1 when one is at or above -fail-on. -fix applies the mechanical fixes in place; -diff prints them.\n" +
			"See 'workflow rules' for what each WF rule finds and what is safe instead.",
		RunE: func(c *cobra.Command, args []string) error { return runLint(c, f, args) },
	}
	fl := c.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fl.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning or info")
	fl.StringVar(&f.disable, "disable", "", "comma-separated rule IDs not to report, e.g. WF008,actionlint/runner-label")
	fl.BoolVar(&f.noActionlint, "no-actionlint", false, "leave out actionlint's checks (syntax errors are still reported)")
	f.Register(fl, cli.FixHelp{
		Fix:     "apply the mechanical fixes to the files in place, then lint again",
		Diff:    "print the mechanical fixes as a unified diff instead of applying them",
		Quiet:   "print only findings at or above -fail-on, and no summary",
		Verbose: "also print each file read and the rule documentation URL of each finding",
	})
	return c
}

// readPaths expands the PATH arguments into workflow files.
func readPaths(paths []string) ([]workflow.File, error) {
	if len(paths) == 0 {
		paths = []string{filepath.Join(".github", "workflows")}
	}
	var files []workflow.File
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, cli.Usagef("%v", err)
		}
		names := []string{p}
		if st.IsDir() {
			names = nil
			for _, pat := range []string{"*.yml", "*.yaml"} {
				m, err := filepath.Glob(filepath.Join(p, pat))
				if err != nil {
					return nil, cli.Usagef("%s: %v", p, err)
				}
				names = append(names, m...)
			}
			sort.Strings(names)
			if len(names) == 0 {
				return nil, cli.Usagef("%s: no *.yml or *.yaml workflow files", p)
			}
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return nil, cli.Usagef("%v", err)
			}
			files = append(files, workflow.File{Name: n, Data: b})
		}
	}
	return files, nil
}

func runLint(c *cobra.Command, f *lintFlags, args []string) error {
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	format, err := workflow.ParseFormat(f.format)
	if err != nil {
		return cli.Usagef("-format: %v", err)
	}
	threshold, err := workflow.ParseSeverity(f.failOn)
	if err != nil {
		return cli.Usagef("-fail-on: %v", err)
	}
	if err := f.Validate(); err != nil {
		return err
	}
	opts := workflow.Options{NoActionlint: f.noActionlint}
	for _, id := range strings.Split(f.disable, ",") {
		if id = strings.TrimSpace(id); id != "" {
			if _, ok := workflow.RuleByID(id); !ok && !strings.HasPrefix(id, "actionlint/") {
				return cli.Usagef("-disable: unknown rule %q (see 'workflow rules')", id)
			}
			opts.Disable = append(opts.Disable, id)
		}
	}
	ctx := context.Background()
	lint := func() (workflow.Result, error) {
		files, err := readPaths(args)
		if err != nil {
			return workflow.Result{}, err
		}
		if f.Verbose {
			for _, file := range files {
				fmt.Fprintf(stderr, "workflow: reading %s\n", file.Name)
			}
		}
		return workflow.Lint(ctx, files, opts)
	}
	res, err := lint()
	if err != nil {
		return err
	}
	done, changed, err := f.Apply(c, res.Diagnostics)
	if err != nil {
		return err
	}
	if done {
		return unparsedError(res.Diagnostics, "lint without -diff to see their errors")
	}
	if changed {
		if res, err = lint(); err != nil {
			return err
		}
	}
	diags := cli.Shown(&f.FixFlags, res.Diagnostics, threshold, cli.DiagnosticSeverity)
	if err := workflow.WriteDiagnostics(stdout, format, diags); err != nil {
		return err
	}
	if f.Verbose && format == workflow.FormatText {
		for _, d := range diags {
			if d.URL != "" {
				fmt.Fprintf(stderr, "workflow: %s: %s\n", d.Rule, d.URL)
			}
		}
	}
	if !f.Quiet && format == workflow.FormatText {
		counts := map[workflow.Severity]int{}
		for _, d := range diags {
			counts[d.Severity]++
		}
		fmt.Fprintf(stderr, "workflow: %d file(s), %d error(s), %d warning(s), %d note(s)\n",
			res.Files, counts[workflow.SeverityError], counts[workflow.SeverityWarning], counts[workflow.SeverityInfo])
	}
	if err := unparsedError(res.Diagnostics, "see the actionlint/syntax-check errors above"); err != nil {
		return err
	}
	if report.AtOrAbove(diags, threshold) {
		return cli.Findings()
	}
	return nil
}

// unparsedError is the exit-2 error for files that are not valid
// workflows, or nil; hint says where their errors are.
func unparsedError(diags []workflow.Diagnostic, hint string) error {
	for _, d := range diags {
		if d.Rule == "actionlint/syntax-check" || d.Rule == "workflow/input" {
			return &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("some files are not valid workflows (%s)", hint)}
		}
	}
	return nil
}

func generateCmd() *cobra.Command {
	var factsPath, out string
	c := &cobra.Command{
		Use:   "generate -facts FILE [-o FILE]",
		Short: "Write a ci-cd.yml from a JSON facts file",
		Long: "generate reads the project's facts (JSON: image, app_name, resource_group, and optionally manager\n" +
			"poetry|requirements|uv, python_version, lockfiles, cache_key, restore_keys, cache_ref, slot, test_command,\n" +
			"lint_command, migration_check_command, migration_apply_command, health_path, database_url_secret,\n" +
			"environment, branch, dockerfile, poetry_version, name) and writes the pipeline to -o (default stdout).\n" +
			"The same facts always give the same bytes; 'workflow lint' finds nothing in the result.",
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if factsPath == "" {
				return cli.Usagef("generate: -facts is required (see 'workflow generate -h')")
			}
			fh, err := os.Open(factsPath)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			defer fh.Close()
			facts, err := workflow.ReadFacts(fh)
			if err != nil {
				return cli.Usagef("%s: %v", factsPath, err)
			}
			y, err := workflow.Generate(facts)
			if err != nil {
				return cli.Usagef("%s: %v (see 'workflow generate -h' for the fields)", factsPath, err)
			}
			if out == "" || out == "-" {
				_, err = c.OutOrStdout().Write(y)
				return err
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return cli.Usagef("%v", err)
			}
			if err := os.WriteFile(out, y, 0o644); err != nil {
				return cli.Usagef("%v", err)
			}
			fmt.Fprintf(c.ErrOrStderr(), "workflow: wrote %s\n", out)
			return nil
		},
	}
	c.Flags().StringVar(&factsPath, "facts", "", "JSON facts `file` (see the field list above)")
	c.Flags().StringVarP(&out, "output", "o", "", "write the workflow to this `file` (e.g. .github/workflows/ci-cd.yml) instead of stdout")
	return c
}

func rulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List deploykit's workflow rules: what each finds, why, and what is safe instead",
		Args:  cli.ExactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			w := c.OutOrStdout()
			for _, r := range workflow.Rules() {
				fmt.Fprintf(w, "%s %s (%s)\n  %s\n  %s\n  %s\n\n", r.ID, r.Name, r.Severity, r.Summary, r.Help, r.HelpURI)
			}
			fmt.Fprintln(w, "actionlint's checks are reported as actionlint/<kind>; see https://github.com/rhysd/actionlint/blob/v1.7.12/docs/checks.md")
			return nil
		},
	}
}

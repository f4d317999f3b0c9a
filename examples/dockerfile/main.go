// Command dockerfile lints Dockerfiles, generates optimised ones for Python
// web applications and prints stage graphs, over deploykit's
// imagebuild/dockerfile package.
//
//	dockerfile lint [-context DIR] [-format text|json|sarif|github] [-fail-on error] [-build-arg K=V] [-fix|-diff] [-q|-v] DOCKERFILE
//	dockerfile generate [-project DIR] [-o DIR [-force]] [spec overrides...]
//	dockerfile graph [-build-arg K=V] DOCKERFILE
//	dockerfile rules
//
// lint exits 0 when no finding is at or above -fail-on (default error), 1
// when one is, and 2 on bad input (flags, unreadable files, a Dockerfile
// that does not parse); -diff prints only the diff and exits 0 unless the
// input is bad. Its JSON output is
// {"schemaVersion":1,"findings":[{"rule","severity","file","line","column",
// "end_line","end_column","url","message","fix","fixes"}]}. Nothing touches
// the network.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/imagebuild/dockerfile/buildkitcheck"
	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/internal/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(), args, stdout, stderr)
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "dockerfile",
		Short: "Lint, generate and graph Dockerfiles for Python web apps",
		Long: `dockerfile lints Dockerfiles with BuildKit's parser and checks plus
deploykit's rules (DK101...), generates optimised multi-stage Dockerfiles for
Python web applications, and prints stage graphs. Nothing touches the network.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return cli.Usagef("a command is required (lint, generate, graph, rules); see 'dockerfile -h'")
		},
	}
	root.AddCommand(newLint(), newGenerate(), newGraph(), newRules())
	return root
}

// buildArgs is a repeatable KEY=VALUE flag.
type buildArgs map[string]string

func (b buildArgs) String() string { return "" }
func (b buildArgs) Type() string   { return "KEY=VALUE" }
func (b buildArgs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	b[k] = v
	return nil
}

func newLint() *cobra.Command {
	var (
		contextDir, format, target, failOn string
		noBuildKit                         bool
		enable, skip                       []string
		args                               = buildArgs{}
		ff                                 = cli.FixFlags{Prefix: "lint: "}
	)
	c := &cobra.Command{
		Use:   "lint [flags] DOCKERFILE",
		Short: "Report defects in a Dockerfile (and its build context)",
		Long: `lint parses DOCKERFILE with BuildKit's parser, runs BuildKit's own build checks
offline and deploykit's rules, and prints the findings. With -context DIR it
also knows what every COPY brings from the build context (after .dockerignore).

Exit status: 0 when no finding is at or above -fail-on, 1 when one is, 2 on
bad input. -fix applies the mechanical fixes in place (atomically; running it
twice changes nothing more) and reports what is left; -diff prints them as a
unified diff instead, and exits 0 unless the input is bad.`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, pos []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return cli.Usagef("lint: -format: %v", err)
			}
			threshold, err := dockerfile.ParseSeverity(failOn)
			if err != nil {
				return cli.Usagef("lint: -fail-on: %v", err)
			}
			if err := ff.Validate(); err != nil {
				return err
			}
			cfg := dockerfile.LintConfig{Target: target, BuildArgs: args, Enable: enable, Skip: skip}
			if !noBuildKit {
				cfg.BuildKit = buildkitcheck.Checker{}
			}
			a, lintErr := dockerfile.LintFile(cmd.Context(), pos[0], contextDir, cfg)
			if a == nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: lintErr}
			}
			out := cmd.OutOrStdout()
			done, changed, err := ff.Apply(cmd, a.Diagnostics)
			if err != nil {
				return err
			}
			if changed {
				// Report what is left after the fixes.
				if b, err := dockerfile.LintFile(cmd.Context(), pos[0], contextDir, cfg); b != nil {
					a, lintErr = b, err
				}
			}
			if !done {
				if err := dockerfile.WriteDiagnostics(out, dockerfile.DiagnosticFormat(f), cli.Shown(&ff, a.Diagnostics, threshold, cli.DiagnosticSeverity)); err != nil {
					return &cli.ExitError{Code: cli.ExitUsage, Err: err}
				}
				if ff.Verbose && f == report.FormatText {
					fmt.Fprintf(out, "\n%s", a.Graph.String())
					for _, cp := range a.Copies {
						fmt.Fprintf(out, "line %d: %s -> %s (%d files, %s)\n", cp.Line, strings.Join(cp.Sources, " "), cp.Dest, cp.Files, report.Bytes(cp.Bytes))
					}
				}
			}
			if lintErr != nil {
				// BuildKit stopped with an error; its warnings were printed.
				return &cli.ExitError{Code: cli.ExitUsage, Err: lintErr}
			}
			if !done && report.AtOrAbove(a.Diagnostics, threshold) {
				return cli.Findings()
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&contextDir, "context", "", "build context `DIR` (enables the context checks)")
	fl.StringVar(&format, "format", "text", "output `FORMAT`: text, json, sarif or github")
	fl.StringVar(&target, "target", "", "stage to analyse (default: the last)")
	fl.StringVar(&failOn, "fail-on", "error", "exit 1 when a finding is at or above this `SEVERITY` (info, warning, error)")
	fl.Var(args, "build-arg", "set a build argument, as docker build --build-arg (repeatable)")
	fl.StringSliceVar(&enable, "enable", nil, "turn on rules that are off by default (DK116)")
	fl.StringSliceVar(&skip, "skip", nil, "turn rules off by ID or BuildKit check name")
	fl.BoolVar(&noBuildKit, "no-buildkit", false, "skip BuildKit's own checks (run only deploykit's rules)")
	ff.Register(fl, cli.FixHelp{
		Fix:     "apply the mechanical fixes to the files in place",
		Diff:    "print the mechanical fixes as a unified diff instead of applying them",
		Quiet:   "print only findings at or above -fail-on",
		Verbose: "also print the stage graph and what each COPY brings",
	})
	return c
}

func newGenerate() *cobra.Command {
	var (
		project, out, manager                      string
		o                                          dockerfile.Spec
		collect, noCollect, force                  bool
		reqs, buildPkgs, runtimePkgs, writable     []string
		reqsSet, buildSet, runtimeSet, writableSet bool
	)
	c := &cobra.Command{
		Use:   "generate [flags]",
		Short: "Write an optimised multi-stage Dockerfile and .dockerignore for a project",
		Long: `generate infers a spec from the project directory (pyproject.toml, poetry.lock,
uv.lock, requirements*.txt, manage.py, settings), applies the flags as
overrides, and prints (or, with -o DIR, writes) a Dockerfile and .dockerignore.
-o refuses to overwrite existing files unless -force is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl := cmd.Flags()
			reqsSet, buildSet, runtimeSet, writableSet = fl.Changed("requirements"), fl.Changed("build-packages"), fl.Changed("runtime-packages"), fl.Changed("writable")
			o.Manager = dockerfile.DependencyManager(manager)
			o.CollectStatic = collect
			if reqsSet {
				o.RequirementsFiles = reqs
			}
			if buildSet {
				o.BuildPackages = buildPkgs
			}
			if runtimeSet {
				o.RuntimePackages = runtimePkgs
			}
			if writableSet {
				o.WritableDirs = writable
			}
			spec, err := dockerfile.InferSpec(cmd.Context(), project, o)
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("generate: %w", err)}
			}
			if noCollect {
				spec.CollectStatic = false
			}
			df, di, err := dockerfile.Generate(spec)
			if err != nil {
				if errors.Is(err, dockerfile.ErrInvalidSpec) {
					err = fmt.Errorf("%w (set the missing or wrong value with a flag; see 'dockerfile generate -h')", err)
				}
				return &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("generate: %w", err)}
			}
			if out == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "# ==> Dockerfile <==\n%s\n# ==> .dockerignore <==\n%s", df, di)
				return nil
			}
			if err := dockerfile.WriteGenerated(out, df, di, force); err != nil {
				if errors.Is(err, dockerfile.ErrExists) {
					// The library's error names the file; name the flag too.
					return cli.Usagef("generate: %v; rerun with -force to replace it", err)
				}
				return &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("generate: %w", err)}
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&project, "project", ".", "project `DIR` to infer the spec from")
	fl.StringVarP(&out, "output", "o", "", "write Dockerfile and .dockerignore into this `DIR` instead of stdout")
	fl.BoolVar(&force, "force", false, "with -o, overwrite an existing Dockerfile or .dockerignore")
	fl.StringVar(&manager, "manager", "", "dependency manager: poetry, requirements or uv")
	fl.StringVar(&o.PythonVersion, "python", "", "Python `VERSION` (3.13 or 3.13.1)")
	fl.StringVar(&o.BaseImage, "base", "", "base `IMAGE` without digest (default python:<version>-slim-bookworm)")
	fl.StringVar(&o.BaseDigest, "digest", "", "base image `DIGEST` (sha256:...)")
	fl.StringVar(&o.PoetryVersion, "poetry-version", "", "Poetry `VERSION` to pin")
	fl.StringVar(&o.UVVersion, "uv-version", "", "uv `VERSION` to pin")
	fl.StringVar(&o.SettingsModule, "settings", "", "DJANGO_SETTINGS_MODULE")
	fl.StringVar(&o.WSGIApp, "wsgi", "", "WSGI application (module:attr)")
	fl.StringVar(&o.ASGIApp, "asgi", "", "ASGI application (module:attr), served with uvicorn workers")
	fl.StringVar(&o.SecretID, "secret-id", "", "BuildKit secret id for collectstatic")
	fl.IntVar(&o.Port, "port", 0, "port the server binds (default 8000)")
	fl.IntVar(&o.UID, "uid", 0, "numeric uid/gid the app runs as (default 10001)")
	fl.BoolVar(&collect, "collectstatic", false, "run collectstatic at build time (inferred from STATIC_ROOT)")
	fl.BoolVar(&noCollect, "no-collectstatic", false, "do not run collectstatic")
	fl.StringSliceVar(&reqs, "requirements", nil, "comma-separated requirement files")
	fl.StringSliceVar(&buildPkgs, "build-packages", nil, "comma-separated Debian packages for the builder stage")
	fl.StringSliceVar(&runtimePkgs, "runtime-packages", nil, "comma-separated Debian packages for the runtime stage")
	fl.StringSliceVar(&writable, "writable", nil, "comma-separated directories the app writes at run time")
	return c
}

func newGraph() *cobra.Command {
	args := buildArgs{}
	c := &cobra.Command{
		Use:   "graph [flags] DOCKERFILE",
		Short: "Print the stage graph: bases, copies, mounts and build levels",
		Args:  cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, pos []string) error {
			a, err := dockerfile.LintFile(context.WithoutCancel(cmd.Context()), pos[0], "", dockerfile.LintConfig{BuildArgs: args})
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("graph: %w", err)}
			}
			fmt.Fprint(cmd.OutOrStdout(), a.Graph.String())
			return nil
		},
	}
	c.Flags().Var(args, "build-arg", "set a build argument (repeatable)")
	return c
}

func newRules() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List deploykit's rules with their default severities",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			for _, r := range dockerfile.Rules() {
				off := ""
				if r.OffByDefault {
					off = " (off by default; -enable " + r.ID + ")"
				}
				fmt.Fprintf(out, "%s %-30s %-7s %s%s\n", r.ID, r.Name, r.Severity, r.Summary, off)
			}
			fmt.Fprintf(out, "\nBuildKit checks (reported under their own names): %s\n", strings.Join(buildkitcheck.Rules(), ", "))
			return nil
		},
	}
}

// Command deployplan shows everything deploykit does for a Django app on
// Azure App Service, in one report: the CI cache keys and what busts them,
// the Dockerfile's findings and a generated multi-stage Dockerfile (built
// for real with -buildkit), a verdict per migration (with lock traces on a
// real database with -db), the gunicorn configuration sized for an App
// Service plan, the App Service and Front Door plans against saved state,
// an autoscale simulation, and the pipeline's findings with a generated
// ci-cd.yml.
//
// With no arguments it runs on an embedded sample project, minimalwave-blog
// (the design document's app); -project DIR runs it on yours.
//
//	deployplan [-project DIR] [-format text|markdown|json] [-sku B1] [-out DIR]
//	           [-buildkit ADDR [-base-image REF]] [-db URL] [-today YYYY-MM-DD] [-q|-v]
//
// Exit status: 0 clean, 1 when anything is at error level (so it can gate a
// pipeline), 2 for usage or I/O errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the testable entry point.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// deployplan has no verbs; "help" still prints the help, as in every
	// deploykit command.
	if len(args) > 0 && args[0] == "help" {
		args = append([]string{"-h"}, args[1:]...)
	}
	root := newRoot()
	root.SetContext(ctx)
	return cli.Run(root, args, stdout, stderr)
}

const long = `deployplan shows everything deploykit does for a Django app on Azure App
Service, in one report. With no arguments it runs on an embedded sample
project (minimalwave-blog, the design document's app); -project DIR runs it on
yours. Nothing is changed anywhere: the Azure plans use saved state, the
builds and traces are throwaway.

The report starts with a summary table and a before -> after table (the
seed as written against the files deploykit generates), then one section each:

  Cache       the exact CI cache keys (hashFiles as the runner computes it) and what busts them
  Image       Dockerfile findings, the generated Dockerfile and .dockerignore;
              with -buildkit ADDR a real build of both (bytes, layers, cold/warm time, cache hits)
  Migrations  a verdict and findings per migration; with -db URL pending migrations and lock traces
  Gunicorn    findings on gunicorn.conf.py, the configuration generated for -sku, the startup command
  App Service the plan against saved state, tier problems, autoscale simulation over a CPU trace, cost
  Front Door  the plan against saved state, the Django static settings check, the manifest
  Pipeline    the workflow's findings and a generated .github/workflows/ci-cd.yml

A project is read from these paths (each optional): Dockerfile, gunicorn.conf.py,
pyproject.toml + poetry.lock (or requirements*.txt, uv.lock), .github/workflows/*.yml,
<app>/migrations/NNNN_*.py with the sqlmigrate output beside each as NNNN_*.sql,
staticfiles/staticfiles.json, deploy/appservice.json (+ appservice.state.json,
appservice.seed.json), deploy/frontdoor.json (+ frontdoor.state.json), deploy/cpu.csv.

Commands for each step on its own: cachekey, dockerfile, imagebuild, migratecheck,
gunicornconf, appservice, cdn, workflow (go run ./examples/NAME -h).

Exit status: 0 clean, 1 when anything is at error level, 2 usage or I/O errors.`

type flags struct {
	project, format, sku, out, buildkit, base, db, today string
	quiet, verbose                                       bool
}

func newRoot() *cobra.Command {
	var f flags
	root := &cobra.Command{
		Use:   "deployplan [flags]",
		Short: "Everything deploykit does for a Django app on App Service, in one report",
		Long:  long,
		Args:  cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runPlan(c, &f)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	fs := root.Flags()
	fs.StringVar(&f.project, "project", "", "project directory (default: the embedded minimalwave-blog)")
	fs.StringVar(&f.format, "format", "text", "report format: text, markdown or json")
	fs.StringVar(&f.sku, "sku", "B1", "App Service plan size the gunicorn configuration is generated for (B1, S1, P1v3, ...)")
	fs.StringVar(&f.out, "out", "", "write the generated Dockerfile, .dockerignore, gunicorn.conf.py and .github/workflows/ci-cd.yml into this directory (existing files are never replaced)")
	fs.StringVar(&f.buildkit, "buildkit", "", "buildkitd address (unix:///run/buildkit/buildkitd.sock): build the seed's and the generated Dockerfile")
	fs.StringVar(&f.base, "base-image", "", "with -buildkit: build both Dockerfiles on this Python base image instead of the one they name (air-gapped builds)")
	fs.StringVar(&f.db, "db", "", "PostgreSQL URL: list pending migrations and trace their locks (in rolled-back transactions)")
	fs.StringVar(&f.today, "today", "", "date end-of-life checks compare with, YYYY-MM-DD (default: today)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only the summary tables (text and markdown), no progress")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print progress for every step on stderr")
	return root
}

// usageError marks an error as a usage or I/O error (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErr(err error) error { return &usageError{err} }

func runPlan(c *cobra.Command, f *flags) error {
	switch f.format {
	case "text", "markdown", "md", "json":
	default:
		return cli.Usagef("-format %q: want text, markdown or json", f.format)
	}
	if f.quiet && f.verbose {
		return cli.Usagef("-q and -v exclude each other")
	}
	if f.base != "" && f.buildkit == "" {
		return cli.Usagef("-base-image needs -buildkit")
	}
	today := time.Now().UTC()
	if f.today != "" {
		t, err := time.Parse("2006-01-02", f.today)
		if err != nil {
			return cli.Usagef("-today %q: want YYYY-MM-DD", f.today)
		}
		today = t
	}
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	opt := options{sku: f.sku, today: today, out: f.out, buildkit: f.buildkit, base: f.base, db: f.db,
		verbose: f.verbose, quiet: f.quiet, stderr: c.ErrOrStderr()}
	if f.project == "" {
		dir, err := materialise()
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		opt.dir, opt.name = dir, embeddedName
	} else {
		abs, err := filepath.Abs(f.project)
		if err != nil {
			return err
		}
		if st, err := os.Stat(abs); err != nil {
			return err
		} else if !st.IsDir() {
			return cli.Usagef("-project %s: not a directory", f.project)
		}
		opt.dir, opt.name = abs, filepath.Base(abs)
	}
	rep, col, err := collect(ctx, opt)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return cli.Usagef("%v", ue.err)
		}
		return err
	}
	if f.out != "" {
		written, err := col.write(f.out)
		if err != nil {
			return err
		}
		rep.Image.Written = written
	}
	w := c.OutOrStdout()
	switch f.format {
	case "json":
		err = writeJSON(w, rep)
	case "markdown", "md":
		err = writeMarkdown(w, rep, f.quiet)
	default:
		err = writeText(w, rep, f.quiet)
	}
	if err != nil {
		return err
	}
	if rep.hasErrors() {
		return cli.Findings()
	}
	return nil
}

// write saves the generated files into dir, refusing to replace any.
func (c *collector) write(dir string) ([]string, error) {
	files := []struct {
		name string
		data []byte
	}{
		{"Dockerfile", c.dockerfile}, {".dockerignore", c.dockerignore},
		{"gunicorn.conf.py", c.gunicornConf}, {".github/workflows/ci-cd.yml", c.workflowYAML},
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			return nil, fmt.Errorf("-out %s: %s exists; deployplan never replaces a file (choose an empty directory)", dir, f.name)
		}
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return nil, err
		}
		written = append(written, f.name)
	}
	return written, nil
}

// Command migratecheck gates deploys on the risk of PostgreSQL migrations
// with deploykit's migrate package: it analyses .sql files, directories of
// them, or a Django project's migrations (rendered with manage.py
// sqlmigrate), traces them on a real database, lists what Django has
// pending, and applies migrations safely.
//
//	migratecheck [check] [-pg-version 14] [-format text|json|sarif|github] [-fail-on error] [-fix|-diff] [-q|-v] PATH...
//	migratecheck rules
//	migratecheck trace -db URL [flags] FILE...
//	migratecheck pending -db URL -project DIR
//	migratecheck apply -db URL [flags] FILE...
//	migratecheck apply -db URL -project DIR [-python /usr/bin/python3] [-allow-python] [flags]
//
// Exit status: 0 clean, 1 findings at or above -fail-on (or a refused or
// failed apply, a dangerous trace), 2 bad usage, unreadable input, a SQL
// syntax error or a database that cannot be reached.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/migrate"
)

// version is reported in SARIF output.
const version = "0.2.0"

func main() {
	// A run is short and its heap small (about 30 MB for 10,000
	// statements): collecting less often trades a little memory for less
	// GC work on the parse trees. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the testable entry point: it runs the command line args and
// returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(), args, stdout, stderr)
}

// checkFlags are the flags of the static analysis (root and check).
type checkFlags struct {
	pgVersion int
	format    string
	failOn    string
	atomic    bool
	python    string
	settings  string
	all       bool
	cacheDir  string
	cpuprof   string
	cli.FixFlags
}

func (f *checkFlags) register(c *cobra.Command) {
	fs := c.Flags()
	fs.IntVar(&f.pgVersion, "pg-version", 14, "target PostgreSQL major version (12-17), or server_version_num such as 140003")
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding reaches this severity: info, warning or error")
	fs.BoolVar(&f.atomic, "atomic", false, "treat each .sql file as one transaction even without BEGIN/COMMIT")
	fs.StringVar(&f.python, "python", "", "Python interpreter with Django; makes a directory with manage.py a Django project")
	fs.StringVar(&f.settings, "settings", "", "DJANGO_SETTINGS_MODULE (default: read from manage.py)")
	fs.BoolVar(&f.all, "all", false, "Django projects: report applied migrations too, not only pending ones")
	fs.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "cache of sqlmigrate output by migration file hash (\"\" disables)")
	f.Register(fs, cli.FixHelp{
		Fix:     "apply the mechanical fixes (CREATE INDEX -> CONCURRENTLY) to the .sql files in place, then report what is left",
		Diff:    "print the mechanical fixes as a unified diff instead of the findings",
		Quiet:   "print only findings at or above -fail-on, no per-file verdicts",
		Verbose: "also list every analysed file and its statement count",
	})
	fs.StringVar(&f.cpuprof, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
}

const rootLong = `migratecheck analyses PostgreSQL migrations for locks, rewrites, scans and
changes that break the application version still running during a deploy.

With no verb, or with "check", it analyses PATH...: .sql files, directories
of .sql files (one migration history, in name order), or with -python a
Django project directory (its migrations rendered with manage.py sqlmigrate).
Statements that no rule models are reported as DKM090, never as safe.

Verbs:
  check     analyse migrations statically (the default)
  rules     list every rule with its documentation URL
  trace     run migrations on a database inside a rolled-back transaction and report the locks, rewrites and scans observed
  pending   list the Django migrations the database has not applied
  apply     apply .sql files, or a Django project's pending migrations (-project), with lock_timeout, retries and the static gate

Exit status: 0 clean, 1 findings at or above -fail-on, 2 usage or I/O errors.`

func newRoot() *cobra.Command {
	var f checkFlags
	root := &cobra.Command{
		Use:   "migratecheck [flags] PATH...",
		Short: "Gate deploys on the risk of PostgreSQL migrations",
		Long:  rootLong,
		Args:  cli.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runCheck(c, &f, args)
		},
	}
	f.register(root)
	var cf checkFlags
	check := &cobra.Command{
		Use:   "check [flags] PATH...",
		Short: "Analyse migrations statically (the default verb)",
		Long:  "check analyses .sql files, directories of them, or (with -python) a Django project's migrations, and reports findings with their lock, rewrite and scan facts.\n\n" + "Exit status: 0 clean, 1 findings at or above -fail-on, 2 usage or I/O errors.",
		Args:  cli.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runCheck(c, &cf, args)
		},
	}
	cf.register(check)
	root.AddCommand(check, newRulesCmd(), newTraceCmd(), newPendingCmd(), newApplyCmd())
	return root
}

func newRulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its severity, summary and documentation URL",
		Args:  cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			w := c.OutOrStdout()
			for _, r := range migrate.Rules() {
				if _, err := fmt.Fprintf(w, "%s %-40s %-7s %s\n\t%s\n", r.ID, r.Name, r.Severity, r.Summary, migrate.RuleURL(r.ID)); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func runCheck(c *cobra.Command, f *checkFlags, args []string) error {
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	threshold, err := report.ParseSeverity(f.failOn)
	if err != nil {
		return cli.Usagef("-fail-on: %v", err)
	}
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return cli.Usagef("-format: %v", err)
	}
	if v := f.pgVersion; !(v >= 10 && v <= 18) && !(v >= 100000 && v < 190000) {
		return cli.Usagef("-pg-version %d: want a major version (12-17) or a server_version_num such as 140003", v)
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if f.cpuprof != "" {
		pf, err := os.Create(f.cpuprof)
		if err != nil {
			return cli.Usagef("-cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return cli.Usagef("-cpuprofile: %v", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			pf.Close()
		}()
	}
	opts := migrate.Options{PGVersion: f.pgVersion, Atomic: f.atomic}
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	files, hide, err := collect(ctx, f, args)
	if err != nil {
		return err
	}
	reps, err := analyse(files, hide, opts)
	if err != nil {
		return err
	}
	done, changed, err := f.Apply(c, migrate.Diagnostics(reps))
	if err != nil || done {
		return err
	}
	if changed {
		if files, hide, err = collect(ctx, f, args); err != nil {
			return err
		}
		if reps, err = analyse(files, hide, opts); err != nil {
			return err
		}
	}
	if f.Verbose {
		for _, r := range reps {
			fmt.Fprintf(stderr, "migratecheck: %s: %d statements, %s\n", r.Path, len(r.Statements), r.Verdict)
		}
	}
	if f.Quiet {
		reps = atOrAbove(reps, threshold)
	}
	switch format {
	case report.FormatJSON:
		err = migrate.WriteJSON(stdout, reps)
	case report.FormatSARIF:
		err = migrate.WriteSARIF(stdout, reps, version)
	case report.FormatGitHub:
		err = migrate.WriteGitHub(stdout, reps)
	default:
		if f.Quiet {
			err = report.WriteDiagnosticsText(stdout, migrate.Diagnostics(reps))
		} else {
			err = migrate.WriteText(stdout, reps)
		}
	}
	if err != nil {
		return err
	}
	if top := migrate.MaxSeverity(reps); top != "" && top.Rank() >= threshold.Rank() {
		return cli.Findings()
	}
	return nil
}

// atOrAbove keeps only the findings at or above min.
func atOrAbove(reps []*migrate.FileReport, min migrate.Severity) []*migrate.FileReport {
	out := make([]*migrate.FileReport, 0, len(reps))
	for _, r := range reps {
		c := *r
		c.Findings = nil
		for _, fd := range r.Findings {
			if fd.Severity.Rank() >= min.Rank() {
				c.Findings = append(c.Findings, fd)
			}
		}
		out = append(out, &c)
	}
	return out
}

// collect reads PATH arguments into files; hide marks files analysed only
// for their history (applied Django migrations), not reported.
func collect(ctx context.Context, f *checkFlags, args []string) (files []migrate.File, hide []bool, err error) {
	for _, p := range args {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, cli.Usagef("%v", err)
		}
		switch {
		case fi.IsDir() && f.python != "" && exists(filepath.Join(p, "manage.py")):
			ms, err := migrate.DjangoSQL(ctx, migrate.DjangoProject{Dir: p, Python: f.python, Settings: f.settings, CacheDir: f.cacheDir})
			if err != nil {
				return nil, nil, cli.Usagef("%v", err)
			}
			for i, df := range migrate.DjangoFiles(ms) {
				df.Path = filepath.Join(p, df.Path)
				files = append(files, df)
				hide = append(hide, ms[i].Applied && !f.all)
			}
		case fi.IsDir():
			found, err := sqlFiles(p)
			if err != nil {
				return nil, nil, cli.Usagef("%v", err)
			}
			if len(found) == 0 {
				hint := ""
				if exists(filepath.Join(p, "manage.py")) {
					hint = " (a Django project: pass -python /usr/bin/python3)"
				}
				return nil, nil, cli.Usagef("%s: no .sql files%s", p, hint)
			}
			files = append(files, found...)
			hide = append(hide, make([]bool, len(found))...)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, nil, cli.Usagef("%v", err)
			}
			files = append(files, migrate.File{Path: p, SQL: b})
			hide = append(hide, false)
		}
	}
	return files, hide, nil
}

func analyse(files []migrate.File, hide []bool, opts migrate.Options) ([]*migrate.FileReport, error) {
	analysed, err := migrate.AnalyzeFiles(files, opts)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	reps := make([]*migrate.FileReport, 0, len(analysed))
	for i, r := range analysed {
		if !hide[i] {
			reps = append(reps, r)
		}
	}
	return reps, nil
}

// sqlFiles lists the .sql files of dir (recursively), in path order.
func sqlFiles(dir string) ([]migrate.File, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".sql") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	files := make([]migrate.File, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, migrate.File{Path: p, SQL: b})
	}
	return files, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "deploykit", "sqlmigrate")
}

// inputError reports errors caused by bad input (exit 2) rather than a
// failed operation (exit 1).
func inputError(err error) bool {
	var se *migrate.SyntaxError
	var pe *migrate.PlanError
	return errors.As(err, &se) || errors.As(err, &pe)
}

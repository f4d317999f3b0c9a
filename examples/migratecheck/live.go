package main

// The live-database verbs: trace, pending and apply.
//
//	migratecheck trace -db URL [-rows-threshold N] [-bytes-threshold N] [-lock-timeout 2s] [-format text|json] [-commit] FILE...
//	migratecheck pending -db URL -project DIR [-format text|json]
//	migratecheck apply -db URL [-lock-timeout 2s] [-statement-timeout 0] [-retries 5] [-dry-run] [-force] [-wait] [-pooled] [-record-django] FILE...
//	migratecheck apply -db URL -project DIR [-python /usr/bin/python3] [-settings MOD] [-allow-python] [-dry-run] [-force] [-pooled] ...
//
// -db takes a postgres:// URL or a keyword/value string; empty uses the
// libpq environment (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE, ...).
// Passwords are never printed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/migrate"
)

func liveContext(c *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt)
}

// readSQLArgs expands directories to their *.sql files (name order).
func readSQLArgs(args []string) ([]migrate.ApplyFile, error) {
	var out []migrate.ApplyFile
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		paths := []string{a}
		if st.IsDir() {
			paths, err = filepath.Glob(filepath.Join(a, "*.sql"))
			if err != nil {
				return nil, err
			}
			sort.Strings(paths)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, migrate.ApplyFile{Name: p, SQL: b})
		}
	}
	return out, nil
}

func serverVersion(ctx context.Context, conn *pgx.Conn) int {
	var v int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		return 0
	}
	return v
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

func writeTraceText(w io.Writer, rep *migrate.TraceReport) {
	state := "rolled back"
	switch {
	case rep.Committed:
		state = "committed"
	case rep.SchemaRestored:
		state = "rolled back, schema unchanged"
	case len(rep.Residual) > 0:
		state = fmt.Sprintf("rolled back, but %d catalog differences remain", len(rep.Residual))
	}
	fmt.Fprintf(w, "%s: %s (trace %s, %s, server %d)\n", rep.Path, rep.Verdict, state, ms(rep.Duration), rep.ServerVersion)
	for _, s := range rep.Statements {
		if s.Status == migrate.TraceControl {
			continue
		}
		sql := strings.Join(strings.Fields(s.SQL), " ")
		if len(sql) > 100 {
			sql = sql[:97] + "..."
		}
		verdict := string(s.Verdict)
		if verdict == "" {
			verdict = string(s.Status)
		}
		fmt.Fprintf(w, "%s:%d:%d: %s: %s (%s)\n", rep.Path, s.Line, s.Column, verdict, sql, ms(s.Duration))
		if s.Operation != "" {
			fmt.Fprintf(w, "\toperation: %s\n", s.Operation)
		}
		if s.Status != migrate.TraceTraced {
			fmt.Fprintf(w, "\t%s: %s%s\n", s.Status, s.Reason, s.Error)
			continue
		}
		for _, l := range s.Locks {
			fmt.Fprintf(w, "\tlock %s on %s %s, held %s\n", l.Mode, l.Kind, l.Relation, ms(l.Held))
		}
		rewrites := "no"
		if len(s.Rewrites) > 0 {
			var names []string
			for _, e := range s.Rewrites {
				names = append(names, e.Relation)
			}
			rewrites = strings.Join(names, ", ")
		}
		fmt.Fprintf(w, "\trewrite: %s\n", rewrites)
		for _, e := range s.Scans {
			fmt.Fprintf(w, "\tscan: %s\n", e.Relation)
		}
		for _, c := range s.Changes {
			fmt.Fprintf(w, "\tchange: %s\n", c)
		}
		if s.Message != "" {
			fmt.Fprintf(w, "\t%s\n", s.Message)
		}
	}
	for _, c := range rep.Comparisons {
		who := c.Rule
		if who == "" {
			who = "trace"
		}
		fmt.Fprintf(w, "%s:%d:%d: static %s %s: claimed %q, observed %q\n", rep.Path, c.Line, c.Column, who, c.Agreement, c.Claim, c.Observed)
	}
}

func newTraceCmd() *cobra.Command {
	var (
		db, format  string
		rows, bytes int64
		lockTimeout time.Duration
		commit      bool
	)
	c := &cobra.Command{
		Use:   "trace -db URL [flags] FILE...",
		Short: "Run migrations on a database inside a rolled-back transaction and report the locks, rewrites and scans observed",
		Long: "trace runs each FILE on the database inside a transaction that is rolled back (unless -commit), records every lock, rewrite (relfilenode) and scan per statement, and compares them with the static claims.\n\n" +
			"Exit status: 0 when no file is dangerous, 1 when one is, 2 on bad usage or when the database cannot be reached.",
		Args: cli.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			stdout := c.OutOrStdout()
			if format != "text" && format != "json" {
				return cli.Usagef("-format %q: want text or json", format)
			}
			files, err := readSQLArgs(args)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			ctx, cancel := liveContext(c)
			defer cancel()
			conn, err := migrate.Connect(ctx, db, migrate.ConnectOptions{})
			if err != nil {
				return cli.Usagef("%v", err)
			}
			defer conn.Close(context.Background())
			version := serverVersion(ctx, conn)
			var reports []*migrate.TraceReport
			dangerous := false
			for _, f := range files {
				static, err := migrate.AnalyzeSQL(f.Name, f.SQL, migrate.Options{PGVersion: version})
				if err != nil {
					return cli.Usagef("%v", err)
				}
				rep, err := migrate.Trace(ctx, conn, f.Name, f.SQL, migrate.TraceOptions{
					Commit: commit, LockTimeout: lockTimeout, RowsThreshold: rows, BytesThreshold: bytes, Static: static,
				})
				if err != nil {
					return cli.Usagef("%v", err)
				}
				dangerous = dangerous || rep.Verdict == migrate.VerdictDangerous
				reports = append(reports, rep)
			}
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"files": reports}); err != nil {
					return err
				}
			} else {
				for _, rep := range reports {
					writeTraceText(stdout, rep)
				}
			}
			if dangerous {
				return cli.Findings()
			}
			return nil
		},
	}
	fs := c.Flags()
	fs.StringVar(&db, "db", "", "database URL (default: libpq environment variables)")
	fs.Int64Var(&rows, "rows-threshold", migrate.DefaultRowsThreshold, "rows from which a blocking rewrite/scan/index build is dangerous (-1 disables)")
	fs.Int64Var(&bytes, "bytes-threshold", migrate.DefaultBytesThreshold, "table bytes from which a blocking rewrite/scan/index build is dangerous (-1 disables)")
	fs.DurationVar(&lockTimeout, "lock-timeout", migrate.DefaultLockTimeout, "lock_timeout inside the traced transaction")
	fs.StringVar(&format, "format", "text", "output format: text or json")
	fs.BoolVar(&commit, "commit", false, "commit instead of rolling back (the trace then applies the migration)")
	return c
}

func newPendingCmd() *cobra.Command {
	var db, project, format string
	c := &cobra.Command{
		Use:   "pending -db URL -project DIR",
		Short: "List the Django migrations the database has not applied",
		Long: "pending compares the migration files under -project with django_migrations.\n\n" +
			"Exit status: 0 when the history is consistent, 1 when it is not (out of order, applied but missing on disk), 2 on bad usage or when the database cannot be reached.",
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			stdout := c.OutOrStdout()
			if project == "" {
				return cli.Usagef("-project DIR is required")
			}
			if format != "text" && format != "json" {
				return cli.Usagef("-format %q: want text or json", format)
			}
			ctx, cancel := liveContext(c)
			defer cancel()
			conn, err := migrate.Connect(ctx, db, migrate.ConnectOptions{})
			if err != nil {
				return cli.Usagef("%v", err)
			}
			defer conn.Close(context.Background())
			rep, err := migrate.Pending(ctx, conn, project)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			inconsistent := len(rep.OutOfOrder) > 0 || len(rep.MissingOnDisk) > 0
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				if rep.NoHistory {
					fmt.Fprintln(stdout, "no django_migrations table: nothing has been migrated yet")
				}
				fmt.Fprintf(stdout, "%d pending\n", len(rep.Pending))
				for _, p := range rep.Pending {
					line := "pending " + p.String()
					if p.Path != "" {
						line += " (" + p.Path + ")"
					}
					if p.Note != "" {
						line += ": " + p.Note
					}
					fmt.Fprintln(stdout, line)
				}
				for _, m := range rep.MissingOnDisk {
					fmt.Fprintf(stdout, "missing on disk %s (applied %s)\n", m, m.Applied.Format(time.RFC3339))
				}
				for _, o := range rep.OutOfOrder {
					fmt.Fprintf(stdout, "out of order %s: %s\n", o.Migration, o.Reason)
				}
			}
			if inconsistent {
				return cli.Findings()
			}
			return nil
		},
	}
	fs := c.Flags()
	fs.StringVar(&db, "db", "", "database URL (default: libpq environment variables)")
	fs.StringVar(&project, "project", "", "Django project directory")
	fs.StringVar(&format, "format", "text", "output format: text or json")
	return c
}

type applyFlags struct {
	db                                        string
	lockTimeout, stmtTimeout                  time.Duration
	retries                                   int
	dryRun, force, wait, pooled, recordDjango bool
	table                                     string
	project, python, settings                 string
	allowPython                               bool
	format                                    string
}

func newApplyCmd() *cobra.Command {
	var f applyFlags
	c := &cobra.Command{
		Use:   "apply -db URL [flags] FILE... | apply -db URL -project DIR [flags]",
		Short: "Apply .sql files, or a Django project's pending migrations (-project), with lock_timeout, retries and the static gate",
		Long: "apply runs migration files with lock_timeout, bounded retries and a progress table; files the static analysis rates dangerous, or with statements it does not model (DKM090), are refused unless -force.\n\n" +
			"With -project DIR it reads the Django migration graph from the files and django_migrations from the database, and applies what is pending in dependency order: the SQL comes from manage.py sqlmigrate (with -python) or from .sql files beside the migrations, and each migration is recorded in django_migrations in the same transaction. RunPython migrations are named and refused unless -allow-python; then Django runs them.\n\n" +
			"Exit status: 0 applied (or nothing to do), 1 refused or failed, 2 bad usage, a bad migration file or a database that cannot be reached.",
		RunE: func(c *cobra.Command, args []string) error {
			if f.project != "" {
				if len(args) > 0 {
					return cli.Usagef("apply -project takes no FILE arguments (got %d)", len(args))
				}
				return runApplyProject(c, &f)
			}
			if len(args) == 0 {
				return cli.Usagef("apply: want FILE... or -project DIR (usage: %s)", c.UseLine())
			}
			return runApplyFiles(c, &f, args)
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.db, "db", "", "database URL (default: libpq environment variables); optional with -dry-run")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", migrate.DefaultLockTimeout, "lock_timeout of every statement")
	fs.DurationVar(&f.stmtTimeout, "statement-timeout", 0, "statement_timeout of every statement (0: none)")
	fs.IntVar(&f.retries, "retries", migrate.DefaultRetries, "retries after a lock timeout (0: none)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the SQL that would run, change nothing")
	fs.BoolVar(&f.force, "force", false, "apply even when the static verdict is dangerous or a statement is not modelled")
	fs.BoolVar(&f.wait, "wait", false, "wait for another running migrator instead of exiting")
	fs.BoolVar(&f.pooled, "pooled", false, "the connection goes through transaction pooling (PgBouncer, Azure port 6432)")
	fs.StringVar(&f.table, "progress-table", migrate.DefaultProgressTable, "table recording applied units")
	fs.BoolVar(&f.recordDjango, "record-django", false, "record each file (named APP_NNNN_name.sql) as applied in Django's django_migrations")
	fs.StringVar(&f.project, "project", "", "Django project directory: apply its pending migrations")
	fs.StringVar(&f.python, "python", "", "with -project: Python with Django for manage.py sqlmigrate (\"\": use .sql files beside the migrations)")
	fs.StringVar(&f.settings, "settings", "", "with -project: DJANGO_SETTINGS_MODULE (default: read from manage.py)")
	fs.BoolVar(&f.allowPython, "allow-python", false, "with -project: let Django run RunPython migrations")
	fs.StringVar(&f.format, "format", "text", "with -project: output format of the plan and results, text or json")
	return c
}

func (f *applyFlags) options(stdout io.Writer) migrate.ApplyOptions {
	r := f.retries
	if r == 0 {
		r = -1
	}
	opts := migrate.ApplyOptions{
		LockTimeout: f.lockTimeout, StatementTimeout: f.stmtTimeout, Retries: r,
		DryRun: f.dryRun, Force: f.force, Wait: f.wait, Pooled: f.pooled, ProgressTable: f.table,
		RecordDjango: f.recordDjango,
	}
	if f.dryRun {
		opts.Out = stdout
	}
	return opts
}

func printUnits(w io.Writer, units []migrate.UnitResult) {
	for _, u := range units {
		line := fmt.Sprintf("%s unit %d (line %d): %s", u.File, u.Index, u.Line, u.Status)
		if u.Attempts > 1 {
			line += fmt.Sprintf(" after %d attempts", u.Attempts)
		}
		if u.Duration > 0 {
			line += " in " + ms(u.Duration)
		}
		fmt.Fprintln(w, line)
	}
}

// printRefusal lists the findings that made the gate refuse.
func printRefusal(w io.Writer, static []*migrate.FileReport) {
	for _, fr := range static {
		if fr == nil {
			continue
		}
		for _, f := range fr.Findings {
			if f.Severity == migrate.SeverityError || f.Rule == migrate.RuleNotModelled {
				fmt.Fprintf(w, "%s:%d:%d: %s [%s]\n", fr.Path, f.Pos.Line, f.Pos.Column, f.Message, f.Rule)
			}
		}
	}
}

// applyExit maps an Apply error to the exit code: bad input 2, else 1.
func applyExit(err error) error {
	if inputError(err) {
		return cli.Usagef("%v", err)
	}
	return cli.Failed(err)
}

func runApplyFiles(c *cobra.Command, f *applyFlags, args []string) error {
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	files, err := readSQLArgs(args)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	// Progress is keyed by file name, stable across checkouts.
	for i := range files {
		files[i].Name = filepath.Base(files[i].Name)
	}
	ctx, cancel := liveContext(c)
	defer cancel()
	var conn *pgx.Conn
	if f.db != "" || !f.dryRun {
		conn, err = migrate.Connect(ctx, f.db, migrate.ConnectOptions{Pooled: f.pooled})
		if err != nil {
			return cli.Usagef("%v", err)
		}
		defer conn.Close(context.Background())
	}
	rep, err := migrate.Apply(ctx, conn, files, f.options(stdout))
	if rep != nil && !f.dryRun {
		printUnits(stdout, rep.Units)
	}
	if err != nil {
		if (errors.Is(err, migrate.ErrDangerous) || errors.Is(err, migrate.ErrNotModelled)) && rep != nil {
			printRefusal(stderr, rep.Static)
		}
		return applyExit(err)
	}
	return nil
}

func runApplyProject(c *cobra.Command, f *applyFlags) error {
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	if f.format != "text" && f.format != "json" {
		return cli.Usagef("-format %q: want text or json", f.format)
	}
	ctx, cancel := liveContext(c)
	defer cancel()
	conn, err := migrate.Connect(ctx, f.db, migrate.ConnectOptions{Pooled: f.pooled})
	if err != nil {
		return cli.Usagef("%v", err)
	}
	defer conn.Close(context.Background())
	opts := migrate.ProjectApplyOptions{
		Project:     migrate.DjangoProject{Dir: f.project, Python: f.python, Settings: f.settings},
		AllowPython: f.allowPython,
		Apply:       f.options(stdout),
	}
	if f.format == "json" {
		opts.Apply.Out = nil
	}
	rep, err := migrate.ApplyProject(ctx, conn, opts)
	if rep != nil {
		if f.format == "json" {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(rep); jerr != nil {
				return jerr
			}
		} else {
			writePlanText(stdout, rep.Plan)
			if !f.dryRun {
				printUnits(stdout, rep.Units)
			}
			for _, m := range rep.Django {
				fmt.Fprintf(stdout, "%s: run by Django (RunPython)\n", m)
			}
		}
		if err != nil && rep.Plan != nil && rep.Plan.Refused != "" {
			var static []*migrate.FileReport
			for _, p := range rep.Plan.Pending {
				static = append(static, p.Static)
			}
			printRefusal(stderr, static)
		}
	}
	if err != nil {
		if errors.Is(err, migrate.ErrNoSQL) || errors.Is(err, migrate.ErrDjango) {
			return cli.Usagef("%v", err)
		}
		return applyExit(err)
	}
	return nil
}

func writePlanText(w io.Writer, p *migrate.ProjectPlan) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, "%d applied, %d pending\n", len(p.Applied), len(p.Pending))
	for _, m := range p.Pending {
		verdict := "runs Python"
		if !m.RunPython && m.Static != nil {
			verdict = string(m.Static.Verdict)
		}
		src := m.SQLSource
		if src == "" {
			src = "Django"
		}
		fmt.Fprintf(w, "pending %s (%s, SQL from %s): %s\n", m.MigrationRef, m.Path, src, verdict)
	}
	if p.Refused != "" {
		fmt.Fprintf(w, "refused: %s\n", strings.TrimPrefix(p.Refused, "migrate: "))
	}
}

package main

// The live-database subcommands: trace, pending and apply.
//
//	migratecheck trace -db URL [-rows-threshold N] [-bytes-threshold N] [-lock-timeout 2s] [-format text|json] [-commit] FILE...
//	migratecheck pending -db URL -project DIR [-format text|json]
//	migratecheck apply -db URL [-lock-timeout 2s] [-statement-timeout 0] [-retries 5] [-dry-run] [-force] [-wait] [-pooled] [-record-django] FILE...
//
// apply -record-django records each file as a Django migration in
// django_migrations (in the transaction of its last unit), the app and name
// taken from sqlmigrate-style file names APP_NNNN_name.sql, so a later
// "manage.py migrate" does not run it again.
//
// -db takes a postgres:// URL or a keyword/value string; empty uses the
// libpq environment (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE, ...).
// Passwords are never printed.
//
// Exit status: trace 1 when a file's traced verdict is dangerous; pending 1
// when the history is inconsistent (out of order, applied but missing on
// disk); apply 1 when it refused (static verdict dangerous) or failed; 2 on
// bad usage or when the database cannot be reached.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/deploykit/deploykit/migrate"
)

func init() {
	subcommands["trace"] = runTrace
	subcommands["pending"] = runPending
	subcommands["apply"] = runApply
}

func liveContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func newFlags(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("migratecheck "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: migratecheck %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
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

func runTrace(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("trace", stderr, "-db URL [flags] FILE...")
	db := fs.String("db", "", "database URL (default: libpq environment variables)")
	rows := fs.Int64("rows-threshold", migrate.DefaultRowsThreshold, "rows from which a blocking rewrite/scan/index build is dangerous (-1 disables)")
	bytes := fs.Int64("bytes-threshold", migrate.DefaultBytesThreshold, "table bytes from which a blocking rewrite/scan/index build is dangerous (-1 disables)")
	lockTimeout := fs.Duration("lock-timeout", migrate.DefaultLockTimeout, "lock_timeout inside the traced transaction")
	format := fs.String("format", "text", "output format: text or json")
	commit := fs.Bool("commit", false, "commit instead of rolling back (the trace then applies the migration)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return 2
	}
	files, err := readSQLArgs(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck trace: %v\n", err)
		return 2
	}
	ctx, cancel := liveContext()
	defer cancel()
	conn, err := migrate.Connect(ctx, *db, migrate.ConnectOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck trace: %v\n", err)
		return 2
	}
	defer conn.Close(context.Background())
	version := serverVersion(ctx, conn)

	var reports []*migrate.TraceReport
	code := 0
	for _, f := range files {
		static, err := migrate.AnalyzeSQL(f.Name, f.SQL, migrate.Options{PGVersion: version})
		if err != nil {
			fmt.Fprintf(stderr, "migratecheck trace: %v\n", err)
			return 2
		}
		rep, err := migrate.Trace(ctx, conn, f.Name, f.SQL, migrate.TraceOptions{
			Commit: *commit, LockTimeout: *lockTimeout, RowsThreshold: *rows, BytesThreshold: *bytes, Static: static,
		})
		if err != nil {
			fmt.Fprintf(stderr, "migratecheck trace: %v\n", err)
			return 2
		}
		if rep.Verdict == migrate.VerdictDangerous {
			code = 1
		}
		reports = append(reports, rep)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"files": reports}); err != nil {
			fmt.Fprintf(stderr, "migratecheck trace: %v\n", err)
			return 2
		}
		return code
	}
	for _, rep := range reports {
		writeTraceText(stdout, rep)
	}
	return code
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

func runPending(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("pending", stderr, "-db URL -project DIR [-format text|json]")
	db := fs.String("db", "", "database URL (default: libpq environment variables)")
	project := fs.String("project", "", "Django project directory")
	format := fs.String("format", "text", "output format: text or json")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *project == "" || fs.NArg() > 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return 2
	}
	ctx, cancel := liveContext()
	defer cancel()
	conn, err := migrate.Connect(ctx, *db, migrate.ConnectOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck pending: %v\n", err)
		return 2
	}
	defer conn.Close(context.Background())
	rep, err := migrate.Pending(ctx, conn, *project)
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck pending: %v\n", err)
		return 2
	}
	code := 0
	if len(rep.OutOfOrder) > 0 || len(rep.MissingOnDisk) > 0 {
		code = 1
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 2
		}
		return code
	}
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
	return code
}

func runApply(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("apply", stderr, "-db URL [flags] FILE...")
	db := fs.String("db", "", "database URL (default: libpq environment variables); optional with -dry-run")
	lockTimeout := fs.Duration("lock-timeout", migrate.DefaultLockTimeout, "lock_timeout of every statement")
	stmtTimeout := fs.Duration("statement-timeout", 0, "statement_timeout of every statement (0: none)")
	retries := fs.Int("retries", migrate.DefaultRetries, "retries after a lock timeout (0: none)")
	dryRun := fs.Bool("dry-run", false, "print the SQL that would run, change nothing")
	force := fs.Bool("force", false, "apply even when the static verdict is dangerous")
	wait := fs.Bool("wait", false, "wait for another running migrator instead of exiting")
	pooled := fs.Bool("pooled", false, "the connection goes through transaction pooling (PgBouncer, Azure port 6432)")
	table := fs.String("progress-table", migrate.DefaultProgressTable, "table recording applied units")
	recordDjango := fs.Bool("record-django", false, "record each file (named APP_NNNN_name.sql) as applied in Django's django_migrations")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	files, err := readSQLArgs(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck apply: %v\n", err)
		return 2
	}
	// Progress is keyed by file name, stable across checkouts.
	for i := range files {
		files[i].Name = filepath.Base(files[i].Name)
	}
	r := *retries
	if r == 0 {
		r = -1
	}
	ctx, cancel := liveContext()
	defer cancel()
	var conn *pgx.Conn
	if *db != "" || !*dryRun {
		conn, err = migrate.Connect(ctx, *db, migrate.ConnectOptions{Pooled: *pooled})
		if err != nil {
			fmt.Fprintf(stderr, "migratecheck apply: %v\n", err)
			return 2
		}
		defer conn.Close(context.Background())
	}
	opts := migrate.ApplyOptions{
		LockTimeout: *lockTimeout, StatementTimeout: *stmtTimeout, Retries: r,
		DryRun: *dryRun, Force: *force, Wait: *wait, Pooled: *pooled, ProgressTable: *table,
		RecordDjango: *recordDjango,
	}
	if *dryRun {
		opts.Out = stdout
	}
	rep, err := migrate.Apply(ctx, conn, files, opts)
	if rep != nil && !*dryRun {
		for _, u := range rep.Units {
			line := fmt.Sprintf("%s unit %d (line %d): %s", u.File, u.Index, u.Line, u.Status)
			if u.Attempts > 1 {
				line += fmt.Sprintf(" after %d attempts", u.Attempts)
			}
			if u.Duration > 0 {
				line += " in " + ms(u.Duration)
			}
			fmt.Fprintln(stdout, line)
		}
	}
	if err != nil {
		if errors.Is(err, migrate.ErrDangerous) && rep != nil {
			for _, fr := range rep.Static {
				for _, f := range fr.Findings {
					if f.Severity == migrate.SeverityError {
						fmt.Fprintf(stderr, "%s:%d:%d: %s [%s]\n", fr.Path, f.Pos.Line, f.Pos.Column, f.Message, f.Rule)
					}
				}
			}
		}
		fmt.Fprintf(stderr, "migratecheck apply: %v\n", err)
		var se *migrate.SyntaxError
		if errors.As(err, &se) {
			return 2
		}
		return 1
	}
	return 0
}

// Command migratecheck gates deploys on the risk of PostgreSQL migrations:
// it analyses .sql files, directories of them, or a Django project's
// pending migrations (rendered with manage.py sqlmigrate) with deploykit's
// migrate package.
//
//	go run ./examples/migratecheck [-pg-version 14] [-format text|json|sarif|github] [-fail-on warning|error] PATH...
//
// PATH is a .sql file, a directory of .sql files (analysed in name order as
// one migration history), or, with -python, a Django project directory
// (the one with manage.py; Django reads its database settings from the
// environment as usual): every migration is rendered with sqlmigrate (cached
// by file hash) and analysed as one history, and the pending ones are
// reported (-all: every one). Exit status: 0 when no finding reaches -fail-on,
// 1 when one does, 2 on bad usage, unreadable input or a SQL syntax error.
//
// Subcommands registered by other files (trace, pending, apply) run when
// the first argument names one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/migrate"
)

// subcommands maps a first argument to its handler; live.go registers
// "trace", "pending" and "apply" from init.
var subcommands = map[string]func(args []string, stdout, stderr io.Writer) int{}

// version is reported in SARIF output.
const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if sub, ok := subcommands[args[0]]; ok {
			return sub(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("migratecheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pgVersion := fs.Int("pg-version", 14, "target PostgreSQL major version (12-17), or server_version_num such as 140003")
	format := fs.String("format", "text", "output format: text, json, sarif or github")
	failOn := fs.String("fail-on", "error", "exit 1 when a finding reaches this severity: info, warning or error")
	atomic := fs.Bool("atomic", false, "treat each .sql file as one transaction even without BEGIN/COMMIT")
	python := fs.String("python", "", "Python interpreter with Django; makes a directory with manage.py a Django project")
	settings := fs.String("settings", "", "DJANGO_SETTINGS_MODULE (default: read from manage.py)")
	all := fs.Bool("all", false, "Django projects: report applied migrations too, not only pending ones")
	cacheDir := fs.String("cache-dir", defaultCacheDir(), "cache of sqlmigrate output by migration file hash (\"\" disables)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: migratecheck [flags] PATH...\n       migratecheck {%s} ...\n", strings.Join(subcommandNames(), "|"))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	threshold, ok := map[string]migrate.Severity{"info": migrate.SeverityInfo, "warning": migrate.SeverityWarning, "warn": migrate.SeverityWarning, "error": migrate.SeverityError}[*failOn]
	if !ok {
		fmt.Fprintf(stderr, "migratecheck: -fail-on %q: want info, warning or error\n", *failOn)
		return 2
	}
	switch *format {
	case "text", "json", "sarif", "github":
	default:
		fmt.Fprintf(stderr, "migratecheck: -format %q: want text, json, sarif or github\n", *format)
		return 2
	}
	if v := *pgVersion; !(v >= 10 && v <= 18) && !(v >= 100000 && v < 190000) {
		fmt.Fprintf(stderr, "migratecheck: -pg-version %d: want a major version (12-17) or a server_version_num such as 140003\n", v)
		return 2
	}
	opts := migrate.Options{PGVersion: *pgVersion, Atomic: *atomic}
	ctx := context.Background()

	var files []migrate.File
	// hide marks files analysed only for their history (applied Django
	// migrations), not reported.
	var hide []bool
	for _, p := range fs.Args() {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(stderr, "migratecheck: %v\n", err)
			return 2
		}
		switch {
		case fi.IsDir() && *python != "" && exists(filepath.Join(p, "manage.py")):
			ms, err := migrate.DjangoSQL(ctx, migrate.DjangoProject{Dir: p, Python: *python, Settings: *settings, CacheDir: *cacheDir})
			if err != nil {
				fmt.Fprintf(stderr, "migratecheck: %v\n", err)
				return 2
			}
			for i, f := range migrate.DjangoFiles(ms) {
				f.Path = filepath.Join(p, f.Path)
				files = append(files, f)
				hide = append(hide, ms[i].Applied && !*all)
			}
		case fi.IsDir():
			found, err := sqlFiles(p)
			if err != nil {
				fmt.Fprintf(stderr, "migratecheck: %v\n", err)
				return 2
			}
			if len(found) == 0 {
				hint := ""
				if exists(filepath.Join(p, "manage.py")) {
					hint = " (a Django project: pass -python /usr/bin/python3)"
				}
				fmt.Fprintf(stderr, "migratecheck: %s: no .sql files%s\n", p, hint)
				return 2
			}
			files = append(files, found...)
			hide = append(hide, make([]bool, len(found))...)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				fmt.Fprintf(stderr, "migratecheck: %v\n", err)
				return 2
			}
			files = append(files, migrate.File{Path: p, SQL: b})
			hide = append(hide, false)
		}
	}

	analysed, err := migrate.AnalyzeFiles(files, opts)
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck: %v\n", err)
		return 2
	}
	reps := make([]*migrate.FileReport, 0, len(analysed))
	for i, r := range analysed {
		if !hide[i] {
			reps = append(reps, r)
		}
	}
	switch *format {
	case "json":
		err = migrate.WriteJSON(stdout, reps)
	case "sarif":
		err = migrate.WriteSARIF(stdout, reps, version)
	case "github":
		err = migrate.WriteGitHub(stdout, reps)
	default:
		err = migrate.WriteText(stdout, reps)
	}
	if err != nil {
		fmt.Fprintf(stderr, "migratecheck: %v\n", err)
		return 2
	}
	if top := migrate.MaxSeverity(reps); top != "" && top.Rank() >= threshold.Rank() {
		return 1
	}
	return 0
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

func subcommandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

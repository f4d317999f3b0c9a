package migrate

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DjangoMigrationsTable is Django's migration history table.
const DjangoMigrationsTable = "django_migrations"

var (
	// ErrNoDjangoMigrationsTable: Django recording was asked for but the
	// database has no django_migrations table. Nothing was run.
	ErrNoDjangoMigrationsTable = errors.New("migrate: table django_migrations does not exist (run \"manage.py migrate\" once to create Django's history table, or apply without Django recording)")
	// ErrDjangoNotSQL: a file recorded as a Django migration contains an
	// operation sqlmigrate cannot write as SQL (RunPython); applying its SQL
	// and recording it would skip that code. Nothing was run.
	ErrDjangoNotSQL = errors.New("migrate: Django migration performs an operation that cannot be written as SQL (RunPython)")
)

// ParseDjangoFileName derives the Django app label and migration name from
// a sqlmigrate output file named APP_NNNN_name.sql (e.g.
// "blog_0003_post_views.sql" -> "blog", "0003_post_views"): the name is
// split at the first "_" followed by four digits, the numbering Django's
// makemigrations uses. Directories are ignored. App labels that themselves
// contain "_" and four digits need ApplyFile.DjangoApp/DjangoName set
// explicitly.
func ParseDjangoFileName(path string) (app, name string, err error) {
	base := filepath.Base(path)
	stem, ok := strings.CutSuffix(base, ".sql")
	if !ok {
		return "", "", fmt.Errorf("%s: expected a file named APP_NNNN_name.sql", path)
	}
	for i := 1; i+5 <= len(stem); i++ {
		if stem[i] != '_' || !allDigits(stem[i+1:i+5]) {
			continue
		}
		app, name = stem[:i], stem[i+1:]
		if !isIdentifier(app) {
			return "", "", fmt.Errorf("%s: app label %q is not a Python identifier (expected APP_NNNN_name.sql)", path, app)
		}
		return app, name, nil
	}
	return "", "", fmt.Errorf("%s: no _NNNN migration number in the file name (expected APP_NNNN_name.sql)", path)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return s != ""
}

// djangoRecordSQL inserts the unit's Django migration unless Django's
// history already lists it (django_migrations has no unique constraint on
// app, name; the migrator lock keeps two appliers apart).
func djangoRecordSQL(u *ApplyUnit) string {
	app, name := quoteLiteral(u.DjangoApp), quoteLiteral(u.DjangoName)
	return fmt.Sprintf("INSERT INTO %s (app, name, applied) SELECT %s, %s, now() WHERE NOT EXISTS (SELECT 1 FROM %s WHERE app = %s AND name = %s)",
		DjangoMigrationsTable, app, name, DjangoMigrationsTable, app, name)
}

// prepareDjangoFiles fills DjangoApp/DjangoName from file names when
// opts.RecordDjango is set.
func prepareDjangoFiles(files []ApplyFile, opts *ApplyOptions) ([]ApplyFile, error) {
	if !opts.RecordDjango {
		return files, nil
	}
	out := make([]ApplyFile, len(files))
	for i, f := range files {
		if f.DjangoApp == "" && f.DjangoName == "" {
			app, name, err := ParseDjangoFileName(f.Name)
			if err != nil {
				return nil, fmt.Errorf("migrate: apply: %w", err)
			}
			f.DjangoApp, f.DjangoName = app, name
		}
		out[i] = f
	}
	return out, nil
}

func recordsDjango(units []ApplyUnit) bool {
	for i := range units {
		if units[i].DjangoApp != "" {
			return true
		}
	}
	return false
}

// checkDjangoTable fails with ErrNoDjangoMigrationsTable when the table is
// missing.
func checkDjangoTable(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", DjangoMigrationsTable).Scan(&exists); err != nil {
		return fmt.Errorf("migrate: look up %s: %w", DjangoMigrationsTable, err)
	}
	if !exists {
		return ErrNoDjangoMigrationsTable
	}
	return nil
}

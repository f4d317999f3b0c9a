package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// SnapshotOptions describes a throwaway database for tracing migrations
// against realistic table sizes. Exactly one of Template and SchemaSQL is
// normally set; with neither the database starts empty.
type SnapshotOptions struct {
	// Name of the new database; empty means "deploykit_snap_" plus random
	// hex.
	Name string
	// Template is an existing database to copy with CREATE DATABASE ...
	// TEMPLATE (schema and data). PostgreSQL refuses when anyone else is
	// connected to the template.
	Template string
	// SchemaSQL is run in the new database after it is created (for example
	// the output of pg_dump --schema-only, or the SQL of earlier migrations).
	SchemaSQL string
	// Rows maps a table name (optionally schema-qualified) to the number of
	// generated rows to insert; see FillTable. Tables are filled in name
	// order, so a referenced table should sort before the tables that point
	// at it, or be filled by the template.
	Rows map[string]int
}

// Snapshot is a throwaway database made by NewSnapshot.
type Snapshot struct {
	// Name of the database.
	Name string
	// URL connects to it with the admin URL's credentials.
	URL      string
	adminURL string
}

// NewSnapshot creates a database on the server adminURL points at (the
// user needs CREATEDB), applies opts, and runs ANALYZE so pg_class.reltuples
// holds real row counts. Call Drop when done.
func NewSnapshot(ctx context.Context, adminURL string, opts SnapshotOptions) (*Snapshot, error) {
	name := opts.Name
	if name == "" {
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("migrate: snapshot name: %w", err)
		}
		name = "deploykit_snap_" + hex.EncodeToString(b)
	}
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("migrate: snapshot: admin connection must be a postgres:// URL, got %s", RedactURL(adminURL))
	}
	admin, err := Connect(ctx, adminURL, ConnectOptions{})
	if err != nil {
		return nil, err
	}
	defer admin.Close(context.Background())
	if err := CloneDatabase(ctx, admin, opts.Template, name); err != nil {
		return nil, err
	}
	u.Path = "/" + name
	s := &Snapshot{Name: name, URL: u.String(), adminURL: adminURL}
	if err := s.populate(ctx, opts); err != nil {
		_ = s.Drop(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *Snapshot) populate(ctx context.Context, opts SnapshotOptions) error {
	conn, err := Connect(ctx, s.URL, ConnectOptions{})
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if strings.TrimSpace(opts.SchemaSQL) != "" {
		// The simple protocol runs a multi-statement script in one round trip.
		if _, err := conn.Exec(ctx, opts.SchemaSQL); err != nil {
			return fmt.Errorf("migrate: snapshot %s: schema SQL: %w", s.Name, err)
		}
	}
	tables := make([]string, 0, len(opts.Rows))
	for t := range opts.Rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		if err := FillTable(ctx, conn, t, opts.Rows[t]); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("migrate: snapshot %s: analyze: %w", s.Name, err)
	}
	return nil
}

// Drop removes the snapshot database, disconnecting anyone still connected
// (DROP DATABASE ... WITH (FORCE), PostgreSQL 13+).
func (s *Snapshot) Drop(ctx context.Context) error {
	admin, err := Connect(ctx, s.adminURL, ConnectOptions{})
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{s.Name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("migrate: drop snapshot %s: %w", s.Name, err)
	}
	return nil
}

// CloneDatabase creates database name, copying template when it is not
// empty (CREATE DATABASE name TEMPLATE template). admin must be connected
// to another database of the same server.
func CloneDatabase(ctx context.Context, admin *pgx.Conn, template, name string) error {
	if name == "" {
		return errors.New("migrate: clone database: empty name")
	}
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := admin.Exec(ctx, sql); err != nil {
		if template != "" {
			return fmt.Errorf("migrate: clone database %s from %s (nobody else may be connected to the template): %w", name, template, err)
		}
		return fmt.Errorf("migrate: create database %s: %w", name, err)
	}
	return nil
}

// FillTable inserts rows generated rows into table with one INSERT ...
// SELECT over generate_series, then ANALYZEs it. Columns with a default,
// identity or generated columns are left to the database; other columns get
// a value derived from the row number by type (numbers, text within the
// varchar limit, booleans, dates and timestamps, uuids, json), so unique
// constraints hold. A NOT NULL foreign key takes a row of the referenced
// table (fill that first); a nullable one stays NULL. A NOT NULL column of a
// type it cannot generate is an error naming the column.
func FillTable(ctx context.Context, db Querier, table string, rows int) error {
	if rows < 0 {
		return fmt.Errorf("migrate: fill %s: negative row count %d", table, rows)
	}
	var oid int64
	if err := db.QueryRow(ctx, "SELECT $1::regclass::oid::int8", table).Scan(&oid); err != nil {
		return fmt.Errorf("migrate: fill %s: %w", table, err)
	}
	r, err := db.Query(ctx, `
SELECT a.attname, t.typname, t.typcategory::text, a.atttypmod, a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
       coalesce((SELECT format('(SELECT %I FROM %s LIMIT 1)', fa.attname, con.confrelid::regclass)
                 FROM pg_constraint con
                 JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1]
                 WHERE con.conrelid = a.attrelid AND con.contype = 'f' AND con.conkey[1] = a.attnum
                 LIMIT 1), '')
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, oid)
	if err != nil {
		return fmt.Errorf("migrate: fill %s: %w", table, err)
	}
	var cols, exprs []string
	for r.Next() {
		var name, typ, cat, fk string
		var typmod int32
		var notNull, hasDefault bool
		if err := r.Scan(&name, &typ, &cat, &typmod, &notNull, &hasDefault, &fk); err != nil {
			r.Close()
			return fmt.Errorf("migrate: fill %s: %w", table, err)
		}
		if hasDefault {
			continue
		}
		var expr string
		if fk != "" {
			if !notNull {
				continue
			}
			expr = fk
		} else {
			expr = generatedValue(typ, cat, typmod)
		}
		if expr == "" {
			if notNull {
				r.Close()
				return fmt.Errorf("migrate: fill %s: cannot generate values for NOT NULL column %q of type %s", table, name, typ)
			}
			continue
		}
		cols = append(cols, pgx.Identifier{name}.Sanitize())
		exprs = append(exprs, expr)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return fmt.Errorf("migrate: fill %s: %w", table, err)
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %d) AS g",
		table, strings.Join(cols, ", "), strings.Join(exprs, ", "), rows)
	if len(cols) == 0 {
		// A zero-column SELECT inserts rows made entirely of defaults.
		sql = fmt.Sprintf("INSERT INTO %s SELECT FROM generate_series(1, %d) AS g", table, rows)
	}
	if _, err := db.Exec(ctx, sql); err != nil {
		return fmt.Errorf("migrate: fill %s: %w", table, err)
	}
	if _, err := db.Exec(ctx, "ANALYZE "+table); err != nil {
		return fmt.Errorf("migrate: fill %s: analyze: %w", table, err)
	}
	return nil
}

// generatedValue returns a SQL expression over the row number g for a column
// type, or "" when it has none.
func generatedValue(typ, category string, typmod int32) string {
	switch typ {
	case "int2":
		return "(g % 32767)::int2"
	case "int4", "int8", "numeric", "float4", "float8", "oid":
		return "g::" + typ
	case "bool":
		return "(g % 2 = 0)"
	case "uuid":
		return "md5(g::text)::uuid"
	case "date":
		return "(date '2000-01-01' + (g % 20000))"
	case "timestamp", "timestamptz":
		return "(timestamptz '2000-01-01' + g * interval '1 minute')::" + typ
	case "time", "timetz":
		return "(time '00:00' + (g % 86400) * interval '1 second')::" + typ
	case "interval":
		return "(g * interval '1 second')"
	case "json", "jsonb":
		return "json_build_object('n', g)::" + typ
	case "bytea":
		return "int8send(g)"
	case "inet", "cidr":
		return "('10.0.0.0'::inet + g)::" + typ
	}
	if category == "S" { // text, varchar, bpchar, name, citext
		v := "('r' || g)"
		if typmod > 4 && (typ == "varchar" || typ == "bpchar") {
			v = fmt.Sprintf("right('r' || g, %d)", typmod-4)
		}
		return v + "::" + typ
	}
	return ""
}

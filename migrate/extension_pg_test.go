package migrate

import (
	"context"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateExtensions = flag.Bool("update-extensions", false, "rewrite extension_scripts.tsv from measurements on the test PostgreSQL")

// extensionUsers are tables and indexes that use an extension's types and
// operator classes, created (committed) before its ALTER EXTENSION ...
// UPDATE is measured: an update script that changed an operator class or
// a type would lock or rebuild them. Extensions not listed get a plain table.
var extensionUsers = map[string]string{
	"pg_trgm":    "CREATE TABLE use_x (v text); INSERT INTO use_x SELECT 'v' || g FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gin (v gin_trgm_ops); CREATE INDEX ON use_x USING gist (v gist_trgm_ops)",
	"btree_gin":  "CREATE TABLE use_x (v int); INSERT INTO use_x SELECT g FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gin (v)",
	"btree_gist": "CREATE TABLE use_x (v int, w timestamptz); INSERT INTO use_x SELECT g, now() FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gist (v, w)",
	"citext":     "CREATE TABLE use_x (v citext UNIQUE); INSERT INTO use_x SELECT 'v' || g FROM generate_series(1, 200) g",
	"hstore":     "CREATE TABLE use_x (v hstore); INSERT INTO use_x SELECT hstore('k', g::text) FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gin (v); CREATE INDEX ON use_x USING gist (v)",
	"ltree":      "CREATE TABLE use_x (v ltree); INSERT INTO use_x SELECT text2ltree('a.b' || g) FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gist (v)",
	"intarray":   "CREATE TABLE use_x (v int[]); INSERT INTO use_x SELECT ARRAY[g, g+1] FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gin (v gin__int_ops)",
	"cube":       "CREATE TABLE use_x (v cube); INSERT INTO use_x SELECT cube(g) FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gist (v)",
	"seg":        "CREATE TABLE use_x (v seg); INSERT INTO use_x SELECT (g || ' .. ' || g+1)::seg FROM generate_series(1, 200) g; CREATE INDEX ON use_x USING gist (v)",
	"isn":        "CREATE TABLE use_x (v ean13); INSERT INTO use_x VALUES ('978-0-306-40615-7'); CREATE INDEX ON use_x (v)",
	"uuid-ossp":  "CREATE TABLE use_x (v uuid DEFAULT uuid_generate_v4()); INSERT INTO use_x SELECT FROM generate_series(1, 200)",
	"pgcrypto":   "CREATE TABLE use_x (v uuid DEFAULT gen_random_uuid(), h bytea); INSERT INTO use_x (h) SELECT digest('x' || g, 'sha256') FROM generate_series(1, 200) g",
	"unaccent":   "CREATE TABLE use_x (v text); INSERT INTO use_x SELECT unaccent('é' || g) FROM generate_series(1, 200) g",
}

// extensionBase is the user schema every measurement starts from.
const extensionBase = `CREATE TABLE t (id serial PRIMARY KEY, c text, n integer);
INSERT INTO t (c, n) SELECT 'v' || g, g FROM generate_series(1, 500) g;
CREATE INDEX t_c ON t (c);
CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t;
CREATE VIEW v AS SELECT id FROM t`

type userRelation struct {
	name     string
	filenode uint32
}

// userRelations are the relations outside the system schemas with their
// name and relfilenode.
func userRelations(ctx context.Context, q pgx.Tx) (map[uint32]userRelation, error) {
	rows, err := q.Query(ctx, `SELECT c.oid, n.nspname || '.' || c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`)
	if err != nil {
		return nil, err
	}
	out := map[uint32]userRelation{}
	for rows.Next() {
		var oid uint32
		var r userRelation
		if err := rows.Scan(&oid, &r.name, &r.filenode); err != nil {
			return nil, err
		}
		out[oid] = r
	}
	return out, rows.Err()
}

// measureScript runs stmt in a transaction that is rolled back and returns
// "none" when it took no lock on and rewrote no relation of before, else
// what it did ("AccessExclusiveLock on public.use_x", "rewrote ...").
func measureScript(ctx context.Context, conn *pgx.Conn, stmt string) (string, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	before, err := userRelations(ctx, tx)
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		return "", err
	}
	var took []string
	rows, err := tx.Query(ctx, `SELECT l.relation, l.mode FROM pg_locks l
		WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var oid uint32
		var mode string
		if err := rows.Scan(&oid, &mode); err != nil {
			return "", err
		}
		if r, ok := before[oid]; ok {
			took = append(took, mode+" on "+r.name)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	after, err := userRelations(ctx, tx)
	if err != nil {
		return "", err
	}
	for oid, r := range before {
		if n, ok := after[oid]; ok && n.filenode != r.filenode {
			took = append(took, "rewrote "+r.name)
		}
	}
	if len(took) == 0 {
		return "none", nil
	}
	sort.Strings(took)
	return strings.Join(took, "; "), nil
}

// TestExtensionScriptsOnPostgres measures, on the test PostgreSQL, what
// each available extension's install script and update scripts do to
// relations that existed before, and checks extension_scripts.tsv (the
// data the analyser uses) against it. -update-extensions rewrites it.
func TestExtensionScriptsOnPostgres(t *testing.T) {
	url := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, extensionBase)
	require.NoError(t, err)
	measured := map[string]extensionFacts{}
	// plpgsql is installed in every new database: drop it (the database is
	// the test's own), measure its script, and put it back, as other
	// extensions' scripts need it.
	_, err = conn.Exec(ctx, "DROP EXTENSION plpgsql")
	require.NoError(t, err)
	var plVersion string
	require.NoError(t, conn.QueryRow(ctx, "SELECT default_version FROM pg_available_extensions WHERE name = 'plpgsql'").Scan(&plVersion))
	pl, err := measureScript(ctx, conn, "CREATE EXTENSION plpgsql")
	require.NoError(t, err)
	measured["plpgsql"] = extensionFacts{version: plVersion, createLocks: pl, updateLocks: "none"}
	_, err = conn.Exec(ctx, "CREATE EXTENSION plpgsql")
	require.NoError(t, err)
	// The measurement sees what it must: a statement that locks and
	// rewrites a user table is not "none".
	control, err := measureScript(ctx, conn, "ALTER TABLE t ALTER COLUMN c TYPE bytea USING convert_to(c, 'UTF8')")
	require.NoError(t, err)
	assert.Contains(t, control, "AccessExclusiveLock on public.t")
	assert.Contains(t, control, "rewrote public.t")
	var server string
	require.NoError(t, conn.QueryRow(ctx, "SELECT split_part(version(), ' on ', 1)").Scan(&server))

	type avail struct{ name, version string }
	var exts []avail
	rows, err := conn.Query(ctx, "SELECT name, default_version FROM pg_available_extensions WHERE installed_version IS NULL ORDER BY name")
	require.NoError(t, err)
	for rows.Next() {
		var a avail
		require.NoError(t, rows.Scan(&a.name, &a.version))
		exts = append(exts, a)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, exts)

	for _, ext := range exts {
		id := pgx.Identifier{ext.name}.Sanitize()
		var requires []string
		require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(requires, '{}')::text[] FROM pg_available_extension_versions WHERE name = $1 AND version = $2", ext.name, ext.version).Scan(&requires))
		created, err := measureScript(ctx, conn, "CREATE EXTENSION "+id+" CASCADE")
		if err != nil {
			// Some need shared_preload_libraries or another setup; not
			// measured, so not in the data (the analyser reports them).
			t.Logf("%s: CREATE EXTENSION not measured: %v", ext.name, err)
			continue
		}
		if len(requires) == 0 {
			requires = nil
		}
		f := extensionFacts{version: ext.version, requires: requires, createLocks: created, updateLocks: "none"}
		var froms []string
		urows, err := conn.Query(ctx, "SELECT source FROM pg_extension_update_paths($1) WHERE target = $2 AND path IS NOT NULL AND source <> target", ext.name, ext.version)
		require.NoError(t, err)
		for urows.Next() {
			var s string
			require.NoError(t, urows.Scan(&s))
			froms = append(froms, s)
		}
		require.NoError(t, urows.Err())
		sort.Strings(froms)
		var updLocks []string
		for _, from := range froms {
			users := extensionUsers[ext.name]
			if users == "" {
				users = "CREATE TABLE use_x (v text); INSERT INTO use_x SELECT 'v' || g FROM generate_series(1, 200) g"
			}
			if _, err := conn.Exec(ctx, "CREATE EXTENSION "+id+" VERSION '"+from+"' CASCADE"); err != nil {
				t.Logf("%s: version %s not installable: %v", ext.name, from, err)
				f.updateUnmeasured = append(f.updateUnmeasured, from)
				continue
			}
			_, err := conn.Exec(ctx, users)
			require.NoError(t, err, "%s %s: %s", ext.name, from, users)
			got, err := measureScript(ctx, conn, "ALTER EXTENSION "+id+" UPDATE")
			require.NoError(t, err, "%s from %s", ext.name, from)
			if got != "none" {
				updLocks = append(updLocks, "from "+from+": "+got)
			}
			f.updateFrom = append(f.updateFrom, from)
			_, err = conn.Exec(ctx, "DROP TABLE use_x; DROP EXTENSION "+id+" CASCADE")
			require.NoError(t, err)
			for _, r := range requires {
				_, err = conn.Exec(ctx, "DROP EXTENSION IF EXISTS "+pgx.Identifier{r}.Sanitize()+" CASCADE")
				require.NoError(t, err)
			}
		}
		if len(updLocks) > 0 {
			f.updateLocks = strings.Join(updLocks, " | ")
		}
		measured[ext.name] = f
	}
	want := formatExtensionScripts(server+", "+time.Now().UTC().Format("2006-01-02"), measured)
	if *updateExtensions {
		require.NoError(t, os.WriteFile("extension_scripts.tsv", []byte(want), 0o644))
		return
	}
	// The data must match what this server does; the date and exact
	// server build of the measurement are the file's own.
	got := parseExtensionScripts(extensionScriptsTSV)
	for name, f := range measured {
		g, ok := got[name]
		if !assert.True(t, ok, "%s measured but not in extension_scripts.tsv (-update-extensions)", name) {
			continue
		}
		assert.Equal(t, f, g, "%s: extension_scripts.tsv differs from the measurement (-update-extensions)", name)
	}
	for name := range got {
		assert.Contains(t, measured, name, "%s is in extension_scripts.tsv but was not measured on this server", name)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

func liveCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func liveFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func liveDB(t *testing.T, setup string) string {
	t.Helper()
	url := testenv.Postgres(t)
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), setup)
	require.NoError(t, err)
	return url
}

func TestTraceSubcommand(t *testing.T) {
	url := liveDB(t, `CREATE TABLE blog_post (id serial PRIMARY KEY, title varchar(50), views int);
INSERT INTO blog_post (title, views) SELECT 't' || g, g FROM generate_series(1, 50) g; ANALYZE blog_post;`)
	dir := t.TempDir()
	f := liveFile(t, dir, "0002.sql", "BEGIN;\nALTER TABLE blog_post ALTER COLUMN views TYPE bigint;\nALTER TABLE blog_post ALTER COLUMN title TYPE varchar(100);\nCOMMIT;\n")

	code, out, errOut := liveCLI("trace", "-db", url, "-rows-threshold", "10", f)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, f+": dangerous (trace rolled back, schema unchanged")
	assert.Contains(t, out, f+":2:1: dangerous: ALTER TABLE blog_post ALTER COLUMN views TYPE bigint")
	assert.Contains(t, out, "\tlock ACCESS EXCLUSIVE on table public.blog_post, held ")
	assert.Contains(t, out, "\trewrite: public.blog_post\n")
	// No new lock (the ACCESS EXCLUSIVE is already held), no rewrite.
	assert.Contains(t, out, f+":3:1: safe: ALTER TABLE blog_post ALTER COLUMN title TYPE varchar(100)")

	code, out, errOut = liveCLI("trace", "-db", url, "-format", "json", f)
	assert.Equal(t, 0, code, errOut) // 50 rows is below the default threshold
	var doc struct {
		Files []struct {
			Path           string `json:"path"`
			Verdict        string `json:"verdict"`
			SchemaRestored bool   `json:"schema_restored"`
			Statements     []struct {
				Line     int    `json:"line"`
				Status   string `json:"status"`
				Verdict  string `json:"verdict"`
				Rewrites []struct {
					Relation string `json:"relation"`
					Rows     int64  `json:"rows"`
				} `json:"rewrites"`
				Locks []struct {
					Mode string `json:"mode"`
				} `json:"locks"`
			} `json:"statements"`
			Comparisons []struct {
				Rule      string `json:"rule"`
				Agreement string `json:"agreement"`
			} `json:"comparisons"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Files, 1)
	fr := doc.Files[0]
	assert.Equal(t, "safe", fr.Verdict)
	assert.True(t, fr.SchemaRestored)
	require.Len(t, fr.Statements, 4)
	assert.Equal(t, "transaction-control", fr.Statements[0].Status)
	require.Len(t, fr.Statements[1].Rewrites, 1)
	assert.Equal(t, int64(50), fr.Statements[1].Rewrites[0].Rows)
	assert.Empty(t, fr.Statements[2].Rewrites)
	assert.NotEmpty(t, fr.Comparisons, "the static finding about int -> bigint is compared with the trace")
	for _, c := range fr.Comparisons {
		assert.NotEqual(t, "refuted", c.Agreement, "%+v", c)
	}

	code, _, errOut = liveCLI("trace", "-db", "postgres://u:Sup3rSecretPw@127.0.0.1:1/x?connect_timeout=2", f)
	assert.Equal(t, 2, code)
	assert.NotContains(t, errOut, "Sup3rSecretPw")
	code, _, _ = liveCLI("trace")
	assert.Equal(t, 2, code)
}

func TestApplySubcommand(t *testing.T) {
	url := liveDB(t, `CREATE TABLE item (id serial PRIMARY KEY);`)
	dir := t.TempDir()
	liveFile(t, dir, "0001_price.sql", "ALTER TABLE item ADD COLUMN price integer;\n")
	liveFile(t, dir, "0002_index.sql", "CREATE INDEX CONCURRENTLY item_price ON item (price);\n")

	code, out, errOut := liveCLI("apply", "-dry-run", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "SET LOCAL lock_timeout = '2000ms';\nALTER TABLE item ADD COLUMN price integer;\n")
	assert.Contains(t, out, "CREATE INDEX CONCURRENTLY item_price ON item (price);\n")

	code, out, errOut = liveCLI("apply", "-db", url, "-lock-timeout", "1s", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "0001_price.sql unit 1 (line 1): applied")
	assert.Contains(t, out, "0002_index.sql unit 1 (line 1): applied")
	code, out, _ = liveCLI("apply", "-db", url, dir)
	assert.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(out, "already-applied"))

	// A rewrite of an existing table is refused unless forced.
	bad := liveFile(t, dir, "0003_bigint.sql", "ALTER TABLE item ALTER COLUMN id TYPE bigint;\n")
	code, _, errOut = liveCLI("apply", "-db", url, bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "static analysis verdict is dangerous")
	code, _, errOut = liveCLI("apply", "-db", url, "-force", bad)
	assert.Equal(t, 0, code, errOut)
}

func TestPendingSubcommand(t *testing.T) {
	url := liveDB(t, `CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
INSERT INTO django_migrations (app, name, applied) VALUES ('blog', '0001_initial', now()), ('blog', '0002_post_views', now()), ('auth', '0001_initial', now());`)
	code, out, errOut := liveCLI("pending", "-db", url, "-project", "../../migrate/testdata/live/djangoproj")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "2 pending\n")
	assert.Contains(t, out, "pending blog.0003_post_rating")
	assert.Contains(t, out, "pending store.0001_squashed_0002_item_price")

	code, out, _ = liveCLI("pending", "-db", url, "-project", "../../migrate/testdata/live/djangoproj", "-format", "json")
	require.Equal(t, 0, code)
	var rep struct {
		Pending []struct {
			App  string `json:"app"`
			Name string `json:"name"`
		} `json:"pending"`
		OtherApps []string `json:"other_apps"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Len(t, rep.Pending, 2)
	assert.Equal(t, []string{"auth"}, rep.OtherApps)

	code, _, _ = liveCLI("pending", "-db", url)
	assert.Equal(t, 2, code, "-project is required")
}

func TestApplyRecordDjango(t *testing.T) {
	url := liveDB(t, `CREATE TABLE blog_post (id serial PRIMARY KEY);`)
	dir := t.TempDir()
	liveFile(t, dir, "blog_0002_post_views.sql", "BEGIN;\nALTER TABLE blog_post ADD COLUMN views integer;\nCOMMIT;\n")
	liveFile(t, dir, "blog_0003_post_views_idx.sql", "CREATE INDEX CONCURRENTLY blog_post_views_idx ON blog_post (views);\n")

	code, out, errOut := liveCLI("apply", "-dry-run", "-record-django", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ALTER TABLE blog_post ADD COLUMN views integer;\nINSERT INTO \"deploykit_migrations\"")
	assert.Contains(t, out, "INSERT INTO django_migrations (app, name, applied) SELECT 'blog', '0002_post_views', now()")

	code, _, errOut = liveCLI("apply", "-db", url, "-record-django", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "table django_migrations does not exist")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL)`)
	require.NoError(t, err)
	code, out, errOut = liveCLI("apply", "-db", url, "-record-django", dir)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(out, ": applied"), out)
	rows, err := conn.Query(ctx, "SELECT app || '.' || name FROM django_migrations ORDER BY id")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{"blog.0002_post_views", "blog.0003_post_views_idx"}, names)

	// A file not named APP_NNNN_name.sql cannot be recorded.
	other := liveFile(t, t.TempDir(), "fix.sql", "SELECT 1;\n")
	code, _, errOut = liveCLI("apply", "-db", url, "-record-django", other)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "fix.sql: no _NNNN migration number")
}

// apply -project on the real Django project: the dangerous 0003 is refused
// (exit 1, the finding named), its safe rewrite applies (exit 0).
func TestApplyProjectCommand(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import django, psycopg2").Run(); err != nil {
		testenv.Unavailable(t, "/usr/bin/python3 has no Django/psycopg2")
	}
	url := testenv.Postgres(t)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../../migrate/testdata/live/applyproj")))
	t.Setenv("DEPLOYKIT_DATABASE_URL", url)
	cmd := exec.Command("/usr/bin/python3", "manage.py", "migrate", "--noinput", "shop", "0001")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	code, stdout, stderr := liveCLI("apply", "-project", dir, "-db", url, "-python", "/usr/bin/python3")
	assert.Equal(t, 1, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "pending shop.0003_item_name_idx")
	assert.Contains(t, stdout, "refused:")
	assert.Contains(t, stderr, "[DKM030]")

	safe, err := os.ReadFile("../../migrate/testdata/live/applyproj_safe/0003_item_name_idx.py")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop", "migrations", "0003_item_name_idx.py"), safe, 0o644))
	code, stdout, stderr = liveCLI("apply", "-db", url, "-project", dir, "-python", "/usr/bin/python3", "-format", "json")
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	var rep struct {
		Plan struct {
			Pending []struct {
				Name string `json:"name"`
			} `json:"pending"`
		} `json:"plan"`
		Units []struct {
			Status string `json:"status"`
		} `json:"units"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Len(t, rep.Plan.Pending, 2)
	assert.NotEmpty(t, rep.Units)
}

// A migration file apply cannot plan is bad input: exit 2, positioned.
func TestApplyBadPlanFileExitsTwo(t *testing.T) {
	dir := t.TempDir()
	f := liveFile(t, dir, "0001.sql", "SELECT 1;\nCOMMIT;\n")
	code, _, stderr := liveCLI("apply", "-dry-run", f)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "0001.sql:2:1: COMMIT without BEGIN")
}

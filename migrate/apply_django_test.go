package migrate

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

func TestParseDjangoFileName(t *testing.T) {
	for _, c := range []struct{ in, app, name, err string }{
		{in: "blog_0003_post_views.sql", app: "blog", name: "0003_post_views"},
		{in: "dir/blog_0001_initial.sql", app: "blog", name: "0001_initial"},
		{in: "app_2_0001_initial.sql", app: "app_2", name: "0001_initial"},
		{in: "blog_0001_squashed_0004_x.sql", app: "blog", name: "0001_squashed_0004_x"},
		{in: "blog_0001.sql", app: "blog", name: "0001"},
		{in: "0001_initial.sql", err: "no _NNNN migration number"},
		{in: "blog_post.sql", err: "no _NNNN migration number"},
		{in: "blog_0001_initial.py", err: "expected a file named APP_NNNN_name.sql"},
		{in: "my-app_0001_x.sql", err: "is not a Python identifier"},
	} {
		app, name, err := ParseDjangoFileName(c.in)
		if c.err != "" {
			require.Error(t, err, c.in)
			assert.Contains(t, err.Error(), c.err)
			assert.True(t, strings.HasPrefix(err.Error(), c.in+": "), err.Error())
			continue
		}
		require.NoError(t, err, c.in)
		assert.Equal(t, c.app, app, c.in)
		assert.Equal(t, c.name, name, c.in)
	}
}

func FuzzParseDjangoFileName(f *testing.F) {
	for _, s := range []string{"blog_0003_post_views.sql", "a_1_0001.sql", "_0001_x.sql", "x_000.sql", "é_0001_x.sql", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, name, err := ParseDjangoFileName(s)
		if err != nil {
			return
		}
		if filepath.Base(s) != app+"_"+name+".sql" || !isIdentifier(app) || len(name) < 4 || !allDigits(name[:4]) {
			t.Fatalf("%q -> %q %q", s, app, name)
		}
	})
}

func TestPlanApplyDjango(t *testing.T) {
	units, err := PlanApply([]ApplyFile{
		{Name: "a.sql", SQL: []byte("BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n"), DjangoApp: "blog", DjangoName: "0002_a"},
		{Name: "b.sql", SQL: []byte("BEGIN;\n--\n-- Change Meta options on post\n--\nCOMMIT;\n"), DjangoApp: "blog", DjangoName: "0003_meta"},
	})
	require.NoError(t, err)
	require.Len(t, units, 3)
	assert.Empty(t, units[0].DjangoApp, "only the last unit of a file records")
	assert.Equal(t, "0002_a", units[1].DjangoName)
	assert.False(t, units[1].Transactional)
	assert.Equal(t, "b.sql", units[2].File, "a migration without SQL gets a recording unit")
	assert.Empty(t, units[2].Statements)
	assert.Equal(t, "0003_meta", units[2].DjangoName)

	_, err = PlanApply([]ApplyFile{{Name: "c.sql", DjangoApp: "blog", SQL: []byte("SELECT 1;")}})
	assert.ErrorContains(t, err, "DjangoApp and DjangoName must both be set")
	src, err := os.ReadFile("testdata/static/sqlmigrate/blog_0011_backfill_excerpt.sql")
	require.NoError(t, err)
	_, err = PlanApply([]ApplyFile{{Name: "blog_0011_backfill_excerpt.sql", SQL: src, DjangoApp: "blog", DjangoName: "0011_backfill_excerpt"}})
	assert.ErrorIs(t, err, ErrDjangoNotSQL)

	// The dry run shows the INSERT inside the transaction, before COMMIT.
	script := RenderApplyPlan(units, nil, ApplyOptions{})
	ins := "INSERT INTO django_migrations (app, name, applied) SELECT 'blog', '0003_meta', now() WHERE NOT EXISTS (SELECT 1 FROM django_migrations WHERE app = 'blog' AND name = '0003_meta');\nCOMMIT;"
	assert.Contains(t, script, ins)
	assert.Contains(t, script, "CREATE INDEX CONCURRENTLY t_a ON t (a);\nINSERT INTO \"deploykit_migrations\"")
}

func fixtureFiles(t *testing.T, names ...string) []ApplyFile {
	t.Helper()
	var out []ApplyFile
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(sqlmigrateDir, n))
		require.NoError(t, err)
		out = append(out, ApplyFile{Name: n, SQL: b})
	}
	return out
}

// Apply the real sqlmigrate output of the test project with deploykit, then
// ask Django itself: showmigrations must list them as applied, and
// "manage.py migrate" must apply only the rest, without error.
func TestApplyRecordsDjangoMigrations(t *testing.T) {
	url := testenv.Postgres(t)
	python := djangoPython(t)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(djangoProjectDir)))
	manage := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, python, append([]string{"manage.py"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "PYTHONDONTWRITEBYTECODE=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	showApplied := func() map[string]bool {
		out := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^\s*\[(X| )\] (\S+)`).FindAllStringSubmatch(manage("showmigrations", "blog"), -1) {
			out[m[2]] = m[1] == "X"
		}
		return out
	}
	ctx := context.Background()
	conn := connect(t, url)
	first := fixtureFiles(t, "blog_0001_initial.sql", "blog_0002_post_summary.sql", "blog_0003_post_views.sql",
		"blog_0004_post_title_idx.sql", "blog_0005_remove_post_body.sql", "blog_0006_rename_summary_excerpt.sql",
		"blog_0007_alter_post_title.sql", "blog_0008_alter_post_excerpt.sql", "blog_0009_alter_post_slug.sql", "blog_0010_delete_tag.sql")
	opts := ApplyOptions{Force: true, RecordDjango: true}

	// No history table yet: a clear error, nothing run.
	_, err := Apply(ctx, conn, first, opts)
	require.ErrorIs(t, err, ErrNoDjangoMigrationsTable)
	assert.Contains(t, err.Error(), "django_migrations does not exist")
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM pg_class WHERE relname IN ('blog_post', 'deploykit_migrations')"))

	manage("migrate", "blog", "zero", "--noinput") // creates django_migrations, applies nothing

	dry := opts
	dry.DryRun = true
	rep, err := Apply(ctx, conn, first, dry)
	require.NoError(t, err)
	assert.Contains(t, rep.Script, "SELECT 'blog', '0003_post_views', now() WHERE NOT EXISTS")
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM django_migrations"))

	_, err = Apply(ctx, conn, first, opts)
	require.NoError(t, err)
	got := showApplied()
	require.Len(t, got, 12)
	for _, f := range first {
		name := strings.TrimSuffix(strings.TrimPrefix(f.Name, "blog_"), ".sql")
		assert.True(t, got[name], "Django sees %s as applied", name)
	}
	assert.False(t, got["0011_backfill_excerpt"])
	assert.False(t, got["0012_post_views_idx"])

	// Rerun: nothing applied twice, no duplicate history rows.
	rep, err = Apply(ctx, conn, first, opts)
	require.NoError(t, err)
	for _, u := range rep.Units {
		assert.Equal(t, UnitAlreadyApplied, u.Status, u.File)
	}
	assert.Equal(t, 10, count(t, conn, "SELECT count(*) FROM django_migrations"))
	assert.Equal(t, 10, count(t, conn, "SELECT count(DISTINCT name) FROM django_migrations WHERE app = 'blog'"))

	// RunPython cannot be applied as SQL: refused before anything runs.
	_, err = Apply(ctx, conn, fixtureFiles(t, "blog_0011_backfill_excerpt.sql"), opts)
	require.ErrorIs(t, err, ErrDjangoNotSQL)

	// Django applies only what is left up to 0011, without error.
	out := manage("migrate", "blog", "0011", "--noinput")
	assert.Contains(t, out, "Applying blog.0011_backfill_excerpt... OK")
	assert.Equal(t, 1, strings.Count(out, "Applying "), out)

	// A non-transactional migration (atomic = False, CONCURRENTLY) is
	// recorded after its statement succeeds.
	rep, err = Apply(ctx, conn, fixtureFiles(t, "blog_0012_post_views_idx.sql"), opts)
	require.NoError(t, err)
	require.Len(t, rep.Units, 1)
	assert.Equal(t, UnitApplied, rep.Units[0].Status)
	for name, ok := range showApplied() {
		assert.True(t, ok, name)
	}
	assert.Contains(t, manage("migrate", "--noinput"), "No migrations to apply.")
}

// A migration whose last unit fails leaves no django_migrations row, and
// its committed earlier units stay recorded in deploykit's own table only.
func TestApplyDjangoRecordRollback(t *testing.T) {
	conn := liveDB(t, `CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
CREATE TABLE blog_post (id serial PRIMARY KEY, title text);`)
	ctx := context.Background()
	file := ApplyFile{Name: "blog_0002_post_views.sql", SQL: []byte(`ALTER TABLE blog_post ADD COLUMN summary text;
BEGIN;
ALTER TABLE blog_post ADD COLUMN views integer;
SELECT 1 / 0;
COMMIT;
`)}
	_, err := Apply(ctx, conn, []ApplyFile{file}, ApplyOptions{Force: true, RecordDjango: true})
	var ae *ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 2, ae.Unit)
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM django_migrations"))
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'blog_post' AND column_name = 'views'"))
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM deploykit_migrations WHERE file = $1", file.Name))

	// Fixed file: the first unit is not run again, the migration recorded once.
	file.SQL = []byte(strings.Replace(string(file.SQL), "SELECT 1 / 0;\n", "", 1))
	rep, err := Apply(ctx, conn, []ApplyFile{file}, ApplyOptions{Force: true, RecordDjango: true})
	require.NoError(t, err)
	assert.Equal(t, []UnitStatus{UnitAlreadyApplied, UnitApplied}, []UnitStatus{rep.Units[0].Status, rep.Units[1].Status})
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM django_migrations WHERE app = 'blog' AND name = '0002_post_views'"))

	// A killed connection between the statements of the last unit and COMMIT
	// cannot be simulated portably; a unit failing at COMMIT time
	// (deferred constraint) covers the same path.
	_, err = conn.Exec(ctx, `CREATE TABLE blog_tag (id int PRIMARY KEY, post int REFERENCES blog_post DEFERRABLE INITIALLY DEFERRED)`)
	require.NoError(t, err)
	bad := ApplyFile{Name: "blog_0003_tag.sql", SQL: []byte("BEGIN;\nINSERT INTO blog_tag VALUES (1, 424242);\nCOMMIT;\n")}
	_, err = Apply(ctx, conn, []ApplyFile{bad}, ApplyOptions{Force: true, RecordDjango: true})
	require.Error(t, err)
	assert.True(t, errors.As(err, &ae))
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM django_migrations WHERE name = '0003_tag'"))
	assert.Equal(t, 0, count(t, conn, "SELECT count(*) FROM deploykit_migrations WHERE file = 'blog_0003_tag.sql'"))
}

package migrate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// applyProject copies testdata/live/applyproj to a temporary directory
// and migrates its 0001 with Django itself, so the database starts with one
// migration applied and two pending (0002 safe, 0003 dangerous).
func applyProject(t *testing.T, dbURL string) (dir string, p DjangoProject) {
	t.Helper()
	python := djangoPython(t)
	dir = t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/live/applyproj")))
	p = DjangoProject{Dir: dir, Python: python, Env: []string{"DEPLOYKIT_DATABASE_URL=" + dbURL}}
	manage(t, p, "migrate", "--noinput", "shop", "0001")
	return dir, p
}

func manage(t *testing.T, p DjangoProject, args ...string) string {
	t.Helper()
	cmd := exec.Command(p.Python, append([]string{"manage.py"}, args...)...)
	cmd.Dir = p.Dir
	cmd.Env = append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1"), p.Env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "manage.py %v: %s", args, out)
	return string(out)
}

var showLine = regexp.MustCompile(`(?m)^\s*\[([X ])\]\s+(\S+)`)

// showmigrations returns Django's own view: migration name -> applied.
func showmigrations(t *testing.T, p DjangoProject) map[string]bool {
	out := manage(t, p, "showmigrations", "shop")
	got := map[string]bool{}
	for _, m := range showLine.FindAllStringSubmatch(out, -1) {
		got[m[2]] = m[1] == "X"
	}
	return got
}

// TestApplyProject: a real Django 3.2 project with one migration applied,
// one safe and one dangerous pending. The dangerous one is refused and
// nothing runs; after it is rewritten safely (AddIndexConcurrently, atomic
// = False) both apply in dependency order, each recorded in
// django_migrations, and Django's showmigrations agrees. A RunPython
// migration is then refused unless AllowPython, and run by Django with it.
func TestApplyProject(t *testing.T) {
	dbURL := testenv.Postgres(t)
	dir, p := applyProject(t, dbURL)
	conn := connect(t, dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := ProjectApplyOptions{Project: p, Apply: ApplyOptions{LockTimeout: time.Second}}

	rep, err := ApplyProject(ctx, conn, opts)
	require.ErrorIs(t, err, ErrDangerous)
	require.NotNil(t, rep)
	assert.Equal(t, []MigrationRef{{"shop", "0001_initial"}}, rep.Plan.Applied)
	require.Len(t, rep.Plan.Pending, 2)
	assert.Equal(t, "0002_item_sku", rep.Plan.Pending[0].Name)
	assert.Equal(t, VerdictSafe, rep.Plan.Pending[0].Static.Verdict)
	assert.Equal(t, "0003_item_name_idx", rep.Plan.Pending[1].Name)
	assert.Equal(t, VerdictDangerous, rep.Plan.Pending[1].Static.Verdict)
	assert.Equal(t, "sqlmigrate", rep.Plan.Pending[1].SQLSource)
	assert.Contains(t, rep.Plan.Refused, "shop.0003_item_name_idx")
	assert.Empty(t, rep.Units, "nothing ran")
	assert.Equal(t, map[string]bool{"0001_initial": true, "0002_item_sku": false, "0003_item_name_idx": false}, showmigrations(t, p))
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'shop_item' AND column_name = 'sku'"))

	// The safe rewrite.
	safe, err := os.ReadFile("testdata/live/applyproj_safe/0003_item_name_idx.py")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/migrations/0003_item_name_idx.py"), safe, 0o644))
	rep, err = ApplyProject(ctx, conn, opts)
	require.NoError(t, err)
	require.Len(t, rep.Plan.Pending, 2)
	assert.Equal(t, VerdictSafe, rep.Plan.Pending[1].Static.Verdict, "%+v", rep.Plan.Pending[1].Static.Findings)
	for _, u := range rep.Units {
		assert.Equal(t, UnitApplied, u.Status, "%s unit %d", u.File, u.Index)
	}
	assert.Equal(t, map[string]bool{"0001_initial": true, "0002_item_sku": true, "0003_item_name_idx": true}, showmigrations(t, p))
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'shop_item_name_idx' AND i.indisvalid"))
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'shop_item' AND column_name = 'sku'"))
	assert.Equal(t, 3, count(t, conn, "SELECT count(*) FROM django_migrations WHERE app = 'shop'"))

	// Nothing left: a second run is a no-op.
	rep, err = ApplyProject(ctx, conn, opts)
	require.NoError(t, err)
	assert.Empty(t, rep.Plan.Pending)

	// RunPython: named and refused, then run by Django with AllowPython.
	py, err := os.ReadFile("testdata/live/applyproj_safe/0004_fill_sku.py")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/migrations/0004_fill_sku.py"), py, 0o644))
	_, err = conn.Exec(ctx, "INSERT INTO shop_item (name) VALUES ('a')")
	require.NoError(t, err)
	rep, err = ApplyProject(ctx, conn, opts)
	require.ErrorIs(t, err, ErrRunPython)
	assert.Contains(t, err.Error(), "shop.0004_fill_sku")
	require.Len(t, rep.Plan.Pending, 1)
	assert.True(t, rep.Plan.Pending[0].RunPython)
	opts.AllowPython = true
	rep, err = ApplyProject(ctx, conn, opts)
	require.NoError(t, err)
	assert.Equal(t, []MigrationRef{{"shop", "0004_fill_sku"}}, rep.Django)
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM shop_item WHERE sku = 'none'"))
	assert.True(t, showmigrations(t, p)["0004_fill_sku"])
}

// The same project through a transaction-pooling PgBouncer (Azure's port
// 6432 mode): ApplyProject in Pooled mode applies both migrations once.
func TestApplyProjectThroughPgBouncer(t *testing.T) {
	dbURL := testenv.Postgres(t)
	dir, p := applyProject(t, dbURL)
	safe, err := os.ReadFile("testdata/live/applyproj_safe/0003_item_name_idx.py")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/migrations/0003_item_name_idx.py"), safe, 0o644))
	bouncer := pgBouncer(t, dbURL, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := Connect(ctx, bouncer, ConnectOptions{Pooled: true})
	require.NoError(t, err)
	defer conn.Close(context.Background())
	rep, err := ApplyProject(ctx, conn, ProjectApplyOptions{Project: p, Apply: ApplyOptions{Pooled: true}})
	require.NoError(t, err)
	require.Len(t, rep.Plan.Pending, 2)
	assert.Equal(t, map[string]bool{"0001_initial": true, "0002_item_sku": true, "0003_item_name_idx": true}, showmigrations(t, p))
}

// Without Django the SQL comes from .sql files beside the migrations.
func TestPlanProjectSQLFilesBeside(t *testing.T) {
	dbURL := testenv.Postgres(t)
	dir, p := applyProject(t, dbURL)
	conn := connect(t, dbURL)
	ctx := context.Background()
	_, err := PlanProject(ctx, conn, ProjectApplyOptions{Project: DjangoProject{Dir: dir}})
	require.ErrorIs(t, err, ErrNoSQL)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/migrations/0002_item_sku.sql"), []byte("BEGIN;\nALTER TABLE shop_item ADD COLUMN sku varchar(20) NULL;\nCOMMIT;\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/migrations/0003_item_name_idx.sql"), []byte("CREATE INDEX CONCURRENTLY shop_item_name_idx ON shop_item (name);\n"), 0o644))
	plan, err := PlanProject(ctx, conn, ProjectApplyOptions{Project: DjangoProject{Dir: dir}})
	require.NoError(t, err)
	require.NoError(t, plan.Err())
	require.Len(t, plan.Pending, 2)
	assert.Equal(t, filepath.Join("shop", "migrations", "0003_item_name_idx.sql"), plan.Pending[1].SQLSource)
	_ = p
}

func TestDependencyOrder(t *testing.T) {
	ref := func(app, name string) MigrationRef { return MigrationRef{app, name} }
	pending := []PendingMigration{
		{DiskMigration: DiskMigration{MigrationRef: ref("blog", "0002_x"), Dependencies: []MigrationRef{ref("blog", "0001_initial"), ref("shop", "0001_initial")}}},
		{DiskMigration: DiskMigration{MigrationRef: ref("blog", "0001_initial")}},
		{DiskMigration: DiskMigration{MigrationRef: ref("shop", "0001_initial"), Dependencies: []MigrationRef{ref("auth", "0012_x")}}},
	}
	got, err := dependencyOrder(pending)
	require.NoError(t, err)
	var names []string
	for _, g := range got {
		names = append(names, g.String())
	}
	assert.Equal(t, []string{"blog.0001_initial", "shop.0001_initial", "blog.0002_x"}, names)

	pending[1].Dependencies = []MigrationRef{ref("blog", "0002_x")}
	_, err = dependencyOrder(pending)
	require.ErrorContains(t, err, "cycle")
}

// DjangoSQL's errors never carry the database URL or password that a
// failing Django prints.
func TestRedactSecrets(t *testing.T) {
	url := "postgres://app:s3cr%40t@db.example.com:5432/prod"
	in := "OperationalError: could not connect: " + url + "\n{'PASSWORD': 'hunter22', 'HOST': 'db'} password=abc123 host=x"
	out := redactSecrets(in, []string{"DATABASE_URL=" + url})
	for _, secret := range []string{"s3cr", "hunter22", "abc123", "app:"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "OperationalError")
	out = redactSecrets("failed for postgresql://u:pw@h/db", nil)
	assert.Equal(t, "failed for postgresql://[REDACTED]@h/db", out)
}

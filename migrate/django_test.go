package migrate

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSQLMigrate = flag.Bool("update-sqlmigrate", false, "rewrite testdata/static/sqlmigrate from the test project's real sqlmigrate output")

const (
	djangoProjectDir = "testdata/static/djangoproject"
	sqlmigrateDir    = "testdata/static/sqlmigrate"
	debianPython     = "/usr/bin/python3"
)

// djangoPython returns Debian's python3 with Django, skipping when absent.
func djangoPython(t *testing.T) string {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import django, psycopg2").Run(); err != nil {
		if testenv.InCI() {
			t.Fatalf("%s with Django and psycopg2 is required in CI: %v", debianPython, err)
		}
		testenv.Unavailable(t, fmt.Sprintf("%s with Django and psycopg2 not available (apt-get install python3-django python3-psycopg2): %v", debianPython, err))
	}
	return debianPython
}

// TestDjangoSQLFixtures renders every migration of the test project with
// real Django against the test PostgreSQL and compares the SQL with the
// committed fixtures (regenerate with -update-sqlmigrate).
func TestDjangoSQLFixtures(t *testing.T) {
	url := testenv.Postgres(t)
	python := djangoPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cache := t.TempDir()
	proj := DjangoProject{Dir: djangoProjectDir, Python: python, Env: []string{"DATABASE_URL=" + url}, CacheDir: cache}
	ms, err := DjangoSQL(ctx, proj)
	require.NoError(t, err)
	require.Len(t, ms, 12)
	for _, m := range ms {
		assert.False(t, m.Cached)
		assert.False(t, m.Applied)
		assert.Equal(t, "blog", m.App)
		assert.Equal(t, filepath.Join("blog", "migrations", m.Name+".py"), m.Path)
		fixture := filepath.Join(sqlmigrateDir, m.App+"_"+m.Name+".sql")
		if *updateSQLMigrate {
			require.NoError(t, os.MkdirAll(sqlmigrateDir, 0o755))
			require.NoError(t, os.WriteFile(fixture, []byte(m.SQL), 0o644))
			continue
		}
		b, err := os.ReadFile(fixture)
		require.NoError(t, err)
		assert.Equal(t, string(b), m.SQL, "sqlmigrate output of %s changed; rerun with -update-sqlmigrate", m.Name)
	}
	byName := map[string]DjangoMigration{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	// 0011 has RunPython(fill_excerpt) without reverse_code at index 0.
	assert.Equal(t, []int{0}, byName["0011_backfill_excerpt"].Irreversible)
	assert.Equal(t, []int{12, 13}, byName["0011_backfill_excerpt"].OperationLines)
	assert.False(t, byName["0012_post_views_idx"].Atomic)
	assert.True(t, byName["0003_post_views"].Atomic)

	// A second run renders nothing again: every file hash is cached.
	again, err := DjangoSQL(ctx, proj)
	require.NoError(t, err)
	require.Len(t, again, len(ms))
	for i := range again {
		assert.True(t, again[i].Cached, again[i].Name)
		assert.Equal(t, ms[i].SQL, again[i].SQL)
		assert.Equal(t, ms[i].OperationLines, again[i].OperationLines)
	}

	// After "migrate blog 0003" only 0004 onwards is pending; the applied
	// ones are still rendered (from the cache) for their history.
	cmd := exec.CommandContext(ctx, python, "manage.py", "migrate", "blog", "0003", "--noinput")
	cmd.Dir = djangoProjectDir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	after, err := DjangoSQL(ctx, proj)
	require.NoError(t, err)
	require.Len(t, after, 12)
	var pending []string
	for _, m := range after {
		assert.True(t, m.Cached)
		if !m.Applied {
			pending = append(pending, m.Name)
		}
	}
	require.Len(t, pending, 9)
	assert.Equal(t, "0004_post_title_idx", pending[0])
}

func TestDjangoSQLErrors(t *testing.T) {
	ctx := context.Background()
	_, err := DjangoSQL(ctx, DjangoProject{Dir: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "manage.py")

	// A Python without Django reports ErrDjango with Python's own words.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manage.py"), []byte(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nosuch.settings")`), 0o644))
	_, err = DjangoSQL(ctx, DjangoProject{Dir: dir, Python: "/bin/false"})
	require.ErrorIs(t, err, ErrDjango)
}

func TestDjangoSettingsModule(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(djangoProjectDir, "manage.py"))
	require.NoError(t, err)
	assert.Equal(t, "mysite.settings", DjangoSettingsModule(b))
	assert.Equal(t, "a.b", DjangoSettingsModule([]byte(`os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.b')`)))
	assert.Equal(t, "", DjangoSettingsModule([]byte(`print("hi")`)))
}

// TestDjangoFixtureVerdicts analyses the real sqlmigrate output of the test
// project as one ordered set, like "migratecheck -python ... project/".
// Expected verdicts follow from the PostgreSQL docs (see TestStatementKinds)
// and from what the old app version does during a rolling deploy.
func TestDjangoFixtureVerdicts(t *testing.T) {
	expect := []struct {
		name    string
		verdict Verdict
		rules   []string // every finding's rule, sorted
		op      string   // operation named by the first non-info finding
	}{
		{"0001_initial", VerdictSafe, nil, ""},
		{"0002_post_summary", VerdictSafe, []string{RuleLockTimeout}, ""},
		{"0003_post_views", VerdictDangerous, []string{RuleDropDefaultAfterAdd, RuleLockTimeout}, "AddField views to post"},
		{"0004_post_title_idx", VerdictDangerous, []string{RuleCreateIndex, RuleLockTimeout}, "AddIndex blog_post_title_idx on field(s) title of model post"},
		{"0005_remove_post_body", VerdictDangerous, []string{RuleDropColumn, RuleLockTimeout}, "RemoveField body from post"},
		{"0006_rename_summary_excerpt", VerdictDangerous, []string{RuleRenameColumn, RuleLockTimeout}, "RenameField summary on post to excerpt"},
		// varchar(100) -> varchar(300): the old type is known from 0001.
		{"0007_alter_post_title", VerdictSafe, []string{RuleLockTimeout}, ""},
		{"0008_alter_post_excerpt", VerdictDangerous, []string{RuleSetNotNull, RuleLockTimeout}, "AlterField excerpt on post"},
		{"0009_alter_post_slug", VerdictDangerous, []string{RuleAddUnique, RuleCreateIndex, RuleLockHeld, RuleLockTimeout}, "AlterField slug on post"},
		{"0010_delete_tag", VerdictDangerous, []string{RuleDropTable, RuleLockTimeout}, "DeleteModel Tag"},
		{"0011_backfill_excerpt", VerdictWarn, []string{RuleBackfill, RuleRunPythonOpaque}, "RunSQL"},
		{"0012_post_views_idx", VerdictSafe, []string{RuleConcurrentIndexPG14}, ""},
	}
	var files []File
	for _, e := range expect {
		b, err := os.ReadFile(filepath.Join(sqlmigrateDir, "blog_"+e.name+".sql"))
		require.NoError(t, err)
		files = append(files, File{Path: e.name + ".sql", SQL: b})
	}
	reps, err := AnalyzeFiles(files, Options{})
	require.NoError(t, err)
	for i, e := range expect {
		rep := reps[i]
		var rules []string
		op := ""
		for _, f := range rep.Findings {
			rules = append(rules, f.Rule)
			if op == "" && f.Severity != SeverityInfo {
				op = f.Operation
			}
		}
		sort.Strings(rules)
		assert.Equal(t, e.verdict, rep.Verdict, e.name)
		assert.Equal(t, e.rules, rules, e.name)
		assert.Equal(t, e.op, op, e.name)
	}

	// Alone, the varchar widening cannot be proven safe: the old type is unknown.
	alone, err := AnalyzeSQL(files[6].Path, files[6].SQL, Options{})
	require.NoError(t, err)
	assert.Equal(t, VerdictWarn, alone.Verdict)
}

// TestDjangoFilesPlacesFindings checks that project mode reports findings
// on the operation's line in the migration file.
func TestDjangoFilesPlacesFindings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sqlmigrateDir, "blog_0011_backfill_excerpt.sql"))
	require.NoError(t, err)
	files := DjangoFiles([]DjangoMigration{{App: "blog", Name: "0011_backfill_excerpt", Path: "blog/migrations/0011_backfill_excerpt.py",
		SQL: string(b), OperationLines: []int{12, 13}, Irreversible: []int{0}}})
	reps, err := AnalyzeFiles(files, Options{})
	require.NoError(t, err)
	got := map[string]int{}
	for _, f := range reps[0].Findings {
		got[f.Rule] = f.Pos.Line
	}
	assert.Equal(t, map[string]int{RuleRunPythonIrreversible: 12, RuleRunPythonOpaque: 12, RuleBackfill: 13}, got)
	assert.Equal(t, VerdictWarn, reps[0].Verdict)
	assert.True(t, strings.HasSuffix(reps[0].Path, ".py"))
}

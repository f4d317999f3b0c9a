package migrate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeProject writes files (slash paths relative to the project) and the
// migrations packages' __init__.py into a new directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		init := filepath.Join(filepath.Dir(p), "__init__.py")
		if _, err := os.Stat(init); err != nil {
			require.NoError(t, os.WriteFile(init, nil, 0o644))
		}
	}
	return dir
}

func migrationPy(deps string, extra string) string {
	return "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n" + extra +
		"    dependencies = [" + deps + "]\n\n    operations = []\n"
}

func order(pa *ProjectAnalysis) []string {
	var out []string
	for _, m := range pa.Migrations {
		out = append(out, m.String())
	}
	return out
}

// The expectations are Django's migration loader rules (django/db/
// migrations/loader.py and graph.py): a migration runs after every
// dependency, "__first__" is the app's root, "__latest__" its leaf, and an
// unapplied squashed migration replaces its members, dependencies on them
// included.
func TestAnalyzeProjectDependencyOrder(t *testing.T) {
	const begin, commit = "BEGIN;\n", "COMMIT;\n"
	dir := writeProject(t, map[string]string{
		// zeta creates the column; accounts widens it and depends on zeta:
		// sorting by app would analyse the widening first, blind.
		"zeta/migrations/0001_initial.py":  migrationPy("", "    initial = True\n"),
		"zeta/migrations/0001_initial.sql": begin + `ALTER TABLE "shared_item" ADD COLUMN "code" varchar(100) NULL;` + "\n" + commit,
		"zeta/migrations/0002_more.py":     migrationPy(`("zeta", "0001_initial")`, ""),
		"zeta/migrations/0002_more.sql":    begin + `CREATE TABLE "zeta_more" ("id" bigint NOT NULL PRIMARY KEY);` + "\n" + commit,

		"accounts/migrations/0001_initial.py":     migrationPy("", ""),
		"accounts/migrations/0001_initial.sql":    begin + `CREATE TABLE "accounts_user" ("id" bigint NOT NULL PRIMARY KEY);` + "\n" + commit,
		"accounts/migrations/0002_widen_code.py":  migrationPy(`("accounts", "0001_initial"), ("zeta", "0001_initial")`, ""),
		"accounts/migrations/0002_widen_code.sql": begin + `ALTER TABLE "shared_item" ALTER COLUMN "code" TYPE varchar(300);` + "\n" + commit,

		// blog's squash stands in for 0001 and 0002; it needs zeta's root.
		"blog/migrations/0001_initial.py":             migrationPy(`("zeta", "__first__")`, ""),
		"blog/migrations/0002_post.py":                migrationPy(`("blog", "0001_initial")`, ""),
		"blog/migrations/0001_squashed_0002_post.py":  migrationPy(`("zeta", "__first__")`, `    replaces = [("blog", "0001_initial"), ("blog", "0002_post")]`+"\n"),
		"blog/migrations/0001_squashed_0002_post.sql": begin + `CREATE TABLE "blog_post" ("id" bigint NOT NULL PRIMARY KEY);` + "\n" + commit,

		// news needs zeta's latest and a migration the squash replaced;
		// its 0002 has no saved sqlmigrate output.
		"news/migrations/0001_initial.py":  migrationPy(`("zeta", "__latest__"), ("blog", "0002_post")`, ""),
		"news/migrations/0001_initial.sql": begin + `CREATE TABLE "news_item" ("id" bigint NOT NULL PRIMARY KEY);` + "\n" + commit,
		"news/migrations/0002_body.py":     migrationPy(`("news", "0001_initial")`, ""),
	})
	pa, err := AnalyzeProject(context.Background(), dir, Options{PGVersion: 14})
	require.NoError(t, err)
	got := order(pa)
	assert.ElementsMatch(t, []string{"zeta.0001_initial", "zeta.0002_more", "accounts.0001_initial", "accounts.0002_widen_code",
		"blog.0001_squashed_0002_post", "news.0001_initial", "news.0002_body"}, got, "the squash replaces blog.0001 and blog.0002")
	pos := map[string]int{}
	for i, s := range got {
		pos[s] = i
	}
	for _, e := range [][2]string{
		{"zeta.0001_initial", "zeta.0002_more"},
		{"accounts.0001_initial", "accounts.0002_widen_code"},
		{"zeta.0001_initial", "accounts.0002_widen_code"},     // cross-app dependency
		{"zeta.0001_initial", "blog.0001_squashed_0002_post"}, // __first__
		{"zeta.0002_more", "news.0001_initial"},               // __latest__
		{"blog.0001_squashed_0002_post", "news.0001_initial"}, // dependency on a replaced migration
		{"news.0001_initial", "news.0002_body"},
	} {
		assert.Less(t, pos[e[0]], pos[e[1]], "%s must run before %s", e[0], e[1])
	}

	by := map[string]*AnalyzedMigration{}
	for i := range pa.Migrations {
		by[pa.Migrations[i].String()] = &pa.Migrations[i]
	}
	widen := by["accounts.0002_widen_code"]
	require.NotNil(t, widen.Report)
	assert.Equal(t, "accounts/migrations/0002_widen_code.sql", widen.SQLPath)
	assert.Equal(t, "accounts/migrations/0002_widen_code.py", widen.Path)
	for _, f := range widen.Report.Findings {
		assert.NotEqual(t, RuleAlterColumnType, f.Rule, "zeta.0001 ran first: varchar(100) to varchar(300) is known to need no rewrite")
	}
	assert.Equal(t, VerdictSafe, widen.Verdict())
	assert.Contains(t, by["blog.0001_squashed_0002_post"].Note, "stands in for")

	body := by["news.0002_body"]
	assert.Nil(t, body.Report)
	assert.ErrorIs(t, body.Err, ErrNoSQL)
	assert.Equal(t, VerdictNotModelled, body.Verdict(), "a migration without SQL is never safe")
	d := body.Diagnostics()
	require.Len(t, d, 1)
	assert.Equal(t, RuleNotModelled, d[0].Rule)
	assert.Equal(t, SeverityWarning, d[0].Severity)
	assert.Equal(t, "news/migrations/0002_body.py", d[0].Pos.File)
	assert.Contains(t, d[0].Message, "manage.py sqlmigrate news 0002_body")
	assert.Len(t, pa.Files(), 6)
}

func TestAnalyzeProjectSyntaxErrorPerFile(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"shop/migrations/0001_initial.py":  migrationPy("", ""),
		"shop/migrations/0001_initial.sql": "BEGIN;\nCREATE TABLEE \"shop_x\" (id int);\nCOMMIT;\n",
		"shop/migrations/0002_next.py":     migrationPy(`("shop", "0001_initial")`, ""),
		"shop/migrations/0002_next.sql":    "BEGIN;\nCREATE INDEX \"shop_x_id\" ON \"shop_x\" (\"id\");\nCOMMIT;\n",
	})
	pa, err := AnalyzeProject(context.Background(), dir, Options{})
	require.NoError(t, err)
	require.Len(t, pa.Migrations, 2)
	first, next := pa.Migrations[0], pa.Migrations[1]
	var se *SyntaxError
	require.True(t, errors.As(first.Err, &se))
	assert.Equal(t, "shop/migrations/0001_initial.sql", se.Path)
	assert.Equal(t, 2, se.Line)
	assert.Equal(t, VerdictNotModelled, first.Verdict())
	d := first.Diagnostics()
	require.Len(t, d, 1)
	assert.Equal(t, SeverityError, d[0].Severity)
	assert.Equal(t, 2, d[0].Pos.Line)
	require.NotNil(t, next.Report, "the other files are still analysed")
	assert.Equal(t, VerdictDangerous, next.Verdict(), "CREATE INDEX without CONCURRENTLY on an existing table blocks writes")
}

func TestAnalyzeProjectCycle(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"a/migrations/0001_initial.py": migrationPy(`("b", "0001_initial")`, ""),
		"b/migrations/0001_initial.py": migrationPy(`("a", "0001_initial")`, ""),
	})
	_, err := AnalyzeProject(context.Background(), dir, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.0001_initial")
	assert.Contains(t, err.Error(), "cycle")
}

func TestAnalyzeProjectCancelled(t *testing.T) {
	dir := writeProject(t, map[string]string{"a/migrations/0001_initial.py": migrationPy("", "")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := AnalyzeProject(ctx, dir, Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

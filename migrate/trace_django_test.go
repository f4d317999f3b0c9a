package migrate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real `manage.py sqlmigrate` output (the static analyser's fixtures),
// traced one migration after another on a database holding rows, then
// applied: every trace rolls back cleanly, the observed locks, rewrites and
// scans match the PostgreSQL documentation, and no static finding is
// refuted by the trace.
func TestTraceDjangoHistory(t *testing.T) {
	conn := liveDB(t, "")
	ctx := context.Background()
	var version int
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version))
	files, err := filepath.Glob("testdata/static/sqlmigrate/blog_*.sql")
	require.NoError(t, err)
	require.Len(t, files, 12)

	type want struct {
		line    int
		lock    string // strongest new lock on public.blog_post, "" for none
		rewrite bool
		scan    bool
		status  TraceStatus
	}
	// From the ALTER TABLE / CREATE INDEX reference pages and "Explicit
	// Locking"; lines are those of the statements in the fixture files.
	expect := map[string][]want{
		"blog_0002_post_summary.sql":           {{line: 5, lock: "ACCESS EXCLUSIVE"}},
		"blog_0003_post_views.sql":             {{line: 5, lock: "ACCESS EXCLUSIVE"}, {line: 6}}, // constant default: no rewrite (PG 11+)
		"blog_0004_post_title_idx.sql":         {{line: 5, lock: "SHARE", scan: true}},
		"blog_0005_remove_post_body.sql":       {{line: 5, lock: "ACCESS EXCLUSIVE"}},
		"blog_0006_rename_summary_excerpt.sql": {{line: 5, lock: "ACCESS EXCLUSIVE"}},
		"blog_0007_alter_post_title.sql":       {{line: 5, lock: "ACCESS EXCLUSIVE"}}, // varchar widening: no rewrite
		"blog_0008_alter_post_excerpt.sql":     {{line: 5, lock: "ACCESS EXCLUSIVE", scan: true}},
		"blog_0009_alter_post_slug.sql":        {{line: 5, lock: "ACCESS EXCLUSIVE", scan: true}, {line: 6, scan: true}}, // SHARE already taken by the UNIQUE's index build
		"blog_0011_backfill_excerpt.sql":       {{line: 9, lock: "ROW EXCLUSIVE", scan: true}},
		"blog_0012_post_views_idx.sql":         {{line: 4, status: TraceNotTraced}},
	}
	for _, f := range files {
		name := filepath.Base(f)
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		static, err := AnalyzeSQL(name, src, Options{PGVersion: version})
		require.NoError(t, err)
		rep, err := Trace(ctx, conn, name, src, TraceOptions{Static: static})
		require.NoError(t, err, name)
		assert.True(t, rep.SchemaRestored, "%s residual %v", name, rep.Residual)
		for _, c := range rep.Comparisons {
			assert.NotEqual(t, AgreementRefuted, c.Agreement, "%s: %+v", name, c)
			assert.NotEqual(t, AgreementUnpredicted, c.Agreement, "%s: %+v", name, c)
		}
		for _, w := range expect[name] {
			var ts *TracedStatement
			for i := range rep.Statements {
				if rep.Statements[i].Line == w.line {
					ts = &rep.Statements[i]
				}
			}
			require.NotNil(t, ts, "%s:%d", name, w.line)
			if w.status == "" {
				w.status = TraceTraced
			}
			require.Equal(t, w.status, ts.Status, "%s:%d %s", name, w.line, ts.Error)
			if w.status != TraceTraced {
				continue
			}
			modes := lockModes(*ts, "public.blog_post")
			if w.lock == "" {
				assert.Empty(t, modes, "%s:%d", name, w.line)
			} else if assert.NotEmpty(t, modes, "%s:%d", name, w.line) {
				assert.Equal(t, w.lock, modes[0], "%s:%d", name, w.line)
			}
			assert.Equal(t, w.rewrite, len(ts.Rewrites) > 0, "%s:%d rewrites", name, w.line)
			assert.Equal(t, w.scan, len(ts.Scans) > 0, "%s:%d scans", name, w.line)
		}

		_, err = Apply(ctx, conn, []ApplyFile{{Name: name, SQL: src}}, ApplyOptions{Force: true})
		require.NoError(t, err, name)
		switch name {
		case "blog_0001_initial.sql":
			_, err = conn.Exec(ctx, `INSERT INTO blog_post (title, body, slug) SELECT 't' || g, 'b', 's' || g FROM generate_series(1, 100) g; ANALYZE blog_post`)
		case "blog_0007_alter_post_title.sql":
			_, err = conn.Exec(ctx, `UPDATE blog_post SET excerpt = 'e'`) // 0008 makes it NOT NULL
		}
		require.NoError(t, err)
	}
}

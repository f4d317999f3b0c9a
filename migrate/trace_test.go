package migrate

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

// liveDB connects to a fresh test database and runs setup in it.
func liveDB(t testing.TB, setup string) *pgx.Conn {
	t.Helper()
	url := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := Connect(ctx, url, ConnectOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	if setup != "" {
		_, err = conn.Exec(ctx, setup)
		require.NoError(t, err)
	}
	return conn
}

// baseSchema is a small table with a varchar, an int and an index, and a
// few rows so scans and rewrites have something to read.
const baseSchema = `
CREATE TABLE blog_post (
    id serial PRIMARY KEY,
    title varchar(50) NOT NULL,
    views integer,
    body text
);
CREATE INDEX blog_post_views ON blog_post (views);
INSERT INTO blog_post (title, views, body) SELECT 't' || g, g, 'b' FROM generate_series(1, 200) g;
ANALYZE blog_post;`

func trace(t *testing.T, conn *pgx.Conn, sql string, opts TraceOptions) *TraceReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Trace(ctx, conn, "m.sql", []byte(sql), opts)
	require.NoError(t, err)
	return rep
}

func lockModes(ts TracedStatement, rel string) []string {
	var out []string
	for _, l := range ts.Locks {
		if l.Relation == rel {
			out = append(out, l.Mode)
		}
	}
	return out
}

func effectRels(list []TableEffect) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Relation)
	}
	return out
}

// The expectations below come from the PostgreSQL documentation, not from
// the tracer: "ALTER TABLE" (Notes: which forms rewrite, which scan, and the
// lock each subcommand takes) and "Explicit Locking" (13.3.1, the lock each
// command acquires).
func TestTraceAcceptance(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		lock    string // strongest new lock on public.blog_post
		rewrite bool
		scan    bool
	}{
		// ALTER TABLE: ADD COLUMN takes ACCESS EXCLUSIVE; "Adding a column with
		// a volatile DEFAULT ... will require the entire table and its indexes
		// to be rewritten"; without a default only the catalog changes.
		{"add nullable column", "ALTER TABLE blog_post ADD COLUMN rating integer NULL;", "ACCESS EXCLUSIVE", false, false},
		{"add column volatile default", "ALTER TABLE blog_post ADD COLUMN token double precision DEFAULT random();", "ACCESS EXCLUSIVE", true, true},
		// Non-volatile defaults are stored in the catalog since PG 11.
		{"add column constant default not null", "ALTER TABLE blog_post ADD COLUMN flag boolean DEFAULT false NOT NULL;", "ACCESS EXCLUSIVE", false, false},
		// ALTER TABLE: "if the USING clause does not change the column contents
		// and the old type is either binary coercible to the new type ... a
		// table rewrite is not needed".
		{"varchar widening", "ALTER TABLE blog_post ALTER COLUMN title TYPE varchar(200);", "ACCESS EXCLUSIVE", false, false},
		{"varchar to text", "ALTER TABLE blog_post ALTER COLUMN title TYPE text;", "ACCESS EXCLUSIVE", false, false},
		// integer -> bigint is not binary coercible: rewrite.
		{"int to bigint", "ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;", "ACCESS EXCLUSIVE", true, true},
		// Explicit Locking: SHARE is "Acquired by CREATE INDEX (without
		// CONCURRENTLY)"; the build reads the whole table.
		{"create index", "CREATE INDEX blog_post_title ON blog_post (title);", "SHARE", false, true},
		// ALTER TABLE: SET NOT NULL "will scan the entire table to verify that
		// no rows are null unless a valid CHECK constraint ... proves it".
		{"set not null", "ALTER TABLE blog_post ALTER COLUMN views SET NOT NULL;", "ACCESS EXCLUSIVE", false, true},
		// ADD CONSTRAINT ... NOT VALID skips the scan; VALIDATE CONSTRAINT
		// scans under SHARE UPDATE EXCLUSIVE.
		{"check not valid", "ALTER TABLE blog_post ADD CONSTRAINT views_nn CHECK (views IS NOT NULL) NOT VALID;", "ACCESS EXCLUSIVE", false, false},
		{"drop column", "ALTER TABLE blog_post DROP COLUMN body;", "ACCESS EXCLUSIVE", false, false},
	}
	// One database for all cases: every trace rolls back, which each case
	// checks (SchemaRestored), so the next case starts from the same schema.
	conn := liveDB(t, baseSchema)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := trace(t, conn, tc.sql, TraceOptions{})
			require.Len(t, rep.Statements, 1)
			ts := rep.Statements[0]
			require.Equal(t, TraceTraced, ts.Status, ts.Error)
			modes := lockModes(ts, "public.blog_post")
			require.NotEmpty(t, modes)
			assert.Equal(t, tc.lock, modes[0], "strongest lock, all: %v", modes)
			assert.Equal(t, tc.rewrite, len(ts.Rewrites) > 0, "rewrites %v", ts.Rewrites)
			assert.Equal(t, tc.scan, len(ts.Scans) > 0, "scans %v", ts.Scans)
			assert.True(t, rep.SchemaRestored, "residual %v", rep.Residual)
			assert.False(t, rep.Committed)
			// 200 rows is far below the default thresholds.
			assert.Equal(t, VerdictSafe, rep.Verdict, ts.Message)
		})
	}
}

func TestTraceSetNotNullWithValidCheckSkipsScan(t *testing.T) {
	conn := liveDB(t, baseSchema+`
UPDATE blog_post SET views = 0 WHERE views IS NULL;
ALTER TABLE blog_post ADD CONSTRAINT views_nn CHECK (views IS NOT NULL);`)
	rep := trace(t, conn, "ALTER TABLE blog_post ALTER COLUMN views SET NOT NULL;", TraceOptions{})
	ts := rep.Statements[0]
	require.Equal(t, TraceTraced, ts.Status, ts.Error)
	assert.Empty(t, ts.Scans, "PG 12+ proves NOT NULL from the validated CHECK")
	assert.Contains(t, ts.Changes, SchemaChange{Action: "alter-column", Relation: "public.blog_post", Object: "views", Detail: "set not null"})
}

func TestTraceValidateConstraintScansUnderWeakLock(t *testing.T) {
	conn := liveDB(t, baseSchema+`
ALTER TABLE blog_post ADD CONSTRAINT views_nn CHECK (views IS NOT NULL) NOT VALID;`)
	rep := trace(t, conn, "ALTER TABLE blog_post VALIDATE CONSTRAINT views_nn;", TraceOptions{RowsThreshold: 1})
	ts := rep.Statements[0]
	require.Equal(t, TraceTraced, ts.Status, ts.Error)
	assert.Equal(t, []string{"SHARE UPDATE EXCLUSIVE"}, lockModes(ts, "public.blog_post"))
	assert.Equal(t, []string{"public.blog_post"}, effectRels(ts.Scans))
	// Even above the size threshold: SHARE UPDATE EXCLUSIVE blocks no DML.
	assert.Equal(t, VerdictSafe, ts.Verdict, ts.Message)
	assert.Contains(t, ts.Changes, SchemaChange{Action: "validate-constraint", Relation: "public.blog_post", Object: "views_nn"})
}

func TestTraceRollbackLeavesDatabaseUnchanged(t *testing.T) {
	conn := liveDB(t, baseSchema)
	ctx := context.Background()
	before, err := ReadSchema(ctx, conn)
	require.NoError(t, err)
	var rowsBefore int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM blog_post").Scan(&rowsBefore))

	rep := trace(t, conn, `
BEGIN;
ALTER TABLE blog_post ADD COLUMN rating integer DEFAULT 0 NOT NULL;
ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;
CREATE TABLE blog_comment (id bigserial PRIMARY KEY, post_id integer REFERENCES blog_post (id));
CREATE INDEX blog_comment_post ON blog_comment (post_id);
ALTER TABLE blog_post RENAME COLUMN body TO content;
DELETE FROM blog_post WHERE id > 100;
COMMIT;`, TraceOptions{})
	require.Len(t, rep.Statements, 8)
	assert.Equal(t, TraceControl, rep.Statements[0].Status)
	assert.Equal(t, TraceControl, rep.Statements[7].Status)
	for _, s := range rep.Statements[1:7] {
		require.Equal(t, TraceTraced, s.Status, "%s: %s", s.SQL, s.Error)
	}
	assert.True(t, rep.SchemaRestored, "residual: %v", rep.Residual)

	// Independently of the tracer's own check: the catalog, the relfilenodes
	// and the data are what they were.
	after, err := ReadSchema(ctx, conn)
	require.NoError(t, err)
	assert.Empty(t, DiffSchema(before, after))
	var exists *string
	require.NoError(t, conn.QueryRow(ctx, "SELECT to_regclass('blog_comment')::text").Scan(&exists))
	assert.Nil(t, exists)
	var rowsAfter, cols int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM blog_post").Scan(&rowsAfter))
	assert.Equal(t, rowsBefore, rowsAfter)
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'blog_post' AND column_name IN ('rating', 'content')").Scan(&cols))
	assert.Zero(t, cols)

	// Catalog changes are attributed to the right statements.
	assert.Contains(t, rep.Statements[2].Changes, SchemaChange{Action: "alter-column", Relation: "public.blog_post", Object: "views", Detail: "type integer -> bigint"})
	assert.Contains(t, rep.Statements[2].Changes, SchemaChange{Action: "rewrite", Relation: "public.blog_post", Detail: "table"})
	assert.Contains(t, rep.Statements[5].Changes, SchemaChange{Action: "rename-column", Relation: "public.blog_post", Object: "content", Detail: "was body"})
	// The new table's own locks are invisible to others: none reported for
	// the CREATE INDEX on it.
	assert.Empty(t, rep.Statements[4].Locks)
	// The foreign key takes SHARE ROW EXCLUSIVE on the referenced table
	// (Explicit Locking: "Acquired by ... ADD FOREIGN KEY").
	assert.Contains(t, lockModes(rep.Statements[3], "public.blog_post"), "SHARE ROW EXCLUSIVE")
}

func TestTraceCommit(t *testing.T) {
	conn := liveDB(t, baseSchema)
	rep := trace(t, conn, "ALTER TABLE blog_post ADD COLUMN rating integer;", TraceOptions{Commit: true})
	assert.True(t, rep.Committed)
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM information_schema.columns WHERE table_name = 'blog_post' AND column_name = 'rating'").Scan(&n))
	assert.Equal(t, 1, n)
}

func TestTraceNonTransactionalNotTraced(t *testing.T) {
	conn := liveDB(t, baseSchema)
	rep := trace(t, conn, `
CREATE INDEX CONCURRENTLY blog_post_title ON blog_post (title);
VACUUM blog_post;
ALTER TABLE blog_post ADD COLUMN rating integer;`, TraceOptions{})
	require.Len(t, rep.Statements, 3)
	assert.Equal(t, TraceNotTraced, rep.Statements[0].Status)
	assert.Contains(t, rep.Statements[0].Reason, "CONCURRENTLY")
	assert.Equal(t, TraceNotTraced, rep.Statements[1].Status)
	assert.Contains(t, rep.Statements[1].Reason, "VACUUM")
	assert.Equal(t, TraceTraced, rep.Statements[2].Status)
	assert.Equal(t, VerdictWarn, rep.Verdict, "untraced statements are not silently safe")
	var idx *string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT to_regclass('blog_post_title')::text").Scan(&idx))
	assert.Nil(t, idx, "a not-traced statement must not run")
}

func TestTraceFailureStopsAndRollsBack(t *testing.T) {
	conn := liveDB(t, baseSchema)
	rep := trace(t, conn, `
ALTER TABLE blog_post ADD COLUMN rating integer;
ALTER TABLE blog_post ADD COLUMN rating integer;
ALTER TABLE blog_post ADD COLUMN other integer;`, TraceOptions{Commit: true})
	require.Len(t, rep.Statements, 3)
	assert.Equal(t, TraceTraced, rep.Statements[0].Status)
	assert.Equal(t, TraceFailed, rep.Statements[1].Status)
	assert.Contains(t, rep.Statements[1].Error, "already exists")
	assert.Equal(t, TraceSkipped, rep.Statements[2].Status)
	assert.Equal(t, VerdictDangerous, rep.Verdict)
	assert.False(t, rep.Committed, "a failed trace is never committed")
	assert.True(t, rep.SchemaRestored)
}

func TestTraceLockHeldUntilCommit(t *testing.T) {
	conn := liveDB(t, baseSchema)
	rep := trace(t, conn, `
BEGIN;
ALTER TABLE blog_post ADD COLUMN rating integer;
SELECT pg_sleep(0.3);
COMMIT;
ALTER TABLE blog_post ADD COLUMN other integer;
CREATE INDEX blog_post_title ON blog_post (title);`, TraceOptions{})
	require.Len(t, rep.Statements, 6)
	add := rep.Statements[1]
	require.Equal(t, []string{"ACCESS EXCLUSIVE"}, lockModes(add, "public.blog_post"))
	var held time.Duration
	for _, l := range add.Locks {
		if l.Relation == "public.blog_post" {
			held = l.Held
		}
	}
	assert.GreaterOrEqual(t, held, 300*time.Millisecond, "held through the pg_sleep until COMMIT")
	// Outside BEGIN/COMMIT a statement is its own transaction: the SHARE
	// lock of the index build is held only while it runs.
	idx := rep.Statements[5]
	require.Equal(t, []string{"SHARE"}, lockModes(idx, "public.blog_post"))
	assert.InDelta(t, float64(idx.Duration), float64(idx.Locks[0].Held), float64(50*time.Millisecond), "held for the statement only")
	assert.Less(t, idx.Locks[0].Held, held)
}

func TestTraceLockTimeoutWhileTracing(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	holder, err := Connect(ctx, url, ConnectOptions{})
	require.NoError(t, err)
	defer holder.Close(ctx)
	_, err = holder.Exec(ctx, baseSchema)
	require.NoError(t, err)
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, "LOCK TABLE blog_post IN ACCESS SHARE MODE")
	require.NoError(t, err)

	conn, err := Connect(ctx, url, ConnectOptions{})
	require.NoError(t, err)
	defer conn.Close(ctx)
	rep, err := Trace(ctx, conn, "m.sql", []byte("ALTER TABLE blog_post ADD COLUMN x int;"), TraceOptions{LockTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, TraceFailed, rep.Statements[0].Status)
	assert.Contains(t, rep.Statements[0].Error, "lock_timeout")
}

// Size awareness on real row counts: the same index build is safe on a
// small table and dangerous at or above the threshold.
func TestTraceRatesBySize(t *testing.T) {
	admin := testenv.PostgresAdminURL(t)
	ctx := context.Background()
	const schema = `CREATE TABLE shop_order (id bigserial PRIMARY KEY, ref varchar(20) NOT NULL UNIQUE, total numeric NOT NULL, placed timestamptz NOT NULL, note text);`
	for _, tc := range []struct {
		rows int
		want Verdict
	}{{200, VerdictSafe}, {3000, VerdictDangerous}} {
		snap, err := NewSnapshot(ctx, admin, SnapshotOptions{SchemaSQL: schema, Rows: map[string]int{"shop_order": tc.rows}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = snap.Drop(context.Background()) })
		conn, err := Connect(ctx, snap.URL, ConnectOptions{})
		require.NoError(t, err)
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM shop_order").Scan(&n))
		require.Equal(t, tc.rows, n)
		rep, err := Trace(ctx, conn, "m.sql", []byte("CREATE INDEX shop_order_placed ON shop_order (placed);"), TraceOptions{RowsThreshold: 1000})
		require.NoError(t, err)
		conn.Close(ctx)
		ts := rep.Statements[0]
		require.Len(t, ts.Scans, 1)
		assert.Equal(t, int64(tc.rows), ts.Scans[0].Rows, "reltuples after ANALYZE")
		assert.Equal(t, tc.want, ts.Verdict, ts.Message)
	}
}

// A slow statement extends every blocking lock taken before it in the same
// transaction.
func TestTraceEarlierLockHeldAcrossDangerousStatement(t *testing.T) {
	conn := liveDB(t, baseSchema+`CREATE TABLE blog_tag (id serial PRIMARY KEY, name text);`)
	rep := trace(t, conn, `
BEGIN;
ALTER TABLE blog_tag ADD COLUMN slug text;
ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;
COMMIT;`, TraceOptions{RowsThreshold: 100})
	assert.Equal(t, VerdictDangerous, rep.Statements[2].Verdict, rep.Statements[2].Message)
	assert.Equal(t, VerdictWarn, rep.Statements[1].Verdict)
	assert.Contains(t, rep.Statements[1].Message, "public.blog_tag")
	assert.Equal(t, VerdictDangerous, rep.Verdict)
}

func TestTraceUntracedRatedByStaticAnalysis(t *testing.T) {
	conn := liveDB(t, baseSchema)
	src := "CREATE INDEX CONCURRENTLY blog_post_title ON blog_post (title);\n"
	static, err := AnalyzeSQL("m.sql", []byte(src), Options{PGVersion: 150000})
	require.NoError(t, err)
	rep := trace(t, conn, src, TraceOptions{Static: static})
	require.Equal(t, TraceNotTraced, rep.Statements[0].Status)
	assert.Equal(t, static.Verdict, rep.Statements[0].Verdict, "%+v", static.Findings)
	assert.Equal(t, static.Verdict, rep.Verdict)
}

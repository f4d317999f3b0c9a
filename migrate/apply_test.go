package migrate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

// safeAnalyze stands in for the static analysis where a test is about the
// live behaviour of a file the analysis would (rightly) warn about.
func safeAnalyze(path string, src []byte) (*FileReport, error) {
	return &FileReport{Path: path, Verdict: VerdictSafe}, nil
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := Connect(context.Background(), url, ConnectOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func TestPlanApplyUnits(t *testing.T) {
	units, err := PlanApply([]ApplyFile{{Name: "0001.sql", SQL: []byte(`
BEGIN;
ALTER TABLE a ADD COLUMN x int;
UPDATE a SET x = 1;
COMMIT;
CREATE INDEX CONCURRENTLY a_x ON a (x);
ALTER TABLE a ALTER COLUMN x SET DEFAULT 0;
`)}})
	require.NoError(t, err)
	require.Len(t, units, 3)
	assert.True(t, units[0].Transactional)
	assert.Equal(t, []string{"ALTER TABLE a ADD COLUMN x int", "UPDATE a SET x = 1"}, trimAll(units[0].Statements))
	assert.Equal(t, 2, units[0].Line, "a block starts at its BEGIN")
	assert.Equal(t, 6, units[1].Line)
	assert.False(t, units[1].Transactional)
	assert.Equal(t, "a_x", units[1].IndexName)
	assert.True(t, units[2].Transactional)
	assert.Equal(t, []int{1, 2, 3}, []int{units[0].Index, units[1].Index, units[2].Index})

	for _, bad := range []struct{ sql, want string }{
		{"BEGIN;\nCREATE INDEX CONCURRENTLY i ON a (x);\nCOMMIT;", "bad.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, but it is inside the BEGIN at line 1"},
		{"BEGIN;\nSELECT 1;", "bad.sql:1: BEGIN without COMMIT"},
		{"SELECT 1;\nCOMMIT;", "bad.sql:2:1: COMMIT without BEGIN"},
		{"BEGIN;\nBEGIN;", "bad.sql:2:1: BEGIN inside the transaction opened at line 1"},
		{"SELECT 1;\nROLLBACK;", `bad.sql:2:1: "ROLLBACK" is not supported`},
	} {
		_, err := PlanApply([]ApplyFile{{Name: "bad.sql", SQL: []byte(bad.sql)}})
		require.Error(t, err, bad.sql)
		assert.Contains(t, err.Error(), bad.want)
	}
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.TrimSuffix(strings.TrimSpace(x), ";")
	}
	return out
}

func TestApplyAndResumeIsIdempotent(t *testing.T) {
	conn := liveDB(t, `CREATE TABLE item (id serial PRIMARY KEY, name text); CREATE TABLE log (n int);`)
	ctx := context.Background()
	files := []ApplyFile{
		{Name: "0001_add.sql", SQL: []byte("BEGIN;\nALTER TABLE item ADD COLUMN price int;\nINSERT INTO log VALUES (1);\nCOMMIT;\n")},
		{Name: "0002_index.sql", SQL: []byte("CREATE INDEX CONCURRENTLY item_price ON item (price);\nINSERT INTO log VALUES (2);\n")},
	}
	rep, err := Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	require.Len(t, rep.Units, 3)
	for _, u := range rep.Units {
		assert.Equal(t, UnitApplied, u.Status, "%s#%d", u.File, u.Index)
	}
	assert.Equal(t, 2, count(t, conn, "SELECT count(*) FROM log"))
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM pg_index WHERE indexrelid = 'item_price'::regclass AND indisvalid"))
	assert.Equal(t, 3, count(t, conn, "SELECT count(*) FROM deploykit_migrations"))

	// A second run applies nothing.
	rep, err = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	for _, u := range rep.Units {
		assert.Equal(t, UnitAlreadyApplied, u.Status)
	}
	assert.Equal(t, 2, count(t, conn, "SELECT count(*) FROM log"))

	// Session settings are back to normal and the advisory lock is free.
	var lt string
	require.NoError(t, conn.QueryRow(ctx, "SHOW lock_timeout").Scan(&lt))
	assert.Equal(t, "0", lt)
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))

	// Editing an applied file is detected.
	files[0].SQL = []byte("BEGIN;\nALTER TABLE item ADD COLUMN price bigint;\nCOMMIT;\n")
	_, err = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze})
	require.ErrorIs(t, err, ErrChecksumMismatch)
}

func TestApplyDryRunPrintsExactlyAndChangesNothing(t *testing.T) {
	conn := liveDB(t, `CREATE TABLE item (id serial PRIMARY KEY);`)
	ctx := context.Background()
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("ALTER TABLE item ADD COLUMN price int;\nCREATE INDEX CONCURRENTLY item_price ON item (price);\n")}}
	var out strings.Builder
	rep, err := Apply(ctx, conn, files, ApplyOptions{DryRun: true, Analyze: safeAnalyze, Out: &out, LockTimeout: 1500 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, rep.Script, out.String())
	for _, want := range []string{
		"BEGIN;\nSET LOCAL lock_timeout = '1500ms';\nALTER TABLE item ADD COLUMN price int;\nINSERT INTO \"deploykit_migrations\" (file, unit, checksum) VALUES ('0001.sql', 1, '",
		"SET lock_timeout = '1500ms';\n-- if an INVALID index item_price was left by an interrupted build, it is dropped first (DROP INDEX CONCURRENTLY)\nCREATE INDEX CONCURRENTLY item_price ON item (price);\nINSERT INTO \"deploykit_migrations\" (file, unit, checksum) VALUES ('0001.sql', 2, '",
		"RESET lock_timeout;",
		"SELECT pg_try_advisory_lock(",
	} {
		assert.Contains(t, rep.Script, want)
	}
	assert.Equal(t, UnitWouldApply, rep.Units[0].Status)
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'price'"))
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_class WHERE relname = 'deploykit_migrations'"), "dry run creates no progress table")

	// Dry run needs no database at all.
	rep, err = Apply(ctx, nil, files, ApplyOptions{DryRun: true, Force: true})
	require.NoError(t, err)
	assert.Len(t, rep.Units, 2)

	// The script is valid SQL that does what Apply does: run it with psql
	// semantics (simple protocol, one statement at a time).
	stmts, err := SplitStatements("plan.sql", []byte(rep.Script))
	require.NoError(t, err)
	for _, s := range stmts {
		_, err := conn.Exec(ctx, s.SQL)
		require.NoError(t, err, s.SQL)
	}
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'price'"))
	rep, err = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	for _, u := range rep.Units {
		assert.Equal(t, UnitAlreadyApplied, u.Status, "the script recorded its progress like Apply")
	}
}

func TestApplyRefusesDangerousUnlessForced(t *testing.T) {
	conn := liveDB(t, `CREATE TABLE item (id serial PRIMARY KEY);`)
	ctx := context.Background()
	dangerous := func(path string, src []byte) (*FileReport, error) {
		return &FileReport{Path: path, Verdict: VerdictDangerous}, nil
	}
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("ALTER TABLE item ADD COLUMN price int;")}}
	_, err := Apply(ctx, conn, files, ApplyOptions{Analyze: dangerous})
	require.ErrorIs(t, err, ErrDangerous)
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_class WHERE relname = 'deploykit_migrations'"), "nothing ran")
	_, err = Apply(ctx, conn, files, ApplyOptions{Analyze: dangerous, Force: true})
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'price'"))
}

// Another session holds a lock; apply retries, gives up cleanly after the
// bounded retries, and never blocks the other sessions' queries for longer
// than lock_timeout.
func TestApplyLockTimeoutRetriesThenFailsCleanly(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	setup := connect(t, url)
	_, err := setup.Exec(ctx, `CREATE TABLE item (id serial PRIMARY KEY, name text); INSERT INTO item (name) VALUES ('a');`)
	require.NoError(t, err)

	holder := connect(t, url)
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT * FROM item") // ACCESS SHARE until the transaction ends
	require.NoError(t, err)

	// A reader that keeps querying the table while apply fights for its lock.
	reader := connect(t, url)
	var slowest time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			var n int
			if err := reader.QueryRow(ctx, "SELECT count(*) FROM item").Scan(&n); err != nil {
				t.Errorf("reader: %v", err)
				return
			}
			slowest = max(slowest, time.Since(start))
			time.Sleep(20 * time.Millisecond)
		}
	}()

	applier := connect(t, url)
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("BEGIN;\nALTER TABLE item ADD COLUMN price int;\nCOMMIT;\n")}}
	start := time.Now()
	rep, err := Apply(ctx, applier, files, ApplyOptions{
		Analyze: safeAnalyze, LockTimeout: 150 * time.Millisecond,
		Retries: 2, RetryBase: 50 * time.Millisecond, RetryMax: 100 * time.Millisecond,
	})
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()

	require.ErrorIs(t, err, ErrLockTimeout)
	var ae *ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 3, ae.Attempts, "1 try + 2 retries")
	assert.Equal(t, "0001.sql", ae.File)
	require.Len(t, rep.Units, 1)
	assert.Equal(t, UnitFailed, rep.Units[0].Status)
	// 3 waits of 150ms plus two backoffs of 25-100ms; bounded.
	assert.GreaterOrEqual(t, elapsed, 450*time.Millisecond)
	assert.Less(t, elapsed, 5*time.Second)
	// Readers queued behind the ALTER's lock request waited at most about
	// one lock_timeout, never the holder's whole transaction.
	assert.Less(t, slowest, time.Second, "slowest reader query")

	// Consistent: nothing applied, nothing recorded, no waiting lock left,
	// the session is clean and the advisory lock is free.
	assert.Zero(t, count(t, setup, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'price'"))
	assert.Zero(t, count(t, setup, "SELECT count(*) FROM deploykit_migrations"))
	assert.Zero(t, count(t, setup, "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
	assert.Zero(t, count(t, setup, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
	assert.Equal(t, byte('I'), applier.PgConn().TxStatus())

	// Once the holder is gone the same apply succeeds.
	require.NoError(t, tx.Rollback(ctx))
	_, err = Apply(ctx, applier, files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, setup, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'price'"))
}

// Two appliers at once: with Wait=false one exits with ErrMigratorRunning,
// with Wait=true the second waits and then finds everything applied. Either
// way each unit runs exactly once.
func TestApplyConcurrentAppliers(t *testing.T) {
	for _, wait := range []bool{false, true} {
		t.Run(map[bool]string{false: "exit", true: "wait"}[wait], func(t *testing.T) {
			url := testenv.Postgres(t)
			ctx := context.Background()
			setup := connect(t, url)
			_, err := setup.Exec(ctx, `CREATE TABLE log (n int);`)
			require.NoError(t, err)
			files := []ApplyFile{{Name: "0001.sql", SQL: []byte(`
BEGIN;
INSERT INTO log VALUES (1);
SELECT pg_sleep(0.4);
COMMIT;
INSERT INTO log VALUES (2);`)}}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			reps := make([]*ApplyReport, 2)
			for i := range 2 {
				conn := connect(t, url)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == 1 {
						time.Sleep(100 * time.Millisecond) // let the first one take the lock
					}
					reps[i], errs[i] = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze, Wait: wait})
				}()
			}
			wg.Wait()
			// Whichever took the advisory lock first applied everything; the
			// other exited (Wait=false) or waited and found nothing to do.
			winners, others := 0, 0
			for i := range 2 {
				if errs[i] != nil {
					require.False(t, wait, "with Wait both succeed: %v", errs[i])
					require.ErrorIs(t, errs[i], ErrMigratorRunning)
					others++
					continue
				}
				st := statuses(reps[i])
				switch {
				case assert.ObjectsAreEqual([]UnitStatus{UnitApplied, UnitApplied}, st):
					winners++
				case assert.ObjectsAreEqual([]UnitStatus{UnitAlreadyApplied, UnitAlreadyApplied}, st):
					require.True(t, wait)
					others++
				default:
					t.Fatalf("applier %d: unexpected %v", i, st)
				}
			}
			assert.Equal(t, 1, winners)
			assert.Equal(t, 1, others)
			assert.Equal(t, 2, count(t, setup, "SELECT count(*) FROM log"), "each unit ran once")
		})
	}
}

// Killing the applier's connection mid-apply leaves committed units
// recorded and the interrupted one rolled back; a new apply resumes.
func TestApplyResumesAfterTerminatedBackend(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	setup := connect(t, url)
	_, err := setup.Exec(ctx, `CREATE TABLE log (n int); CREATE TABLE pause (seconds float8); INSERT INTO pause VALUES (30);`)
	require.NoError(t, err)
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte(`
BEGIN;
INSERT INTO log VALUES (1);
COMMIT;
BEGIN;
INSERT INTO log VALUES (2);
SELECT pg_sleep(seconds) FROM pause;
COMMIT;
INSERT INTO log VALUES (3);`)}}

	applier := connect(t, url)
	pid := applier.PgConn().PID()
	done := make(chan error, 1)
	go func() {
		_, err := Apply(ctx, applier, files, ApplyOptions{Analyze: safeAnalyze})
		done <- err
	}()
	require.Eventually(t, func() bool {
		return count(t, setup, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'", pid) == 1
	}, 10*time.Second, 20*time.Millisecond)
	var killed bool
	require.NoError(t, setup.QueryRow(ctx, "SELECT pg_terminate_backend($1)", pid).Scan(&killed))
	require.True(t, killed)
	select {
	case err := <-done:
		require.Error(t, err)
		var ae *ApplyError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 2, ae.Unit)
	case <-time.After(10 * time.Second):
		t.Fatal("apply did not return after its backend was terminated")
	}
	assert.Equal(t, []int{1}, ints(t, setup, "SELECT n FROM log ORDER BY n"))
	assert.Equal(t, []int{1}, ints(t, setup, "SELECT unit FROM deploykit_migrations ORDER BY unit"))

	_, err = setup.Exec(ctx, "UPDATE pause SET seconds = 0")
	require.NoError(t, err)
	rep, err := Apply(ctx, connect(t, url), files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	assert.Equal(t, []UnitStatus{UnitAlreadyApplied, UnitApplied, UnitApplied}, statuses(rep))
	assert.Equal(t, []int{1, 2, 3}, ints(t, setup, "SELECT n FROM log ORDER BY n"))
}

// A CREATE INDEX CONCURRENTLY that times out leaves an INVALID index; the
// next apply drops it and builds it again.
func TestApplyRetriesInterruptedConcurrentIndex(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	setup := connect(t, url)
	_, err := setup.Exec(ctx, `CREATE TABLE item (id serial PRIMARY KEY, price int); INSERT INTO item (price) SELECT g FROM generate_series(1, 100) g;`)
	require.NoError(t, err)
	// An open transaction with a snapshot makes the concurrent build wait
	// for it after the index has been created as INVALID.
	holder := connect(t, url)
	tx, err := holder.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT count(*) FROM item")
	require.NoError(t, err)

	applier := connect(t, url)
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("CREATE INDEX CONCURRENTLY item_price ON item (price);")}}
	_, err = Apply(ctx, applier, files, ApplyOptions{Analyze: safeAnalyze, LockTimeout: 200 * time.Millisecond, Retries: -1})
	require.ErrorIs(t, err, ErrLockTimeout)
	assert.Equal(t, 1, count(t, setup, "SELECT count(*) FROM pg_index WHERE indexrelid = 'item_price'::regclass AND NOT indisvalid"), "interrupted build left an INVALID index")

	require.NoError(t, tx.Rollback(ctx))
	rep, err := Apply(ctx, applier, files, ApplyOptions{Analyze: safeAnalyze})
	require.NoError(t, err)
	assert.Equal(t, []UnitStatus{UnitApplied}, statuses(rep))
	assert.Equal(t, 1, count(t, setup, "SELECT count(*) FROM pg_index WHERE indexrelid = 'item_price'::regclass AND indisvalid"))
}

func TestApplyPooledMode(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	conn, err := Connect(ctx, url, ConnectOptions{Pooled: true})
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE log (n int)`)
	require.NoError(t, err)
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("INSERT INTO log VALUES (1);\nINSERT INTO log VALUES (2);")}}
	rep, err := Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze, Pooled: true})
	require.NoError(t, err)
	assert.Equal(t, []UnitStatus{UnitApplied, UnitApplied}, statuses(rep))
	// No session state: no advisory lock was taken at session level, no SET.
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
	var lt string
	require.NoError(t, conn.QueryRow(ctx, "SHOW lock_timeout").Scan(&lt))
	assert.Equal(t, "0", lt)

	// The in-transaction re-check skips a unit another migrator recorded
	// after this one read the progress table.
	files = append(files, ApplyFile{Name: "0002.sql", SQL: []byte("INSERT INTO log VALUES (3);")})
	units, err := PlanApply(files)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "INSERT INTO deploykit_migrations (file, unit, checksum) VALUES ('0002.sql', 1, $1)", units[2].Checksum)
	require.NoError(t, err)
	opts := ApplyOptions{Pooled: true}
	skipped, err := runUnit(ctx, conn, &units[2], &opts)
	require.NoError(t, err)
	assert.True(t, skipped)
	assert.Equal(t, 2, count(t, conn, "SELECT count(*) FROM log"))
}

func TestApplyBackoffBounded(t *testing.T) {
	o := ApplyOptions{RetryBase: 100 * time.Millisecond, RetryMax: 350 * time.Millisecond}
	lo := func() float64 { return 0 }
	hi := func() float64 { return 0.999999 }
	for retry, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 350 * time.Millisecond, 10: 350 * time.Millisecond} {
		assert.Equal(t, want/2, o.backoff(retry, lo), "retry %d lower bound", retry)
		assert.InDelta(t, float64(want), float64(o.backoff(retry, hi)), float64(time.Microsecond), "retry %d upper bound", retry)
	}
	var d ApplyOptions
	assert.Equal(t, DefaultRetries, d.retries())
	assert.Equal(t, DefaultLockTimeout, d.lockTimeout())
	d.Retries = -1
	assert.Zero(t, d.retries())
	assert.True(t, errors.Is(&ApplyError{Err: ErrLockTimeout}, ErrLockTimeout))
}

func ints(t *testing.T, conn *pgx.Conn, sql string) []int {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int])
	require.NoError(t, err)
	return out
}

func statuses(rep *ApplyReport) []UnitStatus {
	var out []UnitStatus
	for _, u := range rep.Units {
		out = append(out, u.Status)
	}
	return out
}

// An INVALID index that another session is still building is left alone
// (dropping it would throw away that session's work).
func TestApplyLeavesIndexBuildInProgressAlone(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	setup := connect(t, url)
	_, err := setup.Exec(ctx, `CREATE TABLE item (id serial PRIMARY KEY, price int); INSERT INTO item (price) VALUES (1);`)
	require.NoError(t, err)
	holder := connect(t, url)
	tx, err := holder.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT count(*) FROM item")
	require.NoError(t, err)

	builder := connect(t, url)
	built := make(chan error, 1)
	go func() {
		_, err := builder.Exec(ctx, "CREATE INDEX CONCURRENTLY item_price ON item (price)")
		built <- err
	}()
	require.Eventually(t, func() bool {
		return count(t, setup, "SELECT count(*) FROM pg_stat_progress_create_index WHERE index_relid = to_regclass('item_price')") == 1
	}, 10*time.Second, 20*time.Millisecond)

	units, err := PlanApply([]ApplyFile{{Name: "0001.sql", SQL: []byte("CREATE INDEX CONCURRENTLY item_price ON item (price);")}})
	require.NoError(t, err)
	opts := ApplyOptions{}
	_, err = prepareConcurrentIndex(ctx, connect(t, url), &units[0], &opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "being built by another session")

	require.NoError(t, tx.Rollback(ctx))
	require.NoError(t, <-built)
	assert.Equal(t, 1, count(t, setup, "SELECT count(*) FROM pg_index WHERE indexrelid = 'item_price'::regclass AND indisvalid"))
}

// The gate does not trust a "warn" verdict that comes from a statement no
// rule models (fail closed): CREATE POLICY takes ACCESS EXCLUSIVE.
func TestApplyRefusesNotModelledUnlessSuppressed(t *testing.T) {
	conn := liveDB(t, `CREATE TABLE item (id serial PRIMARY KEY);`)
	ctx := context.Background()
	files := []ApplyFile{{Name: "0001.sql", SQL: []byte("CREATE POLICY p ON item USING (true);")}}
	rep, err := Apply(ctx, conn, files, ApplyOptions{})
	require.ErrorIs(t, err, ErrNotModelled)
	require.Len(t, rep.Static, 1)
	assert.Equal(t, VerdictWarn, rep.Static[0].Verdict)
	assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_policy WHERE polname = 'p'"), "nothing ran")

	files[0].SQL = []byte("-- checked by hand: item is tiny\n-- deploykit:ignore DKM090\nCREATE POLICY p ON item USING (true);")
	_, err = Apply(ctx, conn, files, ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, conn, "SELECT count(*) FROM pg_policy WHERE polname = 'p'"))
}

// A bad plan file is a typed, positioned input error (commands exit 2).
func TestPlanApplyErrorsAreTyped(t *testing.T) {
	_, err := PlanApply([]ApplyFile{{Name: "bad.sql", SQL: []byte("SELECT 1;\nCOMMIT;")}})
	var pe *PlanError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, PlanError{Path: "bad.sql", Line: 2, Column: 1, Msg: "COMMIT without BEGIN"}, *pe)
}

package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults of TraceOptions and ApplyOptions.
const (
	// DefaultLockTimeout is the lock_timeout set before every traced or
	// applied statement: long enough for a brief ACCESS EXCLUSIVE lock on a
	// busy table, short enough that queued application queries behind the
	// migration's lock request give up waiting quickly.
	DefaultLockTimeout = 2 * time.Second
	// DefaultRowsThreshold is the row count (pg_class.reltuples) from which
	// rewriting, scanning or index-building a table under a blocking lock is
	// rated dangerous.
	DefaultRowsThreshold = 100_000
	// DefaultBytesThreshold is the table size (pg_relation_size) from which
	// the same operations are rated dangerous: 100 MiB.
	DefaultBytesThreshold = 100 << 20
)

// TraceOptions configures Trace. The zero value traces with rollback, a 2s
// lock_timeout, no statement_timeout and the default size thresholds.
type TraceOptions struct {
	// Commit keeps the migration's effects. By default the transaction is
	// rolled back and the schema is checked to be unchanged.
	Commit bool
	// LockTimeout is SET LOCAL lock_timeout inside the traced transaction;
	// zero means DefaultLockTimeout, negative disables it.
	LockTimeout time.Duration
	// StatementTimeout is SET LOCAL statement_timeout; zero or negative
	// means none.
	StatementTimeout time.Duration
	// RowsThreshold and BytesThreshold rate operations by the size of the
	// tables they rewrite or scan: at or above either, a blocking rewrite,
	// scan or index build is dangerous; below both it is safe. Zero means
	// DefaultRowsThreshold / DefaultBytesThreshold; negative disables that
	// threshold.
	RowsThreshold  int64
	BytesThreshold int64
	// Static is the static analysis of the same file (AnalyzeSQL). When
	// set, every finding is confirmed or refuted by what the trace saw (see
	// TraceReport.Comparisons).
	Static *FileReport
	// Logger receives progress; nil discards.
	Logger *slog.Logger
}

func (o TraceOptions) lockTimeout() time.Duration {
	if o.LockTimeout == 0 {
		return DefaultLockTimeout
	}
	return o.LockTimeout
}

func (o TraceOptions) rowsThreshold() int64 {
	if o.RowsThreshold == 0 {
		return DefaultRowsThreshold
	}
	return o.RowsThreshold
}

func (o TraceOptions) bytesThreshold() int64 {
	if o.BytesThreshold == 0 {
		return DefaultBytesThreshold
	}
	return o.BytesThreshold
}

// TraceStatus says what the tracer did with a statement.
type TraceStatus string

// The statuses of a traced statement.
const (
	// TraceTraced: the statement ran inside the traced transaction.
	TraceTraced TraceStatus = "traced"
	// TraceNotTraced: PostgreSQL refuses the statement inside a transaction
	// (CREATE INDEX CONCURRENTLY, VACUUM, ...), so it was not run; Reason
	// says why. Such statements are listed, never dropped.
	TraceNotTraced TraceStatus = "not-traced"
	// TraceControl: BEGIN/COMMIT of the file; the tracer manages the
	// transaction itself and uses them only to know where locks are released.
	TraceControl TraceStatus = "transaction-control"
	// TraceFailed: the statement raised an error (Error); the transaction
	// is aborted.
	TraceFailed TraceStatus = "failed"
	// TraceSkipped: not run because an earlier statement failed.
	TraceSkipped TraceStatus = "skipped"
)

// TraceReport is the result of Trace.
type TraceReport struct {
	// Path of the traced file.
	Path string `json:"path"`
	// ServerVersion is server_version_num (e.g. 150004).
	ServerVersion int `json:"server_version"`
	// Verdict is the worst statement verdict (safe, warn, dangerous).
	Verdict Verdict `json:"verdict"`
	// Committed is true when TraceOptions.Commit kept the changes.
	Committed bool `json:"committed"`
	// SchemaRestored is true when, after the rollback, the catalog
	// (relations, filenodes, columns, constraints, indexes) is identical to
	// the one before the trace. Residual lists any difference.
	SchemaRestored bool           `json:"schema_restored"`
	Residual       []SchemaChange `json:"residual,omitempty"`
	// Statements in file order.
	Statements []TracedStatement `json:"statements"`
	// Comparisons of static findings with the trace (TraceOptions.Static).
	Comparisons []Comparison `json:"comparisons,omitempty"`
	// Duration of the traced transaction, BEGIN to ROLLBACK/COMMIT.
	Duration time.Duration `json:"duration_ns"`
}

// TracedStatement is what one statement did.
type TracedStatement struct {
	Line      int         `json:"line"`
	Column    int         `json:"column"`
	SQL       string      `json:"sql"`
	Operation string      `json:"operation,omitempty"`
	Status    TraceStatus `json:"status"`
	// Reason explains not-traced and skipped statements.
	Reason string `json:"reason,omitempty"`
	// Error is the server's message for a failed statement.
	Error string `json:"error,omitempty"`
	// Duration of the statement itself.
	Duration time.Duration `json:"duration_ns"`
	// Locks are the relation locks this statement newly took on relations
	// that existed before the migration (locks on relations the migration
	// created are invisible to other sessions and left out).
	Locks []TracedLock `json:"locks,omitempty"`
	// Rewrites are pre-existing tables (and materialized views) whose
	// relfilenode changed: their data was copied into a new file.
	Rewrites []TableEffect `json:"rewrites,omitempty"`
	// Scans are pre-existing tables this statement read sequentially
	// (pg_stat_xact_user_tables.seq_scan grew): validation scans of SET NOT
	// NULL / CHECK / FOREIGN KEY, index builds, rewrites, backfills.
	Scans []TableEffect `json:"scans,omitempty"`
	// Changes to the catalog made by this statement.
	Changes []SchemaChange `json:"changes,omitempty"`
	// Verdict and Message rate the statement by lock, effect and size.
	Verdict Verdict `json:"verdict,omitempty"`
	Message string  `json:"message,omitempty"`

	block int // transaction block (for lock hold times)
}

// TracedLock is one relation lock a statement took.
type TracedLock struct {
	// Relation is the qualified relation name, Kind its relkind ("table",
	// "index", ...).
	Relation string `json:"relation"`
	Kind     string `json:"kind"`
	// Mode in SQL spelling: "ACCESS EXCLUSIVE", "SHARE", ...
	Mode string `json:"mode"`
	// Held is how long the lock stayed held: from the start of the
	// statement to the end of its transaction block (the file's COMMIT, or
	// the statement itself for statements outside BEGIN/COMMIT).
	Held time.Duration `json:"held_ns"`
	// Blocking is true for modes that conflict with the ROW EXCLUSIVE lock
	// of INSERT/UPDATE/DELETE (SHARE and stronger): writers wait while it is
	// held. ACCESS EXCLUSIVE also blocks readers.
	Blocking bool `json:"blocking"`
}

// TableEffect names a table a statement rewrote or scanned, with the size
// read before the trace.
type TableEffect struct {
	Relation string `json:"relation"`
	// Rows is pg_class.reltuples, -1 when unknown (never analysed).
	Rows int64 `json:"rows"`
	// Bytes is pg_relation_size.
	Bytes int64 `json:"bytes"`
}

// lockModeSQL maps pg_locks.mode to the SQL name of the lock (as in the
// "Explicit Locking" chapter of the PostgreSQL documentation), with its
// strength rank.
var lockModeSQL = map[string]struct {
	name string
	rank int
}{
	"AccessShareLock":          {"ACCESS SHARE", 1},
	"RowShareLock":             {"ROW SHARE", 2},
	"RowExclusiveLock":         {"ROW EXCLUSIVE", 3},
	"ShareUpdateExclusiveLock": {"SHARE UPDATE EXCLUSIVE", 4},
	"ShareLock":                {"SHARE", 5},
	"ShareRowExclusiveLock":    {"SHARE ROW EXCLUSIVE", 6},
	"ExclusiveLock":            {"EXCLUSIVE", 7},
	"AccessExclusiveLock":      {"ACCESS EXCLUSIVE", 8},
}

// LockModeRank orders lock modes by strength, accepting the pg_locks
// spelling ("ShareLock") or the SQL one ("SHARE"): ACCESS SHARE is 1,
// ACCESS EXCLUSIVE 8, unknown 0. Every mode from SHARE (5) up conflicts with
// the ROW EXCLUSIVE lock writers take.
func LockModeRank(mode string) int {
	if m, ok := lockModeSQL[mode]; ok {
		return m.rank
	}
	u := strings.ToUpper(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(mode), " LOCK")))
	for _, m := range lockModeSQL {
		if m.name == u {
			return m.rank
		}
	}
	return 0
}

type lockKey struct {
	oid  uint32
	mode string
}

// Trace runs the SQL of one migration file inside a single transaction on
// conn and, by default, rolls it back. Before and after each statement it
// reads the session's relation locks (pg_locks), the relfilenode of every
// relation (a new one means a rewrite), the per-transaction scan counters
// (pg_stat_xact_user_tables) and the catalog (columns, constraints,
// indexes), and reports per statement the new locks and how long they were
// held, rewrites, scans and catalog changes, rated by table size.
//
// Trace takes real locks: run it against a snapshot or staging copy (see
// NewSnapshot), or accept that ACCESS EXCLUSIVE locks are held for the
// duration of the trace (bounded by lock_timeout while waiting for them).
//
// An error is returned for I/O failures and unparsable SQL; a statement
// that fails is reported in the TraceReport (status failed) and ends the
// trace.
func Trace(ctx context.Context, conn *pgx.Conn, path string, src []byte, opts TraceOptions) (*TraceReport, error) {
	stmts, err := liveStatements(path, src)
	if err != nil {
		return nil, err
	}
	return traceStatements(ctx, conn, path, stmts, opts)
}

func traceStatements(ctx context.Context, conn *pgx.Conn, path string, stmts []liveStatement, opts TraceOptions) (*TraceReport, error) {
	log := liveLogger(opts.Logger)
	rep := &TraceReport{Path: path}
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&rep.ServerVersion); err != nil {
		return nil, fmt.Errorf("migrate: trace %s: server version: %w", path, err)
	}
	if conn.PgConn().TxStatus() != 'I' {
		return nil, fmt.Errorf("migrate: trace %s: connection is inside a transaction", path)
	}

	// Sizes are read in a short transaction of their own: pg_relation_size
	// takes ACCESS SHARE locks that would otherwise pollute pg_locks.
	sized, err := readSizedSchema(ctx, conn, opts.lockTimeout())
	if err != nil {
		return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
	}
	preexisting := map[uint32]*Relation{}
	for i := range sized.Relations {
		preexisting[sized.Relations[i].OID] = &sized.Relations[i]
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: trace %s: begin: %w", path, err)
	}
	txStart := time.Now()
	finished := false
	defer func() {
		if !finished {
			_ = tx.Rollback(context.Background())
		}
	}()
	if lt := opts.lockTimeout(); lt > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", lt.Milliseconds())); err != nil {
			return nil, fmt.Errorf("migrate: trace %s: set lock_timeout: %w", path, err)
		}
	}
	if opts.StatementTimeout > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", opts.StatementTimeout.Milliseconds())); err != nil {
			return nil, fmt.Errorf("migrate: trace %s: set statement_timeout: %w", path, err)
		}
	}
	initial, err := readSchema(ctx, tx, false)
	if err != nil {
		return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
	}
	schema := initial
	locks, err := readOwnLocks(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
	}
	scans, err := readXactScans(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
	}

	type acquired struct {
		stmt  int
		lock  int
		start time.Time
	}
	var taken []acquired
	blockEnd := map[int]time.Time{}
	block, inBlock := 0, false
	failed := false
	for i, st := range stmts {
		ts := TracedStatement{Line: st.Line, Column: st.Column, SQL: st.SQL, Operation: st.Operation}
		switch {
		case failed:
			ts.Status, ts.Reason = TraceSkipped, "not run: an earlier statement failed and aborted the transaction"
		case st.Control != txNone:
			ts.Status, ts.Reason = TraceControl, "transaction control: the tracer runs the file in one transaction of its own"
			switch st.Control {
			case txBegin:
				block++
				inBlock = true
			case txCommit, txRollback:
				inBlock = false
				block++
			}
		case !st.Transactional:
			ts.Status, ts.Reason = TraceNotTraced, st.NonTxReason+"; not traced (apply runs it outside a transaction)"
		default:
			if !inBlock {
				block++
			}
			ts.block = block
			start := time.Now()
			_, execErr := tx.Exec(ctx, st.SQL)
			ts.Duration = time.Since(start)
			blockEnd[block] = time.Now()
			if !inBlock {
				block++
			}
			if execErr != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("migrate: trace %s:%d: %w", path, st.Line, ctx.Err())
				}
				ts.Status, ts.Error = TraceFailed, execErr.Error()
				var pgErr *pgconn.PgError
				if errors.As(execErr, &pgErr) && pgErr.Code == "55P03" {
					ts.Error += " (lock_timeout: another session holds a conflicting lock)"
				}
				failed = true
				break
			}
			ts.Status = TraceTraced
			newLocks, err := readOwnLocks(ctx, tx)
			if err != nil {
				return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
			}
			newScans, err := readXactScans(ctx, tx)
			if err != nil {
				return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
			}
			after, err := readSchema(ctx, tx, false)
			if err != nil {
				return nil, fmt.Errorf("migrate: trace %s: %w", path, err)
			}
			var lks []lockKey
			for k := range newLocks {
				if _, had := locks[k]; had {
					continue
				}
				if _, pre := preexisting[k.oid]; !pre {
					continue
				}
				lks = append(lks, k)
			}
			sort.Slice(lks, func(a, b int) bool {
				ra, rb := preexisting[lks[a].oid], preexisting[lks[b].oid]
				if ra.QualifiedName() != rb.QualifiedName() {
					return ra.QualifiedName() < rb.QualifiedName()
				}
				return LockModeRank(lks[a].mode) > LockModeRank(lks[b].mode)
			})
			for _, k := range lks {
				rel := preexisting[k.oid]
				m := lockModeSQL[k.mode]
				ts.Locks = append(ts.Locks, TracedLock{Relation: rel.QualifiedName(), Kind: rel.Kind, Mode: m.name, Blocking: m.rank >= 5})
				taken = append(taken, acquired{stmt: i, lock: len(ts.Locks) - 1, start: start})
			}
			before := map[uint32]uint32{}
			for _, r := range schema.Relations {
				before[r.OID] = r.FileNode
			}
			for _, r := range after.Relations {
				pre := preexisting[r.OID]
				if pre == nil || (r.Kind != "table" && r.Kind != "materialized view") {
					continue
				}
				if fn, ok := before[r.OID]; ok && fn != 0 && fn != r.FileNode {
					ts.Rewrites = append(ts.Rewrites, TableEffect{Relation: r.QualifiedName(), Rows: pre.Rows, Bytes: pre.Bytes})
				}
			}
			for oid, n := range newScans {
				pre := preexisting[oid]
				if pre == nil || n <= scans[oid] {
					continue
				}
				ts.Scans = append(ts.Scans, TableEffect{Relation: pre.QualifiedName(), Rows: pre.Rows, Bytes: pre.Bytes})
			}
			sort.Slice(ts.Scans, func(a, b int) bool { return ts.Scans[a].Relation < ts.Scans[b].Relation })
			ts.Changes = DiffSchema(schema, after)
			locks, scans, schema = newLocks, newScans, after
			log.DebugContext(ctx, "traced statement", "path", path, "line", st.Line, "locks", len(ts.Locks), "rewrites", len(ts.Rewrites), "scans", len(ts.Scans))
		}
		rep.Statements = append(rep.Statements, ts)
	}

	var endErr error
	if opts.Commit && !failed {
		endErr = tx.Commit(ctx)
		rep.Committed = endErr == nil
	} else {
		endErr = tx.Rollback(ctx)
	}
	finished = true
	txEnd := time.Now()
	rep.Duration = txEnd.Sub(txStart)
	if endErr != nil {
		return nil, fmt.Errorf("migrate: trace %s: end transaction: %w", path, endErr)
	}
	for _, a := range taken {
		ts := &rep.Statements[a.stmt]
		end, ok := blockEnd[ts.block]
		if !ok {
			end = txEnd
		}
		ts.Locks[a.lock].Held = end.Sub(a.start)
	}
	if !rep.Committed {
		final, err := readSchema(ctx, conn, false)
		if err != nil {
			return nil, fmt.Errorf("migrate: trace %s: re-read schema after rollback: %w", path, err)
		}
		rep.Residual = DiffSchema(initial, final)
		rep.SchemaRestored = len(rep.Residual) == 0
	}
	rateTrace(rep, opts)
	if opts.Static != nil {
		rateUntraced(rep, opts.Static)
		rep.Comparisons = CompareTrace(opts.Static, rep)
	}
	return rep, nil
}

// readSizedSchema reads the schema with sizes in a read-only transaction
// bounded by lock_timeout.
func readSizedSchema(ctx context.Context, conn *pgx.Conn, lockTimeout time.Duration) (*Schema, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("read sizes: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if lockTimeout > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", lockTimeout.Milliseconds())); err != nil {
			return nil, fmt.Errorf("read sizes: %w", err)
		}
	}
	s, err := readSchema(ctx, tx, true)
	if err != nil {
		return nil, err
	}
	return s, tx.Commit(ctx)
}

// readOwnLocks returns this session's relation locks in the current database.
func readOwnLocks(ctx context.Context, db Querier) (map[lockKey]bool, error) {
	rows, err := db.Query(ctx, `
SELECT relation::int8, mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		return nil, fmt.Errorf("read pg_locks: %w", err)
	}
	defer rows.Close()
	out := map[lockKey]bool{}
	for rows.Next() {
		var oid int64
		var mode string
		if err := rows.Scan(&oid, &mode); err != nil {
			return nil, fmt.Errorf("read pg_locks: %w", err)
		}
		out[lockKey{uint32(oid), mode}] = true
	}
	return out, rows.Err()
}

// readXactScans returns the sequential-scan counts of the current
// transaction per table (pg_stat_xact_user_tables).
func readXactScans(ctx context.Context, db Querier) (map[uint32]int64, error) {
	rows, err := db.Query(ctx, `SELECT relid::int8, seq_scan FROM pg_stat_xact_user_tables`)
	if err != nil {
		return nil, fmt.Errorf("read pg_stat_xact_user_tables: %w", err)
	}
	defer rows.Close()
	out := map[uint32]int64{}
	for rows.Next() {
		var oid, n int64
		if err := rows.Scan(&oid, &n); err != nil {
			return nil, fmt.Errorf("read pg_stat_xact_user_tables: %w", err)
		}
		out[uint32(oid)] = n
	}
	return out, rows.Err()
}

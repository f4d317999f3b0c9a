package migrate

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults of ApplyOptions.
const (
	DefaultRetries       = 5
	DefaultRetryBase     = 500 * time.Millisecond
	DefaultRetryMax      = 10 * time.Second
	DefaultProgressTable = "deploykit_migrations"
)

// Sentinel errors of Apply; test with errors.Is.
var (
	// ErrMigratorRunning: another migrator holds the advisory lock and
	// ApplyOptions.Wait is false.
	ErrMigratorRunning = errors.New("migrate: another migrator is running (advisory lock held)")
	// ErrLockTimeout: a unit kept failing on lock_timeout (or deadlock)
	// after the bounded retries. The unit was rolled back.
	ErrLockTimeout = errors.New("migrate: lock_timeout: retries exhausted")
	// ErrDangerous: the static analysis rated a file dangerous and
	// ApplyOptions.Force is false. Nothing was run.
	ErrDangerous = errors.New("migrate: static analysis verdict is dangerous")
	// ErrNotModelled: the static analysis met a statement that takes a
	// blocking lock (or runs dynamic SQL) that no rule models, so its
	// "safe" or "warn" verdict cannot be trusted; ApplyOptions.Force is
	// false. Nothing was run. Suppress the finding (-- deploykit:ignore
	// DKM090) once the statement is checked by hand.
	ErrNotModelled = errors.New("migrate: static analysis cannot vouch for a statement it does not model")
	// ErrChecksumMismatch: a unit recorded as applied has different SQL now
	// (the file was edited after it was applied).
	ErrChecksumMismatch = errors.New("migrate: applied migration was modified")
)

// ApplyOptions configures Apply. The zero value applies for real with a 2s
// lock_timeout, no statement_timeout, 5 retries (0.5s, 1s, 2s, 4s, 8s
// backoff with jitter), the progress table deploykit_migrations, and exits
// with ErrMigratorRunning when another migrator holds the lock.
type ApplyOptions struct {
	// LockTimeout is the lock_timeout of every statement; zero means
	// DefaultLockTimeout (2s), negative disables it (not recommended: a
	// queued ACCESS EXCLUSIVE request blocks every later query on the table).
	LockTimeout time.Duration
	// StatementTimeout is the statement_timeout of every statement; zero
	// or negative means none.
	StatementTimeout time.Duration
	// Retries is how often a unit that failed on lock_timeout (SQLSTATE
	// 55P03) or a deadlock (40P01) is retried; zero means DefaultRetries,
	// negative means no retry.
	Retries int
	// RetryBase and RetryMax shape the backoff: the n-th retry waits
	// min(RetryBase*2^(n-1), RetryMax), scaled by a random factor in
	// [0.5, 1) (jitter, so that competing migrators do not retry in step).
	// Zero means DefaultRetryBase / DefaultRetryMax.
	RetryBase, RetryMax time.Duration
	// Wait makes Apply wait (polling, cancellable through ctx) for another
	// migrator's advisory lock instead of returning ErrMigratorRunning.
	Wait bool
	// AdvisoryKey is the key of the session advisory lock; zero means a
	// fixed key derived from "deploykit.migrate".
	AdvisoryKey int64
	// ProgressTable records applied units (optionally schema-qualified);
	// empty means DefaultProgressTable.
	ProgressTable string
	// DryRun plans and renders (ApplyReport.Script) without changing
	// anything: no progress table, no lock, no statement. The connection
	// may be nil; when it is not, already applied units are shown as such.
	DryRun bool
	// Force applies files whose static verdict is dangerous.
	Force bool
	// RecordDjango records every file as a Django migration in
	// django_migrations (app, name, applied = now()), deriving app and name
	// from the file name (ParseDjangoFileName) unless ApplyFile.DjangoApp
	// and DjangoName are set. The row is inserted, unless it exists, in the
	// same transaction as the file's last transactional unit; when the last
	// unit runs outside a transaction (CREATE INDEX CONCURRENTLY, atomic =
	// False), right after it succeeds (a crash in between is repaired by the
	// next run). A missing django_migrations table is
	// ErrNoDjangoMigrationsTable; a file with RunPython is ErrDjangoNotSQL.
	RecordDjango bool
	// Analyze is the static analysis used to refuse dangerous files; nil
	// means AnalyzeSQL with the server's major version.
	Analyze func(path string, src []byte) (*FileReport, error)
	// Pooled makes Apply keep no session state, for connections through a
	// transaction-pooling PgBouncer (Azure's built-in one on port 6432):
	// instead of a session advisory lock each transaction takes
	// pg_advisory_xact_lock and re-checks the progress table, and timeouts
	// are SET LOCAL. Statements that cannot run in a transaction get no
	// lock_timeout there (a session SET may land on another server
	// connection): set it on the role (ALTER ROLE ... SET lock_timeout) or
	// run such migrations on the direct port (5432).
	Pooled bool
	// Logger receives progress; nil discards.
	Logger *slog.Logger
	// Out receives the dry-run script as it is rendered; nil means only
	// ApplyReport.Script.
	Out io.Writer
}

func (o *ApplyOptions) lockTimeout() time.Duration {
	if o.LockTimeout == 0 {
		return DefaultLockTimeout
	}
	return o.LockTimeout
}

func (o *ApplyOptions) retries() int {
	switch {
	case o.Retries == 0:
		return DefaultRetries
	case o.Retries < 0:
		return 0
	}
	return o.Retries
}

func (o *ApplyOptions) backoff(retry int, rnd func() float64) time.Duration {
	base, maxD := o.RetryBase, o.RetryMax
	if base <= 0 {
		base = DefaultRetryBase
	}
	if maxD <= 0 {
		maxD = DefaultRetryMax
	}
	d := base
	for i := 1; i < retry && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	return time.Duration(float64(d) * (0.5 + 0.5*rnd()))
}

func (o *ApplyOptions) advisoryKey() int64 {
	if o.AdvisoryKey != 0 {
		return o.AdvisoryKey
	}
	h := fnv.New64a()
	h.Write([]byte("deploykit.migrate"))
	return int64(h.Sum64() >> 1)
}

func (o *ApplyOptions) progressIdent() string {
	if o.ProgressTable == "" {
		return quoteQualified(DefaultProgressTable)
	}
	return quoteQualified(o.ProgressTable)
}

// UnitStatus is what Apply did with a unit.
type UnitStatus string

// The unit statuses of an ApplyReport.
const (
	UnitApplied        UnitStatus = "applied"
	UnitAlreadyApplied UnitStatus = "already-applied"
	UnitWouldApply     UnitStatus = "would-apply" // dry run
	UnitFailed         UnitStatus = "failed"
)

// UnitResult reports one unit.
type UnitResult struct {
	ApplyUnit
	Status UnitStatus `json:"status"`
	// Attempts is 1 plus the number of retries.
	Attempts int           `json:"attempts,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	Error    string        `json:"error,omitempty"`
}

// ApplyReport is the result of Apply.
type ApplyReport struct {
	Units []UnitResult `json:"units"`
	// Script is the dry-run rendering (RenderApplyPlan).
	Script string `json:"script,omitempty"`
	// Static holds the static analysis of each file.
	Static []*FileReport `json:"-"`
}

// ApplyError reports the unit that stopped Apply. Errors before it were
// committed and recorded; a rerun resumes at this unit.
type ApplyError struct {
	File     string
	Unit     int
	Line     int
	Attempts int
	Err      error
}

// Error implements error.
func (e *ApplyError) Error() string {
	s := fmt.Sprintf("migrate: apply %s unit %d (line %d)", e.File, e.Unit, e.Line)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause (ErrLockTimeout, ErrChecksumMismatch, a *pgconn.PgError, ...).
func (e *ApplyError) Unwrap() error { return e.Err }

// Apply runs migration files on conn, safely:
//
//   - files whose static verdict is dangerous are refused (ErrDangerous)
//     unless Force is set, before anything runs;
//   - a session advisory lock lets only one migrator run (ErrMigratorRunning
//     or, with Wait, waiting);
//   - every statement runs with lock_timeout (default 2s) and the optional
//     statement_timeout, so a migration waiting for a lock never queues the
//     application's queries for longer than that;
//   - a unit that fails on lock_timeout or a deadlock is rolled back and
//     retried with exponential backoff and jitter, a bounded number of times
//     (then ErrLockTimeout);
//   - statements that cannot run in a transaction run outside one, and an
//     INVALID index left by an interrupted CREATE INDEX CONCURRENTLY is
//     dropped before its retry;
//   - each unit is recorded in the progress table in the same transaction
//     (right after, for non-transactional ones), so a run killed at any point
//     resumes where it stopped and never applies a unit twice.
//
// With DryRun nothing is changed and ApplyReport.Script holds the exact SQL
// that would be sent.
func Apply(ctx context.Context, conn *pgx.Conn, files []ApplyFile, opts ApplyOptions) (*ApplyReport, error) {
	log := liveLogger(opts.Logger)
	files, err := prepareDjangoFiles(files, &opts)
	if err != nil {
		return nil, err
	}
	units, err := PlanApply(files)
	if err != nil {
		return nil, err
	}
	rep := &ApplyReport{}
	if !opts.Force {
		analyze := opts.Analyze
		if analyze == nil {
			major := 0
			if conn != nil {
				var v int
				if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err == nil {
					major = v // server_version_num: the analysis knows minor-version bugs
				}
			}
			analyze = func(path string, src []byte) (*FileReport, error) {
				return AnalyzeSQL(path, src, Options{PGVersion: major})
			}
		}
		var dangerous, unmodelled []string
		for _, f := range files {
			fr, err := analyze(f.Name, f.SQL)
			if err != nil {
				return nil, err
			}
			rep.Static = append(rep.Static, fr)
			if fr.Verdict == VerdictDangerous {
				dangerous = append(dangerous, f.Name)
			} else if hasNotModelled(fr) {
				unmodelled = append(unmodelled, f.Name)
			}
		}
		if len(dangerous) > 0 {
			return rep, fmt.Errorf("%w: %v (use Force to apply anyway)", ErrDangerous, dangerous)
		}
		if len(unmodelled) > 0 {
			return rep, fmt.Errorf("%w: %v (check the %s findings by hand or trace them, then suppress them or use Force)", ErrNotModelled, unmodelled, RuleNotModelled)
		}
	}

	if opts.DryRun {
		done := map[string]bool{}
		if conn != nil && recordsDjango(units) {
			if err := checkDjangoTable(ctx, conn); err != nil {
				return nil, err
			}
		}
		if conn != nil {
			if done, err = readProgressIfExists(ctx, conn, &opts); err != nil {
				return nil, err
			}
		}
		rep.Script = RenderApplyPlan(units, done, opts)
		for _, u := range units {
			st := UnitWouldApply
			if done[unitKey(&u)] {
				st = UnitAlreadyApplied
			}
			rep.Units = append(rep.Units, UnitResult{ApplyUnit: u, Status: st})
		}
		if opts.Out != nil {
			if _, err := io.WriteString(opts.Out, rep.Script); err != nil {
				return rep, err
			}
		}
		return rep, nil
	}
	if conn == nil {
		return nil, errors.New("migrate: apply: no connection")
	}
	if conn.PgConn().TxStatus() != 'I' {
		return nil, errors.New("migrate: apply: connection is inside a transaction")
	}

	if recordsDjango(units) {
		if err := checkDjangoTable(ctx, conn); err != nil {
			return nil, err
		}
	}
	if err := ensureProgressTable(ctx, conn, &opts); err != nil {
		return nil, err
	}
	if !opts.Pooled {
		release, err := acquireMigratorLock(ctx, conn, &opts, log)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	recorded, err := readProgress(ctx, conn, &opts)
	if err != nil {
		return nil, err
	}
	rnd := rand.Float64
	for i := range units {
		u := &units[i]
		if sum, ok := recorded[unitKey(u)]; ok {
			if sum != u.Checksum {
				return rep, &ApplyError{File: u.File, Unit: u.Index, Line: u.Line, Err: fmt.Errorf("%w: recorded checksum %s, file now has %s", ErrChecksumMismatch, sum, u.Checksum)}
			}
			if err := recordDjangoAfterNonTx(ctx, conn, u); err != nil {
				return rep, &ApplyError{File: u.File, Unit: u.Index, Line: u.Line, Err: err}
			}
			rep.Units = append(rep.Units, UnitResult{ApplyUnit: *u, Status: UnitAlreadyApplied})
			continue
		}
		res := UnitResult{ApplyUnit: *u}
		start := time.Now()
		var runErr error
		for attempt := 0; ; attempt++ {
			res.Attempts = attempt + 1
			var skipped bool
			skipped, runErr = runUnit(ctx, conn, u, &opts)
			if runErr == nil {
				res.Status = UnitApplied
				if skipped {
					res.Status = UnitAlreadyApplied
				}
				break
			}
			if !retryable(runErr) || attempt >= opts.retries() || ctx.Err() != nil {
				break
			}
			wait := opts.backoff(attempt+1, rnd)
			log.WarnContext(ctx, "lock not available, retrying", "file", u.File, "unit", u.Index, "attempt", attempt+1, "wait", wait, "err", runErr)
			select {
			case <-ctx.Done():
				runErr = ctx.Err()
			case <-time.After(wait):
				continue
			}
			break
		}
		res.Duration = time.Since(start)
		if runErr != nil {
			res.Status, res.Error = UnitFailed, runErr.Error()
			rep.Units = append(rep.Units, res)
			err := runErr
			if retryable(runErr) {
				err = fmt.Errorf("%w: %w", ErrLockTimeout, runErr)
			}
			return rep, &ApplyError{File: u.File, Unit: u.Index, Line: u.Line, Attempts: res.Attempts, Err: err}
		}
		log.InfoContext(ctx, "applied", "file", u.File, "unit", u.Index, "attempts", res.Attempts, "duration", res.Duration)
		rep.Units = append(rep.Units, res)
	}
	return rep, nil
}

// recordDjangoAfterNonTx records the Django migration of a
// non-transactional unit that is already applied: its progress row and the
// django_migrations row are written one after the other, so a crash in
// between leaves the second to the next run (the insert is idempotent).
func recordDjangoAfterNonTx(ctx context.Context, conn *pgx.Conn, u *ApplyUnit) error {
	if u.DjangoApp == "" || u.Transactional {
		return nil
	}
	if _, err := conn.Exec(ctx, djangoRecordSQL(u)); err != nil {
		return fmt.Errorf("record %s.%s in %s: %w", u.DjangoApp, u.DjangoName, DjangoMigrationsTable, err)
	}
	return nil
}

// retryable reports lock_not_available (lock_timeout) and deadlock_detected.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "40P01")
}

// runUnit sends the unit's steps. skipped is true when, in pooled mode, the
// unit turned out to be applied already by another migrator.
func runUnit(ctx context.Context, conn *pgx.Conn, u *ApplyUnit, opts *ApplyOptions) (skipped bool, err error) {
	defer func() {
		if err != nil && !conn.IsClosed() {
			// Leave the session clean: no open transaction, no session SET.
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if conn.PgConn().TxStatus() != 'I' {
				_, _ = conn.Exec(c, "ROLLBACK")
			}
			if !u.Transactional && !opts.Pooled {
				_, _ = conn.Exec(c, "RESET lock_timeout")
				_, _ = conn.Exec(c, "RESET statement_timeout")
			}
		}
	}()
	if !u.Transactional && u.IndexName != "" {
		done, err := prepareConcurrentIndex(ctx, conn, u, opts)
		if err == nil && done {
			err = recordDjangoAfterNonTx(ctx, conn, u)
		}
		if err != nil || done {
			return done, err
		}
	}
	for _, s := range unitSteps(u, opts) {
		switch s.kind {
		case stepComment:
			continue
		case stepSkipIfDone:
			var done bool
			if err := conn.QueryRow(ctx, s.sql).Scan(&done); err != nil {
				return false, err
			}
			if done {
				if conn.PgConn().TxStatus() != 'I' {
					_, err := conn.Exec(ctx, "ROLLBACK")
					return true, err
				}
				return true, recordDjangoAfterNonTx(ctx, conn, u)
			}
		default:
			if _, err := conn.Exec(ctx, s.sql); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// prepareConcurrentIndex handles an index left by an interrupted CREATE
// INDEX CONCURRENTLY: an INVALID one is dropped (concurrently) so the build
// can be retried; a valid one means the build finished but was not
// recorded, so it is recorded now.
func prepareConcurrentIndex(ctx context.Context, conn *pgx.Conn, u *ApplyUnit, opts *ApplyOptions) (done bool, err error) {
	ident := pgx.Identifier{u.IndexName}
	if u.IndexSchema != "" {
		ident = pgx.Identifier{u.IndexSchema, u.IndexName}
	}
	name := ident.Sanitize()
	var valid bool
	err = conn.QueryRow(ctx, `SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, name).Scan(&valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check index %s: %w", name, err)
	}
	var builder int32
	err = conn.QueryRow(ctx, `SELECT coalesce((SELECT pid FROM pg_stat_progress_create_index WHERE index_relid = to_regclass($1) LIMIT 1), 0)`, name).Scan(&builder)
	if err != nil {
		return false, fmt.Errorf("check index %s: %w", name, err)
	}
	if builder != 0 {
		return false, fmt.Errorf("index %s is being built by another session (pid %d); not touching it", name, builder)
	}
	// Read the validity again: a build by another session may have finished
	// between the first look and the progress check, and a finished index
	// must never be taken for an interrupted one. No new build can start in
	// between, since the name is taken.
	err = conn.QueryRow(ctx, `SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, name).Scan(&valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check index %s: %w", name, err)
	}
	if valid {
		_, err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s (file, unit, checksum) VALUES (%s, %d, %s)", opts.progressIdent(), quoteLiteral(u.File), u.Index, quoteLiteral(u.Checksum)))
		return err == nil, err
	}
	if _, err := conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+name); err != nil {
		return false, fmt.Errorf("drop invalid index %s left by an interrupted build: %w", name, err)
	}
	return false, nil
}

func ensureProgressTable(ctx context.Context, conn *pgx.Conn, opts *ApplyOptions) error {
	sql := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", opts.progressIdent(), progressColumns)
	if _, err := conn.Exec(ctx, sql); err != nil {
		var pgErr *pgconn.PgError
		// Two migrators creating the table at once: one loses the race on
		// the catalog's unique index; the table exists either way.
		if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P07") {
			return nil
		}
		return fmt.Errorf("migrate: create progress table: %w", err)
	}
	return nil
}

func readProgress(ctx context.Context, conn *pgx.Conn, opts *ApplyOptions) (map[string]string, error) {
	rows, err := conn.Query(ctx, fmt.Sprintf("SELECT file, unit, checksum FROM %s", opts.progressIdent()))
	if err != nil {
		return nil, fmt.Errorf("migrate: read progress: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var f, sum string
		var n int
		if err := rows.Scan(&f, &n, &sum); err != nil {
			return nil, fmt.Errorf("migrate: read progress: %w", err)
		}
		out[fmt.Sprintf("%s#%d", f, n)] = sum
	}
	return out, rows.Err()
}

func readProgressIfExists(ctx context.Context, conn *pgx.Conn, opts *ApplyOptions) (map[string]bool, error) {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", opts.progressIdent()).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrate: read progress: %w", err)
	}
	done := map[string]bool{}
	if !exists {
		return done, nil
	}
	rec, err := readProgress(ctx, conn, opts)
	if err != nil {
		return nil, err
	}
	for k := range rec {
		done[k] = true
	}
	return done, nil
}

// acquireMigratorLock takes the session advisory lock, polling when
// opts.Wait, and returns its release.
func acquireMigratorLock(ctx context.Context, conn *pgx.Conn, opts *ApplyOptions, log *slog.Logger) (func(), error) {
	key := opts.advisoryKey()
	for {
		var ok bool
		if err := conn.QueryRow(ctx, fmt.Sprintf("SELECT pg_try_advisory_lock(%d)", key)).Scan(&ok); err != nil {
			return nil, fmt.Errorf("migrate: advisory lock: %w", err)
		}
		if ok {
			break
		}
		if !opts.Wait {
			return nil, ErrMigratorRunning
		}
		log.InfoContext(ctx, "waiting for another migrator", "key", key)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("migrate: waiting for another migrator: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	return func() {
		if conn.IsClosed() {
			return // the server released the lock with the session
		}
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.Exec(c, fmt.Sprintf("SELECT pg_advisory_unlock(%d)", key))
	}, nil
}

// hasNotModelled reports whether the analysis met a statement it does not
// model: the verdict is then no proof of safety.
func hasNotModelled(fr *FileReport) bool {
	if fr == nil {
		return false
	}
	for _, f := range fr.Findings {
		if f.Rule == RuleNotModelled {
			return true
		}
	}
	return false
}

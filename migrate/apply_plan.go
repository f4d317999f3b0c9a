package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ApplyFile is one migration file to apply.
type ApplyFile struct {
	// Name identifies the file in the progress table; it must stay stable
	// between runs (use the path relative to the migrations directory).
	Name string
	// SQL is the file's content.
	SQL []byte
	// DjangoApp and DjangoName, when both set, name the Django migration
	// this file is the sqlmigrate output of ("blog", "0003_post_views"):
	// Apply records it in django_migrations in the same transaction as the
	// file's last transactional unit (see ApplyOptions.RecordDjango to
	// derive them from file names).
	DjangoApp, DjangoName string
}

// ApplyUnit is the smallest piece Apply runs and records: either one
// transaction (a BEGIN ... COMMIT block of the file, or a single statement
// outside such a block) or one statement PostgreSQL refuses inside a
// transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...), run on its own.
type ApplyUnit struct {
	// File is ApplyFile.Name; Index numbers the units of a file from 1.
	File  string `json:"file"`
	Index int    `json:"unit"`
	// Transactional is false for a statement run outside a transaction.
	Transactional bool `json:"transactional"`
	// Line is where the unit starts in the file.
	Line int `json:"line"`
	// Statements are the SQL statements of the unit, without BEGIN/COMMIT.
	Statements []string `json:"statements"`
	// Checksum (SHA-256 of the statements) is recorded with the unit; a
	// recorded unit whose checksum no longer matches is an error.
	Checksum string `json:"checksum"`

	// NonTxReason says why the unit runs outside a transaction.
	NonTxReason string `json:"non_transactional_reason,omitempty"`
	// IndexSchema/IndexName name the index of a CREATE INDEX CONCURRENTLY
	// unit, so that a half-built (INVALID) index left by a crash or a lock
	// timeout is dropped before the retry.
	IndexSchema string `json:"-"`
	IndexName   string `json:"-"`
	// DjangoApp/DjangoName are set on the last unit of a file recorded in
	// django_migrations.
	DjangoApp  string `json:"django_app,omitempty"`
	DjangoName string `json:"django_name,omitempty"`

	stmts []liveStatement
}

// PlanError is a migration file PlanApply cannot split into units: a bad
// input, positioned at the file, line and column (0 when unknown), with what
// was expected. Commands exit 2 on it, as on a *SyntaxError.
type PlanError struct {
	Path         string
	Line, Column int
	Msg          string
}

// Error formats the error as "path:line:col: msg".
func (e *PlanError) Error() string {
	s := e.Path
	if s == "" {
		s = "migrate: apply"
	}
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			s += fmt.Sprintf(":%d", e.Column)
		}
	}
	return s + ": " + e.Msg
}

// PlanApply splits files into units. BEGIN ... COMMIT blocks become one
// transaction each; statements outside a block run as their own
// transaction (autocommit, as psql would run them); statements that cannot
// run in a transaction run alone. A non-transactional statement inside a
// BEGIN block, a nested BEGIN, a ROLLBACK or a BEGIN without COMMIT is an
// error naming the file and line.
func PlanApply(files []ApplyFile) ([]ApplyUnit, error) {
	var units []ApplyUnit
	seen := map[string]bool{}
	for _, f := range files {
		if f.Name == "" {
			return nil, &PlanError{Msg: "a file has no name"}
		}
		if seen[f.Name] {
			return nil, &PlanError{Path: f.Name, Msg: "file given twice"}
		}
		seen[f.Name] = true
		stmts, err := liveStatements(f.Name, f.SQL)
		if err != nil {
			return nil, err
		}
		var cur *ApplyUnit
		beginLine := 0
		add := func(u ApplyUnit) {
			u.File = f.Name
			u.Index = countUnits(units, f.Name) + 1
			units = append(units, u)
		}
		for _, st := range stmts {
			switch st.Control {
			case txBegin:
				if cur != nil {
					return nil, &PlanError{Path: f.Name, Line: st.Line, Column: st.Column, Msg: fmt.Sprintf("BEGIN inside the transaction opened at line %d", beginLine)}
				}
				cur = &ApplyUnit{Transactional: true, Line: st.Line}
				beginLine = st.Line
				continue
			case txCommit:
				if cur == nil {
					return nil, &PlanError{Path: f.Name, Line: st.Line, Column: st.Column, Msg: "COMMIT without BEGIN"}
				}
				if len(cur.stmts) > 0 {
					add(*cur)
				}
				cur = nil
				continue
			case txRollback, txOther:
				return nil, &PlanError{Path: f.Name, Line: st.Line, Column: st.Column, Msg: fmt.Sprintf("%q is not supported in a migration file (want only BEGIN and COMMIT as transaction control)", firstWord(st.SQL))}
			}
			if !st.Transactional {
				if cur != nil {
					return nil, &PlanError{Path: f.Name, Line: st.Line, Column: st.Column, Msg: fmt.Sprintf("%s, but it is inside the BEGIN at line %d (want it after COMMIT)", st.NonTxReason, beginLine)}
				}
				add(ApplyUnit{Line: st.Line, NonTxReason: st.NonTxReason, IndexSchema: st.IndexSchema, IndexName: st.IndexName, stmts: []liveStatement{st}})
				continue
			}
			if cur != nil {
				cur.stmts = append(cur.stmts, st)
				continue
			}
			add(ApplyUnit{Transactional: true, Line: st.Line, stmts: []liveStatement{st}})
		}
		if cur != nil {
			return nil, &PlanError{Path: f.Name, Line: beginLine, Msg: "BEGIN without COMMIT (want a COMMIT before the end of the file)"}
		}
		if f.DjangoApp != "" || f.DjangoName != "" {
			if f.DjangoApp == "" || f.DjangoName == "" {
				return nil, &PlanError{Path: f.Name, Msg: "DjangoApp and DjangoName must both be set"}
			}
			if strings.Contains(string(f.SQL), djangoCannotBeSQL) {
				return nil, fmt.Errorf("%w: %s (%s.%s); run it with manage.py migrate", ErrDjangoNotSQL, f.Name, f.DjangoApp, f.DjangoName)
			}
			if countUnits(units, f.Name) == 0 {
				// No SQL (e.g. AlterModelOptions): a unit that only records.
				add(ApplyUnit{Transactional: true, Line: 1})
			}
			last := &units[len(units)-1]
			last.DjangoApp, last.DjangoName = f.DjangoApp, f.DjangoName
		}
	}
	for i := range units {
		u := &units[i]
		h := sha256.New()
		for _, st := range u.stmts {
			u.Statements = append(u.Statements, st.SQL)
			h.Write([]byte(st.SQL))
			h.Write([]byte{0})
		}
		u.Checksum = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return units, nil
}

func countUnits(units []ApplyUnit, file string) int {
	n := 0
	for _, u := range units {
		if u.File == file {
			n++
		}
	}
	return n
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.ToUpper(f[0])
	}
	return s
}

// stepKind is what the executor does with a step.
type stepKind int

const (
	stepExec       stepKind = iota // run SQL
	stepSkipIfDone                 // query returning a bool; true: roll back and skip the unit
	stepComment                    // only printed
)

type applyStep struct {
	kind stepKind
	sql  string
}

// unitSteps is the exact sequence of SQL the executor sends for a unit (the
// dry run prints the same list).
func unitSteps(u *ApplyUnit, opts *ApplyOptions) []applyStep {
	var out []applyStep
	record := fmt.Sprintf("INSERT INTO %s (file, unit, checksum) VALUES (%s, %d, %s)",
		opts.progressIdent(), quoteLiteral(u.File), u.Index, quoteLiteral(u.Checksum))
	lt, stt := opts.lockTimeout(), opts.StatementTimeout
	if u.Transactional {
		out = append(out, applyStep{stepExec, "BEGIN"})
		if lt > 0 {
			out = append(out, applyStep{stepExec, fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", lt.Milliseconds())})
		}
		if stt > 0 {
			out = append(out, applyStep{stepExec, fmt.Sprintf("SET LOCAL statement_timeout = '%dms'", stt.Milliseconds())})
		}
		if opts.Pooled {
			// Transaction pooling: no session state, so the advisory lock and
			// the "already applied?" check live inside the transaction.
			out = append(out,
				applyStep{stepExec, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", opts.advisoryKey())},
				applyStep{stepSkipIfDone, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE file = %s AND unit = %d)", opts.progressIdent(), quoteLiteral(u.File), u.Index)})
		}
		for _, s := range u.Statements {
			out = append(out, applyStep{stepExec, s})
		}
		out = append(out, applyStep{stepExec, record})
		if u.DjangoApp != "" {
			out = append(out, applyStep{stepExec, djangoRecordSQL(u)})
		}
		out = append(out, applyStep{stepExec, "COMMIT"})
		return out
	}
	if !opts.Pooled {
		if lt > 0 {
			out = append(out, applyStep{stepExec, fmt.Sprintf("SET lock_timeout = '%dms'", lt.Milliseconds())})
		}
		if stt > 0 {
			out = append(out, applyStep{stepExec, fmt.Sprintf("SET statement_timeout = '%dms'", stt.Milliseconds())})
		}
	} else {
		out = append(out,
			applyStep{stepComment, "-- transaction pooling: no session SET is reliable; this statement runs with the role's lock_timeout"},
			applyStep{stepSkipIfDone, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE file = %s AND unit = %d)", opts.progressIdent(), quoteLiteral(u.File), u.Index)})
	}
	if u.IndexName != "" {
		out = append(out, applyStep{stepComment, "-- if an INVALID index " + u.IndexName + " was left by an interrupted build, it is dropped first (DROP INDEX CONCURRENTLY)"})
	}
	out = append(out, applyStep{stepExec, u.Statements[0]}, applyStep{stepExec, record})
	if u.DjangoApp != "" {
		out = append(out, applyStep{stepExec, djangoRecordSQL(u)})
	}
	if !opts.Pooled {
		if lt > 0 {
			out = append(out, applyStep{stepExec, "RESET lock_timeout"})
		}
		if stt > 0 {
			out = append(out, applyStep{stepExec, "RESET statement_timeout"})
		}
	}
	return out
}

// RenderApplyPlan writes the SQL Apply would send for units, in order, as a
// psql-compatible script: this is what a dry run prints. done lists the
// units already recorded in the progress table ("file#unit"), which are
// shown as skipped.
func RenderApplyPlan(units []ApplyUnit, done map[string]bool, opts ApplyOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- deploykit apply plan: %d unit(s); lock_timeout %s, statement_timeout %s, up to %d retries on lock timeout\n",
		len(units), durationOrOff(opts.lockTimeout()), durationOrOff(opts.StatementTimeout), opts.retries())
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (%s);\n", opts.progressIdent(), progressColumns)
	if !opts.Pooled {
		fmt.Fprintf(&b, "SELECT pg_try_advisory_lock(%d); -- another migrator holds it: %s\n", opts.advisoryKey(), map[bool]string{true: "wait", false: "exit"}[opts.Wait])
	}
	for i := range units {
		u := &units[i]
		kind := "one transaction"
		if !u.Transactional {
			kind = "outside a transaction: " + u.NonTxReason
		}
		if done[unitKey(u)] {
			fmt.Fprintf(&b, "\n-- %s unit %d (line %d): already applied, skipped\n", u.File, u.Index, u.Line)
			continue
		}
		fmt.Fprintf(&b, "\n-- %s unit %d (line %d): %s\n", u.File, u.Index, u.Line, kind)
		for _, s := range unitSteps(u, &opts) {
			switch s.kind {
			case stepComment:
				b.WriteString(s.sql + "\n")
			case stepSkipIfDone:
				b.WriteString(s.sql + "; -- true: skip the unit (rolling back if in a transaction)\n")
			default:
				b.WriteString(strings.TrimRight(s.sql, "; \n\t") + ";\n")
			}
		}
	}
	if !opts.Pooled {
		fmt.Fprintf(&b, "\nSELECT pg_advisory_unlock(%d);\n", opts.advisoryKey())
	}
	return b.String()
}

const progressColumns = "file text NOT NULL, unit integer NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (file, unit)"

func unitKey(u *ApplyUnit) string { return fmt.Sprintf("%s#%d", u.File, u.Index) }

func durationOrOff(d time.Duration) string {
	if d <= 0 {
		return "off"
	}
	return d.String()
}

// quoteLiteral quotes s as a SQL string literal (standard_conforming_strings,
// the default since PostgreSQL 9.1).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func quoteQualified(name string) string {
	parts := strings.Split(name, ".")
	return pgx.Identifier(parts).Sanitize()
}

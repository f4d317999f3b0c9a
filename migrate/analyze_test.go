package migrate

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// want is one expected finding: rule, severity, and the lock/rewrite/scan
// facts taken from the PostgreSQL documentation cited in each case.
type want struct {
	rule    string
	sev     Severity
	lock    string
	rewrite bool
	scan    bool
}

func (w want) String() string {
	return fmt.Sprintf("%s/%s lock=%q rewrite=%v scan=%v", w.rule, w.sev, w.lock, w.rewrite, w.scan)
}

// findingsOf returns the findings as wants, without the lock_timeout info
// (checked separately) so each case states only what it is about.
func findingsOf(rep *FileReport) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Rule == RuleLockTimeout {
			continue
		}
		out = append(out, want{f.Rule, f.Severity, f.Lock, f.Rewrite, f.Scan}.String())
	}
	sort.Strings(out)
	return out
}

func wants(ws ...want) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	sort.Strings(out)
	return out
}

const (
	ae  = "ACCESS EXCLUSIVE"
	sh  = "SHARE"
	sre = "SHARE ROW EXCLUSIVE"
	sue = "SHARE UPDATE EXCLUSIVE"
	rx  = "ROW EXCLUSIVE"
)

// TestStatementKinds checks every statement kind the analyser knows. Each
// case's expectation comes from the PostgreSQL 14 documentation section
// named in its comment, not from the analyser. Tables not created in the
// SQL are "existing": they may be large and are in use.
func TestStatementKinds(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		opts    Options
		verdict Verdict
		want    []want
	}{
		// ALTER TABLE, Notes: a column added without default (or with a
		// non-volatile default, PG11+) needs no rewrite; ADD COLUMN takes
		// ACCESS EXCLUSIVE (ALTER TABLE, Description).
		{name: "add nullable column", sql: `ALTER TABLE t ADD COLUMN c integer NULL;`, verdict: VerdictSafe},
		{name: "add column constant default not null", sql: `ALTER TABLE t ADD COLUMN c integer DEFAULT 0 NOT NULL;`, verdict: VerdictSafe},
		// now() and STATEMENT_TIMESTAMP() are STABLE (Functions 9.9.5): evaluated once.
		{name: "add column default now()", sql: `ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now() NOT NULL;`, verdict: VerdictSafe},
		{name: "add column default statement_timestamp()", sql: `ALTER TABLE t ADD COLUMN c timestamptz DEFAULT STATEMENT_TIMESTAMP();`, verdict: VerdictSafe},
		{name: "add column default CURRENT_TIMESTAMP", sql: `ALTER TABLE t ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP;`, verdict: VerdictSafe},
		// ALTER TABLE, Notes: "Adding a column with a volatile DEFAULT ... will
		// require the entire table and its indexes to be rewritten."
		{name: "add column gen_random_uuid()", sql: `ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		{name: "add column random()", sql: `ALTER TABLE t ADD COLUMN c float8 DEFAULT random() NOT NULL;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		{name: "add column nextval", sql: `ALTER TABLE t ADD COLUMN c bigint DEFAULT nextval('s');`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		// serial is integer DEFAULT nextval(...) (Data Types 8.1.4).
		{name: "add serial column", sql: `ALTER TABLE t ADD COLUMN c serial;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		{name: "add identity column", sql: `ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		// Generated Columns 5.3: stored columns are computed on write.
		{name: "add stored generated column", sql: `ALTER TABLE t ADD COLUMN c integer GENERATED ALWAYS AS (a * 2) STORED;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},
		{name: "add column unknown function default", sql: `ALTER TABLE t ADD COLUMN c text DEFAULT my_func();`, verdict: VerdictWarn,
			want: []want{{RuleAddColumnRewrite, SeverityWarning, ae, false, false}}},
		{name: "add not null column without default", sql: `ALTER TABLE t ADD COLUMN c integer NOT NULL;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnNotNullNoDefault, SeverityError, ae, false, false}}},
		// A new constraint is checked against existing rows (ALTER TABLE, ADD
		// table_constraint); UNIQUE builds an index (Indexes 11.6).
		{name: "add column inline check", sql: `ALTER TABLE t ADD COLUMN c integer DEFAULT 0 NOT NULL CHECK (c >= 0);`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnCheck, SeverityError, ae, false, true}}},
		{name: "add column inline unique", sql: `ALTER TABLE t ADD COLUMN c integer UNIQUE;`, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnUnique, SeverityError, ae, false, true}}},
		// parse_utilcmd.c transformFKConstraints: a new column that is NULL
		// everywhere is not validated, so no scan; with a default it is.
		{name: "add column inline references", sql: `ALTER TABLE t ADD COLUMN c integer NULL REFERENCES u (id);`, verdict: VerdictSafe},
		{name: "add column inline references default null", sql: `ALTER TABLE t ADD COLUMN c integer DEFAULT NULL REFERENCES u (id);`, verdict: VerdictSafe},
		{name: "add column inline references with default", sql: `ALTER TABLE t ADD COLUMN c integer DEFAULT 1 REFERENCES u (id);`, verdict: VerdictWarn,
			want: []want{{RuleAddColumnForeignKey, SeverityWarning, ae, false, true}}},
		// PG 10 and earlier: every default rewrote (ALTER TABLE notes of PG 10).
		{name: "constant default before PG 11", sql: `ALTER TABLE t ADD COLUMN c integer DEFAULT 0;`, opts: Options{PGVersion: 10}, verdict: VerdictDangerous,
			want: []want{{RuleAddColumnRewrite, SeverityError, ae, true, false}}},

		// DROP COLUMN: "does not physically remove the column" (ALTER TABLE,
		// Notes): no rewrite, but the running code still selects it.
		{name: "drop column", sql: `ALTER TABLE t DROP COLUMN c;`, verdict: VerdictDangerous,
			want: []want{{RuleDropColumn, SeverityError, ae, false, false}}},

		// ALTER TABLE, Notes: binary coercible changes skip the rewrite.
		{name: "varchar widening", sql: `CREATE TABLE t (c varchar(100)); COMMIT; ALTER TABLE t ALTER COLUMN c TYPE varchar(300);`, verdict: VerdictSafe},
		{name: "int to bigint", sql: `ALTER TABLE t ALTER COLUMN c TYPE bigint;`, verdict: VerdictDangerous,
			want: []want{{RuleAlterColumnType, SeverityError, ae, true, false}}},
		{name: "varchar unknown old type", sql: `ALTER TABLE t ALTER COLUMN c TYPE varchar(300);`, verdict: VerdictWarn,
			want: []want{{RuleAlterColumnType, SeverityWarning, ae, false, false}}},
		{name: "type change with USING", sql: `ALTER TABLE t ALTER COLUMN c TYPE integer USING c::integer + 1;`, verdict: VerdictDangerous,
			want: []want{{RuleAlterColumnType, SeverityError, ae, true, false}}},

		// ALTER TABLE, SET/DROP NOT NULL: SET NOT NULL scans unless a valid
		// CHECK proves it (PG 12+); DROP NOT NULL only changes the catalog.
		{name: "set not null", sql: `ALTER TABLE t ALTER COLUMN c SET NOT NULL;`, verdict: VerdictDangerous,
			want: []want{{RuleSetNotNull, SeverityError, ae, false, true}}},
		{name: "drop not null", sql: `ALTER TABLE t ALTER COLUMN c DROP NOT NULL;`, verdict: VerdictSafe},
		// SET/DROP DEFAULT "do not affect any existing rows" (ALTER TABLE).
		{name: "set default", sql: `ALTER TABLE t ALTER COLUMN c SET DEFAULT 5;`, verdict: VerdictSafe},
		{name: "drop default", sql: `ALTER TABLE t ALTER COLUMN c DROP DEFAULT;`, verdict: VerdictSafe},

		// ADD table_constraint / NOT VALID / VALIDATE CONSTRAINT (ALTER TABLE):
		// CHECK takes ACCESS EXCLUSIVE, FOREIGN KEY SHARE ROW EXCLUSIVE; NOT
		// VALID skips the scan; VALIDATE takes SHARE UPDATE EXCLUSIVE.
		{name: "add check", sql: `ALTER TABLE t ADD CONSTRAINT ck CHECK (c > 0);`, verdict: VerdictDangerous,
			want: []want{{RuleAddCheck, SeverityError, ae, false, true}}},
		{name: "add check not valid", sql: `ALTER TABLE t ADD CONSTRAINT ck CHECK (c > 0) NOT VALID;`, verdict: VerdictSafe},
		{name: "add foreign key", sql: `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id);`, verdict: VerdictDangerous,
			want: []want{{RuleAddForeignKey, SeverityError, sre, false, true}}},
		{name: "add foreign key not valid", sql: `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;`, verdict: VerdictSafe},
		{name: "validate in later transaction", sql: "BEGIN;\nALTER TABLE t ADD CONSTRAINT ck CHECK (c > 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE t VALIDATE CONSTRAINT ck;\nCOMMIT;", verdict: VerdictSafe},
		{name: "validate in same transaction", sql: "BEGIN;\nALTER TABLE t ADD CONSTRAINT ck CHECK (c > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT ck;\nCOMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleValidateSameTransaction, SeverityError, ae, false, true}}},
		{name: "validate same transaction atomic flag", sql: "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT fk;", opts: Options{Atomic: true}, verdict: VerdictDangerous,
			want: []want{{RuleValidateSameTransaction, SeverityError, sre, false, true}}},
		{name: "add unique", sql: `ALTER TABLE t ADD CONSTRAINT uq UNIQUE (c);`, verdict: VerdictDangerous,
			want: []want{{RuleAddUnique, SeverityError, ae, false, true}}},
		{name: "add unique using index", sql: `ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx;`, verdict: VerdictSafe},
		{name: "add primary key", sql: `ALTER TABLE t ADD PRIMARY KEY (id);`, verdict: VerdictDangerous,
			want: []want{{RuleAddPrimaryKey, SeverityError, ae, false, true}}},
		{name: "add exclusion", sql: `ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&);`, verdict: VerdictDangerous,
			want: []want{{RuleAddExclusion, SeverityError, ae, false, true}}},

		// CREATE INDEX, Description and "Building Indexes Concurrently": SHARE
		// lock blocks writes; CONCURRENTLY takes SHARE UPDATE EXCLUSIVE and
		// "cannot be executed inside a transaction block".
		{name: "create index", sql: `CREATE INDEX i ON t (c);`, verdict: VerdictDangerous,
			want: []want{{RuleCreateIndex, SeverityError, sh, false, true}}},
		{name: "create unique index", sql: `CREATE UNIQUE INDEX i ON t (c);`, verdict: VerdictDangerous,
			want: []want{{RuleCreateIndex, SeverityError, sh, false, true}}},
		{name: "create index concurrently pg15", sql: `CREATE INDEX CONCURRENTLY i ON t (c);`, opts: Options{PGVersion: 15}, verdict: VerdictSafe},
		// PG 14.4 release notes: CIC/RIC could corrupt indexes on 14.0–14.3.
		{name: "create index concurrently pg14 unknown minor", sql: `CREATE INDEX CONCURRENTLY i ON t (c);`, verdict: VerdictSafe,
			want: []want{{RuleConcurrentIndexPG14, SeverityInfo, "", false, false}}},
		{name: "create index concurrently pg14.2", sql: `CREATE INDEX CONCURRENTLY i ON t (c);`, opts: Options{PGVersion: 140002}, verdict: VerdictWarn,
			want: []want{{RuleConcurrentIndexPG14, SeverityWarning, "", false, false}}},
		{name: "create index concurrently pg14.4", sql: `CREATE INDEX CONCURRENTLY i ON t (c);`, opts: Options{PGVersion: 140004}, verdict: VerdictSafe},
		{name: "concurrently inside BEGIN", sql: "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (c);\nCOMMIT;", opts: Options{PGVersion: 16}, verdict: VerdictDangerous,
			want: []want{{RuleNonTransactional, SeverityError, "", false, false}}},
		{name: "concurrently with atomic flag", sql: "CREATE INDEX CONCURRENTLY i ON t (c);", opts: Options{PGVersion: 16, Atomic: true}, verdict: VerdictDangerous,
			want: []want{{RuleNonTransactional, SeverityError, "", false, false}}},
		// DROP INDEX: ACCESS EXCLUSIVE on the table unless CONCURRENTLY.
		{name: "drop index", sql: `DROP INDEX i;`, verdict: VerdictWarn,
			want: []want{{RuleDropIndex, SeverityWarning, ae, false, false}}},
		{name: "drop index concurrently", sql: `DROP INDEX CONCURRENTLY i;`, verdict: VerdictSafe},
		// REINDEX, Description: SHARE on the table, ACCESS EXCLUSIVE on the index;
		// CONCURRENTLY (PG 12+) neither.
		{name: "reindex table", sql: `REINDEX TABLE t;`, verdict: VerdictDangerous,
			want: []want{{RuleReindex, SeverityError, sh, false, true}}},
		{name: "reindex concurrently", sql: `REINDEX TABLE CONCURRENTLY t;`, opts: Options{PGVersion: 16}, verdict: VerdictSafe},
		{name: "reindex concurrently pg14", sql: `REINDEX INDEX CONCURRENTLY i;`, verdict: VerdictSafe,
			want: []want{{RuleConcurrentIndexPG14, SeverityInfo, "", false, false}}},

		// RENAME (ALTER TABLE): catalog-only, ACCESS EXCLUSIVE; breaks old code.
		{name: "rename column", sql: `ALTER TABLE t RENAME COLUMN a TO b;`, verdict: VerdictDangerous,
			want: []want{{RuleRenameColumn, SeverityError, ae, false, false}}},
		{name: "rename table", sql: `ALTER TABLE t RENAME TO u;`, verdict: VerdictDangerous,
			want: []want{{RuleRenameTable, SeverityError, ae, false, false}}},
		{name: "drop table", sql: `DROP TABLE t;`, verdict: VerdictDangerous,
			want: []want{{RuleDropTable, SeverityError, ae, false, false}}},
		// TRUNCATE, VACUUM FULL, CLUSTER: ACCESS EXCLUSIVE (Explicit Locking 13.3.1).
		{name: "truncate", sql: `TRUNCATE t;`, verdict: VerdictDangerous,
			want: []want{{RuleTruncate, SeverityError, ae, false, false}}},
		{name: "vacuum full", sql: `VACUUM FULL t;`, verdict: VerdictDangerous,
			want: []want{{RuleVacuumFull, SeverityError, ae, true, true}}},
		{name: "vacuum", sql: `VACUUM t;`, verdict: VerdictSafe},
		{name: "vacuum in transaction", sql: "BEGIN; VACUUM t; COMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleNonTransactional, SeverityError, "", false, false}}},
		{name: "cluster", sql: `CLUSTER t USING i;`, verdict: VerdictDangerous,
			want: []want{{RuleCluster, SeverityError, ae, true, true}}},
		// UPDATE/DELETE take ROW EXCLUSIVE and row locks until commit (13.3.2).
		{name: "update without where", sql: `UPDATE t SET c = 0;`, verdict: VerdictWarn,
			want: []want{{RuleBackfill, SeverityWarning, rx, false, true}}},
		{name: "delete without where", sql: `DELETE FROM t;`, verdict: VerdictWarn,
			want: []want{{RuleBackfill, SeverityWarning, rx, false, true}}},
		{name: "update with where", sql: `UPDATE t SET c = 0 WHERE id = 1;`, verdict: VerdictSafe},

		// New objects are invisible to other sessions until commit: nothing
		// the same file does to them can block the application.
		{name: "new table everything", sql: `BEGIN;
CREATE TABLE n (id serial PRIMARY KEY, c varchar(10));
ALTER TABLE n ADD COLUMN d uuid DEFAULT gen_random_uuid() NOT NULL;
ALTER TABLE n ALTER COLUMN c TYPE bigint USING 0;
ALTER TABLE n ALTER COLUMN c SET NOT NULL;
ALTER TABLE n ADD CONSTRAINT u UNIQUE (d);
CREATE INDEX ni ON n (c);
ALTER TABLE n RENAME COLUMN c TO e;
ALTER TABLE n DROP COLUMN e;
UPDATE n SET d = gen_random_uuid();
DROP TABLE n;
COMMIT;`, verdict: VerdictSafe},
		{name: "column added in same file then dropped", sql: "ALTER TABLE t ADD COLUMN c integer NULL;\nALTER TABLE t DROP COLUMN c;", verdict: VerdictSafe},

		// Locks are held until commit (13.3.1): a brief ACCESS EXCLUSIVE
		// followed by an index build blocks reads for the whole build.
		{name: "lock held during index build", sql: "BEGIN;\nALTER TABLE t ADD COLUMN c integer NULL;\nCREATE INDEX i ON u (x);\nCOMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleCreateIndex, SeverityError, sh, false, true}, {RuleLockHeld, SeverityError, ae, false, true}}},
		{name: "lock held during backfill", sql: "BEGIN;\nALTER TABLE t ALTER COLUMN c SET DEFAULT 0;\nUPDATE t SET c = 0 WHERE c IS NULL;\nCOMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleLockHeld, SeverityError, ae, false, true}}},
		{name: "no lock held without transaction", sql: "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;\nUPDATE t SET c = 0 WHERE c IS NULL;", verdict: VerdictSafe},
		{name: "write-blocking lock held", sql: "BEGIN;\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nUPDATE u SET c = 0 WHERE c IS NULL;\nCOMMIT;", verdict: VerdictWarn,
			want: []want{{RuleLockHeld, SeverityWarning, sre, false, true}}},

		// The Django AddField(default=...) pattern: the default vanishes while
		// old code still inserts without the column.
		{name: "django add field default", sql: "BEGIN;\nALTER TABLE \"blog_post\" ADD COLUMN \"views\" integer DEFAULT 0 NOT NULL;\nALTER TABLE \"blog_post\" ALTER COLUMN \"views\" DROP DEFAULT;\nCOMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleDropDefaultAfterAdd, SeverityError, ae, false, false}}},
		{name: "nullable add then drop default", sql: "ALTER TABLE t ADD COLUMN c integer DEFAULT 0 NULL;\nALTER TABLE t ALTER COLUMN c DROP DEFAULT;", verdict: VerdictSafe},

		// SET NOT NULL after a validated IS NOT NULL check: no scan on PG 12+.
		{name: "set not null with validated check pg12", sql: "ALTER TABLE t ADD CONSTRAINT nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;", opts: Options{PGVersion: 12}, verdict: VerdictSafe},
		{name: "set not null with unvalidated check", sql: "ALTER TABLE t ADD CONSTRAINT nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;", verdict: VerdictDangerous,
			want: []want{{RuleSetNotNull, SeverityError, ae, false, true}}},
		{name: "set not null with validated check pg11", sql: "ALTER TABLE t ADD CONSTRAINT nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;", opts: Options{PGVersion: 11}, verdict: VerdictDangerous,
			want: []want{{RuleSetNotNull, SeverityError, ae, false, true}}},
		{name: "reindex concurrently pg11", sql: `REINDEX TABLE CONCURRENTLY t;`, opts: Options{PGVersion: 11}, verdict: VerdictDangerous,
			want: []want{{RuleUnsupportedOnVersion, SeverityError, "", false, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := AnalyzeSQL("case.sql", []byte(tc.sql), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, wants(tc.want...), findingsOf(rep))
			assert.Equal(t, tc.verdict, rep.Verdict)
		})
	}
}

// TestTypeChanges checks ALTER COLUMN TYPE against the old type declared
// earlier in the analysed set (ALTER TABLE, Notes: binary coercible
// changes need no rewrite; pg_cast lists varchar->text and cidr->inet as
// binary coercible, and length/precision coercions are skipped when they
// cannot fail).
func TestTypeChanges(t *testing.T) {
	cases := []struct {
		from, to string
		rewrite  bool
	}{
		{"varchar(100)", "varchar(300)", false},
		{"varchar(100)", "varchar", false},
		{"varchar(100)", "text", false},
		{"text", "varchar", false},
		{"numeric(10,2)", "numeric(12,2)", false},
		{"numeric(10,2)", "numeric", false},
		{"cidr", "inet", false},
		{"varchar(300)", "varchar(100)", true},
		{"integer", "bigint", true},
		{"numeric(10,2)", "numeric(12,4)", true},
		{"text", "varchar(10)", true},
		{"integer", "text", true},
		{"smallint", "integer", true},
	}
	for _, tc := range cases {
		t.Run(tc.from+"->"+tc.to, func(t *testing.T) {
			files := []File{
				{Path: "0001.sql", SQL: []byte("CREATE TABLE t (c " + tc.from + ");")},
				{Path: "0002.sql", SQL: []byte("ALTER TABLE t ALTER COLUMN c TYPE " + tc.to + ";")},
			}
			reps, err := AnalyzeFiles(files, Options{})
			require.NoError(t, err)
			got := findingsOf(reps[1])
			if tc.rewrite {
				assert.Equal(t, wants(want{RuleAlterColumnType, SeverityError, ae, true, false}), got)
			} else {
				assert.Empty(t, got)
			}
		})
	}
}

// TestPrimaryKeyUsingIndex: ALTER TABLE, ADD table_constraint_using_index:
// for PRIMARY KEY the index's columns are also marked NOT NULL, which scans
// the table unless they already are.
func TestPrimaryKeyUsingIndex(t *testing.T) {
	for _, tc := range []struct {
		column string
		want   []string
	}{
		{"id integer", wants(want{RuleAddPrimaryKey, SeverityError, ae, false, true})},
		{"id integer NOT NULL", nil},
	} {
		reps, err := AnalyzeFiles([]File{
			{Path: "0001.sql", SQL: []byte("CREATE TABLE t (" + tc.column + ");")},
			{Path: "0002.sql", SQL: []byte("CREATE UNIQUE INDEX CONCURRENTLY t_pk ON t (id);")},
			{Path: "0003.sql", SQL: []byte("ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_pk;")},
		}, Options{PGVersion: 16})
		require.NoError(t, err)
		assert.Empty(t, findingsOf(reps[1]))
		assert.Equal(t, tc.want, findingsOf(reps[2]), tc.column)
	}
}

// TestPrimaryKeyUsingUnknownIndex: the index was built outside the
// analysed set, so the analyser cannot know whether its columns are NOT
// NULL; ALTER TABLE's page says PRIMARY KEY USING INDEX then runs SET NOT
// NULL on each nullable column, a full scan under ACCESS EXCLUSIVE. Fail
// closed: report the possible scan.
func TestPrimaryKeyUsingUnknownIndex(t *testing.T) {
	rep, err := AnalyzeSQL("x.sql", []byte("ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_pk;"), Options{PGVersion: 16})
	require.NoError(t, err)
	assert.Equal(t, wants(want{RuleAddPrimaryKey, SeverityError, ae, false, true}), findingsOf(rep))
	assert.Equal(t, VerdictDangerous, rep.Verdict)
	// UNIQUE USING INDEX sets no NOT NULL: brief ACCESS EXCLUSIVE only.
	rep, err = AnalyzeSQL("x.sql", []byte("ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_u;"), Options{PGVersion: 16})
	require.NoError(t, err)
	assert.Empty(t, findingsOf(rep))
}

func TestLockTimeoutInfo(t *testing.T) {
	rep, err := AnalyzeSQL("a.sql", []byte("ALTER TABLE t ADD COLUMN a int NULL;\nALTER TABLE t ADD COLUMN b int NULL;"), Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1, "one info per file, not one per statement")
	assert.Equal(t, RuleLockTimeout, rep.Findings[0].Rule)
	assert.Equal(t, SeverityInfo, rep.Findings[0].Severity)
	assert.Equal(t, VerdictSafe, rep.Verdict)

	rep, err = AnalyzeSQL("b.sql", []byte("SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN a int NULL;"), Options{})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)

	// A new table takes no lock anyone waits for.
	rep, err = AnalyzeSQL("c.sql", []byte("CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN a int NULL;"), Options{})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
}

func TestSuppression(t *testing.T) {
	src := `-- deploykit:ignore DKM030
CREATE INDEX i ON t (c);
CREATE INDEX j ON t (d); -- deploykit:ignore create-index-non-concurrently
CREATE INDEX k ON t (e);
-- deploykit:ignore
DROP TABLE t;
`
	rep, err := AnalyzeSQL("s.sql", []byte(src), Options{})
	require.NoError(t, err)
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Pos.Line))
	}
	assert.Equal(t, []string{"DKM051@2", "DKM030@4"}, rules)

	rep, err = AnalyzeSQL("s.sql", []byte("-- deploykit:ignore-file DKM030,DKM051\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON t (d);"), Options{})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
}

func TestPositionsAndOperations(t *testing.T) {
	src := "BEGIN;\n--\n-- Add field views to post\n--\nALTER TABLE \"blog_post\" ADD COLUMN \"views\" integer DEFAULT 0 NOT NULL; ALTER TABLE \"blog_post\" ALTER COLUMN \"views\" DROP DEFAULT;\n--\n-- + Create model Tag\n--\n  /* note */ CREATE TABLE \"é\" (id int);\nCOMMIT;\n"
	stmts, err := SplitStatements("p.sql", []byte(src))
	require.NoError(t, err)
	require.Len(t, stmts, 5)
	assert.Equal(t, Statement{SQL: "BEGIN", Line: 1, Column: 1, Transactional: false}, stmts[0])
	assert.Equal(t, 5, stmts[1].Line)
	assert.Equal(t, 1, stmts[1].Column)
	assert.Equal(t, "AddField views to post", stmts[1].Operation)
	assert.True(t, stmts[1].Transactional)
	// The second statement on line 5 starts after "...NOT NULL; ".
	first := "ALTER TABLE \"blog_post\" ADD COLUMN \"views\" integer DEFAULT 0 NOT NULL; "
	assert.Equal(t, 5, stmts[2].Line)
	assert.Equal(t, len(first)+1, stmts[2].Column)
	assert.Equal(t, `ALTER TABLE "blog_post" ALTER COLUMN "views" DROP DEFAULT`, stmts[2].SQL)
	assert.Equal(t, 9, stmts[3].Line)
	assert.Equal(t, 14, stmts[3].Column)
	assert.Equal(t, "CreateModel Tag", stmts[3].Operation)
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		name, src  string
		line, col  int
		msgContain string
	}{
		{"typo", "SELECT 1;\nALTER TABLEE x;", 2, 7, `syntax error at or near "TABLEE"`},
		{"end of input", "ALTER TABLE t ADD COLUMN", 1, 25, "at end of input"},
		{"after unicode", "SELECT 'é';\n  CREAT TABLE x ();", 2, 3, `"CREAT"`},
		{"nul byte", "SELECT 1;\x00", 1, 10, "NUL"},
		{"invalid utf8", "SELECT '\xff';", 1, 9, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AnalyzeSQL("bad.sql", []byte(tc.src), Options{})
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "got %v", err)
			assert.Equal(t, "bad.sql", se.Path)
			assert.Equal(t, tc.line, se.Line)
			assert.Equal(t, tc.col, se.Column)
			assert.Contains(t, se.Msg, tc.msgContain)
			assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("bad.sql:%d:%d: ", tc.line, tc.col)), err.Error())
		})
	}
}

func TestAnalyzeFilesPartialErrors(t *testing.T) {
	reps, err := AnalyzeFiles([]File{
		{Path: "ok.sql", SQL: []byte("DROP TABLE t;")},
		{Path: "bad.sql", SQL: []byte("DROP TABLEX t;")},
	}, Options{})
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "bad.sql", se.Path)
	require.NotNil(t, reps[0])
	assert.Nil(t, reps[1])
	assert.Equal(t, VerdictDangerous, reps[0].Verdict)
}

func TestRulesDocumented(t *testing.T) {
	ids := map[string]bool{}
	names := map[string]bool{}
	for _, r := range Rules() {
		assert.False(t, ids[r.ID], "duplicate id %s", r.ID)
		assert.False(t, names[r.Name], "duplicate name %s", r.Name)
		ids[r.ID], names[r.Name] = true, true
		assert.NotEmpty(t, r.Summary, r.ID)
		assert.NotEmpty(t, r.Help, r.ID)
		assert.NotZero(t, r.Severity.Rank(), r.ID)
	}
}

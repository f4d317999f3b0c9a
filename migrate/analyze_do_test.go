package migrate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDoBlocks: a DO block with only static SQL is analysed statement by
// statement (expected values from the same PostgreSQL reference pages as
// the top-level cases: ALTER TABLE, CREATE INDEX, Explicit Locking); one
// with EXECUTE, a loop, COMMIT or a call of an unknown function stays
// DKM090. A DO block is one statement, so its statements share one
// transaction even outside BEGIN/COMMIT (PL/pgSQL docs, "Transaction
// Management": a DO block runs in the transaction of the statement).
func TestDoBlocks(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		verdict Verdict
		want    []want
		line    int    // line of the first finding (0: not checked)
		msg     string // part of the first finding's message
	}{
		{name: "static DDL", sql: "DO $$\nBEGIN\n  ALTER TABLE t ALTER COLUMN n TYPE bigint;\nEND\n$$;", verdict: VerdictDangerous,
			want: []want{{RuleAlterColumnType, SeverityError, ae, true, false}}, line: 3, msg: "in the DO block: "},
		// The ADD COLUMN's ACCESS EXCLUSIVE is held while the index builds:
		// one statement, one transaction.
		{name: "locks held across the block", sql: "DO $$\nBEGIN\n  ALTER TABLE t ADD COLUMN x int;\n  CREATE INDEX t_x ON t (x);\nEND $$;", verdict: VerdictDangerous,
			want: []want{{RuleCreateIndex, SeverityError, shr, false, true}, {RuleLockHeld, SeverityError, ae, false, true}}, line: 4},
		{name: "drizzle-kit foreign key", sql: "DO $$ BEGIN\n ALTER TABLE \"order\" ADD CONSTRAINT \"order_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"user\"(\"id\") ON DELETE no action ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;", verdict: VerdictDangerous,
			want: []want{{RuleAddForeignKey, SeverityError, "SHARE ROW EXCLUSIVE", false, true}}, line: 2},
		{name: "catalog check then create", sql: "DO $$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n    CREATE TYPE mood AS ENUM ('ok');\n  END IF;\nEND $$;", verdict: VerdictSafe},
		{name: "concurrently in a DO block fails", sql: "DO $$ BEGIN CREATE INDEX CONCURRENTLY t_n ON t (n); END $$;", verdict: VerdictDangerous,
			want: []want{{RuleNonTransactional, SeverityError, "", false, false}}},
		{name: "perform of a known function", sql: "BEGIN;\nLOCK TABLE t;\nDO $$ BEGIN PERFORM pg_sleep(10); END $$;\nCOMMIT;", verdict: VerdictDangerous,
			want: []want{{RuleLockTable, SeverityWarning, ae, false, false}, {RuleLockHeld, SeverityError, ae, false, true}}},
		{name: "select into", sql: "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM t; RAISE NOTICE '%', n; END $$;", verdict: VerdictSafe},
		{name: "select into calling an unknown function", sql: "DO $$ DECLARE n int; BEGIN SELECT backfill() INTO n; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "backfill()"},
		{name: "raise only", sql: "DO $$ BEGIN RAISE NOTICE 'hello %', current_user; END $$;", verdict: VerdictSafe},
		// Fail closed.
		{name: "execute", sql: "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "dynamic SQL (EXECUTE)"},
		{name: "loop", sql: "DO $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM t LOOP UPDATE t SET n = 1 WHERE id = r.id; END LOOP; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "a loop"},
		{name: "perform of an unknown function", sql: "DO $$ BEGIN PERFORM migrate_everything(); END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "migrate_everything()"},
		{name: "unknown function in a condition", sql: "DO $$ BEGIN IF app_ready() THEN ALTER TABLE t ADD COLUMN x int; END IF; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "app_ready()"},
		{name: "commit", sql: "DO $$ BEGIN ALTER TABLE t ADD COLUMN x int; COMMIT; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "COMMIT or ROLLBACK"},
		{name: "other language", sql: "DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE t') $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}, msg: "LANGUAGE plpython3u"},
		{name: "body with a syntax error", sql: "DO $$ BEGIN ALTER TABLE t ADD COLUMN; END $$;", verdict: VerdictWarn,
			want: []want{{RuleNotModelled, SeverityWarning, "", false, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := AnalyzeSQL("0002.sql", []byte(tc.sql), Options{PGVersion: 15})
			require.NoError(t, err)
			assert.Equal(t, wants(tc.want...), findingsOf(rep))
			assert.Equal(t, tc.verdict, rep.Verdict)
			var first *Finding
			for i := range rep.Findings {
				if rep.Findings[i].Rule != RuleLockTimeout {
					first = &rep.Findings[i]
					break
				}
			}
			if tc.line > 0 && assert.NotNil(t, first) {
				assert.Equal(t, tc.line, first.Pos.Line, "finding placed on the statement's line: %+v", first)
			}
			if tc.msg != "" && assert.NotNil(t, first) {
				assert.Contains(t, first.Message, tc.msg)
			}
		})
	}
}

// TestDoBlockConditionalCreate: a table created in an IF branch (or a
// block with an exception handler) may already have existed, so a later
// statement on it is not excused as being on a new table.
func TestDoBlockConditionalCreate(t *testing.T) {
	sql := "DO $$ BEGIN\n  IF to_regclass('u') IS NULL THEN\n    CREATE TABLE u (id int);\n  END IF;\nEND $$;\nALTER TABLE u ALTER COLUMN id TYPE bigint;"
	rep, err := AnalyzeSQL("0003.sql", []byte(sql), Options{PGVersion: 15})
	require.NoError(t, err)
	assert.Equal(t, wants(want{RuleAlterColumnType, SeverityError, ae, true, false}), findingsOf(rep))
	// An index created conditionally may have existed: DROP INDEX is reported.
	rep, err = AnalyzeSQL("0003.sql", []byte("DO $$ BEGIN\n  IF to_regclass('t_n') IS NULL THEN\n    CREATE INDEX t_n ON t (n);\n  END IF;\nEND $$;\nDROP INDEX t_n;"), Options{PGVersion: 15})
	require.NoError(t, err)
	assert.Contains(t, findingsOf(rep), want{RuleDropIndex, SeverityWarning, ae, false, false}.String())
	// Unconditionally created: new, no finding.
	rep, err = AnalyzeSQL("0003.sql", []byte("DO $$ BEGIN CREATE TABLE u (id int); END $$;\nALTER TABLE u ALTER COLUMN id TYPE bigint;"), Options{PGVersion: 15})
	require.NoError(t, err)
	assert.Empty(t, findingsOf(rep))
}

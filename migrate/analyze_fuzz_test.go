package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/internal/report"
)

// FuzzAnalyzeSQL: any input gives a report or a positioned *SyntaxError,
// never a panic.
func FuzzAnalyzeSQL(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(sqlmigrateDir, "*.sql"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, false)
		}
	}
	for _, s := range []string{
		"", ";", ";;;", "--", "/*", "/* /* */", "BEGIN", "COMMIT; COMMIT;",
		"ALTER TABLE t ADD COLUMN c int DEFAULT random() NOT NULL CHECK (c > 0) REFERENCES u UNIQUE;",
		"ALTER TABLE t ALTER COLUMN c TYPE numeric(10,2) USING c::numeric;",
		"CREATE INDEX CONCURRENTLY ON t (c); -- deploykit:ignore",
		"-- deploykit:ignore-file\nDROP TABLE a, b, c CASCADE;",
		"REINDEX (VERBOSE, CONCURRENTLY) TABLE t; VACUUM (FULL) t; CLUSTER;",
		"ALTER TABLE t RENAME TO u; ALTER TABLE u RENAME COLUMN a TO b; ALTER INDEX i RENAME TO j;",
		"SELECT 'unterminated",
		"\xff\xfe",
		"CREATE TABLE t (); ALTER TABLE t ADD CONSTRAINT x CHECK (a IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT x;",
		"BEGIN; LOCK TABLE t; SELECT count(*) FROM t; ALTER TYPE e ADD VALUE 'x'; UPDATE t SET e = 'x' WHERE id = 1;",
		"DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$; CREATE POLICY p ON t USING (true); ALTER SEQUENCE s RESTART;",
		"ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1); ALTER TABLE p DETACH PARTITION c CONCURRENTLY; ALTER TABLE t SET TABLESPACE x, SET LOGGED;",
		"ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0); DROP SCHEMA s CASCADE; DROP DATABASE d; REFRESH MATERIALIZED VIEW m;",
		"BEGIN;\nCREATE INDEX i ON t (c);\nCREATE UNIQUE INDEX\tj ON t (d);",
		"DO $$ BEGIN\n ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES c(id);\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$;\nDO 'BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE TABLE u (); END IF; END';",
		"CREATE TABLE p (k date) PARTITION BY RANGE (k); CREATE TABLE c (k date NOT NULL CHECK (k >= '2024-01-01' AND k < '2024-02-01')); ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM ('2024-01-01') TO ('2024-02-01'); CREATE EXTENSION IF NOT EXISTS pg_trgm; ALTER EXTENSION hstore UPDATE;",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, atomic bool) {
		rep, err := AnalyzeSQL("fuzz.sql", src, Options{Atomic: atomic})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a *SyntaxError: %T %v", err, err)
			}
			if se.Path != "fuzz.sql" || se.Line < 1 || se.Column < 0 || se.Msg == "" {
				t.Fatalf("badly positioned error: %+v", se)
			}
			return
		}
		if rep == nil {
			t.Fatal("nil report without error")
		}
		switch rep.Verdict {
		case VerdictSafe, VerdictWarn, VerdictDangerous:
		default:
			t.Fatalf("verdict %q", rep.Verdict)
		}
		if rep.Verdict != VerdictFor(rep.Findings) {
			t.Fatalf("verdict %q does not match findings", rep.Verdict)
		}
		for _, f := range rep.Findings {
			if f.Pos.Line < 1 || ruleByID(f.Rule) == nil || f.Severity.Rank() == 0 {
				t.Fatalf("bad finding %+v", f)
			}
		}
		for _, s := range rep.Statements {
			if s.Line < 1 || s.Column < 1 {
				t.Fatalf("bad statement position %+v", s)
			}
		}
		// Mechanical fixes apply cleanly and give SQL that still parses.
		if edits := report.FixEdits(Diagnostics([]*FileReport{rep}))["fuzz.sql"]; len(edits) > 0 {
			fixed, err := report.ApplyEdits(src, edits)
			if err != nil {
				t.Fatalf("fix edits do not apply: %v", err)
			}
			if _, err := AnalyzeSQL("fuzz.sql", fixed, Options{Atomic: atomic}); err != nil {
				t.Fatalf("fixed SQL does not parse: %v\n%s", err, fixed)
			}
		}
	})
}

// FuzzPlanApply: any migration file gives units or a positioned error,
// never a panic.
func FuzzPlanApply(f *testing.F) {
	for _, s := range []string{
		"", "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;", "BEGIN; BEGIN;", "COMMIT;",
		"CREATE INDEX CONCURRENTLY i ON t (c);", "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (c);\nCOMMIT;",
		"ROLLBACK;", "SELECT 1; VACUUM t;",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		units, err := PlanApply([]ApplyFile{{Name: "f.sql", SQL: src}})
		if err != nil {
			var se *SyntaxError
			var pe *PlanError
			if !errors.As(err, &se) && !errors.As(err, &pe) {
				t.Fatalf("error is neither *SyntaxError nor *PlanError: %T %v", err, err)
			}
			return
		}
		for _, u := range units {
			if u.File != "f.sql" || u.Index < 1 || u.Line < 1 {
				t.Fatalf("bad unit %+v", u)
			}
		}
	})
}

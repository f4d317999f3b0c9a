package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
	})
}

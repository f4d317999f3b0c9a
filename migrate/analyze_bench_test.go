package migrate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var writeCorpus = flag.String("write-corpus", "", "also write the benchmark's generated migration files to this directory (for timing other tools on the same input)")

// djangoCorpus generates n Django-style sqlmigrate files of 10 statements
// each (BEGIN, 8 schema changes on an existing table, COMMIT), with the
// operation comments and statement layout Django prints.
func djangoCorpus(n int) []File {
	files := make([]File, n)
	for i := range files {
		t := fmt.Sprintf("app%d_model%d", i%37, i)
		sql := fmt.Sprintf(`BEGIN;
--
-- Add field note to model%[2]d
--
ALTER TABLE "%[1]s" ADD COLUMN "note" varchar(200) NULL;
--
-- Add field views to model%[2]d
--
ALTER TABLE "%[1]s" ADD COLUMN "views" integer DEFAULT 0 NOT NULL;
ALTER TABLE "%[1]s" ALTER COLUMN "views" DROP DEFAULT;
--
-- Create index %[1]s_note_idx on field(s) note of model model%[2]d
--
CREATE INDEX "%[1]s_note_idx" ON "%[1]s" ("note");
--
-- Alter field title on model%[2]d
--
ALTER TABLE "%[1]s" ALTER COLUMN "title" TYPE varchar(300);
--
-- Alter field slug on model%[2]d
--
ALTER TABLE "%[1]s" ALTER COLUMN "slug" SET NOT NULL;
ALTER TABLE "%[1]s" ADD CONSTRAINT "%[1]s_slug_uniq" UNIQUE ("slug");
--
-- Remove field body from model%[2]d
--
ALTER TABLE "%[1]s" DROP COLUMN "body" CASCADE;
COMMIT;
`, t, i)
		files[i] = File{Path: fmt.Sprintf("%s/migrations/%04d_auto.sql", t, i), SQL: []byte(sql)}
	}
	return files
}

// BenchmarkAnalyzeDjangoCorpus analyses 1,000 files / 10,000 statements
// per iteration, parsing in parallel on all cores (the squawk
// comparison workload).
func BenchmarkAnalyzeDjangoCorpus(b *testing.B) {
	files := djangoCorpus(1000)
	if *writeCorpus != "" {
		for _, f := range files {
			p := filepath.Join(*writeCorpus, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, f.SQL, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	stmts := 0
	for _, f := range files {
		s, err := SplitStatements(f.Path, f.SQL)
		if err != nil {
			b.Fatal(err)
		}
		stmts += len(s)
	}
	if stmts != 10000 {
		b.Fatalf("corpus has %d statements, want 10000", stmts)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		reps, err := AnalyzeFiles(files, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if reps[0].Verdict != VerdictDangerous {
			b.Fatal("unexpected verdict")
		}
	}
	b.ReportMetric(float64(stmts)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}

package migrate

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkTrace measures the cost of tracing: a 5-statement migration on a
// 200-row table, traced and rolled back (each statement adds four catalog
// reads). Reported per migration and per statement.
func BenchmarkTrace(b *testing.B) {
	conn := liveDB(b, baseSchema)
	src := []byte(`BEGIN;
ALTER TABLE blog_post ADD COLUMN rating integer;
ALTER TABLE blog_post ALTER COLUMN title TYPE varchar(200);
CREATE INDEX blog_post_title ON blog_post (title);
ALTER TABLE blog_post ADD CONSTRAINT views_nn CHECK (views IS NOT NULL) NOT VALID;
ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;
COMMIT;`)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Trace(context.Background(), conn, "m.sql", src, TraceOptions{})
		if err != nil || !rep.SchemaRestored {
			b.Fatal(err, rep)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/5/1000, "ms/statement")
}

// BenchmarkComparePending: 1,000 migrations in 20 apps, 900 applied.
func BenchmarkComparePending(b *testing.B) {
	var disk []DiskMigration
	var applied []AppliedMigration
	for a := range 20 {
		for n := range 50 {
			d := DiskMigration{MigrationRef: MigrationRef{App: fmt.Sprintf("app%02d", a), Name: fmt.Sprintf("%04d_m", n+1)}}
			if n > 0 {
				d.Dependencies = []MigrationRef{{App: d.App, Name: fmt.Sprintf("%04d_m", n)}}
			}
			disk = append(disk, d)
			if n < 45 {
				applied = append(applied, AppliedMigration{MigrationRef: d.MigrationRef})
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := ComparePending(disk, applied); len(r.Pending) != 100 {
			b.Fatal(len(r.Pending))
		}
	}
}

package migrate

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attachParents are the partitioned tables of every
// TestAttachPartitionCheckOnPostgres case.
const attachParents = `CREATE TABLE m (id integer, ts date) PARTITION BY RANGE (ts);
CREATE TABLE mi (id integer) PARTITION BY RANGE (id);
CREATE TABLE l (id integer, k text) PARTITION BY LIST (k);
CREATE TABLE md (id integer, ts date) PARTITION BY RANGE (ts);
CREATE TABLE md_default PARTITION OF md DEFAULT;
INSERT INTO md_default SELECT g, DATE '2030-01-01' FROM generate_series(1, 100) g;
`

// TestAttachPartitionCheckOnPostgres attaches a partition with rows on the
// test PostgreSQL after each setup and reads pg_stat_xact_all_tables to see
// whether the partition (or the default partition) was scanned. scan is
// what the ALTER TABLE docs say (ATTACH PARTITION: a valid CHECK that
// implies the bound skips the scan; a NOT VALID one does not); the server
// must agree, and so must the analyser's DKM026 claim.
func TestAttachPartitionCheckOnPostgres(t *testing.T) {
	url := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var num int
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num))

	const m1 = "CREATE TABLE m1 (id integer, ts date);\nINSERT INTO m1 SELECT g, DATE '2024-01-01' + g % 31 FROM generate_series(1, 300) g;\n"
	const jan = "ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')"
	const l1 = "CREATE TABLE l1 (id integer, k text);\nINSERT INTO l1 SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 300) g;\n"
	cases := []struct {
		name   string
		setup  string
		attach string
		rel    string // the relation whose scan is observed
		scan   bool
		// fp: the server skips the scan but the analyser, not proving it,
		// still claims it (a false positive, never a missed scan).
		fp bool
	}{
		{"no check", m1, jan, "m1", true, false},
		{"not valid, then validate, nullable", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-02-01') NOT VALID;\nALTER TABLE m1 VALIDATE CONSTRAINT m1_bound;\n", jan, "m1", true, false},
		{"not valid only", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-02-01') NOT VALID;\n", jan, "m1", true, false},
		{"postgres's own form", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts IS NOT NULL AND ts >= '2024-01-01' AND ts < '2024-02-01') NOT VALID;\nALTER TABLE m1 VALIDATE CONSTRAINT m1_bound;\n", jan, "m1", false, false},
		{"valid check added directly", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts IS NOT NULL AND ts >= '2024-01-01' AND ts < '2024-02-01');\n", jan, "m1", false, false},
		// The bound's comparisons do not exclude NULL: PostgreSQL proves by weak implication.
		{"nullable column without IS NOT NULL", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-02-01');\n", jan, "m1", true, false},
		{"not null column, not valid then validate", "CREATE TABLE m1 (id integer, ts date NOT NULL);\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\nALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-02-01') NOT VALID;\nALTER TABLE m1 VALIDATE CONSTRAINT m1_bound;\n", jan, "m1", false, false},
		{"column check at create table", "CREATE TABLE m1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-01' AND ts < '2024-02-01'));\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", jan, "m1", false, false},
		{"flipped operands, two constraints", "CREATE TABLE m1 (id integer, ts date NOT NULL, CONSTRAINT lo CHECK ('2024-01-01' <= ts), CONSTRAINT hi CHECK ('2024-02-01' > ts));\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", jan, "m1", false, false},
		{"wrong upper bound", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-03-01');\n", jan, "m1", true, false},
		{"only the lower bound", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01');\n", jan, "m1", true, false},
		{"dropped check", m1 + "ALTER TABLE m1 ADD CONSTRAINT m1_bound CHECK (ts >= '2024-01-01' AND ts < '2024-02-01');\nALTER TABLE m1 DROP CONSTRAINT m1_bound;\n", jan, "m1", true, false},
		{"minvalue", "CREATE TABLE m0 (id integer, ts date NOT NULL CONSTRAINT m0_bound CHECK (ts < '2024-01-01'));\nINSERT INTO m0 SELECT g, DATE '2023-01-01' FROM generate_series(1, 300) g;\n", "ALTER TABLE m ATTACH PARTITION m0 FOR VALUES FROM (MINVALUE) TO ('2024-01-01')", "m0", false, false},
		{"integer key", "CREATE TABLE mi1 (id integer NOT NULL CHECK (id >= 1 AND id < 1000));\nINSERT INTO mi1 SELECT g FROM generate_series(1, 300) g;\n", "ALTER TABLE mi ATTACH PARTITION mi1 FOR VALUES FROM (1) TO (1000)", "mi1", false, false},
		{"list in", l1 + "ALTER TABLE l1 ADD CONSTRAINT l1_k CHECK (k IS NOT NULL AND k IN ('a', 'b'));\n", "ALTER TABLE l ATTACH PARTITION l1 FOR VALUES IN ('b', 'a')", "l1", false, false},
		{"list any", l1 + "ALTER TABLE l1 ADD CONSTRAINT l1_k CHECK (k IS NOT NULL AND k = ANY (ARRAY['a', 'b']));\n", "ALTER TABLE l ATTACH PARTITION l1 FOR VALUES IN ('a', 'b')", "l1", false, false},
		{"list single value", "CREATE TABLE l1 (id integer, k text NOT NULL CHECK (k = 'a'));\nINSERT INTO l1 SELECT g, 'a' FROM generate_series(1, 300) g;\n", "ALTER TABLE l ATTACH PARTITION l1 FOR VALUES IN ('a')", "l1", false, false},
		{"list other values", l1 + "ALTER TABLE l1 ADD CONSTRAINT l1_k CHECK (k IS NOT NULL AND k IN ('a', 'b', 'c'));\n", "ALTER TABLE l ATTACH PARTITION l1 FOR VALUES IN ('a', 'b')", "l1", true, false},
		// The ddl-partitioning docs' own form: typed literals of the key's type.
		{"typed literals, as in the docs", "CREATE TABLE m1 (id integer, ts date NOT NULL CHECK (ts >= DATE '2024-01-01' AND ts < '2024-02-01'::date));\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", jan, "m1", false, false},
		{"typed literal in the bound", "CREATE TABLE m1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-01' AND ts < '2024-02-01'));\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", "ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM (DATE '2024-01-01') TO ('2024-02-01'::date)", "m1", false, false},
		// PostgreSQL proves these too (cross-type and range comparisons); the
		// analyser does not, and claims the scan.
		{"cast to another type", "CREATE TABLE m1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-01'::timestamp AND ts < '2024-02-01'::timestamp));\nINSERT INTO m1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", jan, "m1", false, true},
		{"narrower range than the bound", "CREATE TABLE m1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-10' AND ts < '2024-01-20'));\nINSERT INTO m1 SELECT g, DATE '2024-01-15' FROM generate_series(1, 300) g;\n", jan, "m1", false, true},
		{"default partition is still scanned", "CREATE TABLE md1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-01' AND ts < '2024-02-01'));\nINSERT INTO md1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", "ALTER TABLE md ATTACH PARTITION md1 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')", "md_default", true, false},
		{"proven partition with a default is not scanned", "CREATE TABLE md1 (id integer, ts date NOT NULL CHECK (ts >= '2024-01-01' AND ts < '2024-02-01'));\nINSERT INTO md1 SELECT g, DATE '2024-01-01' FROM generate_series(1, 300) g;\n", "ALTER TABLE md ATTACH PARTITION md1 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')", "md1", false, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := "ap" + strconv.Itoa(i)
			_, err := conn.Exec(ctx, "CREATE SCHEMA "+s+"; SET search_path = "+s+";\n"+attachParents+tc.setup)
			require.NoError(t, err)
			reg := "'" + s + "." + tc.rel + "'::regclass"
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback(ctx) }()
			var before, after int64
			q := "SELECT coalesce((SELECT seq_scan FROM pg_stat_xact_all_tables WHERE relid = " + reg + "), 0)"
			require.NoError(t, tx.QueryRow(ctx, q).Scan(&before))
			_, err = tx.Exec(ctx, tc.attach)
			require.NoError(t, err)
			require.NoError(t, tx.QueryRow(ctx, q).Scan(&after))
			scanned := after > before
			assert.Equal(t, tc.scan, scanned, "server: scanned %s", tc.rel)

			reps, err := AnalyzeFiles([]File{{Path: "0001.sql", SQL: []byte(attachParents + tc.setup)}, {Path: "0002.sql", SQL: []byte(tc.attach + ";")}}, Options{PGVersion: num})
			require.NoError(t, err)
			claimed := false
			for _, f := range reps[1].Findings {
				if f.Rule == RuleAttachPartition && f.Relation == tc.rel {
					claimed = f.Scan
				}
			}
			if tc.fp {
				assert.True(t, claimed, "the analyser claims the scan it cannot prove (%v)", findingRules(reps[1]))
				return
			}
			assert.Equal(t, scanned, claimed, "analyser claims a scan of %s: %v; server scanned: %v (%v)", tc.rel, claimed, scanned, findingRules(reps[1]))
		})
	}
}

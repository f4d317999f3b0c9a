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

// TestRewriteClaimsOnPostgres runs statements on the test PostgreSQL and
// checks the analyser's rewrite claim against what the server did: a
// rewrite gives the table a new relfilenode (pg_class docs). The static
// analysis runs with the server's major version.
func TestRewriteClaimsOnPostgres(t *testing.T) {
	url := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var num int
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num))
	major := num / 10000

	cases := []string{
		`ALTER TABLE t ADD COLUMN x integer NULL`,
		`ALTER TABLE t ADD COLUMN x integer DEFAULT 0 NOT NULL`,
		`ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now() NOT NULL`,
		`ALTER TABLE t ADD COLUMN x float8 DEFAULT random()`,
		`ALTER TABLE t ADD COLUMN x uuid DEFAULT gen_random_uuid()`,
		`ALTER TABLE t ADD COLUMN x bigint GENERATED ALWAYS AS IDENTITY`,
		`ALTER TABLE t ADD COLUMN x serial`,
		`ALTER TABLE t ADD COLUMN x integer GENERATED ALWAYS AS (n * 2) STORED`,
		`ALTER TABLE t ALTER COLUMN c TYPE varchar(300)`,
		`ALTER TABLE t ALTER COLUMN c TYPE text`,
		`ALTER TABLE t ALTER COLUMN c TYPE varchar(50)`,
		`ALTER TABLE t ALTER COLUMN n TYPE bigint`,
		`ALTER TABLE t ALTER COLUMN p TYPE numeric(14,2)`,
		`ALTER TABLE t ALTER COLUMN p TYPE numeric(14,4)`,
		`ALTER TABLE t ALTER COLUMN n SET NOT NULL`,
		`ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x'`,
		`ALTER TABLE t DROP COLUMN c`,
		`ALTER TABLE t ADD CONSTRAINT ck CHECK (n >= 0)`,
		`VACUUM FULL t`,
	}
	const schema = `CREATE TABLE t (id serial PRIMARY KEY, c varchar(100), n integer, p numeric(10,2));
INSERT INTO t (c, n, p) SELECT 'v' || g, g, g FROM generate_series(1, 100) g`
	for i, stmt := range cases {
		t.Run(stmt, func(t *testing.T) {
			// Every case gets its own schema so it starts from the same table.
			s := "s" + strconv.Itoa(i)
			_, err := conn.Exec(ctx, "CREATE SCHEMA "+s+"; SET search_path = "+s+"; "+schema)
			require.NoError(t, err)
			var before, after uint32
			require.NoError(t, conn.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = '"+s+".t'::regclass").Scan(&before))
			_, err = conn.Exec(ctx, stmt)
			require.NoError(t, err)
			require.NoError(t, conn.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = '"+s+".t'::regclass").Scan(&after))

			files := []File{
				{Path: "0001.sql", SQL: []byte(schema + ";")},
				{Path: "0002.sql", SQL: []byte(stmt + ";")},
			}
			reps, err := AnalyzeFiles(files, Options{PGVersion: major})
			require.NoError(t, err)
			claimed := false
			for _, f := range reps[1].Findings {
				claimed = claimed || f.Rewrite
			}
			assert.Equal(t, before != after, claimed, "server rewrote=%v, analyser claimed rewrite=%v: %+v", before != after, claimed, reps[1].Findings)
		})
	}
}

package migrate

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pgLockModes maps pg_locks.mode to the analyser's lock modes.
var pgLockModes = map[string]lockMode{
	"AccessShareLock": lockAccessShare, "RowShareLock": lockRowShare, "RowExclusiveLock": lockRowExclusive,
	"ShareUpdateExclusiveLock": lockShareUpdateExclusive, "ShareLock": lockShare,
	"ShareRowExclusiveLock": lockShareRowExclusive, "ExclusiveLock": lockExclusive,
	"AccessExclusiveLock": lockAccessExclusive,
}

// lockDDLSchema is the database every TestLockDDLOnPostgres case starts
// from: a table with rows, a partitioned table, a table to attach, a
// materialized view, a domain in use, an enum and a view.
const lockDDLSchema = `CREATE TABLE t (id serial PRIMARY KEY, c text, n integer);
INSERT INTO t (c, n) SELECT 'v' || g, g FROM generate_series(1, 500) g;
CREATE TABLE u (id integer PRIMARY KEY);
INSERT INTO u VALUES (1);
CREATE INDEX t_n ON t (n);
CREATE INDEX t_c ON t (c);
CREATE TABLE p (id integer) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (100);
INSERT INTO p SELECT g FROM generate_series(1, 50) g;
CREATE TABLE p2 (id integer);
INSERT INTO p2 SELECT g FROM generate_series(100, 150) g;
CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t;
CREATE DOMAIN d AS integer;
CREATE TABLE dt (id integer, v d);
INSERT INTO dt SELECT g, g FROM generate_series(1, 100) g;
CREATE VIEW v AS SELECT id FROM t;
CREATE TYPE mood AS ENUM ('ok')`

// TestLockDDLOnPostgres runs each statement of issue 13 on the test
// PostgreSQL inside a transaction and compares what the server did with
// what the analyser claims: a new relfilenode is a rewrite, a sequential
// scan counted in pg_stat_xact_user_tables (and no rewrite) is a scan, and
// pg_locks shows the strongest lock the statement holds on the relation.
// Every statement is rolled back.
func TestLockDDLOnPostgres(t *testing.T) {
	url := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var num int
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num))

	// An in-place tablespace (a developer option, superuser only) gives
	// SET TABLESPACE somewhere to go without a directory on the server.
	space := "dk_space_" + strconv.Itoa(int(time.Now().UnixNano()%1e9))
	_, err = conn.Exec(ctx, "SET allow_in_place_tablespaces = on")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE TABLESPACE "+space+" LOCATION ''")
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP TABLESPACE IF EXISTS "+space)
			c.Close(context.Background())
		}
	})

	cases := []struct {
		stmt string
		// rel is the relation measured on the server (in the case's schema).
		rel string
		// rule is the finding whose claims are compared; "" expects no
		// finding and no lock above ROW EXCLUSIVE on rel.
		rule string
		// lock is the strongest lock expected on rel for a case without
		// a finding.
		lock lockMode
	}{
		{`ALTER TABLE t SET TABLESPACE ` + space, "t", RuleSetTablespace, lockNone},
		{`ALTER INDEX t_n SET TABLESPACE ` + space, "t_n", RuleSetTablespace, lockNone},
		{`ALTER TABLE t SET UNLOGGED`, "t", RuleSetLogged, lockNone},
		{`REFRESH MATERIALIZED VIEW mv`, "mv", RuleRefreshMatView, lockNone},
		{`LOCK TABLE t`, "t", RuleLockTable, lockNone},
		{`LOCK TABLE t IN SHARE MODE`, "t", RuleLockTable, lockNone},
		{`ALTER TABLE p DETACH PARTITION p1`, "p", RuleDetachPartition, lockNone},
		{`ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (100) TO (200)`, "p2", RuleAttachPartition, lockNone},
		{`ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0)`, "dt", RuleDomainConstraint, lockNone},
		{`ALTER DOMAIN d SET NOT NULL`, "dt", RuleDomainConstraint, lockNone},
		{`ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID`, "dt", "", lockNone},
		{`DROP INDEX t_n`, "t", RuleDropIndex, lockNone},
		{`ALTER TABLE t ADD COLUMN uid integer REFERENCES u (id)`, "t", "", lockAccessExclusive},
		{`ALTER TABLE t ADD COLUMN uid integer DEFAULT 1 REFERENCES u (id)`, "t", RuleAddColumnForeignKey, lockNone},
		{`CREATE POLICY pol ON t USING (true)`, "t", RuleNotModelled, lockNone},
		{`ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C"`, "t", RuleAlterColumnType, lockNone},
		{`ALTER SEQUENCE t_id_seq RESTART 1000`, "t_id_seq", RuleNotModelled, lockNone},
		{`CREATE OR REPLACE VIEW v AS SELECT id, n FROM t`, "v", RuleNotModelled, lockNone},
		{`COMMENT ON COLUMN t.c IS 'the c'`, "t", "", lockShareUpdateExclusive},
		{`GRANT SELECT ON t TO PUBLIC`, "t", "", lockNone},
		{`CREATE SCHEMA other`, "t", "", lockNone},
		{`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`, "t", "", lockNone},
		{`CREATE EXTENSION IF NOT EXISTS plpgsql`, "t", "", lockNone},
		{`ALTER DOMAIN d OWNER TO CURRENT_USER`, "dt", "", lockNone},
		{`ALTER SCHEMA public OWNER TO CURRENT_USER`, "t", "", lockNone},
		// Static SQL in DO blocks (analyze_do.go): the same claims as at top level.
		{`DO $$ BEGIN ALTER TABLE t SET UNLOGGED; END $$`, "t", RuleSetLogged, lockNone},
		{`DO $$ BEGIN LOCK TABLE t IN SHARE MODE; END $$`, "t", RuleLockTable, lockNone},
		{`DO $$ BEGIN ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (100) TO (200); END $$`, "p2", RuleAttachPartition, lockNone},
		{`DO $$ BEGIN ALTER TABLE t ADD COLUMN uid integer DEFAULT 1 REFERENCES u (id); EXCEPTION WHEN duplicate_object THEN NULL; END $$`, "t", RuleAddColumnForeignKey, lockNone},
		{`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'zz') THEN ALTER TABLE u ALTER COLUMN id TYPE bigint; END IF; END $$`, "u", RuleAlterColumnType, lockNone},
		{`DO $$ BEGIN ALTER TABLE t ADD COLUMN z integer; END $$`, "t", "", lockAccessExclusive},
	}
	for i, tc := range cases {
		t.Run(tc.stmt, func(t *testing.T) {
			s := "lk" + strconv.Itoa(i)
			_, err := conn.Exec(ctx, "CREATE SCHEMA "+s+"; SET search_path = "+s+"; "+lockDDLSchema)
			require.NoError(t, err)
			reg := "'" + s + "." + tc.rel + "'::regclass"
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback(ctx) }()
			var before, after uint32
			var scansBefore, scansAfter int64
			require.NoError(t, tx.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = "+reg).Scan(&before))
			require.NoError(t, tx.QueryRow(ctx, "SELECT coalesce((SELECT seq_scan FROM pg_stat_xact_all_tables WHERE relid = "+reg+"), 0)").Scan(&scansBefore))
			_, err = tx.Exec(ctx, tc.stmt)
			require.NoError(t, err)
			require.NoError(t, tx.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = "+reg).Scan(&after))
			require.NoError(t, tx.QueryRow(ctx, "SELECT coalesce((SELECT seq_scan FROM pg_stat_xact_all_tables WHERE relid = "+reg+"), 0)").Scan(&scansAfter))
			rows, err := tx.Query(ctx, "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation = "+reg)
			require.NoError(t, err)
			held := lockNone
			for rows.Next() {
				var m string
				require.NoError(t, rows.Scan(&m))
				if pgLockModes[m] > held {
					held = pgLockModes[m]
				}
			}
			require.NoError(t, rows.Err())
			rewrote := before != after
			scanned := scansAfter > scansBefore && !rewrote

			files := []File{{Path: "0001.sql", SQL: []byte(lockDDLSchema + ";")}, {Path: "0002.sql", SQL: []byte("BEGIN;\n" + tc.stmt + ";\nCOMMIT;")}}
			reps, err := AnalyzeFiles(files, Options{PGVersion: num})
			require.NoError(t, err)
			var f *Finding
			for j := range reps[1].Findings {
				if reps[1].Findings[j].Rule == tc.rule {
					f = &reps[1].Findings[j]
				}
			}
			if tc.rule == "" {
				for _, g := range reps[1].Findings {
					assert.Contains(t, []string{RuleLockTimeout, RuleAzureExtension}, g.Rule, "no finding expected: %+v", g)
				}
				assert.False(t, rewrote, "server rewrote %s", tc.rel)
				assert.False(t, scanned, "server scanned %s", tc.rel)
				assert.Equal(t, tc.lock.String(), held.String(), "server lock on %s", tc.rel)
				return
			}
			require.NotNil(t, f, "want a %s finding: %+v", tc.rule, reps[1].Findings)
			if tc.rule == RuleNotModelled {
				// Not modelled: only the lock named in the message is a claim.
				assert.Equal(t, held.String(), f.Lock, "server holds %s on %s", held, tc.rel)
				return
			}
			assert.Equal(t, rewrote, f.Rewrite, "server rewrote=%v, analyser claims %v", rewrote, f.Rewrite)
			assert.Equal(t, scanned, f.Scan, "server scanned=%v, analyser claims %v", scanned, f.Scan)
			assert.Equal(t, held.String(), f.Lock, "server holds %s on %s", held, tc.rel)
		})
	}
	// The collation change's finding names the index it rebuilds: the
	// index gets a new relfilenode while the table keeps its own.
	t.Run("collation change rebuilds the index", func(t *testing.T) {
		_, err := conn.Exec(ctx, "CREATE SCHEMA lkcoll; SET search_path = lkcoll; "+lockDDLSchema)
		require.NoError(t, err)
		var before, after uint32
		require.NoError(t, conn.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = 'lkcoll.t_c'::regclass").Scan(&before))
		_, err = conn.Exec(ctx, `ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C"`)
		require.NoError(t, err)
		require.NoError(t, conn.QueryRow(ctx, "SELECT relfilenode FROM pg_class WHERE oid = 'lkcoll.t_c'::regclass").Scan(&after))
		assert.NotEqual(t, before, after, "the server rebuilt t_c")
		reps, err := AnalyzeFiles([]File{{Path: "1.sql", SQL: []byte(lockDDLSchema + ";")}, {Path: "2.sql", SQL: []byte(`ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C";`)}}, Options{PGVersion: num})
		require.NoError(t, err)
		require.NotEmpty(t, reps[1].Findings)
		assert.Contains(t, findingRules(reps[1]), RuleAlterColumnType)
		for _, f := range reps[1].Findings {
			if f.Rule == RuleAlterColumnType {
				assert.Contains(t, f.Message, "t_c")
			}
		}
		// Same collation again: the index is kept, and nothing is claimed.
		reps, err = AnalyzeFiles([]File{{Path: "1.sql", SQL: []byte(lockDDLSchema + `; ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C";`)}, {Path: "2.sql", SQL: []byte(`ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C";`)}}, Options{PGVersion: num})
		require.NoError(t, err)
		assert.NotContains(t, findingRules(reps[1]), RuleAlterColumnType)
	})
	t.Run("enum value used in the same transaction", func(t *testing.T) {
		_, err := conn.Exec(ctx, "CREATE SCHEMA lkenum; SET search_path = lkenum; "+lockDDLSchema+"; CREATE TABLE m (x mood)")
		require.NoError(t, err)
		sql := "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO m VALUES ('meh');\nCOMMIT;"
		_, err = conn.Exec(ctx, sql)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unsafe use of new value")
		_, _ = conn.Exec(ctx, "ROLLBACK")
		rep, aerr := AnalyzeSQL("x.sql", []byte(sql), Options{PGVersion: num})
		require.NoError(t, aerr)
		assert.Contains(t, findingRules(rep), RuleEnumValueSameTxn)
	})
}

func findingRules(rep *FileReport) string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return strings.Join(out, " ")
}

package migrate

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

// pgBouncer starts a real PgBouncer in transaction pooling mode (as Azure's
// built-in one on port 6432 runs) in front of the database dbURL and
// returns a URL through it. Skipped when pgbouncer is not installed
// (Debian package "pgbouncer").
func pgBouncer(t *testing.T, dbURL string, poolSize int) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/pgbouncer"); err2 != nil {
			if testenv.InCI() {
				t.Fatal("CI=true and pgbouncer is not installed (apt-get install pgbouncer)")
			}
			t.Skip("pgbouncer is not installed (apt-get install pgbouncer)")
		}
		bin = "/usr/sbin/pgbouncer"
	}
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "deploykit-pgbouncer-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	port := testenv.FreePort(t)
	target := fmt.Sprintf("host=%s port=%s user=%s", u.Hostname(), u.Port(), u.User.Username())
	if pw, ok := u.User.Password(); ok {
		target += " password=" + pw
	}
	ini := fmt.Sprintf(`[databases]
* = %s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = %d
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
logfile =
pidfile =
`, target, port, poolSize)
	cfg := filepath.Join(dir, "pgbouncer.ini")
	require.NoError(t, os.WriteFile(cfg, []byte(ini), 0o644))
	args := []string{cfg}
	if os.Geteuid() == 0 { // pgbouncer refuses to run as root
		if _, err := user.Lookup("postgres"); err == nil {
			args = []string{"-u", "postgres", cfg}
		}
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("pgbouncer output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pgbouncer did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	bu := *u
	bu.Host = "127.0.0.1:" + strconv.Itoa(port)
	return bu.String()
}

// Through a real transaction-pooling PgBouncer: Apply in pooled mode keeps
// no session state, and two concurrent appliers still apply each unit once.
func TestApplyThroughPgBouncerTransactionPooling(t *testing.T) {
	dbURL := testenv.Postgres(t)
	ctx := context.Background()
	direct := connect(t, dbURL)
	_, err := direct.Exec(ctx, `CREATE TABLE log (n int); CREATE TABLE item (id serial PRIMARY KEY, price int);`)
	require.NoError(t, err)
	bouncer := pgBouncer(t, dbURL, 2)

	files := []ApplyFile{{Name: "0001.sql", SQL: []byte(`
BEGIN;
INSERT INTO log VALUES (1);
SELECT pg_sleep(0.3);
COMMIT;
INSERT INTO log VALUES (2);
CREATE INDEX CONCURRENTLY item_price ON item (price);
BEGIN;
ALTER TABLE item ADD COLUMN name text;
INSERT INTO log VALUES (3);
COMMIT;`)}}
	var wg sync.WaitGroup
	reps := make([]*ApplyReport, 3)
	errs := make([]error, 3)
	for i := range 3 {
		conn, err := Connect(ctx, bouncer, ConnectOptions{Pooled: true})
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(context.Background()) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze, Pooled: true})
		}()
	}
	wg.Wait()
	applied := 0
	for i := range 3 {
		// A concurrent CREATE INDEX CONCURRENTLY of the same name may fail
		// for the loser; every transactional unit runs exactly once.
		if errs[i] != nil {
			t.Logf("applier %d: %v", i, errs[i])
			continue
		}
		for _, u := range reps[i].Units {
			if u.Status == UnitApplied {
				applied++
			}
		}
	}
	assert.Equal(t, []int{1, 2, 3}, ints(t, direct, "SELECT n FROM log ORDER BY n"), "each unit ran once")

	// A later run through the bouncer finishes whatever a loser left and
	// then finds everything applied.
	conn, err := Connect(ctx, bouncer, ConnectOptions{Pooled: true})
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze, Pooled: true})
	require.NoError(t, err)
	rep, err := Apply(ctx, conn, files, ApplyOptions{Analyze: safeAnalyze, Pooled: true})
	require.NoError(t, err)
	for _, u := range rep.Units {
		assert.Equal(t, UnitAlreadyApplied, u.Status)
	}
	assert.Equal(t, []int{1, 2, 3}, ints(t, direct, "SELECT n FROM log ORDER BY n"))
	assert.Equal(t, 1, count(t, direct, "SELECT count(*) FROM pg_index WHERE indexrelid = 'item_price'::regclass AND indisvalid"))
	assert.Equal(t, 4, count(t, direct, "SELECT count(*) FROM deploykit_migrations"))
	assert.Positive(t, applied)
}

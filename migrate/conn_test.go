package migrate

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://app:s3cret@db.example.com:5432/site?sslmode=require":    "postgres://app:xxxxx@db.example.com:5432/site?sslmode=require",
		"postgresql://app:p%40ss@db/site":                                   "postgresql://app:xxxxx@db/site",
		"postgres://app@db/site?password=s3cret&sslmode=require":            "postgres://app@db/site?password=xxxxx&sslmode=require",
		"postgres://db/site":                                                "postgres://db/site",
		"host=db user=app password=s3cret dbname=site":                      "host=db user=app password=xxxxx dbname=site",
		`host=db password='it\'s secret' dbname=site`:                       "host=db password=xxxxx dbname=site",
		"host=db sslpassword=keypass":                                       "host=db sslpassword=xxxxx",
		"dial postgres://app:s3cret@db/site: connection refused":            "dial postgres://app:xxxxx@db/site: connection refused",
		"failed to connect to `user=app database=site`: connection refused": "failed to connect to `user=app database=site`: connection refused",
		"": "",
	} {
		assert.Equal(t, want, RedactURL(in), in)
	}
}

// FuzzRedactURL: RedactURL never panics, and a password embedded in a URL
// or a password= keyword anywhere in a message never survives it.
func FuzzRedactURL(f *testing.F) {
	f.Add("s3cretpass", "", "")
	f.Add("abcd", "dial ", ": connection refused")
	f.Add("abcd", "", "?sslmode=require&password=x")
	f.Add("zzzz", "cannot parse `", "`: bad")
	f.Fuzz(func(t *testing.T, password, prefix, suffix string) {
		_ = RedactURL(prefix + suffix) // never panics on anything
		if len(password) < 4 || strings.Trim(password, "abcdefghijklmnopqrstuvwxyz0123456789") != "" ||
			strings.Contains(prefix+suffix, password) || strings.Contains(redactedMask, password) {
			return
		}
		// Embedded as a token of a message: separated by whitespace.
		if prefix != "" && !strings.HasSuffix(prefix, " ") {
			prefix += " "
		}
		if suffix != "" && !strings.HasPrefix(suffix, " ") {
			suffix = " " + suffix
		}
		for _, in := range []string{
			prefix + "postgres://u:" + password + "@h:5432/d" + suffix,
			prefix + "host=h password=" + password + suffix,
			"postgres://u:" + password + "@h/d?sslmode=require",
			"postgres://u@h/d?password=" + password + "&sslmode=require",
		} {
			if out := RedactURL(in); strings.Contains(out, password) {
				t.Fatalf("password leaked: %q -> %q", in, out)
			}
		}
	})
}

func TestConnectErrorsNeverShowPasswords(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, cs := range []string{
		"postgres://app:Sup3rSecretPw@127.0.0.1:1/site?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=app password=Sup3rSecretPw dbname=site sslmode=disable connect_timeout=2",
		"postgres://app:Sup3rSecretPw@127.0.0.1:notaport/site",
		"host=127.0.0.1 port=1 password='Sup3rSecretPw",
	} {
		_, err := Connect(ctx, cs, ConnectOptions{Logger: log, ConnectTimeout: 2 * time.Second})
		require.Error(t, err, cs)
		assert.NotContains(t, err.Error(), "Sup3rSecretPw")
		var ce *ConnectError
		require.ErrorAs(t, err, &ce)
		assert.NotContains(t, ce.Target, "Sup3rSecretPw")
	}
	assert.NotContains(t, logs.String(), "Sup3rSecretPw")
}

func TestConnectReal(t *testing.T) {
	raw := testenv.Postgres(t)
	ctx := context.Background()

	conn, err := Connect(ctx, raw, ConnectOptions{ApplicationName: "deploykit-test"})
	require.NoError(t, err)
	var app string
	require.NoError(t, conn.QueryRow(ctx, "SHOW application_name").Scan(&app))
	assert.Equal(t, "deploykit-test", app)
	conn.Close(ctx)

	// libpq environment variables, as psql reads them.
	u, err := url.Parse(raw)
	require.NoError(t, err)
	t.Setenv("PGHOST", u.Hostname())
	t.Setenv("PGPORT", u.Port())
	t.Setenv("PGUSER", u.User.Username())
	if p, ok := u.User.Password(); ok {
		t.Setenv("PGPASSWORD", p)
	}
	t.Setenv("PGDATABASE", strings.TrimPrefix(u.Path, "/"))
	t.Setenv("PGSSLMODE", "disable")
	conn, err = Connect(ctx, "", ConnectOptions{})
	require.NoError(t, err)
	var db string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_database()").Scan(&db))
	assert.Equal(t, strings.TrimPrefix(u.Path, "/"), db)
	conn.Close(ctx)

	// sslmode=require against a server without TLS fails, and says so
	// without the password.
	q := u.Query()
	q.Set("sslmode", "require")
	u.RawQuery = q.Encode()
	u.User = url.UserPassword(u.User.Username(), "Sup3rSecretPw")
	_, err = Connect(ctx, u.String(), ConnectOptions{ConnectTimeout: 5 * time.Second})
	if err == nil {
		t.Skip("the test server accepts TLS; nothing to check")
	}
	assert.NotContains(t, err.Error(), "Sup3rSecretPw")
	assert.Contains(t, err.Error(), "xxxxx")
}

package migrate

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConnectOptions configures Connect. The zero value is ready to use.
type ConnectOptions struct {
	// ApplicationName is reported to the server (pg_stat_activity); empty
	// means "deploykit-migrate" unless the connection string sets one.
	ApplicationName string

	// ConnectTimeout bounds the connection attempt; zero keeps the
	// connection string's connect_timeout (or pgx's default, none).
	ConnectTimeout time.Duration

	// Pooled declares that the connection goes through a transaction-pooling
	// proxy such as PgBouncer (Azure Database for PostgreSQL's built-in one
	// listens on port 6432). It switches pgx to the simple protocol, so no
	// prepared statement outlives a transaction. Apply must then also be told
	// (ApplyOptions.Pooled) so that it keeps no session state.
	Pooled bool

	// Logger receives connection events; nil discards them. Connection
	// strings are always redacted before they are logged.
	Logger *slog.Logger
}

// Connect opens one connection to PostgreSQL.
//
// connString is a postgres:// URL or a libpq keyword/value string; when it is
// empty the libpq environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER,
// PGPASSWORD, PGSSLMODE, ...) and ~/.pgpass are used, exactly as psql does.
// TLS follows sslmode as pgx implements it (disable, allow, prefer, require,
// verify-ca, verify-full); Azure Database for PostgreSQL needs at least
// sslmode=require.
//
// Passwords never appear in errors or logs: every message is passed through
// RedactURL, and the password itself is masked wherever it would appear.
func Connect(ctx context.Context, connString string, opts ConnectOptions) (*pgx.Conn, error) {
	log := liveLogger(opts.Logger)
	target := RedactURL(connString)
	if connString == "" {
		target = "(libpq environment)"
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, &ConnectError{Target: target, Err: redactError(err, connString)}
	}
	secrets := []string{connString}
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	if opts.ConnectTimeout > 0 {
		cfg.ConnectTimeout = opts.ConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		name := opts.ApplicationName
		if name == "" {
			name = "deploykit-migrate"
		}
		cfg.RuntimeParams["application_name"] = name
	}
	if opts.Pooled {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	log.DebugContext(ctx, "connecting", "target", target, "host", cfg.Host, "port", cfg.Port, "database", cfg.Database, "tls", cfg.TLSConfig != nil)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Target: target, Err: redactError(err, secrets...)}
	}
	return conn, nil
}

// ConnectError reports a failed connection. Target is the redacted
// connection string; Err has every password masked (errors.Is and errors.As
// still reach the original pgx error).
type ConnectError struct {
	Target string
	Err    error
}

// Error implements error; the message never contains a password.
func (e *ConnectError) Error() string {
	return "migrate: connect to " + e.Target + ": " + e.Err.Error()
}

// Unwrap returns the (redacted) pgx error.
func (e *ConnectError) Unwrap() error { return e.Err }

const redactedMask = "xxxxx"

var (
	kvPasswordQuoted = regexp.MustCompile(`(?i)\b((?:ssl)?password)\s*=\s*'(?:[^'\\]|\\.)*'?`)
	kvPasswordPlain  = regexp.MustCompile(`(?i)\b((?:ssl)?password)\s*=\s*[^\s']\S*`)
	urlUserinfo      = regexp.MustCompile(`(?i)(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@`)
)

// RedactURL returns connString with every password masked as "xxxxx": the
// userinfo password of a postgres:// URL, password= and sslpassword= query
// parameters, and password=/sslpassword= keywords of a keyword/value string.
// Everything else (user, host, port, database, sslmode) is kept, so the
// result still says where the connection went. Text that is not a connection
// string is returned unchanged, which makes RedactURL safe to apply to whole
// error messages.
func RedactURL(connString string) string {
	if u, err := url.Parse(connString); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && !strings.ContainsAny(connString, " \t\n") {
		if u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), redactedMask)
			}
		}
		q := u.Query()
		changed := false
		for k := range q {
			if lk := strings.ToLower(k); lk == "password" || lk == "sslpassword" {
				q.Set(k, redactedMask)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	s := urlUserinfo.ReplaceAllString(connString, "${1}:"+redactedMask+"@")
	s = redactURLQueryPasswords(s)
	s = kvPasswordQuoted.ReplaceAllString(s, "${1}="+redactedMask)
	s = kvPasswordPlain.ReplaceAllString(s, "${1}="+redactedMask)
	return s
}

var urlQueryPassword = regexp.MustCompile(`(?i)([?&](?:ssl)?password=)[^&\s]*`)

func redactURLQueryPasswords(s string) string {
	return urlQueryPassword.ReplaceAllString(s, "${1}"+redactedMask)
}

// redactedErr masks secrets in an error's message while keeping the chain.
type redactedErr struct {
	msg string
	err error
}

func (e *redactedErr) Error() string { return e.msg }
func (e *redactedErr) Unwrap() error { return e.err }

// redactError returns err with its message passed through RedactURL and every
// non-trivial secret replaced by the mask. The secrets are typically the raw
// connection string and the parsed password.
func redactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := redactText(err.Error(), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redactedErr{msg: msg, err: err}
}

func redactText(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 3 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, RedactURL(s))
		}
	}
	for _, s := range secrets {
		// A bare password (not a whole connection string) is masked outright.
		if len(s) >= 3 && !strings.Contains(s, "://") && !strings.Contains(s, "=") && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, redactedMask)
		}
	}
	return RedactURL(msg)
}

func liveLogger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

package migrate

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/deploykit/deploykit/internal/django"
)

// DjangoProject says how to ask a Django project for the SQL of its
// migrations ("manage.py sqlmigrate" for every migration, in one Python
// process).
type DjangoProject struct {
	// Dir is the project directory (the one holding manage.py).
	Dir string
	// Python is the interpreter with Django installed; "" means "python3".
	Python string
	// Settings is DJANGO_SETTINGS_MODULE; "" reads the default from
	// manage.py's os.environ.setdefault call.
	Settings string
	// Env is added to the process environment (e.g. DATABASE_URL). Django
	// needs a database connection: it reads django_migrations to know what
	// is pending, and sqlmigrate introspects constraint names.
	Env []string
	// CacheDir caches sqlmigrate output by migration file hash, so an
	// unchanged migration is never rendered twice; "" disables the cache.
	CacheDir string
	// Logger receives progress at debug level; nil discards.
	Logger *slog.Logger
}

// DjangoMigration is one migration with its SQL.
type DjangoMigration struct {
	// App and Name identify the migration ("blog", "0003_post_views").
	App, Name string
	// Path is the migration file relative to Dir.
	Path string
	// Hash is the SHA-256 of the migration file.
	Hash string
	// SQL is sqlmigrate's output (with BEGIN/COMMIT for atomic ones).
	SQL string
	// Atomic is the migration's atomic attribute.
	Atomic bool
	// OperationLines are the lines in Path of the migration's top-level
	// operations, in order.
	OperationLines []int
	// Irreversible lists the indexes (into OperationLines) of RunPython
	// operations without reverse_code.
	Irreversible []int
	// Applied reports that django_migrations lists the migration as
	// applied; the others are pending.
	Applied bool
	// Cached reports that SQL came from the cache.
	Cached bool
}

//go:embed django_sqlmigrate.py
var djangoScript string

// ErrDjango is wrapped by DjangoSQL errors that come from the Python side
// (Django not importable, bad settings, database unreachable).
var ErrDjango = errors.New("migrate: django")

// DjangoSettingsModule reads the default settings module from a
// manage.py's text (its os.environ.setdefault call), "" when it has none.
func DjangoSettingsModule(managePy []byte) string {
	return django.DefaultSettingsModule(managePy)
}

type djangoRequest struct {
	Cached []string `json:"cached"`
}

type djangoResponse struct {
	Django     string            `json:"django"`
	Migrations []DjangoMigration `json:"migrations"`
	Error      string            `json:"error"`
}

// DjangoSQL runs one Python process in the project that renders every
// migration, in the order "migrate" applies them, as sqlmigrate would,
// skipping migrations whose file hash is already in CacheDir (the first run
// renders them all; later runs only new or edited files). Applied ones are
// flagged: analyse the whole list with AnalyzeFiles, so the history informs
// the findings, and report the pending ones.
//
// The cache key is the migration file's hash alone: clear CacheDir after
// upgrading Django.
func DjangoSQL(ctx context.Context, p DjangoProject) ([]DjangoMigration, error) {
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	python := p.Python
	if python == "" {
		python = "python3"
	}
	settings := p.Settings
	if settings == "" {
		mp, err := os.ReadFile(filepath.Join(p.Dir, "manage.py"))
		if err != nil {
			return nil, fmt.Errorf("migrate: django project %s: %w", p.Dir, err)
		}
		settings = DjangoSettingsModule(mp)
		if settings == "" {
			return nil, fmt.Errorf("migrate: %s: no DJANGO_SETTINGS_MODULE default in manage.py (set DjangoProject.Settings)", filepath.Join(p.Dir, "manage.py"))
		}
	}
	req := djangoRequest{Cached: []string{}}
	if p.CacheDir != "" {
		entries, _ := os.ReadDir(p.CacheDir)
		for _, e := range entries {
			if h, ok := strings.CutSuffix(e.Name(), ".json"); ok {
				req.Cached = append(req.Cached, h)
			}
		}
	}
	in, _ := json.Marshal(req)
	cmd := exec.CommandContext(ctx, python, "-c", djangoScript)
	cmd.Dir = p.Dir
	cmd.Env = append(append(os.Environ(), "DJANGO_SETTINGS_MODULE="+settings, "PYTHONDONTWRITEBYTECODE=1"), p.Env...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	log.Debug("running sqlmigrate", "python", python, "dir", p.Dir, "cached", len(req.Cached))
	runErr := cmd.Run()
	var resp djangoResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("%w: %s in %s: %v: %s", ErrDjango, python, p.Dir, runErr, redactSecrets(lastLines(stderr.String(), 5), p.Env))
		}
		return nil, fmt.Errorf("%w: unreadable output of %s: %v", ErrDjango, python, err)
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("%w: %s", ErrDjango, redactSecrets(resp.Error, p.Env))
	}
	if runErr != nil {
		return nil, fmt.Errorf("%w: %s: %v: %s", ErrDjango, python, runErr, redactSecrets(lastLines(stderr.String(), 5), p.Env))
	}
	for i := range resp.Migrations {
		m := &resp.Migrations[i]
		if p.CacheDir == "" {
			continue
		}
		file := filepath.Join(p.CacheDir, m.Hash+".json")
		if m.Cached {
			var c DjangoMigration
			b, err := os.ReadFile(file)
			if err == nil {
				err = json.Unmarshal(b, &c)
			}
			if err != nil {
				return nil, fmt.Errorf("migrate: sqlmigrate cache %s: %w", file, err)
			}
			m.SQL, m.Atomic, m.OperationLines, m.Irreversible = c.SQL, c.Atomic, c.OperationLines, c.Irreversible
			continue
		}
		if err := os.MkdirAll(p.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("migrate: sqlmigrate cache: %w", err)
		}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(file, b, 0o644); err != nil {
			return nil, fmt.Errorf("migrate: sqlmigrate cache: %w", err)
		}
	}
	log.Debug("sqlmigrate done", "django", resp.Django, "migrations", len(resp.Migrations))
	return resp.Migrations, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// DjangoFiles turns migrations into analysis input: each file is named by its
// migration path, findings are placed on the line of the Django operation
// in the migration file, and RunPython without reverse_code is reported.
func DjangoFiles(ms []DjangoMigration) []File {
	out := make([]File, len(ms))
	for i, m := range ms {
		f := File{Path: m.Path, SQL: []byte(m.SQL), OperationLines: m.OperationLines}
		for _, k := range m.Irreversible {
			line := 0
			if k >= 0 && k < len(m.OperationLines) {
				line = m.OperationLines[k]
			}
			r := ruleByID(RuleRunPythonIrreversible)
			f.Extra = append(f.Extra, Finding{
				Diagnostic: Diagnostic{
					Pos:  Position{File: m.Path, Line: line},
					Rule: r.ID, URL: RuleURL(r.ID), Severity: r.Severity,
					Message:        "RunPython in " + m.App + "." + m.Name + " has no reverse_code, so the migration cannot be unapplied when a deploy is rolled back",
					SuggestedFixes: []SuggestedFix{{Message: "migrations.RunPython(forwards, reverse_code=migrations.RunPython.noop)"}},
				},
				Operation: "RunPython",
			})
		}
		out[i] = f
	}
	return out
}

var (
	// userinfo of a URL: scheme://user:password@ -> scheme://[REDACTED]@
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@'"]*@`)
	// password=..., PASSWORD: '...', "password": "..." (libpq strings,
	// Django settings dumps, tracebacks showing locals).
	passwordValue = regexp.MustCompile(`(?i)(password['"]?\s*[:=]\s*)('[^']*'|"[^"]*"|[^\s,}]+)`)
)

// redactSecrets removes what could be a secret from text that is about to
// go into an error: the values of env (DATABASE_URL=..., also when
// URL-decoded), URL credentials and password settings.
func redactSecrets(s string, env []string) string {
	for _, kv := range env {
		_, v, ok := strings.Cut(kv, "=")
		if !ok || len(v) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, v, "[REDACTED]")
	}
	s = urlCredentials.ReplaceAllString(s, "${1}[REDACTED]@")
	return passwordValue.ReplaceAllString(s, "${1}[REDACTED]")
}

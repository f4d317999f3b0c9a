package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// MigrationRef names a Django migration: app label and migration name
// ("blog", "0002_post_views").
type MigrationRef struct {
	App  string `json:"app"`
	Name string `json:"name"`
}

// String returns "app.name".
func (r MigrationRef) String() string { return r.App + "." + r.Name }

// DiskMigration is a migration file found in a project.
type DiskMigration struct {
	MigrationRef
	// Path of the file.
	Path string `json:"path"`
	// Replaces lists the migrations a squashed migration replaces
	// (its `replaces = [...]` attribute).
	Replaces []MigrationRef `json:"replaces,omitempty"`
	// Dependencies are the literal (app, name) pairs of `dependencies`;
	// swappable dependencies (settings.AUTH_USER_MODEL) are not resolved.
	Dependencies []MigrationRef `json:"dependencies,omitempty"`
}

// AppliedMigration is a row of django_migrations.
type AppliedMigration struct {
	MigrationRef
	Applied time.Time `json:"applied"`
}

// PendingReport compares the migrations on disk with django_migrations.
type PendingReport struct {
	// Pending migrations, sorted by app and name (Django's NNNN_ prefixes
	// make that the order within an app).
	Pending []PendingMigration `json:"pending"`
	// MissingOnDisk are recorded as applied in an app that has a
	// migrations directory, but no file (and no squashed migration's
	// `replaces`) accounts for them: deleted or renamed after applying.
	MissingOnDisk []AppliedMigration `json:"missing_on_disk"`
	// OutOfOrder lists history Django considers inconsistent or that
	// arrived out of order.
	OutOfOrder []OutOfOrder `json:"out_of_order"`
	// OtherApps are app labels recorded in django_migrations that have no
	// migrations directory under the project (django.contrib apps,
	// third-party packages): not judged.
	OtherApps []string `json:"other_apps,omitempty"`
	// NoHistory is true when the database has no django_migrations table
	// (nothing was ever migrated).
	NoHistory bool `json:"no_history,omitempty"`
}

// PendingMigration is a migration not yet applied.
type PendingMigration struct {
	DiskMigration
	// Note explains squash handling ("squashed: replaces 0001, 0002").
	Note string `json:"note,omitempty"`
}

// OutOfOrder is an inconsistency between the files and the history.
type OutOfOrder struct {
	Migration MigrationRef `json:"migration"`
	Reason    string       `json:"reason"`
}

// ComparePending works out, as Django's migration loader does, which
// migrations on disk are not applied:
//
//   - a squashed migration (one with `replaces`) counts as applied when it
//     is recorded itself or all the migrations it replaces are; when none of
//     them is applied it stands in for them; when only some are, Django
//     cannot use it and the replaced migrations stay pending individually;
//   - an applied migration with no file, in an app that has migration files,
//     is missing on disk unless a squashed migration on disk replaces it;
//   - an applied migration whose dependency is not applied is inconsistent
//     history (Django refuses to migrate), and a pending migration that sorts
//     before an applied one of the same app arrived out of order.
func ComparePending(disk []DiskMigration, applied []AppliedMigration) *PendingReport {
	rep := &PendingReport{Pending: []PendingMigration{}, MissingOnDisk: []AppliedMigration{}, OutOfOrder: []OutOfOrder{}}
	isApplied := map[MigrationRef]bool{}
	for _, a := range applied {
		isApplied[a.MigrationRef] = true
	}
	onDisk := map[MigrationRef]*DiskMigration{}
	apps := map[string]bool{}
	for i := range disk {
		onDisk[disk[i].MigrationRef] = &disk[i]
		apps[disk[i].App] = true
	}
	replacedBy := map[MigrationRef]MigrationRef{}
	// squash state: used (stands for its replaced migrations) or not.
	squashUsed := map[MigrationRef]bool{}
	squashApplied := map[MigrationRef]bool{}
	for i := range disk {
		d := &disk[i]
		if len(d.Replaces) == 0 {
			continue
		}
		n := 0
		for _, r := range d.Replaces {
			replacedBy[r] = d.MigrationRef
			if isApplied[r] {
				n++
			}
		}
		all := n == len(d.Replaces)
		squashApplied[d.MigrationRef] = isApplied[d.MigrationRef] || all
		squashUsed[d.MigrationRef] = isApplied[d.MigrationRef] || all || n == 0
	}
	nodeApplied := func(r MigrationRef) bool {
		if s, ok := replacedBy[r]; ok && squashUsed[s] {
			return squashApplied[s]
		}
		if _, ok := squashApplied[r]; ok {
			return squashApplied[r]
		}
		return isApplied[r]
	}

	for i := range disk {
		d := &disk[i]
		if len(d.Replaces) > 0 {
			if !squashUsed[d.MigrationRef] {
				continue // partially applied: the replaced migrations are the nodes
			}
			if !squashApplied[d.MigrationRef] {
				rep.Pending = append(rep.Pending, PendingMigration{DiskMigration: *d, Note: "squashed migration: stands in for " + refNames(d.Replaces)})
			}
			continue
		}
		if s, ok := replacedBy[d.MigrationRef]; ok && squashUsed[s] {
			continue // represented by its squashed migration
		}
		if !isApplied[d.MigrationRef] {
			pm := PendingMigration{DiskMigration: *d}
			if s, ok := replacedBy[d.MigrationRef]; ok {
				pm.Note = "replaced by " + s.String() + ", which Django cannot use while only part of what it replaces is applied"
			}
			rep.Pending = append(rep.Pending, pm)
		}
	}
	// Replaced migrations without a file, needed because their squash is
	// not usable.
	for r, s := range replacedBy {
		if squashUsed[s] || isApplied[r] || onDisk[r] != nil {
			continue
		}
		rep.Pending = append(rep.Pending, PendingMigration{
			DiskMigration: DiskMigration{MigrationRef: r},
			Note:          "replaced by " + s.String() + ", which is only partially applied, and its file is missing: restore it or fake the rest of the squash",
		})
	}
	sort.Slice(rep.Pending, func(i, j int) bool { return refLess(rep.Pending[i].MigrationRef, rep.Pending[j].MigrationRef) })

	others := map[string]bool{}
	for _, a := range applied {
		if !apps[a.App] {
			others[a.App] = true
			continue
		}
		if onDisk[a.MigrationRef] == nil {
			if _, ok := replacedBy[a.MigrationRef]; !ok {
				rep.MissingOnDisk = append(rep.MissingOnDisk, a)
			}
		}
	}
	for a := range others {
		rep.OtherApps = append(rep.OtherApps, a)
	}
	sort.Strings(rep.OtherApps)
	sort.Slice(rep.MissingOnDisk, func(i, j int) bool {
		return refLess(rep.MissingOnDisk[i].MigrationRef, rep.MissingOnDisk[j].MigrationRef)
	})

	firstOf := map[string]MigrationRef{}
	for _, d := range disk {
		if f, ok := firstOf[d.App]; !ok || d.Name < f.Name {
			if len(d.Replaces) == 0 {
				firstOf[d.App] = d.MigrationRef
			}
		}
	}
	for i := range disk {
		d := &disk[i]
		if !nodeApplied(d.MigrationRef) {
			continue
		}
		for _, dep := range d.Dependencies {
			switch dep.Name {
			case "__latest__":
				continue
			case "__first__":
				f, ok := firstOf[dep.App]
				if !ok {
					continue
				}
				dep = f
			}
			depApplied := isApplied[dep]
			if apps[dep.App] {
				depApplied = nodeApplied(dep)
			}
			if !depApplied {
				rep.OutOfOrder = append(rep.OutOfOrder, OutOfOrder{Migration: d.MigrationRef,
					Reason: fmt.Sprintf("applied, but its dependency %s is not (Django raises InconsistentMigrationHistory)", dep)})
			}
		}
	}
	lastApplied := map[string]string{}
	for _, a := range applied {
		if apps[a.App] && a.Name > lastApplied[a.App] {
			lastApplied[a.App] = a.Name
		}
	}
	for _, p := range rep.Pending {
		if last := lastApplied[p.App]; last != "" && p.Name < last && len(p.Replaces) == 0 {
			rep.OutOfOrder = append(rep.OutOfOrder, OutOfOrder{Migration: p.MigrationRef,
				Reason: fmt.Sprintf("pending, but the later %s.%s is already applied (added on another branch?)", p.App, last)})
		}
	}
	sort.SliceStable(rep.OutOfOrder, func(i, j int) bool { return refLess(rep.OutOfOrder[i].Migration, rep.OutOfOrder[j].Migration) })
	return rep
}

func refLess(a, b MigrationRef) bool {
	if a.App != b.App {
		return a.App < b.App
	}
	return a.Name < b.Name
}

func refNames(rs []MigrationRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// ReadAppliedMigrations reads django_migrations. A database without the
// table (never migrated) gives no rows and ok=false.
func ReadAppliedMigrations(ctx context.Context, db Querier) (applied []AppliedMigration, ok bool, err error) {
	rows, err := db.Query(ctx, "SELECT app, name, applied FROM django_migrations ORDER BY id")
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("migrate: read django_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a AppliedMigration
		if err := rows.Scan(&a.App, &a.Name, &a.Applied); err != nil {
			return nil, false, fmt.Errorf("migrate: read django_migrations: %w", err)
		}
		applied = append(applied, a)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("migrate: read django_migrations: %w", err)
	}
	return applied, true, nil
}

// Pending reads django_migrations through db and the migration files under
// projectDir and compares them (ComparePending).
func Pending(ctx context.Context, db Querier, projectDir string) (*PendingReport, error) {
	disk, err := FindMigrationFiles(projectDir)
	if err != nil {
		return nil, err
	}
	applied, ok, err := ReadAppliedMigrations(ctx, db)
	if err != nil {
		return nil, err
	}
	rep := ComparePending(disk, applied)
	rep.NoHistory = !ok
	return rep, nil
}

// skipDirs are never searched for apps.
var skipDirs = map[string]bool{"node_modules": true, "__pycache__": true, "site-packages": true, "venv": true, ".venv": true, "env": true, ".tox": true, "static": true, "staticfiles": true}

// FindMigrationFiles walks projectDir for Django apps: directories with a
// migrations package (migrations/__init__.py). The app label is the app
// directory's name, or the `label = "..."` of its apps.py. Every module in
// migrations/ whose name does not start with "_" or "~" is a migration, as
// Django's loader sees it. Each file's `replaces` and `dependencies` are
// read without running Python.
func FindMigrationFiles(projectDir string) ([]DiskMigration, error) {
	var out []DiskMigration
	err := filepath.WalkDir(projectDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != projectDir && (strings.HasPrefix(name, ".") || skipDirs[name]) {
			return filepath.SkipDir
		}
		if name != "migrations" {
			return nil
		}
		if _, err := os.Stat(filepath.Join(path, "__init__.py")); err != nil {
			return nil
		}
		appDir := filepath.Dir(path)
		app := appLabel(appDir)
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".py") || strings.HasPrefix(n, "_") || strings.HasPrefix(n, "~") {
				continue
			}
			p := filepath.Join(path, n)
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m, err := ParseMigrationFile(p, src)
			if err != nil {
				return err
			}
			m.App, m.Name = app, strings.TrimSuffix(n, ".py")
			out = append(out, *m)
		}
		return filepath.SkipDir
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: find migrations in %s: %w", projectDir, err)
	}
	sort.Slice(out, func(i, j int) bool { return refLess(out[i].MigrationRef, out[j].MigrationRef) })
	return out, nil
}

var appsLabel = regexp.MustCompile(`(?m)^\s+label\s*=\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]`)

func appLabel(appDir string) string {
	if src, err := os.ReadFile(filepath.Join(appDir, "apps.py")); err == nil {
		if m := appsLabel.FindSubmatch(src); m != nil {
			return string(m[1])
		}
	}
	return filepath.Base(appDir)
}

// MigrationSyntaxError reports a `replaces` or `dependencies` value the
// reader cannot understand. Line and Column are 1-based.
type MigrationSyntaxError struct {
	Path         string
	Line, Column int
	Msg          string
}

// Error implements error as "path:line:column: message".
func (e *MigrationSyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
}

var migrationAttr = regexp.MustCompile(`(?m)^[ \t]+(replaces|dependencies)[ \t]*(?::[^=\n]*)?=[ \t]*`)

// ParseMigrationFile reads the `replaces` and `dependencies` class
// attributes of a Django migration module without executing it. Both must
// be list or tuple literals; elements that are ("app", "name") pairs of
// string literals are kept, other elements (swappable_dependency(...)) are
// skipped. A malformed literal is a *MigrationSyntaxError.
func ParseMigrationFile(path string, src []byte) (*DiskMigration, error) {
	text := string(src)
	m := &DiskMigration{Path: path}
	for _, loc := range migrationAttr.FindAllStringSubmatchIndex(text, -1) {
		attr := text[loc[2]:loc[3]]
		p := &pyReader{path: path, text: text, pos: loc[1]}
		refs, err := p.refList()
		if err != nil {
			return nil, err
		}
		if attr == "replaces" {
			m.Replaces = refs
		} else {
			m.Dependencies = refs
		}
	}
	return m, nil
}

// pyReader parses the small subset of Python literals migrations use.
type pyReader struct {
	path string
	text string
	pos  int
}

func (p *pyReader) fail(msg string) error {
	line, col := 1, 1
	for _, r := range p.text[:min(p.pos, len(p.text))] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &MigrationSyntaxError{Path: p.path, Line: line, Column: col, Msg: msg}
}

// skip skips whitespace, newlines, backslash continuations and comments.
func (p *pyReader) skip() {
	for p.pos < len(p.text) {
		switch c := p.text[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
			p.pos++
		case c == '#':
			for p.pos < len(p.text) && p.text[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

// refList parses [ ("a", "b"), ... ] or ( ... ).
func (p *pyReader) refList() ([]MigrationRef, error) {
	p.skip()
	if p.pos >= len(p.text) || (p.text[p.pos] != '[' && p.text[p.pos] != '(') {
		return nil, p.fail("expected a list or tuple literal")
	}
	closer := map[byte]byte{'[': ']', '(': ')'}[p.text[p.pos]]
	p.pos++
	var out []MigrationRef
	for {
		p.skip()
		if p.pos >= len(p.text) {
			return nil, p.fail(fmt.Sprintf("unterminated list: expected %q", closer))
		}
		if p.text[p.pos] == closer {
			p.pos++
			return out, nil
		}
		if c := p.text[p.pos]; c == '(' || c == '[' {
			start := p.pos
			strs, ok, err := p.stringTuple()
			if err != nil {
				return nil, err
			}
			if ok && len(strs) == 2 {
				out = append(out, MigrationRef{App: strs[0], Name: strs[1]})
			} else if !ok {
				p.pos = start
				if err := p.skipExpr(); err != nil {
					return nil, err
				}
			}
		} else if err := p.skipExpr(); err != nil {
			return nil, err
		}
		p.skip()
		if p.pos < len(p.text) && p.text[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos >= len(p.text) {
			return nil, p.fail(fmt.Sprintf("unterminated list: expected %q", closer))
		}
		if p.text[p.pos] == closer {
			continue
		}
		return nil, p.fail(fmt.Sprintf("expected ',' or %q", closer))
	}
}

// stringTuple parses ("a", "b") when it consists of string literals only;
// ok is false (and the position undefined) otherwise.
func (p *pyReader) stringTuple() (strs []string, ok bool, err error) {
	closer := map[byte]byte{'[': ']', '(': ')'}[p.text[p.pos]]
	p.pos++
	for {
		p.skip()
		if p.pos >= len(p.text) {
			return nil, false, p.fail(fmt.Sprintf("unterminated tuple: expected %q", closer))
		}
		if p.text[p.pos] == closer {
			p.pos++
			return strs, true, nil
		}
		s, isStr, err := p.str()
		if err != nil {
			return nil, false, err
		}
		if !isStr {
			return nil, false, nil
		}
		strs = append(strs, s)
		p.skip()
		if p.pos < len(p.text) && p.text[p.pos] == ',' {
			p.pos++
		}
	}
}

// str parses a string literal with an optional r/u/b prefix.
func (p *pyReader) str() (string, bool, error) {
	i := p.pos
	for i < len(p.text) && strings.IndexByte("rRuUbB", p.text[i]) >= 0 && i-p.pos < 2 {
		i++
	}
	if i >= len(p.text) || (p.text[i] != '\'' && p.text[i] != '"') {
		return "", false, nil
	}
	q := p.text[i]
	var b strings.Builder
	for j := i + 1; j < len(p.text); j++ {
		switch c := p.text[j]; c {
		case '\\':
			if j+1 < len(p.text) {
				j++
				b.WriteByte(p.text[j])
			}
		case '\n':
			p.pos = i
			return "", false, p.fail("unterminated string literal")
		case q:
			p.pos = j + 1
			return b.String(), true, nil
		default:
			b.WriteByte(c)
		}
	}
	p.pos = i
	return "", false, p.fail("unterminated string literal")
}

// skipExpr skips one element expression up to a ',' or closing bracket at
// depth zero, honouring nested brackets and strings.
func (p *pyReader) skipExpr() error {
	depth := 0
	for p.pos < len(p.text) {
		c := p.text[p.pos]
		switch {
		case c == '\'' || c == '"':
			if _, _, err := p.str(); err != nil {
				return err
			}
			continue
		case c == '#':
			p.skip()
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				return nil
			}
			depth--
		case c == ',' && depth == 0:
			return nil
		}
		p.pos++
	}
	return p.fail("unterminated expression")
}

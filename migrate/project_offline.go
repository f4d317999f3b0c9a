package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ProjectAnalysis is the offline analysis of a Django project's migrations
// (AnalyzeProject): every migration on disk, in the order "manage.py
// migrate" applies them to an empty database.
type ProjectAnalysis struct {
	// Dir is the project directory as given.
	Dir string `json:"dir"`
	// Migrations are in dependency order.
	Migrations []AnalyzedMigration `json:"migrations"`
}

// AnalyzedMigration is one migration of a ProjectAnalysis.
type AnalyzedMigration struct {
	MigrationRef
	// Path is the migration file, slash-separated and relative to the
	// project directory ("blog/migrations/0002_post_views.py").
	Path string `json:"path"`
	// SQLPath is the .sql file beside it that was analysed
	// ("blog/migrations/0002_post_views.sql"), "" when there is none.
	SQLPath string `json:"sql_path,omitempty"`
	// SQL is SQLPath's content.
	SQL []byte `json:"-"`
	// Note explains squash handling ("squashed migration: stands in for ...").
	Note string `json:"note,omitempty"`
	// Report is the analysis of SQL in the context of every migration
	// before it; nil when Err is set.
	Report *FileReport `json:"report,omitempty"`
	// Err is why there is no Report: ErrNoSQL (wrapped) when no .sql file
	// is beside the migration, a *SyntaxError when it does not parse.
	Err error `json:"-"`
}

// Verdict is the migration's verdict: its Report's, or "not modelled"
// when it could not be analysed (never safe: the analysis fails closed).
func (m *AnalyzedMigration) Verdict() Verdict {
	if m.Report == nil {
		return VerdictNotModelled
	}
	return m.Report.Verdict
}

// VerdictNotModelled is the verdict of a migration AnalyzeProject could not
// analyse (no SQL beside it, or SQL that does not parse).
const VerdictNotModelled Verdict = "not modelled"

// Diagnostics are the migration's findings; a migration without a Report
// has one finding saying why: a RuleNotModelled warning naming the
// sqlmigrate command that produces the missing file, or an error at the
// position where its SQL does not parse.
func (m *AnalyzedMigration) Diagnostics() []Diagnostic {
	if m.Report != nil {
		return Diagnostics([]*FileReport{m.Report})
	}
	var se *SyntaxError
	if errors.As(m.Err, &se) {
		return []Diagnostic{{Pos: Position{File: m.SQLPath, Line: se.Line, Column: se.Column}, Rule: "parse", Severity: SeverityError, Message: se.Msg}}
	}
	want := strings.TrimSuffix(m.Path, ".py") + ".sql"
	return []Diagnostic{{Pos: Position{File: m.Path}, Rule: RuleNotModelled, URL: RuleURL(RuleNotModelled), Severity: SeverityWarning,
		Message: fmt.Sprintf("no SQL beside the migration, so it is not analysed: save `manage.py sqlmigrate %s %s` as %s", m.App, m.Name, want)}}
}

// Files are the analysed migrations as analysis input, in order (for
// Trace, or AnalyzeFiles with other Options).
func (p *ProjectAnalysis) Files() []File {
	var out []File
	for _, m := range p.Migrations {
		if m.SQLPath != "" {
			out = append(out, File{Path: m.SQLPath, SQL: m.SQL})
		}
	}
	return out
}

// AnalyzeProject analyses a Django project without a database or Django:
// it finds the migrations under dir (FindMigrationFiles), orders them as
// "manage.py migrate" would on an empty database (the graph PlanProject
// uses: dependencies first, "__first__" and "__latest__" resolved within
// the project, a squashed migration standing in for the ones it
// replaces), and analyses the "manage.py sqlmigrate" output saved beside
// each one (0002_x.sql beside 0002_x.py) with AnalyzeFiles, so earlier
// migrations inform later findings. A migration without such a file is
// reported as not modelled, never as safe.
//
// Errors are I/O errors, a migration file that cannot be read as one, and
// a dependency cycle; findings are in the result.
func AnalyzeProject(ctx context.Context, dir string, opts Options) (*ProjectAnalysis, error) {
	disk, err := FindMigrationFiles(dir)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nodes := ComparePending(disk, nil).Pending
	resolveProjectDependencies(nodes, disk)
	ordered, err := dependencyOrder(nodes)
	if err != nil {
		return nil, err
	}
	pa := &ProjectAnalysis{Dir: dir, Migrations: make([]AnalyzedMigration, 0, len(ordered))}
	var files []File
	var at []int
	for _, n := range ordered {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rel := n.Path
		if r, err := filepath.Rel(dir, n.Path); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		}
		rel = filepath.ToSlash(rel)
		am := AnalyzedMigration{MigrationRef: n.MigrationRef, Path: rel, Note: n.Note}
		sqlRel := strings.TrimSuffix(rel, ".py") + ".sql"
		b, err := readSQLFile(filepath.Join(dir, filepath.FromSlash(sqlRel)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			am.Err = fmt.Errorf("%w: %s: no %s", ErrNoSQL, n.MigrationRef, sqlRel)
		case err != nil:
			return nil, fmt.Errorf("migrate: %s: %w", sqlRel, err)
		default:
			am.SQLPath, am.SQL = sqlRel, b
			at = append(at, len(pa.Migrations))
			files = append(files, File{Path: sqlRel, SQL: b})
		}
		pa.Migrations = append(pa.Migrations, am)
	}
	reps, err := AnalyzeFiles(files, opts)
	var syntax []*SyntaxError
	for e := range joinedErrors(err) {
		var se *SyntaxError
		if !errors.As(e, &se) {
			return nil, err
		}
		syntax = append(syntax, se)
	}
	for i, r := range reps {
		m := &pa.Migrations[at[i]]
		if r != nil {
			m.Report = r
			continue
		}
		m.Err = &SyntaxError{Path: m.SQLPath, Line: 1, Msg: "does not parse"}
		for _, se := range syntax {
			if se.Path == m.SQLPath {
				m.Err = se
			}
		}
	}
	return pa, nil
}

// joinedErrors yields the errors joined in err (errors.Join), or err
// itself.
func joinedErrors(err error) func(func(error) bool) {
	return func(yield func(error) bool) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if !yield(e) {
					return
				}
			}
			return
		}
		yield(err)
	}
}

// readSQLFile reads at most MaxSQLFileSize+1 bytes, so an oversized file
// is refused by the parser (a SyntaxError) without being read whole.
func readSQLFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSQLFileSize+1))
}

// resolveProjectDependencies rewrites, in place, the dependencies Django's
// loader resolves before it builds the graph: "__latest__" becomes the
// app's leaf (the migration no other migration of the app depends on; the
// last by name when there are several, which "migrate" refuses as a
// conflict), and a dependency on a migration that a squashed migration in
// use replaces becomes the squashed one. "__first__" is left to
// dependencyOrder.
func resolveProjectDependencies(nodes []PendingMigration, disk []DiskMigration) {
	squash := map[MigrationRef]MigrationRef{}
	inGraph := map[MigrationRef]bool{}
	for _, n := range nodes {
		inGraph[n.MigrationRef] = true
	}
	for _, d := range disk {
		if inGraph[d.MigrationRef] {
			for _, r := range d.Replaces {
				squash[r] = d.MigrationRef
			}
		}
	}
	remap := func(r MigrationRef) MigrationRef {
		if s, ok := squash[r]; ok && !inGraph[r] {
			return s
		}
		return r
	}
	hasChild := map[MigrationRef]bool{}
	for _, n := range nodes {
		for _, d := range n.Dependencies {
			if d := remap(d); d.App == n.App {
				hasChild[d] = true
			}
		}
	}
	leaf := map[string]MigrationRef{}
	for _, n := range nodes {
		if hasChild[n.MigrationRef] {
			continue
		}
		if l, ok := leaf[n.App]; !ok || refLess(l, n.MigrationRef) {
			leaf[n.App] = n.MigrationRef
		}
	}
	for i := range nodes {
		deps := make([]MigrationRef, 0, len(nodes[i].Dependencies))
		for _, d := range nodes[i].Dependencies {
			if d.Name == "__latest__" {
				if l, ok := leaf[d.App]; ok {
					d = l
				}
			}
			deps = append(deps, remap(d))
		}
		nodes[i].Dependencies = deps
	}
}

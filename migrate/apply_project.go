package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrRunPython: a pending migration has RunPython (or RunSQL that Django
// cannot render) and ProjectApplyOptions.AllowPython is false. Nothing ran.
var ErrRunPython = errors.New("migrate: pending migration runs Python")

// ErrNoSQL: a pending migration has no SQL: Django is not importable (or
// DjangoProject.Python is empty) and there is no .sql file beside it.
var ErrNoSQL = errors.New("migrate: no SQL for a pending migration")

// ProjectApplyOptions configures ApplyProject.
type ProjectApplyOptions struct {
	// Project is the Django project. With Project.Python set, the SQL of
	// each migration comes from "manage.py sqlmigrate" (DjangoSQL); when
	// Python is empty, or Django cannot be imported, from a .sql file
	// beside the migration (blog/migrations/0002_x.sql for 0002_x.py).
	Project DjangoProject
	// AllowPython lets migrations with RunPython run: Django itself runs
	// each such migration ("manage.py migrate APP NAME"), with
	// Project.Python and Project.Env. Without it they are refused.
	AllowPython bool
	// Apply carries the lock_timeout, retries, Pooled, DryRun, Force and
	// Logger settings of every migration's Apply. RecordDjango and Analyze
	// are set by ApplyProject.
	Apply ApplyOptions
}

// ProjectMigration is one pending migration of a ProjectPlan.
type ProjectMigration struct {
	MigrationRef
	// Path is the migration file, relative to the project directory.
	Path string `json:"path"`
	// SQLSource says where SQL came from: "sqlmigrate", the .sql file's
	// path, or "" for a migration Django runs itself (RunPython).
	SQLSource string `json:"sql_source"`
	// SQL is what Apply runs.
	SQL []byte `json:"-"`
	// RunPython reports a migration Django has to run (RunPython, or an
	// operation sqlmigrate cannot express as SQL).
	RunPython bool `json:"run_python"`
	// Static is the analysis of SQL, in the context of the whole history.
	Static *FileReport `json:"static"`
}

// ProjectPlan is what ApplyProject will do, in order.
type ProjectPlan struct {
	// Applied are the migrations django_migrations records.
	Applied []MigrationRef `json:"applied"`
	// Pending are the migrations to apply, in dependency order.
	Pending []ProjectMigration `json:"pending"`
	// Refused explains why the plan cannot run ("" when it can): a
	// dangerous verdict, a statement the analysis does not model, or
	// RunPython without AllowPython.
	Refused string `json:"refused,omitempty"`

	err error
}

// Err is the error ApplyProject returns for a refused plan (wrapping
// ErrDangerous, ErrNotModelled or ErrRunPython), nil when it may run.
func (p *ProjectPlan) Err() error { return p.err }

// PlanProject reads the project's migration graph from its files and
// django_migrations from db, and returns the pending migrations in
// dependency order with their SQL and static verdicts. The plan is refused
// (Refused, Err) when a pending migration is dangerous, contains a
// statement the analysis does not model, or runs Python without
// AllowPython; ApplyOptions.Force lifts the first two.
func PlanProject(ctx context.Context, db Querier, opts ProjectApplyOptions) (*ProjectPlan, error) {
	dir := opts.Project.Dir
	pend, err := Pending(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	if len(pend.OutOfOrder) > 0 {
		return nil, fmt.Errorf("migrate: %s: inconsistent migration history: %s %s", dir, pend.OutOfOrder[0].Migration, pend.OutOfOrder[0].Reason)
	}
	applied, _, err := ReadAppliedMigrations(ctx, db)
	if err != nil {
		return nil, err
	}
	plan := &ProjectPlan{Applied: []MigrationRef{}, Pending: []ProjectMigration{}}
	for _, a := range applied {
		plan.Applied = append(plan.Applied, a.MigrationRef)
	}
	ordered, err := dependencyOrder(pend.Pending)
	if err != nil {
		return nil, err
	}
	if len(ordered) == 0 {
		return plan, nil
	}

	// SQL: sqlmigrate when Django is importable, else .sql files beside.
	var rendered map[MigrationRef]DjangoMigration
	var history []DjangoMigration
	if opts.Project.Python != "" {
		ms, err := DjangoSQL(ctx, opts.Project)
		switch {
		case err == nil:
			rendered = map[MigrationRef]DjangoMigration{}
			for _, m := range ms {
				rendered[MigrationRef{m.App, m.Name}] = m
			}
			history = ms
		case errors.Is(err, ErrDjango):
			liveLogger(opts.Apply.Logger).Info("Django not usable, reading .sql files beside the migrations", "err", err)
		default:
			return nil, err
		}
	}
	var files []File
	index := map[MigrationRef]int{}
	if history != nil {
		files = DjangoFiles(history)
		for i, m := range history {
			index[MigrationRef{m.App, m.Name}] = i
		}
	}
	for _, p := range ordered {
		rel, err := filepath.Rel(dir, p.Path)
		if err != nil {
			rel = p.Path
		}
		pm := ProjectMigration{MigrationRef: p.MigrationRef, Path: rel}
		if m, ok := rendered[p.MigrationRef]; ok {
			pm.SQL, pm.SQLSource = []byte(m.SQL), "sqlmigrate"
			pm.RunPython = strings.Contains(m.SQL, djangoCannotBeSQL) || len(m.Irreversible) > 0 || hasRunPythonOp(m.SQL)
		} else {
			sqlPath := strings.TrimSuffix(rel, ".py") + ".sql"
			b, err := os.ReadFile(filepath.Join(dir, sqlPath))
			if err != nil {
				return nil, fmt.Errorf("%w: %s (%s): no sqlmigrate output and no %s: %v", ErrNoSQL, p.MigrationRef, p.Path, sqlPath, err)
			}
			pm.SQL, pm.SQLSource = b, sqlPath
			if i, ok := index[p.MigrationRef]; ok {
				files[i].SQL = b
			} else {
				index[p.MigrationRef] = len(files)
				files = append(files, File{Path: sqlPath, SQL: b})
			}
		}
		plan.Pending = append(plan.Pending, pm)
	}
	reps, err := AnalyzeFiles(files, Options{PGVersion: opts.Apply.serverVersion(ctx, db)})
	if err != nil {
		return nil, err
	}
	var dangerous, unmodelled, python []string
	for i := range plan.Pending {
		pm := &plan.Pending[i]
		pm.Static = reps[index[pm.MigrationRef]]
		switch {
		case pm.RunPython:
			python = append(python, pm.String())
		case pm.Static.Verdict == VerdictDangerous:
			dangerous = append(dangerous, pm.String())
		case hasNotModelled(pm.Static):
			unmodelled = append(unmodelled, pm.String())
		}
	}
	switch {
	case len(python) > 0 && !opts.AllowPython:
		plan.err = fmt.Errorf("%w: %s (pass AllowPython / -allow-python to let Django run them)", ErrRunPython, strings.Join(python, ", "))
	case len(dangerous) > 0 && !opts.Apply.Force:
		plan.err = fmt.Errorf("%w: %s (rewrite them safely, or Force)", ErrDangerous, strings.Join(dangerous, ", "))
	case len(unmodelled) > 0 && !opts.Apply.Force:
		plan.err = fmt.Errorf("%w: %s (check the %s findings by hand or trace them, then suppress them, or Force)", ErrNotModelled, strings.Join(unmodelled, ", "), RuleNotModelled)
	}
	if plan.err != nil {
		plan.Refused = plan.err.Error()
	}
	return plan, nil
}

// hasRunPythonOp reports sqlmigrate output that describes a RunPython
// operation ("-- Raw Python operation").
func hasRunPythonOp(sql string) bool {
	pf, err := parseFile("", []byte(sql))
	return err == nil && len(pf.opaque) > 0
}

// serverVersion is server_version_num, 0 (the analysis default) when it
// cannot be read.
func (o *ApplyOptions) serverVersion(ctx context.Context, db Querier) int {
	var v int
	if db == nil {
		return 0
	}
	if err := db.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		return 0
	}
	return v
}

// ProjectReport is the result of ApplyProject.
type ProjectReport struct {
	// Plan is what was planned.
	Plan *ProjectPlan `json:"plan"`
	// Units are the results of the SQL migrations' units, in order.
	Units []UnitResult `json:"units"`
	// Django lists the migrations Django ran itself (RunPython).
	Django []MigrationRef `json:"django,omitempty"`
}

// ApplyProject applies a Django project's pending migrations: PlanProject,
// then, in dependency order, each migration's SQL through Apply (lock_timeout,
// bounded retries, progress table) with its row in django_migrations
// inserted in the same transaction as its last unit, and RunPython
// migrations (only with AllowPython) through "manage.py migrate APP NAME".
// A refused plan returns the plan's error before anything runs. This is the
// step a pipeline runs before the slot swap.
func ApplyProject(ctx context.Context, conn *pgx.Conn, opts ProjectApplyOptions) (*ProjectReport, error) {
	plan, err := PlanProject(ctx, conn, opts)
	if err != nil {
		return nil, err
	}
	rep := &ProjectReport{Plan: plan}
	if plan.err != nil {
		return rep, plan.err
	}
	static := map[string]*FileReport{}
	var batch []ApplyFile
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ao := opts.Apply
		ao.RecordDjango = false
		// The gate already ran on the history-aware analysis above.
		ao.Analyze = func(path string, _ []byte) (*FileReport, error) { return static[path], nil }
		ar, err := Apply(ctx, conn, batch, ao)
		if ar != nil {
			rep.Units = append(rep.Units, ar.Units...)
		}
		batch = batch[:0]
		return err
	}
	for _, pm := range plan.Pending {
		if pm.RunPython {
			if err := flush(); err != nil {
				return rep, err
			}
			if opts.Apply.DryRun {
				rep.Django = append(rep.Django, pm.MigrationRef)
				continue
			}
			if err := djangoMigrate(ctx, opts.Project, pm.MigrationRef); err != nil {
				return rep, err
			}
			rep.Django = append(rep.Django, pm.MigrationRef)
			continue
		}
		name := pm.App + "/" + pm.Name
		static[name] = pm.Static
		batch = append(batch, ApplyFile{Name: name, SQL: pm.SQL, DjangoApp: pm.App, DjangoName: pm.Name})
	}
	return rep, flush()
}

// djangoMigrate runs "manage.py migrate APP NAME" for one migration.
func djangoMigrate(ctx context.Context, p DjangoProject, ref MigrationRef) error {
	python := p.Python
	if python == "" {
		python = "python3"
	}
	cmd := exec.CommandContext(ctx, python, "manage.py", "migrate", "--noinput", ref.App, ref.Name)
	cmd.Dir = p.Dir
	cmd.Env = append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1"), p.Env...)
	if p.Settings != "" {
		cmd.Env = append(cmd.Env, "DJANGO_SETTINGS_MODULE="+p.Settings)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: manage.py migrate %s %s: %v: %s", ErrDjango, ref.App, ref.Name, err, redactSecrets(lastLines(out.String(), 5), p.Env))
	}
	return nil
}

// dependencyOrder sorts pending migrations so that each comes after the
// pending migrations it depends on (Kahn's algorithm, ties by app and
// name, as Django's forwards plan keeps an app's migrations in order). A
// cycle is an error naming its members.
func dependencyOrder(pending []PendingMigration) ([]PendingMigration, error) {
	byRef := map[MigrationRef]int{}
	firstOf := map[string]MigrationRef{}
	for i, p := range pending {
		byRef[p.MigrationRef] = i
		if f, ok := firstOf[p.App]; !ok || p.Name < f.Name {
			firstOf[p.App] = p.MigrationRef
		}
	}
	deps := make([][]int, len(pending))
	indeg := make([]int, len(pending))
	for i, p := range pending {
		for _, d := range p.Dependencies {
			switch d.Name {
			case "__first__":
				d = firstOf[d.App]
			case "__latest__":
				continue
			}
			j, ok := byRef[d]
			if !ok || j == i {
				continue // applied already, or another app's
			}
			deps[j] = append(deps[j], i)
			indeg[i]++
		}
	}
	var ready []int
	for i := range pending {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	less := func(a, b int) bool { return refLess(pending[a].MigrationRef, pending[b].MigrationRef) }
	out := make([]PendingMigration, 0, len(pending))
	for len(ready) > 0 {
		sort.Slice(ready, func(a, b int) bool { return less(ready[a], ready[b]) })
		i := ready[0]
		ready = ready[1:]
		out = append(out, pending[i])
		for _, j := range deps[i] {
			indeg[j]--
			if indeg[j] == 0 {
				ready = append(ready, j)
			}
		}
	}
	if len(out) != len(pending) {
		var cyc []string
		for i := range pending {
			if indeg[i] > 0 {
				cyc = append(cyc, pending[i].String())
			}
		}
		return nil, fmt.Errorf("migrate: dependency cycle among pending migrations: %s", strings.Join(cyc, ", "))
	}
	return out, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/cache"
	"github.com/deploykit/deploykit/cdn"
	"github.com/deploykit/deploykit/gunicornconf"
	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/internal/plan"
	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/migrate"
	"github.com/deploykit/deploykit/workflow"
)

// Project layout: the files deployplan reads, relative to the project.
const (
	fileDockerfile   = "Dockerfile"
	fileGunicorn     = "gunicorn.conf.py"
	fileLock         = "poetry.lock"
	dirWorkflows     = ".github/workflows"
	fileManifest     = "staticfiles/staticfiles.json"
	fileAppService   = "deploy/appservice.json"
	fileAppSeed      = "deploy/appservice.seed.json"
	fileAppState     = "deploy/appservice.state.json"
	fileFrontDoor    = "deploy/frontdoor.json"
	fileFrontState   = "deploy/frontdoor.state.json"
	fileCPUTrace     = "deploy/cpu.csv"
	generatedWFName  = "ci-cd.yml (generated)"
	generatedDFName  = "Dockerfile (generated)"
	generatedGCName  = "gunicorn.conf.py (generated)"
	defaultPGVersion = 14 // the seed's "PostgreSQL 14 on Azure"
)

// options are what a run was asked to do.
type options struct {
	dir      string // the project directory (absolute)
	name     string // the project's name in the report
	sku      string
	today    time.Time
	out      string
	buildkit string
	base     string
	db       string
	verbose  bool
	quiet    bool
	stderr   io.Writer
}

// collector runs every package over one project and fills a Report.
type collector struct {
	opt  options
	rep  *Report
	spec dockerfile.Spec
	// generated files, for -out and the builds.
	dockerfile, dockerignore, gunicornConf, workflowYAML []byte
}

func (c *collector) progress(format string, args ...any) {
	if c.opt.verbose && !c.opt.quiet {
		fmt.Fprintf(c.opt.stderr, "deployplan: "+format+"\n", args...)
	}
}

func (c *collector) note(format string, args ...any) {
	c.rep.Notes = append(c.rep.Notes, fmt.Sprintf(format, args...))
}

func (c *collector) path(rel string) string { return filepath.Join(c.opt.dir, filepath.FromSlash(rel)) }

// rel makes a path the packages reported relative to the project, so the
// report names files as the user sees them and never the temporary copy of
// the embedded project.
func (c *collector) rel(p string) string {
	if r, err := filepath.Rel(c.opt.dir, p); err == nil && filepath.IsAbs(p) && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

func (c *collector) relDiags(diags []report.Diagnostic) []report.Diagnostic {
	out := make([]report.Diagnostic, 0, len(diags))
	for _, d := range diags {
		d.Pos.File = c.rel(d.Pos.File)
		if d.End.File != "" {
			d.End.File = c.rel(d.End.File)
		}
		for i := range d.Related {
			d.Related[i].Pos.File = c.rel(d.Related[i].Pos.File)
		}
		for i := range d.SuggestedFixes {
			for j := range d.SuggestedFixes[i].TextEdits {
				e := &d.SuggestedFixes[i].TextEdits[j]
				e.Pos.File = c.rel(e.Pos.File)
				e.End.File = c.rel(e.End.File)
			}
		}
		out = append(out, d)
	}
	return out
}

// collect builds the report. Errors are I/O or usage errors (exit 2);
// findings are in the report.
func collect(ctx context.Context, opt options) (*Report, *collector, error) {
	c := &collector{opt: opt, rep: &Report{SchemaVersion: schemaVersion, Project: opt.name, Today: opt.today.Format("2006-01-02")}}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"image", c.image},
		{"gunicorn", c.gunicorn},
		{"app service", c.appService},
		{"pipeline", c.pipeline},
		{"cache", c.cache},
		{"migrations", c.migrations},
		{"front door", c.frontDoor},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		c.progress("%s", s.name)
		if err := s.run(ctx); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if opt.buildkit != "" {
		if err := c.builds(ctx); err != nil {
			return nil, nil, err
		}
	} else {
		c.note("image builds skipped: pass -buildkit ADDR to build both Dockerfiles (bytes, layers, cold/warm time, cache hit ratio)")
	}
	if opt.db == "" {
		c.note("database steps skipped: pass -db URL for pending migrations and lock traces")
	}
	c.summarise()
	return c.rep, c, nil
}

func readOptional(p string) ([]byte, bool, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// --- Image -----------------------------------------------------------------

func (c *collector) image(ctx context.Context) error {
	sec := &c.rep.Image
	if _, ok, err := readOptional(c.path(fileDockerfile)); err != nil {
		return err
	} else if ok {
		a, err := dockerfile.LintFile(ctx, c.path(fileDockerfile), c.opt.dir, dockerfile.LintConfig{File: fileDockerfile, Now: c.opt.today})
		var le *dockerfile.LintError
		switch {
		case errors.As(err, &le):
			sec.Findings = []report.Diagnostic{{Pos: report.Position{File: fileDockerfile, Line: le.Line, Column: le.Column}, Rule: "parse", Severity: report.SeverityError, Message: le.Message}}
		case err != nil:
			return err
		default:
			sec.Findings = c.relDiags(a.Diagnostics)
		}
	} else {
		c.note("no %s: nothing to compare the generated one with", fileDockerfile)
	}
	spec, err := dockerfile.Infer(ctx, c.opt.dir, dockerfile.InferOptions{Now: c.opt.today})
	if err != nil {
		return err
	}
	c.spec = spec
	sec.Reasons = spec.Reasons
	c.dockerfile, c.dockerignore, err = dockerfile.Generate(spec)
	if err != nil {
		if !errors.Is(err, dockerfile.ErrInvalidSpec) {
			return err
		}
		sec.GeneratedFindings = []report.Diagnostic{{Pos: report.Position{File: generatedDFName}, Rule: "generate", Severity: report.SeverityError,
			Message: "no Dockerfile generated for this project: " + err.Error()}}
		return nil
	}
	sec.Dockerfile, sec.DockerIgnore = string(c.dockerfile), string(c.dockerignore)
	// Lint the generated Dockerfile against the context its .dockerignore
	// leaves: a copy of the project with the generated files in place.
	after, err := c.generatedContext()
	if err != nil {
		return err
	}
	defer os.RemoveAll(after)
	idx, err := dockerfile.ContextFromDir(ctx, after)
	if err != nil {
		return err
	}
	a, err := dockerfile.Lint(ctx, c.dockerfile, dockerfile.LintConfig{File: generatedDFName, Context: idx, Now: c.opt.today})
	if err != nil {
		return fmt.Errorf("generated Dockerfile: %w", err)
	}
	diags := a.Diagnostics
	for i := range diags {
		if d := &diags[i]; strings.HasPrefix(d.Pos.File, after) {
			r, _ := filepath.Rel(after, d.Pos.File)
			d.Pos.File = filepath.ToSlash(r)
		}
	}
	sec.GeneratedFindings = diags
	return nil
}

// generatedContext copies the project into a temporary directory and puts
// the generated Dockerfile and .dockerignore in it.
func (c *collector) generatedContext() (string, error) {
	dir, err := os.MkdirTemp("", "deployplan-generated-")
	if err != nil {
		return "", err
	}
	if err := os.CopyFS(dir, os.DirFS(c.opt.dir)); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	for name, data := range map[string][]byte{"Dockerfile": c.dockerfile, ".dockerignore": c.dockerignore} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// --- Gunicorn --------------------------------------------------------------

func (c *collector) gunicorn(_ context.Context) error {
	sec := &c.rep.Gunicorn
	vopt := gunicornconf.Options{Platform: gunicornconf.PlatformAppServiceContainer}
	locked, err := c.gunicornVersion()
	if err != nil {
		return err
	}
	if locked != nil {
		vopt.Version = locked.Version
		sec.Version = locked.Release
		sec.VersionFrom = fmt.Sprintf("%s:%d", locked.File, locked.Line)
	} else {
		sec.Version = gunicornconf.DefaultVersion().String()
		sec.VersionFrom = "newest catalogued release (no lock file pins gunicorn)"
	}
	src, ok, err := readOptional(c.path(fileGunicorn))
	if err != nil {
		return err
	}
	if ok {
		cfg, err := gunicornconf.Load(fileGunicorn, src)
		if err != nil {
			sec.Findings = []report.Diagnostic{parseDiag(fileGunicorn, err)}
		} else {
			sec.Findings = gunicornconf.Diagnostics(cfg.Validate(vopt))
		}
	} else {
		c.note("no %s: only the generated configuration is shown", fileGunicorn)
	}
	sku, found := gunicornconf.LookupSKU(c.opt.sku)
	if !found {
		return usageErr(fmt.Errorf("-sku %q: not an App Service plan size deploykit knows (e.g. B1, S1, P1v3)", c.opt.sku))
	}
	app := c.spec.WSGIApp
	if app == "" {
		app = c.spec.ASGIApp
	}
	r, err := gunicornconf.Render(gunicornconf.RenderOptions{App: app, SKU: &sku, Platform: gunicornconf.PlatformAppServiceContainer})
	if err != nil {
		sec.SKU = sku.Name
		sec.GeneratedFindings = []report.Diagnostic{{Pos: report.Position{File: generatedGCName}, Rule: "generate", Severity: report.SeverityError,
			Message: "no gunicorn.conf.py generated: " + err.Error()}}
		return nil
	}
	c.gunicornConf = r.Config
	sec.SKU, sec.Config, sec.StartupCommand = sku.Name, string(r.Config), r.StartupCommand
	if r.Sizing != nil {
		sec.Workers, sec.Threads, sec.WorkerClass, sec.Sizing = r.Sizing.Workers, r.Sizing.Threads, r.Sizing.WorkerClass, r.Sizing.Steps
	}
	gen, err := gunicornconf.Load(generatedGCName, r.Config)
	if err != nil {
		return fmt.Errorf("generated gunicorn.conf.py: %w", err)
	}
	sec.GeneratedFindings = gunicornconf.Diagnostics(gen.Validate(vopt))
	return nil
}

// gunicornLocks are the files whose gunicorn pin decides which release's
// settings the configurations are checked against, in the order tried.
var gunicornLocks = []string{fileLock, "uv.lock", "Pipfile.lock", "requirements.txt"}

// gunicornVersion is the gunicorn release the project pins, nil when no
// lock file names gunicorn. A pin the catalogue cannot serve (or a lock
// that does not parse) is noted and the newest release is used instead.
func (c *collector) gunicornVersion() (*gunicornconf.LockedVersion, error) {
	for _, name := range gunicornLocks {
		b, ok, err := readOptional(c.path(name))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		v, found, err := gunicornconf.VersionFromLock(name, b)
		if err != nil {
			c.note("gunicorn release unknown, settings checked against gunicorn %s: %v", gunicornconf.DefaultVersion(), err)
			return nil, nil
		}
		if found {
			return &v, nil
		}
	}
	return nil, nil
}

// parseDiag turns a parse error of user input into an error finding, so the
// report still renders and the run exits 1.
func parseDiag(file string, err error) report.Diagnostic {
	return report.Diagnostic{Pos: report.Position{File: file}, Rule: "parse", Severity: report.SeverityError, Message: err.Error()}
}

// --- App Service -----------------------------------------------------------

func (c *collector) appService(_ context.Context) error {
	sec := &c.rep.AppService
	var trace *appservice.Trace
	if b, ok, err := readOptional(c.path(fileCPUTrace)); err != nil {
		return err
	} else if ok {
		if trace, err = appservice.ParseTrace(fileCPUTrace, bytes.NewReader(b)); err != nil {
			return err
		}
		sec.Trace = fileCPUTrace
	}
	// The seed's settings as written: every problem, and what its
	// autoscale rules would do over the trace.
	if b, ok, err := readOptional(c.path(fileAppSeed)); err != nil {
		return err
	} else if ok {
		sec.SeedProblems = specProblems(fileAppSeed, b)
		var raw struct {
			Autoscale *appservice.Autoscale `json:"autoscale"`
		}
		if json.Unmarshal(b, &raw) == nil && raw.Autoscale != nil && trace != nil {
			sec.Seed = simulate(raw.Autoscale, trace)
		}
	}
	b, ok, err := readOptional(c.path(fileAppService))
	if err != nil || !ok {
		if err == nil {
			c.note("no %s: App Service plan skipped", fileAppService)
		}
		return err
	}
	spec, err := appservice.ParseSpec(fileAppService, b)
	if err != nil {
		sec.TierProblems = problemStrings(err)
		return nil
	}
	if spec.Autoscale != nil && trace != nil {
		sec.Desired = simulate(spec.Autoscale, trace)
	}
	sb, ok, err := readOptional(c.path(fileAppState))
	if err != nil {
		return err
	}
	if !ok {
		c.note("no %s: the App Service plan needs saved state offline (appservice plan reads it live)", fileAppState)
		return nil
	}
	st, err := appservice.ParseState(fileAppState, sb)
	if err != nil {
		return err
	}
	p, err := appservice.Diff(st, spec)
	if err != nil {
		sec.TierProblems = problemStrings(err)
		if p == nil {
			return nil
		}
	}
	var buf bytes.Buffer
	if err := p.WriteText(&buf, plan.TextOptions{}); err != nil {
		return err
	}
	sec.Plan = buf.String()
	s := p.Summary()
	sec.Changes = s.Create + s.Modify + s.Delete
	for _, r := range p.Resources {
		sec.Restarts = sec.Restarts || r.Restarts()
	}
	sec.MonthlyDelta = p.MonthlyDelta()
	return nil
}

func specProblems(file string, b []byte) []string {
	_, err := appservice.ParseSpec(file, b)
	if err == nil {
		return nil
	}
	return problemStrings(err)
}

// problemStrings lists a spec error's problems one per line (they carry
// file:line:col); other errors are one line.
func problemStrings(err error) []string {
	var te *appservice.TierError
	if errors.As(err, &te) {
		return problemList(te.Problems)
	}
	var se *appservice.SpecError
	if errors.As(err, &se) {
		return problemList(se.Problems)
	}
	return []string{err.Error()}
}

func problemList(ps []appservice.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func simulate(a *appservice.Autoscale, tr *appservice.Trace) *Simulation {
	s := &Simulation{}
	var rules []string
	for _, r := range a.Rules {
		rules = append(rules, r.When+" -> "+r.Scale)
	}
	s.Rules = strings.Join(rules, "; ")
	res, err := appservice.Simulate(a, tr, appservice.SimulateOptions{})
	if err != nil {
		s.Warnings = []string{err.Error()}
		return s
	}
	for _, e := range res.Events {
		s.Events = append(s.Events, fmt.Sprintf("%s: %d -> %d (%s, metric %.1f)", minutes(e.At), e.From, e.To, e.Rule, e.Metric))
	}
	s.PreventedFlaps, s.Final, s.InstanceMinutes, s.Warnings = len(res.Prevented), res.Final, res.InstanceMinutes, res.Warnings
	return s
}

func minutes(d time.Duration) string { return fmt.Sprintf("min %d", int(d.Minutes())) }

// --- Pipeline --------------------------------------------------------------

func (c *collector) workflowFiles() ([]workflow.File, error) {
	entries, err := os.ReadDir(c.path(dirWorkflows))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []workflow.File
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml")) {
			continue
		}
		name := dirWorkflows + "/" + e.Name()
		b, err := os.ReadFile(c.path(name))
		if err != nil {
			return nil, err
		}
		files = append(files, workflow.File{Name: name, Data: b})
	}
	return files, nil
}

func (c *collector) facts() workflow.Facts {
	f := workflow.Facts{Name: "ci-cd", Branch: "main", Manager: workflow.Manager(c.spec.Manager), PoetryVersion: c.spec.PoetryVersion}
	if c.spec.Manager == "" {
		f.Manager = workflow.Manager(dockerfile.ManagerRequirements)
	}
	if v := c.spec.PythonVersion; v != "" {
		f.PythonVersion = v
	}
	f.Image = "REGISTRY/" + c.opt.name
	f.AppName, f.ResourceGroup = c.opt.name, c.opt.name+"-rg"
	if b, ok, _ := readOptional(c.path(fileAppService)); ok {
		if s, err := appservice.ParseSpec(fileAppService, b); err == nil {
			f.AppName, f.ResourceGroup = s.Target.App, s.Target.ResourceGroup
			if s.Container != nil {
				f.Image = imageRepository(s.Container.Image)
			}
			if s.SKU != nil {
				if t, err := appservice.TierOf(s.SKU.Name); err == nil && t.Slots > 0 {
					f.Slot = "staging"
				}
			}
		}
	}
	return f
}

// imageRepository drops the tag or digest of an image reference.
func imageRepository(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

func (c *collector) pipeline(ctx context.Context) error {
	sec := &c.rep.Pipeline
	files, err := c.workflowFiles()
	if err != nil {
		return err
	}
	if len(files) > 0 {
		res, err := workflow.Lint(ctx, files, workflow.Options{})
		if err != nil {
			return err
		}
		sec.Findings = res.Diagnostics
	} else {
		c.note("no workflow under %s: only the generated one is shown", dirWorkflows)
	}
	gen, err := workflow.Generate(c.facts())
	if err != nil {
		return err
	}
	c.workflowYAML = gen
	sec.Generated = string(gen)
	res, err := workflow.Lint(ctx, []workflow.File{{Name: generatedWFName, Data: gen}}, workflow.Options{})
	if err != nil {
		return err
	}
	sec.GeneratedFindings = res.Diagnostics
	return nil
}

// --- Cache -----------------------------------------------------------------

// cacheRules are the workflow rules about cache keys.
var cacheRules = map[string]bool{"WF006": true, "WF007": true, "WF008": true, "WF009": true, "WF010": true}

// cacheSteps lists the steps that restore a cache (actions/cache and
// actions/cache/restore; save-only steps restore nothing), as package
// workflow parses them, with their key templates as written.
func cacheSteps(f workflow.File) []CacheKey {
	steps, err := workflow.CacheSteps(f.Name, f.Data)
	if err != nil {
		return nil
	}
	var out []CacheKey
	for _, s := range steps {
		if s.Action == "actions/cache/save" {
			continue
		}
		out = append(out, CacheKey{Source: f.Name + ": " + s.Job + ": " + s.Name, Paths: s.Paths, Template: s.Key})
	}
	return out
}

// evalKey evaluates a cache key as the runner would in this project, with
// steps holding the step outputs the pipeline would produce.
func (c *collector) evalKey(ctx context.Context, k *CacheKey, steps map[string]string) {
	kc := cache.KeyContext{RunnerOS: "Linux", RunnerArch: "X64", Workspace: c.opt.dir, Hash: cache.HashOptions{HomeDir: c.opt.dir}, Steps: steps}
	ev, err := cache.EvalKeyDetailed(ctx, k.Template, kc)
	if err != nil {
		k.Error = err.Error()
		return
	}
	k.Key = ev.Key
	for _, v := range ev.Contexts {
		k.BustedBy = append(k.BustedBy, fmt.Sprintf("%s (%s here)", v.Expr, v.Value))
	}
	for _, h := range ev.HashFiles {
		for _, f := range h.Files {
			k.Files = append(k.Files, c.rel(f))
		}
		if len(h.Files) == 0 {
			k.BustedBy = append(k.BustedBy, fmt.Sprintf("%s matches no file: it is '' and the key never changes", h.Expr))
		}
	}
	sort.Strings(k.BustedBy)
}

func (c *collector) cache(ctx context.Context) error {
	sec := &c.rep.Cache
	files, err := c.workflowFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, k := range cacheSteps(f) {
			c.evalKey(ctx, &k, nil)
			sec.Seed = append(sec.Seed, k)
		}
	}
	for _, d := range c.rep.Pipeline.Findings {
		if cacheRules[d.Rule] {
			sec.Findings = append(sec.Findings, d)
		}
	}
	// The generated pipeline's dependency cache, with the Python version
	// setup-python resolves to for the generated spec.
	for _, k := range cacheSteps(workflow.File{Name: "ci-cd.yml (generated)", Data: c.workflowYAML}) {
		py := c.facts().WithDefaults().PythonVersion
		c.evalKey(ctx, &k, map[string]string{"setup-python.outputs.python-version": py})
		sec.Generated = append(sec.Generated, k)
	}
	return nil
}

// --- Migrations ------------------------------------------------------------

func (c *collector) migrations(ctx context.Context) error {
	sec := &c.rep.Migrations
	sec.PGVersion = defaultPGVersion
	pa, err := migrate.AnalyzeProject(ctx, c.opt.dir, migrate.Options{PGVersion: sec.PGVersion, Atomic: true})
	if err != nil {
		return err
	}
	for i := range pa.Migrations {
		m := &pa.Migrations[i]
		sec.Migrations = append(sec.Migrations, Migration{App: m.App, Name: m.Name, Path: m.Path, SQLPath: m.SQLPath,
			Verdict: string(m.Verdict()), Findings: m.Diagnostics()})
	}
	if c.opt.db != "" {
		return c.pending(ctx, pa)
	}
	return nil
}

// --- Front Door ------------------------------------------------------------

func (c *collector) djangoVersion() cdn.DjangoVersion {
	b, ok, _ := readOptional(c.path(fileLock))
	if !ok {
		return cdn.DjangoVersion{}
	}
	v, _, err := cdn.DjangoVersionFromLock(fileLock, b)
	if err != nil {
		c.note("Django version unknown, settings checked for any version: %v", err)
	}
	return v
}

func (c *collector) frontDoor(_ context.Context) error {
	sec := &c.rep.FrontDoor
	if mod := c.spec.SettingsModule; mod != "" {
		rel := strings.ReplaceAll(mod, ".", "/") + ".py"
		if b, ok, err := readOptional(c.path(rel)); err != nil {
			return err
		} else if ok {
			sec.Findings = cdn.CheckSettings(rel, b, cdn.CheckOptions{Django: c.djangoVersion()})
		}
	}
	if b, ok, err := readOptional(c.path(fileManifest)); err != nil {
		return err
	} else if ok {
		m, err := cdn.ParseManifest(fileManifest, b)
		if err != nil {
			sec.Findings = append(sec.Findings, parseDiag(fileManifest, err))
		} else {
			sec.Hashed, sec.Unhashed = len(m.Hashed()), m.Unhashed()
		}
	}
	b, ok, err := readOptional(c.path(fileFrontDoor))
	if err != nil || !ok {
		return err
	}
	spec, err := cdn.ParseSpec(fileFrontDoor, b)
	if err != nil {
		sec.Findings = append(sec.Findings, parseDiag(fileFrontDoor, err))
		return nil
	}
	st := &cdn.State{}
	if sb, ok, err := readOptional(c.path(fileFrontState)); err != nil {
		return err
	} else if ok {
		if err := json.Unmarshal(sb, st); err != nil {
			return fmt.Errorf("%s: not a saved state: %w", fileFrontState, err)
		}
	}
	p, err := cdn.PlanChanges(spec, st, "")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.WriteText(&buf, plan.TextOptions{}); err != nil {
		return err
	}
	sec.Plan, sec.Classic, sec.Blocked = buf.String(), p.Classic, p.Blocked
	return nil
}

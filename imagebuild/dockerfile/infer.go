package dockerfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
)

// ErrInfer is wrapped by errors about a project InferSpec cannot read.
var ErrInfer = errors.New("dockerfile: infer spec")

// InferOptions tune Infer.
type InferOptions struct {
	// Overrides: every non-zero field replaces the inferred value.
	Overrides Spec
	// Now decides which Python versions are past end of life; zero means
	// time.Now().
	Now time.Time
}

// InferSpec is Infer with overrides and the current time.
func InferSpec(ctx context.Context, dir string, overrides Spec) (Spec, error) {
	return Infer(ctx, dir, InferOptions{Overrides: overrides})
}

// Infer reads a Python project directory and fills a Spec whose container
// starts and runs the production application. Every choice is explained in
// Spec.Reasons (which Generate writes as comments):
//
//   - the dependency manager and what it installs: uv.lock, poetry.lock or
//     [tool.poetry], else requirement files (requirements.txt, or
//     requirements/production.txt and the like), following -r and -c
//     includes; Poetry and PEP 735 groups and extras that name a
//     production role (prod, production, deploy, server, webserver) or
//     provide a server or the PostgreSQL driver;
//   - the installed set: the lock walked from those roots with markers
//     evaluated for CPython on Debian x86_64;
//   - Python: the newest version that is supported (data/python_eol.json)
//     and allowed by .python-version, requires-python or Poetry's python
//     constraint and by the locked Django's supported range
//     (data/django_python.json);
//   - uv's version from [tool.uv] required-version, Poetry's from the
//     lock's header;
//   - system packages from data/syslibs.json for what the installed set
//     builds from source (no wheel for the chosen Python) or loads at run
//     time, and git when a dependency comes from git;
//   - DJANGO_SETTINGS_MODULE: a module named production or prod, else one
//     named by an existing Dockerfile, Procfile, compose file or
//     .env.example, else the one wsgi.py or asgi.py sets, manage.py's last;
//   - the application (Django's wsgi.py/asgi.py, a Flask or FastAPI
//     object) and the server the project installs (gunicorn, with
//     uvicorn's worker for ASGI; uvicorn; granian; daphne), or gunicorn /
//     uvicorn added when it has none;
//   - collectstatic when STATIC_ROOT is set in the settings module or a
//     module it star-imports, compress when COMPRESS_OFFLINE is set.
func Infer(ctx context.Context, dir string, opts InferOptions) (Spec, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("not a directory")
		}
		return Spec{}, fmt.Errorf("%w: %s: %w", ErrInfer, dir, err)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	in := &inferrer{dir: dir, now: now}
	if err := in.run(ctx); err != nil {
		return Spec{}, err
	}
	return mergeSpec(in.s, opts.Overrides), nil
}

type inferrer struct {
	dir string
	now time.Time
	s   Spec

	py        pyprojectFile
	hasPy     bool
	lock      *projectLock
	installed map[string]*lockedPackage
	pyVersion string
}

func (in *inferrer) reason(format string, args ...any) {
	// Project text (a constraint, a module name) may hold anything: a
	// reason is one comment line.
	r := strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f {
			return ' '
		}
		return c
	}, fmt.Sprintf(format, args...))
	in.s.Reasons = append(in.s.Reasons, r)
}

func (in *inferrer) read(rel string) ([]byte, bool) {
	data, err := readLimited(filepath.Join(in.dir, filepath.FromSlash(rel)))
	return data, err == nil
}

func (in *inferrer) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(in.dir, filepath.FromSlash(rel)))
	return err == nil
}

// pyprojectFile is the part of pyproject.toml InferSpec reads.
type pyprojectFile struct {
	Project struct {
		Name           string              `toml:"name"`
		RequiresPython string              `toml:"requires-python"`
		Dependencies   []string            `toml:"dependencies"`
		Optional       map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		Poetry *struct {
			Dependencies    map[string]any      `toml:"dependencies"`
			DevDependencies map[string]any      `toml:"dev-dependencies"`
			Extras          map[string][]string `toml:"extras"`
			Group           map[string]struct {
				Optional     bool           `toml:"optional"`
				Dependencies map[string]any `toml:"dependencies"`
			} `toml:"group"`
		} `toml:"poetry"`
		UV *struct {
			RequiredVersion string         `toml:"required-version"`
			DefaultGroups   any            `toml:"default-groups"`
			DevDependencies []string       `toml:"dev-dependencies"`
			Sources         map[string]any `toml:"sources"`
			NoBinaryPackage []string       `toml:"no-binary-package"`
			NoBinary        bool           `toml:"no-binary"`
		} `toml:"uv"`
	} `toml:"tool"`
}

func (in *inferrer) run(ctx context.Context) error {
	if data, ok := in.read("pyproject.toml"); ok {
		if err := toml.Unmarshal(data, &in.py); err != nil {
			return tomlError(filepath.Join(in.dir, "pyproject.toml"), err)
		}
		in.hasPy = true
	}
	if err := in.dependencies(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	in.selectGroupsAndExtras()
	// First pass without a Python version, to learn the locked Django.
	in.installed = in.lock.installedSet(in.installRoots(), in.s.Extras, markerEnv{})
	in.choosePython()
	in.installed = in.lock.installedSet(in.installRoots(), in.s.Extras, markerEnv{python: in.pyVersion})
	in.toolVersions()
	in.systemPackages()
	if err := ctx.Err(); err != nil {
		return err
	}
	in.application()
	in.ignores()
	return nil
}

// productionNames are group and extra names that say "install me in
// production".
var productionNames = map[string]bool{
	"prod": true, "production": true, "deploy": true, "deployment": true, "server": true,
	"webserver": true, "web": true, "runtime": true, "release": true,
}

// postgresNames are extra names for the PostgreSQL driver (deploykit's
// target database).
var postgresNames = map[string]bool{"postgres": true, "postgresql": true, "pg": true, "psycopg": true, "psycopg2": true}

// serverPackages are the servers Generate can start, by package.
var serverPackages = []string{"gunicorn", "uvicorn", "uvicorn-worker", "granian", "daphne"}

func (in *inferrer) dependencies() error {
	uvProject := in.py.Tool.UV != nil || (len(in.py.DependencyGroups) > 0 && in.py.Tool.Poetry == nil)
	switch {
	case in.exists("uv.lock") || uvProject && !in.exists("poetry.lock"):
		in.s.Manager = ManagerUV
		data, hasLock := in.read("uv.lock")
		l, err := readUVLock(filepath.Join(in.dir, "uv.lock"), data, in.py.Project.Name)
		if err != nil {
			return err
		}
		locked := len(l.Packages)
		if !hasLock {
			l.HasLockData = false
			in.reason("uv.lock is missing: run uv lock and commit it (the generated uv sync --locked needs it); until then only pyproject.toml's direct dependencies are known")
		}
		in.lock = l
		if len(l.Groups["main"]) == 0 {
			// A lock without the project's own entry (hand-trimmed, or an
			// old uv): the roots come from pyproject.toml.
			for _, r := range in.py.Project.Dependencies {
				if d, spec, _, ok := parseRequirement(r); ok {
					l.Groups["main"] = append(l.Groups["main"], d)
					in.lock = l
					in.noteConstraint(d.Name, spec, false)
				}
			}
			for e, rs := range in.py.Project.Optional {
				for _, r := range rs {
					if d, _, _, ok := parseRequirement(r); ok {
						l.Extras[normalizeName(e)] = append(l.Extras[normalizeName(e)], d)
					}
				}
			}
			for g, rs := range in.py.DependencyGroups {
				for _, r := range rs {
					if str, ok := r.(string); ok {
						if d, spec, _, ok := parseRequirement(str); ok {
							l.Groups[g] = append(l.Groups[g], d)
							in.lock = l
							in.noteConstraint(d.Name, spec, false)
						}
					}
				}
			}
		}
		in.s.KeepPaths = append(in.s.KeepPaths, "pyproject.toml", "uv.lock")
		in.lock.DefaultGroups = []string{"dev"}
		if uv := in.py.Tool.UV; uv != nil {
			for n, src := range uv.Sources {
				if hasGitSource(src) {
					in.markGit(normalizeName(n))
				}
			}
			for _, n := range uv.NoBinaryPackage {
				in.markNoBinary(normalizeName(n))
			}
			switch g := uv.DefaultGroups.(type) {
			case []any:
				in.lock.DefaultGroups = nil
				for _, e := range g {
					if s, ok := e.(string); ok {
						in.lock.DefaultGroups = append(in.lock.DefaultGroups, s)
					}
				}
			case string:
				if g == "all" {
					in.lock.DefaultGroups = sortedKeys(in.lock.Groups)
				}
			}
		}
		if hasLock {
			in.reason("dependencies: uv from uv.lock (%d locked packages)", locked)
		}
	case in.exists("poetry.lock") || in.py.Tool.Poetry != nil:
		in.s.Manager = ManagerPoetry
		in.s.KeepPaths = append(in.s.KeepPaths, "pyproject.toml", "poetry.lock")
		in.lock = newProjectLock()
		if data, ok := in.read("poetry.lock"); ok {
			l, err := readPoetryLock(filepath.Join(in.dir, "poetry.lock"), data)
			if err != nil {
				return err
			}
			in.lock = l
			in.s.PoetryVersion = parsePoetryLock(data).generatedBy
			in.reason("dependencies: Poetry from poetry.lock (%d locked packages)", len(in.lock.Packages))
		} else {
			in.reason("dependencies: Poetry from pyproject.toml; there is no poetry.lock, so only direct dependencies are known")
		}
		in.poetryRoots()
	default:
		in.s.Manager = ManagerRequirements
		files, why := in.requirementFiles()
		if len(files) == 0 {
			in.lock = newProjectLock()
			in.reason("dependencies: no pyproject.toml, lock or requirements file found; pip installs requirements.txt, which must be added")
			return nil
		}
		l, err := readRequirements(in.dir, files)
		if err != nil {
			return err
		}
		in.lock = l
		in.s.RequirementsFiles = files
		in.s.RequirementsIncludes = l.Includes
		in.s.KeepPaths = append(in.s.KeepPaths, l.Files...)
		msg := fmt.Sprintf("dependencies: pip installs %s (%s)", strings.Join(files, ", "), why)
		if len(l.Includes) > 0 {
			msg += fmt.Sprintf(", which includes %s", strings.Join(l.Includes, ", "))
		}
		in.reason("%s", msg)
	}
	return nil
}

// hasGitSource reports whether a [tool.uv.sources] entry (a table or a
// list of tables) is a git source.
func hasGitSource(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		_, ok := t["git"]
		return ok
	case []any:
		for _, e := range t {
			if hasGitSource(e) {
				return true
			}
		}
	}
	return false
}

func (in *inferrer) pkg(name string) *lockedPackage {
	p := in.lock.Packages[name]
	if p == nil {
		p = &lockedPackage{Name: name, Extras: map[string][]lockDep{}}
		in.lock.Packages[name] = p
	}
	return p
}

// noteConstraint records the version constraint a direct requirement
// states, for a package no lock pins.
func (in *inferrer) noteConstraint(name, spec string, poetry bool) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "*" {
		return
	}
	p := in.pkg(name)
	if p.Version != "" || p.Constraint != nil {
		return
	}
	var c constraint
	if poetry {
		pc, err := parsePoetryConstraint(spec)
		if err != nil {
			return
		}
		c = pc
	} else {
		set, err := parseSpecifierSet(spec)
		if err != nil {
			return
		}
		c = constraint{set}
	}
	if exact := c.exactVersion(); exact != "" {
		p.Version = exact
		return
	}
	p.Constraint = c
}

// poetryVersionString is the version constraint of a Poetry dependency
// entry ("^4.2" or {version = "^4.2", ...}).
func poetryVersionString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		s, _ := t["version"].(string)
		return s
	}
	return ""
}

func (in *inferrer) markGit(name string)      { in.pkg(name).Git = true }
func (in *inferrer) markNoBinary(name string) { in.pkg(name).NoBinary = true }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// poetryRoots fills the lock's groups and extras from pyproject.toml.
func (in *inferrer) poetryRoots() {
	p := in.py.Tool.Poetry
	add := func(group string, deps map[string]any) {
		names := sortedKeys(deps)
		for _, n := range names {
			if normalizeName(n) == "python" {
				continue
			}
			v := deps[n]
			in.noteConstraint(normalizeName(n), poetryVersionString(v), true)
			for _, d := range poetryDeps(n, v) {
				if poetryGitDep(v) {
					if lp := in.lock.Packages[d.Name]; lp != nil {
						lp.Git = true
					} else {
						in.lock.Packages[d.Name] = &lockedPackage{Name: d.Name, Git: true, Extras: map[string][]lockDep{}}
					}
				}
				if d.Optional {
					continue // installed through an extra
				}
				in.lock.Groups[group] = append(in.lock.Groups[group], d)
			}
		}
	}
	if p != nil {
		add("main", p.Dependencies)
		if len(p.DevDependencies) > 0 {
			add("dev", p.DevDependencies)
		}
		for g, grp := range p.Group {
			add(g, grp.Dependencies)
			if grp.Optional {
				in.lock.OptionalGroups = append(in.lock.OptionalGroups, g)
			}
		}
		for e, pkgs := range p.Extras {
			for _, n := range pkgs {
				dep, _, _, ok := parseRequirement(n)
				if !ok {
					continue
				}
				// The extra installs the optional dependency as declared.
				if v, ok := p.Dependencies[n]; ok {
					for _, d := range poetryDeps(n, v) {
						d.Optional = false
						in.lock.Extras[normalizeName(e)] = append(in.lock.Extras[normalizeName(e)], d)
					}
					continue
				}
				in.lock.Extras[normalizeName(e)] = append(in.lock.Extras[normalizeName(e)], lockDep{Name: dep.Name, Extras: dep.Extras})
			}
		}
	}
	// Poetry 2 reads PEP 621 [project] too.
	for _, r := range in.py.Project.Dependencies {
		if d, spec, url, ok := parseRequirement(r); ok {
			in.noteConstraint(d.Name, spec, false)
			in.lock.Groups["main"] = append(in.lock.Groups["main"], d)
			if isGitURL(url) {
				if lp := in.lock.Packages[d.Name]; lp != nil {
					lp.Git = true
				}
			}
		}
	}
	for e, rs := range in.py.Project.Optional {
		for _, r := range rs {
			if d, _, _, ok := parseRequirement(r); ok {
				in.lock.Extras[normalizeName(e)] = append(in.lock.Extras[normalizeName(e)], d)
			}
		}
	}
	in.lock.DefaultGroups = []string{"main"}
	for g := range in.lock.Groups {
		if g != "main" && g != "dev" && !slices.Contains(in.lock.OptionalGroups, g) {
			in.lock.DefaultGroups = append(in.lock.DefaultGroups, g)
		}
	}
	slices.Sort(in.lock.DefaultGroups)
}

// requirementFiles picks the requirement files to install and says why.
func (in *inferrer) requirementFiles() ([]string, string) {
	if in.exists("requirements.txt") {
		why := "the project's requirements file"
		if in.exists("requirements.in") {
			why = "compiled from requirements.in by pip-tools"
		}
		return []string{"requirements.txt"}, why
	}
	for _, f := range []string{
		"requirements/production.txt", "requirements/prod.txt", "requirements-production.txt", "requirements-prod.txt",
		"requirements/requirements.txt", "requirements/base.txt", "requirements/main.txt", "requirements/common.txt",
	} {
		if in.exists(f) {
			return []string{f}, "the production requirements file"
		}
	}
	entries, _ := os.ReadDir(in.dir)
	var reqs []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, "requirements") && strings.HasSuffix(n, ".txt") && !devFileName(n) {
			reqs = append(reqs, n)
		}
	}
	slices.Sort(reqs)
	return reqs, "the root requirements files not named for development, tests or docs"
}

func devFileName(n string) bool {
	n = strings.ToLower(n)
	for _, w := range []string{"dev", "test", "local", "doc", "lint", "ci"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// selectGroupsAndExtras decides which groups and extras are installed.
func (in *inferrer) selectGroupsAndExtras() {
	if in.s.Manager == ManagerRequirements {
		return
	}
	var groups []string
	for _, g := range sortedKeys(in.lock.Groups) {
		if g == "main" {
			continue
		}
		if productionNames[strings.ToLower(g)] {
			groups = append(groups, g)
		}
	}
	if len(groups) > 0 {
		in.s.Groups = groups
		in.reason("groups: %s installed besides the main dependencies (named for production)", strings.Join(groups, ", "))
	}
	if others := in.skippedGroups(); len(others) > 0 {
		in.reason("groups left out: %s (development, tests, docs or optional)", strings.Join(others, ", "))
	}
	var extras, skipped []string
	for _, e := range sortedKeys(in.lock.Extras) {
		name := strings.ToLower(e)
		why := ""
		switch {
		case productionNames[name]:
			why = "named for production"
		case postgresNames[name]:
			why = "the PostgreSQL driver"
		default:
			for _, d := range in.lock.Extras[e] {
				if slices.Contains(serverPackages, d.Name) {
					why = "provides the server " + d.Name
				}
			}
		}
		if why == "" {
			skipped = append(skipped, e)
			continue
		}
		extras = append(extras, e)
		in.reason("extra %s installed (%s)", e, why)
	}
	in.s.Extras = extras
	if len(skipped) > 0 {
		in.reason("extras left out: %s (pass them with -extra if production needs them)", strings.Join(skipped, ", "))
	}
}

func (in *inferrer) skippedGroups() []string {
	var out []string
	for _, g := range sortedKeys(in.lock.Groups) {
		if g != "main" && !slices.Contains(in.s.Groups, g) {
			out = append(out, g)
		}
	}
	return out
}

// installRoots are the groups the generated install command installs.
func (in *inferrer) installRoots() []string {
	roots := []string{"main"}
	switch in.s.Manager {
	case ManagerUV:
		// uv sync --no-dev installs the default groups except dev.
		for _, g := range in.lock.DefaultGroups {
			if g != "dev" {
				roots = append(roots, g)
			}
		}
	}
	for _, g := range in.s.Groups {
		if !slices.Contains(roots, g) {
			roots = append(roots, g)
		}
	}
	return roots
}

// choosePython picks the newest supported Python that the project and its
// Django allow.
func (in *inferrer) choosePython() {
	type source struct {
		name string
		c    constraint
	}
	var sources []source
	if pv, ok := in.read(".python-version"); ok {
		line := strings.TrimSpace(strings.SplitN(string(pv), "\n", 2)[0])
		if v, ok := parsePyVersion(line); ok && v.part(0) == 3 {
			var c constraint
			if len(v.release) >= 3 {
				c = constraint{{{op: "==", version: v, raw: v.String()}}}
			} else {
				c = constraint{{{op: "==", version: v, raw: v.String() + ".*", wildcard: true}}}
			}
			sources = append(sources, source{".python-version " + line, c})
		}
	}
	if rp := strings.TrimSpace(in.py.Project.RequiresPython); rp != "" {
		if set, err := parseSpecifierSet(rp); err == nil {
			sources = append(sources, source{"requires-python " + rp, constraint{set}})
		} else {
			in.reason("requires-python %q not read: %v", rp, err)
		}
	}
	if p := in.py.Tool.Poetry; p != nil {
		if c, ok := p.Dependencies["python"].(string); ok {
			if pc, err := parsePoetryConstraint(c); err == nil {
				sources = append(sources, source{"tool.poetry python " + c, pc})
			} else {
				in.reason("tool.poetry python %q not read: %v", c, err)
			}
		}
	}
	django := in.installed["django"]
	djangoVersion, djangoName := "", ""
	if django != nil {
		djangoVersion, djangoName = django.Version, "Django "+django.Version
		if djangoVersion == "" && django.Constraint != nil {
			// Not pinned: pip installs the newest Django the constraint
			// allows, whatever the Python (Django declares no upper bound).
			rows := sortedKeys(djangoPython().Django)
			sort.Slice(rows, func(i, j int) bool { return versionLess(rows[j], rows[i]) })
			for _, r := range rows {
				if v, ok := parsePyVersion(r + ".999"); ok && django.Constraint.allowsVersion(v) {
					djangoVersion, djangoName = r+".999", "Django "+r+".x (the newest "+django.Constraint.String()+" allows)"
					break
				}
			}
		}
	}
	var candidates []string
	for minor := range pythonEOL() {
		if strings.HasPrefix(minor, "3.") {
			candidates = append(candidates, minor)
		}
	}
	sort.Slice(candidates, func(i, j int) bool { return versionLess(candidates[j], candidates[i]) }) // newest first
	allowedByProject := func(minor string) bool {
		for _, s := range sources {
			if !s.c.allowsPythonMinor(minor) {
				return false
			}
		}
		return true
	}
	djangoKnown := false
	allowedByDjango := func(minor string) bool {
		if djangoVersion == "" {
			return true
		}
		ok, known := djangoSupports(djangoVersion, minor)
		djangoKnown = djangoKnown || known
		return ok || !known
	}
	supported := func(minor string) bool {
		eol, _ := PythonEOL(minor)
		return in.now.Before(eol)
	}
	var names []string
	for _, s := range sources {
		names = append(names, s.name)
	}
	if djangoName != "" && djangoVersion != "" {
		names = append(names, djangoName)
	}
	what := "no constraint"
	if len(names) > 0 {
		what = strings.Join(names, ", ")
	}
	for _, m := range candidates {
		if supported(m) && allowedByProject(m) && allowedByDjango(m) {
			in.pyVersion = m
			in.s.PythonVersion = m
			for _, src := range sources {
				if exact := src.c.exactPython(); exact != "" && strings.HasPrefix(exact, m+".") {
					in.s.PythonVersion = exact // python:3.11.9-slim-bookworm
				}
			}
			in.reason("Python %s: the newest supported version (end of life %s) allowed by %s", m, eolString(m), what)
			if djangoVersion != "" && !djangoKnown {
				in.reason("%s is not in deploykit's Django/Python table (data/django_python.json, 1.8 and later): its Python range is unknown and was not checked; set -python", djangoName)
			}
			return
		}
	}
	// Nothing fits: say why, and fall back to the newest the project allows.
	for _, m := range candidates {
		if allowedByProject(m) && allowedByDjango(m) {
			in.pyVersion, in.s.PythonVersion = m, m
			in.reason("Python %s: no supported Python is allowed by %s; %s is the newest they allow and its end of life is %s. Upgrade the constraint (or Django) to move to a supported version", m, what, m, eolString(m))
			return
		}
	}
	for _, m := range candidates {
		if supported(m) && allowedByProject(m) {
			in.pyVersion, in.s.PythonVersion = m, m
			in.reason("Python %s: %s and %s's supported Pythons do not overlap; chose the newest supported version the project allows. Upgrade Django", m, what, djangoName)
			return
		}
	}
	in.pyVersion, in.s.PythonVersion = DefaultPythonVersion, DefaultPythonVersion
	in.reason("Python %s (deploykit's default): nothing in the end-of-life table is allowed by %s", DefaultPythonVersion, what)
}

func eolString(minor string) string {
	if t, ok := PythonEOL(minor); ok {
		return t.Format("2006-01-02")
	}
	return "unknown"
}

// toolVersions honours [tool.uv] required-version.
func (in *inferrer) toolVersions() {
	if in.s.Manager != ManagerUV || in.py.Tool.UV == nil || in.py.Tool.UV.RequiredVersion == "" {
		return
	}
	req := in.py.Tool.UV.RequiredVersion
	set, err := parseSpecifierSet(req)
	if err != nil {
		// uv also accepts a bare version as ==.
		if v, ok := parsePyVersion(req); ok {
			set = specifierSet{{op: "==", version: v, raw: req}}
		} else {
			in.reason("uv required-version %q not read: %v; uv %s pinned", req, err, in.uvDefault())
			return
		}
	}
	def := in.uvDefault()
	if dv, ok := parsePyVersion(def); ok && set.allows(dv) {
		in.reason("uv %s (deploykit's pin) satisfies required-version %s", def, req)
		return
	}
	for _, sp := range set {
		if sp.op == "==" || sp.op == ">=" || sp.op == "~=" || sp.op == "===" {
			if !sp.wildcard && set.allows(sp.version) {
				in.s.UVVersion = sp.version.String()
				in.reason("uv %s: the version required-version %s names", in.s.UVVersion, req)
				return
			}
		}
	}
	in.reason("uv required-version %s excludes deploykit's pin %s and names no version to pin; set -uv-version", req, def)
}

func (in *inferrer) uvDefault() string {
	v, _ := ToolVersion("uv")
	return v
}

// systemPackages maps the installed set to Debian packages.
func (in *inferrer) systemPackages() {
	table := systemLibs()
	var build, runtime []string
	git := false
	for _, name := range sortedKeys(in.installed) {
		p := in.installed[name]
		if p.Git {
			git = true
		}
		e, ok := table.Packages[name]
		if !ok {
			if p.Files != nil && !p.Git && !wheelFor(p.Files, in.pyVersion) && hasSdist(p.Files) {
				in.reason("%s %s has no wheel for CPython %s on Linux x86_64 and is built from source; deploykit's table (data/syslibs.json) has no entry for it: add its build libraries with -build-packages if it has C extensions", name, p.Version, in.pyVersion)
			}
			continue
		}
		fromSource := false
		why := ""
		switch {
		case p.Git:
			fromSource, why = true, "installed from git"
		case e.Wheels == "none":
			fromSource, why = true, "no Linux wheel on PyPI"
		case p.NoBinary:
			fromSource, why = true, "--no-binary"
		case p.Files != nil && !wheelFor(p.Files, in.pyVersion):
			fromSource, why = true, "no wheel for CPython "+in.pyVersion+" in the lock"
		}
		if fromSource && (len(e.Build) > 0 || len(e.Runtime) > 0) {
			build = append(build, e.Build...)
			runtime = append(runtime, e.Runtime...)
			in.reason("%s%s builds from source (%s): builder installs %s; runtime installs %s", name, versionSuffix(p.Version), why, orNone(e.Build), orNone(e.Runtime))
		}
		if len(e.RuntimeAlways) > 0 {
			skip := ""
			for _, u := range e.Unless {
				if in.installed[u] != nil {
					skip = u
				}
			}
			if skip != "" {
				continue
			}
			runtime = append(runtime, e.RuntimeAlways...)
			in.reason("%s%s loads %s at run time: runtime installs it", name, versionSuffix(p.Version), strings.Join(e.RuntimeAlways, ", "))
		}
	}
	if git {
		build = append(build, "git")
		in.reason("a dependency comes from git: builder installs git")
	}
	slices.Sort(build)
	slices.Sort(runtime)
	in.s.BuildPackages = slices.Compact(build)
	in.s.RuntimePackages = slices.Compact(runtime)
}

func hasSdist(files []string) bool {
	return slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, ".tar.gz") || strings.HasSuffix(f, ".zip") })
}

func versionSuffix(v string) string {
	if v == "" {
		return ""
	}
	return " " + v
}

func orNone(pkgs []string) string {
	if len(pkgs) == 0 {
		return "nothing"
	}
	return strings.Join(pkgs, " ")
}

// ignores finds the project's own venvs and secret directories.
func (in *inferrer) ignores() {
	entries, _ := os.ReadDir(in.dir)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n := e.Name()
		if n == ".venv" || n == "venv" {
			continue // in the generated list already
		}
		if in.exists(path.Join(n, "pyvenv.cfg")) {
			in.s.ExtraIgnores = append(in.s.ExtraIgnores, n)
			in.reason("%s/ is a virtualenv (it holds pyvenv.cfg): excluded from the context", n)
		}
	}
}

// mergeSpec returns base with every non-zero field of o applied.
func mergeSpec(base, o Spec) Spec {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&base.PythonVersion, o.PythonVersion)
	set(&base.BaseImage, o.BaseImage)
	set(&base.BaseDigest, o.BaseDigest)
	if o.Manager != "" {
		base.Manager = o.Manager
	}
	set(&base.PoetryVersion, o.PoetryVersion)
	set(&base.UVVersion, o.UVVersion)
	if o.Groups != nil {
		base.Groups = o.Groups
	}
	if o.Extras != nil {
		base.Extras = o.Extras
	}
	if o.RequirementsFiles != nil {
		base.RequirementsFiles = o.RequirementsFiles
	}
	if o.RequirementsIncludes != nil {
		base.RequirementsIncludes = o.RequirementsIncludes
	}
	if o.BuildPackages != nil {
		base.BuildPackages = o.BuildPackages
	}
	if o.RuntimePackages != nil {
		base.RuntimePackages = o.RuntimePackages
	}
	set(&base.SettingsModule, o.SettingsModule)
	if o.WSGIApp != "" {
		base.WSGIApp, base.ASGIApp = o.WSGIApp, ""
	}
	if o.ASGIApp != "" {
		base.ASGIApp = o.ASGIApp
	}
	if o.Server != "" {
		base.Server = o.Server
	}
	set(&base.WorkerClass, o.WorkerClass)
	base.NoLifespan = base.NoLifespan || o.NoLifespan
	if o.AddPackages != nil {
		base.AddPackages = o.AddPackages
	}
	set(&base.SourceDir, o.SourceDir)
	base.CollectStatic = base.CollectStatic || o.CollectStatic
	base.Compress = base.Compress || o.Compress
	set(&base.SecretID, o.SecretID)
	set(&base.SecretEnv, o.SecretEnv)
	if o.WritableDirs != nil {
		base.WritableDirs = o.WritableDirs
	}
	if o.Port != 0 {
		base.Port = o.Port
	}
	if o.UID != 0 {
		base.UID = o.UID
	}
	set(&base.AppDir, o.AppDir)
	set(&base.VenvDir, o.VenvDir)
	base.ExtraIgnores = append(base.ExtraIgnores, o.ExtraIgnores...)
	base.KeepPaths = append(base.KeepPaths, o.KeepPaths...)
	base.Reasons = append(base.Reasons, o.Reasons...)
	return base
}

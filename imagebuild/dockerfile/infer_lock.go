package dockerfile

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// This file reads what a project installs: the packages of poetry.lock,
// uv.lock or requirement files (following -r/-c includes), with their
// versions, markers, extras, sources and wheel files, and walks them from
// the project's root dependencies for a chosen set of groups and extras.

// lockDep is one requirement: a package, the extras it asks for and the
// marker that guards it.
type lockDep struct {
	Name     string
	Extras   []string
	Marker   string
	Optional bool // Poetry: installed only when an extra asks for it
}

// lockedPackage is one package of the lock (or one requirement line).
type lockedPackage struct {
	Name    string // normalised
	Version string
	// Constraint is the version constraint a requirement states when no
	// lock pins the version (">=4.2,<4.3", Poetry's "^4.2.16").
	Constraint constraint
	Marker     string
	Deps       []lockDep
	Extras     map[string][]lockDep
	Git        bool
	// Files are the distribution file names the lock lists (wheels and
	// sdists); nil when the lock does not say (requirement files).
	Files    []string
	NoBinary bool
}

// projectLock is everything read from the project's dependency files.
type projectLock struct {
	Packages map[string]*lockedPackage
	// Groups maps a dependency group ("main" for the project's own
	// dependencies) to its root requirements.
	Groups map[string][]lockDep
	// Extras maps the project's extras to their requirements.
	Extras map[string][]lockDep
	// DefaultGroups are the groups the manager installs without being asked
	// (uv: tool.uv.default-groups, default ["dev"]).
	DefaultGroups []string
	// OptionalGroups are Poetry groups marked optional = true.
	OptionalGroups []string
	// HasLockData reports whether transitive dependencies are known.
	HasLockData bool
	// Files are the requirement files read (top-level and included), and
	// Includes the subset reached through -r/-c.
	Files, Includes []string
}

func newProjectLock() *projectLock {
	return &projectLock{Packages: map[string]*lockedPackage{}, Groups: map[string][]lockDep{}, Extras: map[string][]lockDep{}}
}

// maxLockPackages bounds how many packages a lock may list.
const maxLockPackages = 20000

// parseRequirement reads a PEP 508 requirement ("psycopg[c,pool]==3.2 ;
// python_version >= '3.10'", "name @ git+https://...") and returns the
// dependency, its version specifier and URL.
func parseRequirement(s string) (dep lockDep, spec, url string, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ";"); i >= 0 {
		dep.Marker = strings.TrimSpace(s[i+1:])
		s = strings.TrimSpace(s[:i])
	}
	j := 0
	for j < len(s) && (isNameByte(s[j])) {
		j++
	}
	if j == 0 {
		return dep, "", "", false
	}
	dep.Name = normalizeName(s[:j])
	rest := strings.TrimSpace(s[j:])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return dep, "", "", false
		}
		for e := range strings.SplitSeq(rest[1:end], ",") {
			if e = strings.TrimSpace(e); e != "" {
				dep.Extras = append(dep.Extras, normalizeName(e))
			}
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if strings.HasPrefix(rest, "@") {
		return dep, "", strings.TrimSpace(rest[1:]), true
	}
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")")
	return dep, strings.TrimSpace(rest), "", true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// isGitURL reports whether a requirement URL or source points at a git
// repository (pip's git+ scheme, Poetry/uv git sources).
func isGitURL(u string) bool {
	u = strings.TrimSpace(u)
	return strings.HasPrefix(u, "git+") || strings.HasPrefix(u, "git://") || strings.HasPrefix(u, "git@")
}

// requirementsReader follows a requirement file and its -r/-c includes
// inside the project directory.
type requirementsReader struct {
	dir     string
	lock    *projectLock
	visited map[string]bool
}

// maxRequirementsDepth bounds -r/-c nesting; maxRequirementsFiles the
// number of files read.
const (
	maxRequirementsDepth = 16
	maxRequirementsFiles = 64
	maxManifestBytes     = 8 << 20
)

// readRequirements reads the top-level requirement files (slash paths
// relative to dir) into a projectLock; the "main" group holds every
// requirement they install.
func readRequirements(dir string, files []string) (*projectLock, error) {
	r := &requirementsReader{dir: dir, lock: newProjectLock(), visited: map[string]bool{}}
	for _, f := range files {
		if err := r.read(f, false, 0, ""); err != nil {
			return nil, err
		}
	}
	return r.lock, nil
}

func (r *requirementsReader) read(rel string, constraintOnly bool, depth int, from string) error {
	rel = path.Clean(rel)
	if strings.HasPrefix(rel, "../") || rel == ".." || path.IsAbs(rel) {
		return fmt.Errorf("%w: %s: include %q leaves the project directory", ErrInfer, from, rel)
	}
	if r.visited[rel] {
		return nil
	}
	if depth > maxRequirementsDepth || len(r.visited) >= maxRequirementsFiles {
		return fmt.Errorf("%w: %s: more than %d nested or %d included requirement files", ErrInfer, from, maxRequirementsDepth, maxRequirementsFiles)
	}
	r.visited[rel] = true
	data, err := readLimited(filepath.Join(r.dir, filepath.FromSlash(rel)))
	if err != nil {
		if from != "" {
			return fmt.Errorf("%w: %s: included file %s: %w", ErrInfer, from, rel, err)
		}
		return fmt.Errorf("%w: %w", ErrInfer, err)
	}
	r.lock.Files = append(r.lock.Files, rel)
	if from != "" {
		r.lock.Includes = append(r.lock.Includes, rel)
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := lines[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + lines[i]
		}
		if k := strings.Index(line, " #"); k >= 0 {
			line = line[:k]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", rel, lineNo)
		fields := strings.Fields(line)
		opt, arg := fields[0], ""
		if k := strings.IndexByte(opt, '='); k > 0 && strings.HasPrefix(opt, "-") {
			opt, arg = opt[:k], opt[k+1:]
		} else if len(fields) > 1 {
			arg = fields[1]
		}
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			if arg == "" {
				return fmt.Errorf("%w: %s: %s needs a file name", ErrInfer, where, opt)
			}
			inc := path.Join(path.Dir(rel), arg)
			if err := r.read(inc, constraintOnly || opt == "-c" || opt == "--constraint", depth+1, where); err != nil {
				return err
			}
			continue
		case "-e", "--editable":
			if isGitURL(arg) && !constraintOnly {
				r.addURL(arg)
			}
			continue
		case "--no-binary":
			for n := range strings.SplitSeq(arg, ",") {
				if p := r.lock.Packages[normalizeName(n)]; p != nil {
					p.NoBinary = true
				}
			}
			continue
		}
		if strings.HasPrefix(opt, "-") {
			continue // --hash, -i, --index-url, --extra-index-url, -f, --only-binary, ...
		}
		if constraintOnly {
			continue
		}
		reqText, noBinary := line, false
		// Per-requirement options: "psycopg2==2.8.3 --no-binary psycopg2", "--hash=...".
		if k := strings.Index(reqText, " --"); k >= 0 {
			noBinary = strings.Contains(reqText[k:], "--no-binary")
			reqText = reqText[:k]
		}
		if isGitURL(reqText) || strings.Contains(reqText, "://") && !strings.Contains(reqText, "@") {
			r.addURL(reqText)
			continue
		}
		dep, spec, url, ok := parseRequirement(reqText)
		if !ok {
			continue // a local path or something pip reads that deploykit does not model
		}
		p := r.lock.Packages[dep.Name]
		if p == nil {
			if len(r.lock.Packages) >= maxLockPackages {
				return fmt.Errorf("%w: %s: more than %d requirements", ErrInfer, where, maxLockPackages)
			}
			p = &lockedPackage{Name: dep.Name, Extras: map[string][]lockDep{}}
			r.lock.Packages[dep.Name] = p
		}
		pin := strings.TrimPrefix(spec, "===")
		if pin == spec {
			pin = strings.TrimPrefix(spec, "==")
		}
		if v, ok := pin, pin != spec; ok && !strings.ContainsAny(v, ",*") {
			p.Version = strings.TrimSpace(v)
		} else if set, err := parseSpecifierSet(spec); err == nil && len(set) > 0 {
			p.Constraint = constraint{set}
		}
		p.Git = p.Git || isGitURL(url)
		p.NoBinary = p.NoBinary || noBinary
		if p.Marker == "" {
			p.Marker = dep.Marker
		}
		r.lock.Groups["main"] = append(r.lock.Groups["main"], dep)
	}
	return nil
}

// addURL records a requirement given as a URL ("git+https://...#egg=name").
func (r *requirementsReader) addURL(u string) {
	name := ""
	if _, frag, ok := strings.Cut(u, "#egg="); ok {
		if f := strings.FieldsFunc(frag, func(c rune) bool { return c == '&' || c == ' ' }); len(f) > 0 {
			name = f[0]
		}
	} else {
		base := strings.TrimSuffix(path.Base(strings.SplitN(u, "@", 2)[0]), ".git")
		name = base
	}
	name = normalizeName(name)
	if name == "" {
		name = "git-dependency"
	}
	p := r.lock.Packages[name]
	if p == nil {
		p = &lockedPackage{Name: name, Extras: map[string][]lockDep{}}
		r.lock.Packages[name] = p
	}
	p.Git = p.Git || isGitURL(u)
	r.lock.Groups["main"] = append(r.lock.Groups["main"], lockDep{Name: name})
}

func readLimited(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxManifestBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, maxManifestBytes)
	}
	return os.ReadFile(p)
}

func tomlError(file string, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return fmt.Errorf("%w: %s:%d:%d: %s", ErrInfer, file, line, col, de.Error())
	}
	return fmt.Errorf("%w: %s: %w", ErrInfer, file, err)
}

// uvLockFile is the part of uv.lock that InferSpec reads.
type uvLockFile struct {
	Package []struct {
		Name         string             `toml:"name"`
		Version      string             `toml:"version"`
		Source       map[string]any     `toml:"source"`
		Dependencies []uvDep            `toml:"dependencies"`
		OptionalRaw  map[string][]uvDep `toml:"optional-dependencies"`
		DevDeps      map[string][]uvDep `toml:"dev-dependencies"`
		Sdist        map[string]any     `toml:"sdist"`
		Wheels       []map[string]any   `toml:"wheels"`
	} `toml:"package"`
}

type uvDep struct {
	Name   string   `toml:"name"`
	Extra  []string `toml:"extra"`
	Marker string   `toml:"marker"`
}

func (d uvDep) lockDep() lockDep {
	out := lockDep{Name: normalizeName(d.Name), Marker: d.Marker}
	for _, e := range d.Extra {
		out.Extras = append(out.Extras, normalizeName(e))
	}
	return out
}

// readUVLock reads uv.lock; root is the project's own name (from
// pyproject.toml), used to find the project's entry.
func readUVLock(file string, data []byte, root string) (*projectLock, error) {
	var f uvLockFile
	if err := toml.Unmarshal(data, &f); err != nil {
		return nil, tomlError(file, err)
	}
	if len(f.Package) > maxLockPackages {
		return nil, fmt.Errorf("%w: %s: more than %d packages", ErrInfer, file, maxLockPackages)
	}
	l := newProjectLock()
	l.HasLockData = true
	root = normalizeName(root)
	for _, p := range f.Package {
		name := normalizeName(p.Name)
		lp := &lockedPackage{Name: name, Version: p.Version, Extras: map[string][]lockDep{}}
		for _, d := range p.Dependencies {
			lp.Deps = append(lp.Deps, d.lockDep())
		}
		for e, ds := range p.OptionalRaw {
			for _, d := range ds {
				lp.Extras[normalizeName(e)] = append(lp.Extras[normalizeName(e)], d.lockDep())
			}
		}
		if g, ok := p.Source["git"].(string); ok && g != "" {
			lp.Git = true
		}
		if u, ok := p.Sdist["url"].(string); ok {
			lp.Files = append(lp.Files, path.Base(u))
		} else if p.Sdist != nil {
			lp.Files = append(lp.Files, name+".tar.gz")
		}
		for _, w := range p.Wheels {
			if u, ok := w["url"].(string); ok {
				lp.Files = append(lp.Files, path.Base(u))
			} else if fn, ok := w["filename"].(string); ok {
				lp.Files = append(lp.Files, fn)
			}
		}
		_, virtual := p.Source["virtual"]
		_, editable := p.Source["editable"]
		isRoot := name == root || (root == "" && (virtual || editable) && (p.Source["virtual"] == "." || p.Source["editable"] == "."))
		if isRoot {
			l.Groups["main"] = append(l.Groups["main"], lp.Deps...)
			for e, ds := range lp.Extras {
				l.Extras[e] = ds
			}
			for g, ds := range p.DevDeps {
				for _, d := range ds {
					l.Groups[g] = append(l.Groups[g], d.lockDep())
				}
			}
			continue
		}
		l.Packages[name] = lp
	}
	return l, nil
}

// poetryLockFile is the part of poetry.lock that InferSpec reads (lock
// versions 1.1 to 2.1).
type poetryLockFile struct {
	Package []struct {
		Name         string           `toml:"name"`
		Version      string           `toml:"version"`
		Category     string           `toml:"category"`
		Groups       []string         `toml:"groups"`
		Markers      any              `toml:"markers"`
		Dependencies map[string]any   `toml:"dependencies"`
		Extras       map[string][]any `toml:"extras"`
		Files        []map[string]any `toml:"files"`
		Source       map[string]any   `toml:"source"`
	} `toml:"package"`
	Metadata struct {
		Files map[string][]map[string]any `toml:"files"`
	} `toml:"metadata"`
}

func readPoetryLock(file string, data []byte) (*projectLock, error) {
	var f poetryLockFile
	if err := toml.Unmarshal(data, &f); err != nil {
		return nil, tomlError(file, err)
	}
	if len(f.Package) > maxLockPackages {
		return nil, fmt.Errorf("%w: %s: more than %d packages", ErrInfer, file, maxLockPackages)
	}
	l := newProjectLock()
	l.HasLockData = true
	for _, p := range f.Package {
		name := normalizeName(p.Name)
		lp := &lockedPackage{Name: name, Version: p.Version, Extras: map[string][]lockDep{}}
		if m, ok := p.Markers.(string); ok {
			lp.Marker = m
		}
		for dn, dv := range p.Dependencies {
			lp.Deps = append(lp.Deps, poetryDeps(dn, dv)...)
		}
		slices.SortFunc(lp.Deps, func(a, b lockDep) int { return strings.Compare(a.Name, b.Name) })
		for e, ds := range p.Extras {
			for _, d := range ds {
				s, _ := d.(string)
				// "psycopg-c (==3.1.9)" or "psycopg-c (==3.1.9) ; marker"
				dep, _, _, ok := parseRequirement(s)
				if ok {
					lp.Extras[normalizeName(e)] = append(lp.Extras[normalizeName(e)], lockDep{Name: dep.Name, Extras: dep.Extras, Marker: dep.Marker})
				}
			}
		}
		if t, _ := p.Source["type"].(string); t == "git" {
			lp.Git = true
		}
		files := p.Files
		if files == nil {
			files = f.Metadata.Files[p.Name]
		}
		for _, fl := range files {
			if fn, ok := fl["file"].(string); ok {
				lp.Files = append(lp.Files, fn)
			}
		}
		l.Packages[name] = lp
	}
	return l, nil
}

// poetryDeps reads one entry of a [package.dependencies] or
// [tool.poetry.dependencies] table: "^1.0", {version, markers, extras,
// optional, python, platform, git}, or a list of such tables (multiple
// constraints).
func poetryDeps(name string, v any) []lockDep {
	name = normalizeName(name)
	one := func(v any) lockDep {
		d := lockDep{Name: name}
		t, ok := v.(map[string]any)
		if !ok {
			return d
		}
		if m, ok := t["markers"].(string); ok {
			d.Marker = m
		}
		if py, ok := t["python"].(string); ok && py != "" && py != "*" {
			if c, err := parsePoetryConstraint(py); err == nil {
				d.Marker = andMarker(d.Marker, pythonConstraintMarker(c))
			}
		}
		if pl, ok := t["platform"].(string); ok && pl != "" {
			d.Marker = andMarker(d.Marker, fmt.Sprintf("sys_platform == %q", pl))
		}
		if o, ok := t["optional"].(bool); ok {
			d.Optional = o
		}
		if es, ok := t["extras"].([]any); ok {
			for _, e := range es {
				if s, ok := e.(string); ok {
					d.Extras = append(d.Extras, normalizeName(s))
				}
			}
		}
		return d
	}
	if list, ok := v.([]any); ok {
		var out []lockDep
		for _, e := range list {
			out = append(out, one(e))
		}
		return out
	}
	return []lockDep{one(v)}
}

// poetryGitDep reports whether a [tool.poetry.dependencies] entry is a git
// dependency.
func poetryGitDep(v any) bool {
	check := func(v any) bool {
		t, ok := v.(map[string]any)
		if !ok {
			return false
		}
		_, git := t["git"]
		return git
	}
	if list, ok := v.([]any); ok {
		return slices.ContainsFunc(list, check)
	}
	return check(v)
}

func andMarker(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return "(" + a + ") and (" + b + ")"
}

// pythonConstraintMarker turns a Poetry python constraint into a marker.
func pythonConstraintMarker(c constraint) string {
	var alts []string
	for _, set := range c {
		var cl []string
		for _, sp := range set {
			if sp.wildcard {
				cl = append(cl, fmt.Sprintf("python_version %s %q", sp.op, sp.version.String()))
				continue
			}
			cl = append(cl, fmt.Sprintf("python_full_version %s %q", sp.op, sp.raw))
		}
		if len(cl) > 0 {
			alts = append(alts, strings.Join(cl, " and "))
		}
	}
	if len(alts) == 0 {
		return ""
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, ") or (") + ")"
}

// installedSet walks the lock from the selected groups and extras and
// returns every package installed (normalised name -> package) in env.
// Packages a requirement names but the lock does not list are returned
// with no version (a requirement file without pins).
func (l *projectLock) installedSet(groups, extras []string, env markerEnv) map[string]*lockedPackage {
	out := map[string]*lockedPackage{}
	active := map[string]map[string]bool{} // package -> extras already expanded
	var queue []lockDep
	for _, g := range groups {
		queue = append(queue, l.Groups[g]...)
	}
	for _, e := range extras {
		queue = append(queue, l.Extras[normalizeName(e)]...)
	}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if !evalMarker(d.Marker, env) {
			continue
		}
		p := l.Packages[d.Name]
		if p == nil {
			p = &lockedPackage{Name: d.Name, Extras: map[string][]lockDep{}}
		}
		if !evalMarker(p.Marker, env) && l.HasLockData {
			continue
		}
		first := out[d.Name] == nil
		out[d.Name] = p
		if active[d.Name] == nil {
			active[d.Name] = map[string]bool{}
		}
		var newExtras []string
		for _, e := range d.Extras {
			if !active[d.Name][e] {
				active[d.Name][e] = true
				newExtras = append(newExtras, e)
			}
		}
		if first {
			penv := markerEnv{python: env.python, extras: d.Extras}
			for _, dep := range p.Deps {
				if dep.Optional {
					continue
				}
				if evalMarker(dep.Marker, penv) {
					queue = append(queue, lockDep{Name: dep.Name, Extras: dep.Extras})
				}
			}
		}
		for _, e := range newExtras {
			if ds, ok := p.Extras[e]; ok {
				for _, dep := range ds {
					if evalMarker(dep.Marker, markerEnv{python: env.python, extras: []string{e}}) {
						queue = append(queue, lockDep{Name: dep.Name, Extras: dep.Extras})
					}
				}
				continue
			}
			// Poetry lists extra-only dependencies as optional, with a
			// marker `extra == "c"`; requirement files have no lock data,
			// so the table of known extras fills in.
			found := false
			for _, dep := range p.Deps {
				if dep.Optional && strings.Contains(dep.Marker, "extra") && evalMarker(dep.Marker, markerEnv{python: env.python, extras: []string{e}}) {
					queue = append(queue, lockDep{Name: dep.Name, Extras: dep.Extras})
					found = true
				}
			}
			if !found {
				if sl, ok := systemLibs().Packages[d.Name]; ok {
					for _, n := range sl.Extras[e] {
						queue = append(queue, lockDep{Name: n})
					}
				}
			}
		}
	}
	return out
}

// wheelFor reports whether files hold a wheel that pip would install on
// CPython minor ("3.12") on glibc Linux x86_64.
func wheelFor(files []string, minor string) bool {
	v, ok := parsePyVersion(minor)
	if !ok {
		return false
	}
	cp := fmt.Sprintf("cp%d%d", v.part(0), v.part(1))
	for _, f := range files {
		if !strings.HasSuffix(f, ".whl") {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(f, ".whl"), "-")
		if len(parts) < 5 {
			continue
		}
		pyTags := strings.Split(parts[len(parts)-3], ".")
		abiTags := strings.Split(parts[len(parts)-2], ".")
		platTags := strings.Split(parts[len(parts)-1], ".")
		platOK := false
		for _, p := range platTags {
			if p == "any" || (strings.HasPrefix(p, "manylinux") || strings.HasPrefix(p, "linux")) && strings.HasSuffix(p, "_x86_64") {
				platOK = true
			}
		}
		if !platOK {
			continue
		}
		for _, py := range pyTags {
			for _, abi := range abiTags {
				switch {
				case py == "py3" && abi == "none":
					return true
				case py == cp && (abi == cp || abi == "none" || abi == "abi3"):
					return true
				case strings.HasPrefix(py, "cp3") && abi == "abi3":
					w, ok := parsePyVersion("3." + strings.TrimPrefix(py, "cp3"))
					if ok && w.compare(v) <= 0 {
						return true
					}
				}
			}
		}
	}
	return false
}

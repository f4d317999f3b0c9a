package dockerfile

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/deploykit/deploykit/internal/django"
)

// This file finds the application InferSpec serves: the source directory,
// Django's settings module and entry points or a Flask/FastAPI object, and
// the server that starts it.

// application fills SourceDir, SettingsModule, WSGIApp/ASGIApp, Server,
// CollectStatic and Compress.
func (in *inferrer) application() {
	src := in.sourceDir()
	in.s.SourceDir = src
	if src != "" {
		in.reason("source directory %s/: manage.py and the project packages live there; the server and manage.py run in it", src)
	}
	_, isDjango := in.installed["django"]
	hasManage := in.exists(path.Join(src, "manage.py"))
	if isDjango || hasManage {
		in.djangoApp(src)
	} else {
		in.pythonApp(src)
	}
	in.server()
}

// sourceDir returns the directory holding manage.py (the context root, or
// one or two levels down: src/, the project's own directory).
func (in *inferrer) sourceDir() string {
	if in.exists("manage.py") {
		return ""
	}
	var found []string
	_ = filepath.WalkDir(in.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := in.rel(p)
		if d.IsDir() {
			if rel != "" && skipDir(d.Name(), strings.Count(rel, "/")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "manage.py" && strings.Count(rel, "/") <= 2 {
			found = append(found, path.Dir(rel))
		}
		return nil
	})
	slices.SortFunc(found, func(a, b string) int {
		if c := strings.Count(a, "/") - strings.Count(b, "/"); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

func (in *inferrer) rel(p string) string {
	r, _ := filepath.Rel(in.dir, p)
	r = filepath.ToSlash(r)
	if r == "." {
		return ""
	}
	return r
}

func skipDir(name string, depth int) bool {
	switch name {
	case "venv", "node_modules", "site-packages", "__pycache__", "tests", "test", "docs", "migrations", "static", "staticfiles", "media", "templates", "locale", "build", "dist":
		return true
	}
	return strings.HasPrefix(name, ".") || depth >= 3
}

// moduleFile returns the context path of a dotted module below src (a
// module file or a package's __init__.py), or "".
func (in *inferrer) moduleFile(src, mod string) string {
	base := path.Join(src, strings.ReplaceAll(mod, ".", "/"))
	if in.exists(base + ".py") {
		return base + ".py"
	}
	if in.exists(path.Join(base, "__init__.py")) {
		return path.Join(base, "__init__.py")
	}
	return ""
}

func (in *inferrer) djangoApp(src string) {
	wsgi, asgi := in.findAppModules(src)
	// Candidate settings modules, in the order of preference.
	type candidate struct{ mod, why string }
	var cands []candidate
	var devDefault string
	if manage, ok := in.read(path.Join(src, "manage.py")); ok {
		devDefault = django.DefaultSettingsModule(manage)
	}
	var entryDefault, entryFile string
	for _, m := range []string{wsgi, asgi} {
		if m == "" {
			continue
		}
		if data, ok := in.read(in.moduleFile(src, m)); ok {
			if d := django.DefaultSettingsModule(data); d != "" && entryDefault == "" {
				entryDefault, entryFile = d, in.moduleFile(src, m)
			}
		}
	}
	// 1. A module named production or prod, beside the default settings or
	// in any settings package of the project.
	var pkgs []string
	for _, d := range []string{devDefault, entryDefault} {
		if d == "" {
			continue
		}
		if in.exists(path.Join(src, strings.ReplaceAll(d, ".", "/"))) { // a settings package itself
			pkgs = append(pkgs, d)
		}
		if i := strings.LastIndex(d, "."); i > 0 {
			pkgs = append(pkgs, d[:i])
		}
	}
	pkgs = append(pkgs, in.settingsPackages(src)...)
	for _, pkg := range pkgs {
		for _, name := range []string{"production", "prod"} {
			for _, mod := range []string{pkg + "." + name, pkg + ".settings_" + name} {
				if in.moduleFile(src, mod) != "" {
					cands = append(cands, candidate{mod, "a settings module named " + name})
				}
			}
		}
	}
	// 2. Named by the project's own deployment files.
	for _, f := range in.deploymentFiles() {
		data, _ := in.read(f)
		for _, m := range django.SettingsModulesNamed(data) {
			cands = append(cands, candidate{m, "named in " + f})
		}
	}
	// 3. The entry point's default, 4. manage.py's.
	if entryDefault != "" {
		cands = append(cands, candidate{entryDefault, "the default " + entryFile + " sets"})
	}
	if devDefault != "" {
		cands = append(cands, candidate{devDefault, "the default manage.py sets"})
	}
	for _, c := range cands {
		f := in.moduleFile(src, c.mod)
		if f == "" {
			continue
		}
		in.s.SettingsModule = c.mod
		msg := fmt.Sprintf("DJANGO_SETTINGS_MODULE=%s: %s", c.mod, c.why)
		if devDefault != "" && devDefault != c.mod {
			msg += fmt.Sprintf(" (manage.py names %s, usually the development settings)", devDefault)
		}
		in.reason("%s", msg)
		in.s.KeepPaths = append(in.s.KeepPaths, f)
		in.staticSteps(src, c.mod)
		break
	}
	if in.s.SettingsModule == "" && len(cands) > 0 {
		in.reason("no settings module named by the project exists (%s); DJANGO_SETTINGS_MODULE left unset", cands[0].mod)
	}

	// ASGI when the project runs an ASGI stack (Channels, or an ASGI-only
	// server and no gunicorn), else WSGI.
	_, channels := in.installed["channels"]
	_, gunicorn := in.installed["gunicorn"]
	asgiServer := in.installed["uvicorn"] != nil || in.installed["daphne"] != nil || in.installed["granian"] != nil
	switch {
	case asgi != "" && (channels || asgiServer && (!gunicorn || in.installed["uvicorn"] != nil)) || wsgi == "" && asgi != "":
		in.s.ASGIApp = asgi + ":application"
		in.s.NoLifespan = true
		why := "asgi.py is the only entry point"
		if channels {
			why = "the project uses Channels"
		} else if wsgi != "" {
			why = "the project installs an ASGI server"
		}
		in.reason("ASGI application %s (%s)", in.s.ASGIApp, why)
		in.s.KeepPaths = append(in.s.KeepPaths, in.moduleFile(src, asgi))
	case wsgi != "":
		in.s.WSGIApp = wsgi + ":application"
		in.reason("WSGI application %s", in.s.WSGIApp)
		in.s.KeepPaths = append(in.s.KeepPaths, in.moduleFile(src, wsgi))
	}
}

// settingsPackages lists the project's settings packages (a directory
// named settings below src, at most two levels down), as dotted paths.
func (in *inferrer) settingsPackages(src string) []string {
	var out []string
	root := filepath.Join(in.dir, filepath.FromSlash(src))
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		r, _ := filepath.Rel(root, p)
		r = filepath.ToSlash(r)
		if r != "." && skipDir(d.Name(), strings.Count(r, "/")) {
			return filepath.SkipDir
		}
		if d.Name() == "settings" && r != "." {
			out = append(out, strings.ReplaceAll(r, "/", "."))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// deploymentFiles are the project's files that name a production settings
// module: Dockerfiles, Procfile, compose files, example env files.
func (in *inferrer) deploymentFiles() []string {
	var out []string
	_ = filepath.WalkDir(in.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := in.rel(p)
		if d.IsDir() {
			if rel != "" && (strings.Count(rel, "/") >= 3 || d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".venv" || d.Name() == "venv" || d.Name() == ".envs") {
				return filepath.SkipDir
			}
			return nil
		}
		n := strings.ToLower(d.Name())
		switch {
		case n == "dockerfile" || strings.HasPrefix(n, "dockerfile.") || strings.HasSuffix(n, ".dockerfile"),
			n == "procfile",
			strings.HasPrefix(n, "docker-compose") && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")),
			strings.HasPrefix(n, "compose") && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")),
			n == ".env.example" || n == ".env.sample" || n == "env.example" || n == ".env.template" || n == "example.env":
			out = append(out, rel)
		}
		return nil
	})
	// Production-named files first.
	slices.SortStableFunc(out, func(a, b string) int {
		pa, pb := strings.Contains(a, "prod"), strings.Contains(b, "prod")
		switch {
		case pa && !pb:
			return -1
		case pb && !pa:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

var (
	staticRootRE      = regexp.MustCompile(`(?m)^\s*STATIC_ROOT\s*(?::[^=\n]+)?=`)
	compressOfflineRE = regexp.MustCompile(`(?m)^\s*COMPRESS_OFFLINE\s*(?::[^=\n]+)?=\s*([^#\n]*)`)
	starImportRE      = regexp.MustCompile(`(?m)^\s*from\s+([.\w]+)\s+import\s+\*`)
)

// maxSettingsChain bounds how many star-imported settings modules are
// followed.
const maxSettingsChain = 16

// settingsSource returns the text of a settings module and every module it
// star-imports (from .base import *), transitively, within the project.
func (in *inferrer) settingsSource(src, mod string) string {
	var b strings.Builder
	seen := map[string]bool{}
	var visit func(mod string)
	visit = func(mod string) {
		if seen[mod] || len(seen) >= maxSettingsChain {
			return
		}
		seen[mod] = true
		f := in.moduleFile(src, mod)
		data, ok := in.read(f)
		if f == "" || !ok {
			return
		}
		b.Write(data)
		b.WriteByte('\n')
		pkg := mod
		if !strings.HasSuffix(f, "__init__.py") {
			if i := strings.LastIndex(mod, "."); i >= 0 {
				pkg = mod[:i]
			} else {
				pkg = ""
			}
		}
		for _, m := range starImportRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.HasPrefix(target, ".") {
				up := len(target) - len(strings.TrimLeft(target, "."))
				base := pkg
				for i := 1; i < up; i++ {
					if j := strings.LastIndex(base, "."); j >= 0 {
						base = base[:j]
					} else {
						base = ""
					}
				}
				rest := strings.TrimLeft(target, ".")
				switch {
				case base == "":
					target = rest
				case rest == "":
					target = base
				default:
					target = base + "." + rest
				}
			}
			visit(target)
		}
	}
	visit(mod)
	return b.String()
}

func (in *inferrer) staticSteps(src, mod string) {
	text := in.settingsSource(src, mod)
	if staticRootRE.MatchString(text) {
		in.s.CollectStatic = true
		in.reason("collectstatic at build time: STATIC_ROOT is set in %s or a module it star-imports", mod)
	}
	if m := compressOfflineRE.FindStringSubmatch(text); m != nil && !strings.HasPrefix(strings.TrimSpace(m[1]), "False") {
		if in.installed["django-compressor"] != nil {
			in.s.Compress = true
			in.s.CollectStatic = true
			in.reason("manage.py compress at build time: COMPRESS_OFFLINE is set (%s)", strings.TrimSpace(m[1]))
		} else {
			in.reason("COMPRESS_OFFLINE is set but django-compressor is not installed; no compress step")
		}
	}
}

// findAppModules returns the dotted module paths (relative to src) of the
// project's wsgi.py and asgi.py: the shallowest, first in lexical order.
func (in *inferrer) findAppModules(src string) (wsgi, asgi string) {
	root := filepath.Join(in.dir, filepath.FromSlash(src))
	type hit struct{ mod, base string }
	var hits []hit
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		r, _ := filepath.Rel(root, p)
		r = filepath.ToSlash(r)
		if d.IsDir() {
			if r != "." && skipDir(d.Name(), strings.Count(r, "/")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch base := path.Base(r); base {
		case "wsgi.py", "asgi.py":
			if strings.Contains(r, "/") {
				hits = append(hits, hit{strings.ReplaceAll(strings.TrimSuffix(r, ".py"), "/", "."), base})
			}
		case "__init__.py":
			// A package named wsgi or asgi (saleor/asgi/__init__.py).
			dir := path.Dir(r)
			if b := path.Base(dir); (b == "wsgi" || b == "asgi") && strings.Contains(dir, "/") {
				hits = append(hits, hit{strings.ReplaceAll(dir, "/", "."), b + ".py"})
			}
		}
		return nil
	})
	slices.SortFunc(hits, func(a, b hit) int {
		if c := strings.Count(a.mod, ".") - strings.Count(b.mod, "."); c != 0 {
			return c
		}
		return strings.Compare(a.mod, b.mod)
	})
	for _, h := range hits {
		if h.base == "wsgi.py" && wsgi == "" {
			wsgi = h.mod
		}
		if h.base == "asgi.py" && asgi == "" {
			asgi = h.mod
		}
	}
	return wsgi, asgi
}

var (
	flaskAppRE   = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_.]+\s*)?=\s*(?:flask\.)?Flask\(`)
	fastAPIAppRE = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_.]+\s*)?=\s*(?:fastapi\.)?(FastAPI|Starlette|Quart|Litestar)\(`)
	factoryAppRE = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:[A-Za-z_][A-Za-z0-9_.]*\.)?create_app\(`)
	createAppRE  = regexp.MustCompile(`(?m)^def\s+create_app\(`)
)

// appFilePreference orders candidate files for the application object.
var appFilePreference = []string{"wsgi.py", "asgi.py", "autoapp.py", "app.py", "main.py", "application.py", "server.py", "run.py", "api.py", "__init__.py"}

// pythonApp finds a Flask, FastAPI or Starlette application object.
func (in *inferrer) pythonApp(src string) {
	root := filepath.Join(in.dir, filepath.FromSlash(src))
	type hit struct {
		mod, attr string
		asgi      bool
		rank      int
		depth     int
	}
	var hits []hit
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		r, _ := filepath.Rel(root, p)
		r = filepath.ToSlash(r)
		if d.IsDir() {
			if r != "." && (skipDir(d.Name(), strings.Count(r, "/")) || d.Name() == "alembic") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(r, ".py") {
			return nil
		}
		rank := slices.Index(appFilePreference, path.Base(r))
		if rank < 0 {
			rank = len(appFilePreference)
		}
		data, err := readLimited(p)
		if err != nil {
			return nil
		}
		mod := strings.ReplaceAll(strings.TrimSuffix(r, ".py"), "/", ".")
		mod = strings.TrimSuffix(mod, ".__init__")
		if mod == "__init__" || badModuleSegment(mod) != "" {
			return nil
		}
		depth := strings.Count(r, "/")
		if m := fastAPIAppRE.FindSubmatch(data); m != nil {
			hits = append(hits, hit{mod, string(m[1]), true, rank, depth})
		} else if m := flaskAppRE.FindSubmatch(data); m != nil {
			hits = append(hits, hit{mod, string(m[1]), false, rank, depth})
		} else if m := factoryAppRE.FindSubmatch(data); m != nil {
			hits = append(hits, hit{mod, string(m[1]), false, rank, depth})
		} else if createAppRE.Match(data) {
			hits = append(hits, hit{mod, "create_app()", false, rank + len(appFilePreference), depth})
		}
		return nil
	})
	slices.SortFunc(hits, func(a, b hit) int {
		if c := a.rank - b.rank; c != 0 {
			return c
		}
		if c := a.depth - b.depth; c != 0 {
			return c
		}
		return strings.Compare(a.mod, b.mod)
	})
	if len(hits) == 0 {
		in.reason("no WSGI or ASGI application found; set -wsgi or -asgi")
		return
	}
	h := hits[0]
	app := h.mod + ":" + h.attr
	if h.asgi {
		in.s.ASGIApp = app
		in.reason("ASGI application %s (the first application object found)", app)
	} else {
		in.s.WSGIApp = app
		in.reason("WSGI application %s (the first application object found)", app)
	}
	in.s.KeepPaths = append(in.s.KeepPaths, path.Join(src, strings.ReplaceAll(h.mod, ".", "/")+".py"))
}

// server chooses the program that serves the application from what the
// installed set provides, adding one when it provides none.
func (in *inferrer) server() {
	has := func(n string) bool { return in.installed[n] != nil }
	pin := func(n string) string {
		v, _ := ToolVersion(n)
		return n + "==" + v
	}
	if in.s.ASGIApp != "" {
		switch {
		case has("gunicorn") && has("uvicorn-worker"):
			in.s.Server, in.s.WorkerClass = ServerGunicorn, "uvicorn_worker.UvicornWorker"
			in.reason("server: gunicorn with uvicorn-worker's UvicornWorker (both installed)")
		case has("gunicorn") && has("uvicorn"):
			in.s.Server, in.s.WorkerClass = ServerGunicorn, "uvicorn.workers.UvicornWorker"
			in.reason("server: gunicorn with uvicorn's worker class (both installed)")
		case has("granian"):
			in.s.Server = ServerGranian
			in.reason("server: granian (installed)")
		case has("uvicorn"):
			in.s.Server = ServerUvicorn
			in.reason("server: uvicorn (installed)")
		case has("daphne"):
			in.s.Server = ServerDaphne
			in.reason("server: daphne (installed)")
		default:
			in.s.Server = ServerUvicorn
			in.s.AddPackages = []string{pin("uvicorn")}
			in.reason("server: the project installs no ASGI server; %s is added to the venv", pin("uvicorn"))
		}
		return
	}
	switch {
	case has("gunicorn"):
		in.s.Server = ServerGunicorn
		in.reason("server: gunicorn (installed)")
	case has("granian"):
		in.s.Server = ServerGranian
		in.reason("server: granian --interface wsgi (installed)")
	default:
		in.s.Server = ServerGunicorn
		in.s.AddPackages = []string{pin("gunicorn")}
		in.reason("server: the project installs no WSGI server; %s is added to the venv", pin("gunicorn"))
	}
}

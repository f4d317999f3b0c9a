package workflow

import (
	"path"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"
)

// venvLayout says where a job's installers put files bound to one Python
// interpreter (virtualenvs, pip --target trees), so that the cache rules
// judge what a cached path holds, not what it is called. A path named like a
// venv (~/.venv) that no installer of the job writes to holds no venv.
type venvLayout struct {
	// dirs are the normalised locations (see normPath) the job's
	// installers create virtualenvs or install packages in.
	dirs []string
	// projectConfig: an installer reads a project file (poetry.toml,
	// pdm.toml, .python-version) the workflow does not show, which may put
	// its venv anywhere under the checkout; relative paths may then hold a
	// venv.
	projectConfig bool
	// installers counts the installer commands seen; with none the job's
	// Python comes from somewhere the rules do not see.
	installers int
	// unknown: a step installs or runs something the rules do not model (a
	// script, make, another shell, a local or Python-setup action): any
	// venv-named path may hold a venv.
	unknown bool
}

// holds reports whether cached path p may hold a venv of the job.
func (l *venvLayout) holds(p string) bool {
	if l.unknown {
		return true
	}
	np := normPath(p, "")
	if strings.ContainsAny(np, "*?[$") {
		return true // a glob or a variable: fail closed
	}
	for _, d := range l.dirs {
		if d == np || strings.HasPrefix(d, np+"/") || strings.HasPrefix(np, d+"/") {
			return true
		}
	}
	return l.projectConfig && !strings.HasPrefix(np, "~") && !strings.HasPrefix(np, "/")
}

// normPath writes a path as the runner resolves it, in lower case: the
// home directory as ~, the workspace (where relative paths start) as a
// relative path, joined to working directory wd.
func normPath(p, wd string) string {
	p = strings.ToLower(strings.Trim(strings.TrimSpace(p), `"'`))
	for _, h := range []string{"${{ env.home }}", "${{env.home}}", "${home}", "$home", "/home/runner", "/users/runner", "/root"} {
		if p == h || strings.HasPrefix(p, h+"/") {
			p = "~" + p[len(h):]
			break
		}
	}
	for _, w := range []string{"${{ github.workspace }}", "${{github.workspace}}", "${github_workspace}", "$github_workspace"} {
		if p == w || strings.HasPrefix(p, w+"/") {
			p = "." + p[len(w):]
			break
		}
	}
	if !strings.HasPrefix(p, "~") && !strings.HasPrefix(p, "/") && wd != "" {
		p = path.Join(normPath(wd, ""), p)
	}
	p = path.Clean(p)
	if p == "." {
		return ""
	}
	return p
}

// Settings that move a venv, read from env: maps, `export K=V`, `echo K=V >>
// $GITHUB_ENV` and `poetry config KEY VALUE`.
var (
	envSettingRe    = regexp.MustCompile(`(?i)\b(POETRY_VIRTUALENVS_IN_PROJECT|POETRY_VIRTUALENVS_CREATE|POETRY_VIRTUALENVS_PATH|POETRY_CACHE_DIR|PIPENV_VENV_IN_PROJECT|WORKON_HOME|UV_PROJECT_ENVIRONMENT|PDM_VENV_IN_PROJECT)\s*[=:]\s*["']?([^\s"';]+)`)
	poetryConfigRe  = regexp.MustCompile(`(?i)\bpoetry\s+config\s+(?:--local\s+)?(virtualenvs\.in-project|virtualenvs\.create|virtualenvs\.path|cache-dir)\s+(?:--local\s+)?["']?([^\s"';]+)`)
	setupActionRe   = regexp.MustCompile(`(?i)(python|poetry|pip|venv|pdm|pipenv|conda|mamba|hatch|tox|nox|rye|pixi|\buv\b|setup-uv)`)
	unmodelledCmdRe = regexp.MustCompile(`^(make|just|invoke|inv|hatch|conda|mamba|micromamba|pyenv|rye|pixi|bash|sh|source|\.|pipx|pip-sync|flit|tox-gh|scripts?)$`)
)

// knownSetupActions create no venv of their own (or one handled below).
var knownSetupActions = []string{"actions/setup-python", "actions/cache", "actions/cache/restore", "actions/cache/save",
	"snok/install-poetry", "abatilo/actions-poetry", "astral-sh/setup-uv", "pre-commit/action", "actions/upload-artifact",
	"actions/download-artifact", "codecov/codecov-action", "pypa/gh-action-pypi-publish"}

// layout computes (once per job) where j's installers put their venvs.
func (m *model) layout(j *job) *venvLayout {
	if l, ok := m.layouts[j]; ok {
		return l
	}
	l := &venvLayout{}
	m.layouts[j] = l

	// Settings, later ones winning: workflow env, job env, then steps in order.
	set := map[string]string{}
	readEnv := func(e *actionlint.Env) {
		if e == nil {
			return
		}
		for _, v := range e.Vars {
			if v != nil && v.Name != nil && v.Value != nil {
				readSettings(set, v.Name.Value+"="+v.Value.Value)
			}
		}
	}
	readEnv(m.ast.Env)
	readEnv(j.a.Env)
	jobWD := ""
	if j.a.Defaults != nil && j.a.Defaults.Run != nil && j.a.Defaults.Run.WorkingDirectory != nil {
		jobWD = j.a.Defaults.Run.WorkingDirectory.Value
	} else if m.ast.Defaults != nil && m.ast.Defaults.Run != nil && m.ast.Defaults.Run.WorkingDirectory != nil {
		jobWD = m.ast.Defaults.Run.WorkingDirectory.Value
	}
	for _, s := range j.steps {
		readEnv(s.a.Env)
		if s.run == nil {
			l.actionStep(s, set)
			continue
		}
		readSettings(set, s.run.src)
		if !s.run.modelled {
			l.unknown = true
			continue
		}
		wd := jobWD
		if e, ok := s.a.Exec.(*actionlint.ExecRun); ok && e.WorkingDirectory != nil {
			wd = e.WorkingDirectory.Value
		}
		for _, c := range s.run.cmds {
			l.command(c, wd, set)
		}
	}
	if l.installers == 0 {
		l.unknown = true
	}
	return l
}

func uncommented(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func readSettings(set map[string]string, text string) {
	// Cheap substring tests first: most scripts set none of these.
	lt := strings.ToLower(text)
	if hasAny(lt, "poetry_", "pipenv_", "workon_home", "uv_project", "pdm_") {
		for _, mm := range envSettingRe.FindAllStringSubmatch(uncommented(text), -1) {
			set[strings.ToUpper(mm[1])] = mm[2]
		}
	}
	if strings.Contains(lt, "poetry") && strings.Contains(lt, "config") {
		for _, mm := range poetryConfigRe.FindAllStringSubmatch(uncommented(text), -1) {
			set[strings.ToLower(mm[1])] = mm[2]
		}
	}
}

func settingTrue(set map[string]string, keys ...string) (val, ok bool) {
	for _, k := range keys {
		if v, found := set[k]; found {
			return truthy(v), true
		}
	}
	return false, false
}

func (l *venvLayout) add(p, wd string) {
	if p == "" || strings.HasPrefix(p, "-") {
		return
	}
	l.dirs = append(l.dirs, normPath(p, wd))
}

func (l *venvLayout) actionStep(s *step, set map[string]string) {
	for _, k := range knownSetupActions {
		if s.uses == k {
			if k == "snok/install-poetry" {
				// Poetry itself goes to ~/.local/venv (input installation-path);
				// the action writes the virtualenvs.* inputs to Poetry's config.
				l.add("~/.local/venv", "")
				if p := s.inputText("installation-path"); p != "" {
					l.add(p, "")
				}
				if v := s.inputText("virtualenvs-in-project"); v != "" {
					set["virtualenvs.in-project"] = v
				}
				if v := s.inputText("virtualenvs-create"); v != "" {
					set["virtualenvs.create"] = v
				}
				if v := s.inputText("virtualenvs-path"); v != "" {
					set["virtualenvs.path"] = v
				}
			}
			return
		}
	}
	if strings.HasPrefix(s.uses, "./") || strings.Contains(s.uses, "${{") || setupActionRe.MatchString(s.uses) {
		l.unknown = true
	}
}

func (l *venvLayout) command(c command, wd string, set map[string]string) {
	if len(c.args) == 0 {
		return
	}
	name := c.name()
	first := c.args[0].text
	// A venv the script uses is one the job has: X/bin/pip, X/bin/python,
	// source X/bin/activate.
	if v, ok := venvOf(first); ok {
		l.add(v, wd)
	} else if (name == "source" || name == ".") && len(c.args) > 1 {
		if v, ok := venvOf(c.args[1].text); ok {
			l.add(v, wd)
			l.installers++
			return
		}
	}
	switch {
	case c.args[0].dynamic || strings.Contains(first, "${{"):
		l.unknown = true
		return
	case strings.HasSuffix(name, ".sh") || strings.HasPrefix(first, "./") || unmodelledCmdRe.MatchString(name):
		l.unknown = true
		return
	}
	sub := func() string {
		for _, a := range c.args[1:] {
			if !strings.HasPrefix(a.text, "-") {
				return a.text
			}
		}
		return ""
	}
	// positional returns the first argument after word i that is not a flag.
	positional := func(i int) string {
		for _, a := range c.args[i+1:] {
			if !strings.HasPrefix(a.text, "-") {
				return a.text
			}
		}
		return ""
	}
	before := len(l.dirs)
	defer func() {
		if len(l.dirs) > before || name == "poetry" || name == "pipenv" || name == "pdm" || name == "uv" ||
			strings.HasPrefix(name, "pip") || isPythonName(name) && c.hasSeq("-m", "pip") {
			l.installers++
		}
	}()
	isPython := isPythonName(name)
	switch {
	case isPython:
		for i, a := range c.args {
			if a.text == "-m" && i+1 < len(c.args) {
				switch c.args[i+1].text {
				case "venv", "virtualenv":
					l.add(positional(i+1), wd)
				case "pip":
					l.pip(c, wd)
				case "poetry":
					l.poetry(c.args[i+1:], wd, set)
				case "tox":
					l.add(".tox", wd)
				case "nox":
					l.add(".nox", wd)
				}
				return
			}
		}
	case name == "virtualenv" || name == "pyvenv":
		l.add(positional(0), wd)
	case name == "pip" || strings.HasPrefix(name, "pip3"):
		l.pip(c, wd)
	case name == "poetry":
		l.poetry(c.args, wd, set)
	case name == "uv":
		switch sub() {
		case "venv":
			p := ""
			for i, a := range c.args {
				if a.text == "venv" {
					p = positional(i)
					break
				}
			}
			if p == "" {
				p = ".venv"
			}
			l.add(p, wd)
		case "sync", "run", "add", "remove":
			if p, ok := set["UV_PROJECT_ENVIRONMENT"]; ok {
				l.add(p, wd)
			} else {
				l.add(".venv", wd)
			}
		case "pip":
			l.pip(c, wd)
		}
	case name == "pdm":
		l.projectConfig = true
		l.add(".venv", wd)
	case name == "pipenv":
		l.projectConfig = true // pipenv uses the project's .venv when one exists
		if in, ok := settingTrue(set, "PIPENV_VENV_IN_PROJECT"); ok && in {
			l.add(".venv", wd)
		} else if p, ok := set["WORKON_HOME"]; ok {
			l.add(p, wd)
		} else {
			l.add("~/.local/share/virtualenvs", "")
		}
	case name == "tox":
		l.add(".tox", wd)
	case name == "nox":
		l.add(".nox", wd)
	}
}

// venvOf returns the venv directory of an executable path inside one
// (.venv/bin/pip gives .venv; Scripts/ on Windows).
func venvOf(exe string) (string, bool) {
	for _, sep := range []string{"/bin/", "/Scripts/"} {
		if i := strings.LastIndex(exe, sep); i > 0 {
			base := exe[i+len(sep):]
			if base == "activate" || strings.HasPrefix(base, "pip") || strings.HasPrefix(base, "python") {
				return exe[:i], true
			}
		}
	}
	return "", false
}

func isPythonName(name string) bool {
	return name == "python" || strings.HasPrefix(name, "python3") || name == "py"
}

func (l *venvLayout) pip(c command, wd string) {
	for _, f := range []string{"--target", "-t", "--prefix", "--root"} {
		if w, ok := c.flag(f); ok {
			l.add(w.text, wd)
		}
	}
}

// poetry records where Poetry's venv goes for a command (args[0] is
// "poetry"): in the project with virtualenvs.in-project, nowhere of its own
// with virtualenvs.create false (the interpreter's site-packages), under
// virtualenvs.path or the cache directory otherwise.
func (l *venvLayout) poetry(args []word, wd string, set map[string]string) {
	sub := ""
	for _, a := range args[1:] {
		if !strings.HasPrefix(a.text, "-") {
			sub = a.text
			break
		}
	}
	switch sub {
	case "install", "sync", "add", "update", "remove", "run", "shell", "env":
	default:
		return
	}
	// poetry.toml may set virtualenvs.in-project; Poetry also uses an
	// existing .venv in the project.
	l.projectConfig = true
	if in, ok := settingTrue(set, "virtualenvs.in-project", "POETRY_VIRTUALENVS_IN_PROJECT"); ok && in {
		l.add(".venv", wd)
		return
	}
	if create, ok := settingTrue(set, "virtualenvs.create", "POETRY_VIRTUALENVS_CREATE"); ok && !create {
		return
	}
	if p, ok := set["virtualenvs.path"]; ok {
		l.add(p, wd)
		return
	}
	if p, ok := set["POETRY_VIRTUALENVS_PATH"]; ok {
		l.add(p, wd)
		return
	}
	cache := ""
	if p, ok := set["cache-dir"]; ok {
		cache = p
	} else if p, ok := set["POETRY_CACHE_DIR"]; ok {
		cache = p
	}
	if cache != "" {
		l.add(cache+"/virtualenvs", wd)
		return
	}
	// Poetry's default cache directory on Linux, macOS and Windows runners.
	l.add("~/.cache/pypoetry/virtualenvs", "")
	l.add("~/library/caches/pypoetry/virtualenvs", "")
	l.add("~/appdata/local/pypoetry/cache/virtualenvs", "")
}

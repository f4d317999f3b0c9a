package dockerfile

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/deploykit/deploykit/internal/report"
)

// imageFile is a context file at the path it gets in the image.
type imageFile struct {
	dest string // absolute path in the image
	file ContextFile
}

// copyRec is one COPY/ADD seen while walking a stage.
type copyRec struct {
	line, end int
	stage     int
	dest      string // absolute
	fromStage int    // -1: build context, -2: an external image
	fromLabel string
	chown     string // --chown value, "" when root-owned
	sources   []string
	files     []ContextFile
	placed    []imageFile // context files at their image paths
	bytes     int64
	whole     bool   // copies the context root
	instr     string // "COPY . ." as written (sources and destination)
}

// populated is a path filled from another stage.
type populated struct {
	path  string
	stage int
	line  int
}

// installRec is a dependency install seen in a stage.
type installRec struct {
	tool       string // "pip", "poetry", "uv", "pipenv", "npm", "apt-get" ...
	line       int
	afterWhole bool // after the whole source was copied
}

type stageState struct {
	workdir   string
	env       map[string]string
	user      string
	userLine  int
	users     map[string]int // users created (useradd/adduser), by name: line
	shell     []string
	copies    []copyRec
	fromOther []populated
	wholeCopy *copyRec
	installs  []installRec
	compiles  bool
	cmd       []shellCommand // CMD or ENTRYPOINT commands (last one wins)
	cmdRaw    []string
	cmdLine   int
	cmdEnd    int
	volatile  []volatileArg // per-build ARG/ENV declared in this stage
	tools     []string      // build tools installed into this stage (DK124)
}

type volatileArg struct {
	name string
	line int
	kind string // ARG or ENV
}

func (s *stageState) clone() *stageState {
	c := *s
	c.env = maps.Clone(s.env)
	c.users = maps.Clone(s.users)
	c.copies = slices.Clone(s.copies)
	c.fromOther = slices.Clone(s.fromOther)
	c.installs = slices.Clone(s.installs)
	c.cmd = slices.Clone(s.cmd)
	c.volatile = nil
	c.tools = slices.Clone(s.tools)
	return &c
}

// home is the home directory of the stage's user, for cache paths.
func (s *stageState) home() string {
	if h := s.env["HOME"]; h != "" && !strings.Contains(h, "$") {
		return h
	}
	u, _, _ := strings.Cut(s.user, ":")
	if u == "" || u == "root" || u == "0" {
		return "/root"
	}
	if _, err := strconv.Atoi(u); err == nil {
		return "/" // a numeric user without a passwd entry gets HOME=/
	}
	return "/home/" + u
}

// cacheRoot is $XDG_CACHE_HOME or ~/.cache.
func (s *stageState) cacheRoot(cmdEnv map[string]string) string {
	if v := cmdEnv["XDG_CACHE_HOME"]; v != "" {
		return v
	}
	if v := s.env["XDG_CACHE_HOME"]; v != "" && !strings.Contains(v, "$") {
		return v
	}
	return path.Join(s.home(), ".cache")
}

// linterRun holds the state of one run of deploykit's rules.
type linterRun struct {
	m                *lintModel
	cfg              LintConfig
	diags            []Diagnostic
	copies           []ContextCopy
	states           []*stageState
	reportedNoIgnore bool
	// venvCopies are COPY --from instructions that move a Python
	// environment between stages.
	venvCopies []venvCopy
}

type venvCopy struct {
	from, to int
	line     int
	src      string
}

func (l *linterRun) add(rule string, sev Severity, line, col int, msg, fix string) *Diagnostic {
	d := Diagnostic{Rule: rule, Severity: sev, Pos: Position{File: l.m.file, Line: line, Column: col}, Message: msg}
	if fix != "" {
		d.SuggestedFixes = []SuggestedFix{{Message: fix}}
	}
	l.diags = append(l.diags, d)
	return &l.diags[len(l.diags)-1]
}

// addEdit attaches a text edit to the last suggested fix of d.
func (l *linterRun) addEdit(d *Diagnostic, edits ...TextEdit) {
	if len(d.SuggestedFixes) == 0 {
		d.SuggestedFixes = []SuggestedFix{{Message: "apply the edit"}}
	}
	f := &d.SuggestedFixes[len(d.SuggestedFixes)-1]
	f.TextEdits = append(f.TextEdits, edits...)
}

func (l *linterRun) insertAt(line, col int, text string) TextEdit {
	p := Position{File: l.m.file, Line: line, Column: col}
	return TextEdit{Pos: p, End: p, NewText: text}
}

func (l *linterRun) run() {
	for i := range l.m.stages {
		l.walkStage(i)
	}
	l.checkVenvBases()
	l.checkPythonEOL()
	l.checkTarget()
	if l.cfg.Target == "" {
		for _, i := range l.m.graph.Unused(l.m.target) {
			s := l.m.graph.Stages[i]
			if s.Name != "" {
				continue // a named stage may be built with --target
			}
			l.add(RuleUnusedStage, SeverityInfo, s.Line, 1,
				fmt.Sprintf("stage %s is not needed to build the final stage %s", s.Label(), l.m.graph.Stages[l.m.target].Label()),
				"Delete the stage, or build it on purpose with --target.")
		}
	}
}

func (l *linterRun) expand(st *stageState, word string) string {
	if !strings.Contains(word, "$") {
		return word
	}
	env := maps.Clone(l.m.globals)
	maps.Copy(env, st.env)
	v, _, err := l.m.lex.ProcessWord(word, lintEnv(env))
	if err != nil {
		return word
	}
	return v
}

func (l *linterRun) walkStage(i int) {
	g := l.m.graph
	s := g.Stages[i]
	var st *stageState
	if s.BaseStage >= 0 {
		st = l.states[s.BaseStage].clone()
		st.wholeCopy = nil
	} else {
		st = &stageState{workdir: "/", env: map[string]string{}, users: map[string]int{}}
		if l.m.reaches(i) {
			l.checkBase(s)
		}
	}
	l.states = append(l.states, st)
	for _, c := range l.m.stages[i].Commands {
		line, end := lintRangeLine(c.Location()), lintRangeEnd(c.Location())
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			st.workdir = lintAbsPath(st.workdir, l.expand(st, c.Path))
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				if v, ok := l.cfg.BuildArgs[kv.Key]; ok {
					st.env[kv.Key] = v
				} else if kv.Value != nil {
					st.env[kv.Key] = l.expand(st, *kv.Value)
				} else if v, ok := l.m.globals[kv.Key]; ok {
					st.env[kv.Key] = v
				} else {
					st.env[kv.Key] = ""
				}
				if perBuildName(kv.Key) {
					st.volatile = append(st.volatile, volatileArg{name: kv.Key, line: line, kind: "ARG"})
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v := l.expand(st, kv.Value)
				st.env[kv.Key] = v
				if kv.Key == "DJANGO_SETTINGS_MODULE" && l.m.reaches(i) {
					l.checkModule(line, end, v, "DJANGO_SETTINGS_MODULE")
				}
				if kv.Key == "UV_COMPILE_BYTECODE" && lintTruthy(v) {
					st.compiles = true
				}
				if perBuildName(kv.Key) || perBuildValue(kv.Value) {
					st.volatile = append(st.volatile, volatileArg{name: kv.Key, line: line, kind: "ENV"})
				}
			}
		case *instructions.UserCommand:
			st.user = l.expand(st, c.User)
			st.userLine = line
		case *instructions.ShellCommand:
			st.shell = c.Shell
		case *instructions.CopyCommand:
			l.walkCopy(st, i, line, end, "COPY", c.SourcePaths, c.DestPath, c.From, c.Chown)
		case *instructions.AddCommand:
			l.walkCopy(st, i, line, end, "ADD", c.SourcePaths, c.DestPath, "", c.Chown)
		case *instructions.RunCommand:
			l.walkRun(st, i, line, end, c)
		case *instructions.CmdCommand:
			l.setCmd(st, i, line, end, c.ShellDependantCmdLine)
		case *instructions.EntrypointCommand:
			l.setCmd(st, i, line, end, c.ShellDependantCmdLine)
		}
	}
}

func (l *linterRun) setCmd(st *stageState, stage, line, end int, c instructions.ShellDependantCmdLine) {
	src := l.m.runScript(line, end, c.CmdLine, c.PrependShell, nil)
	st.cmd = l.commandsOf(src, c.CmdLine)
	st.cmdRaw = slices.Clone(c.CmdLine)
	st.cmdLine, st.cmdEnd = line, end
	if l.m.reaches(stage) {
		l.checkCommandModulesCmds(line, end, st.cmd)
	}
}

// commandsOf parses a script source into commands; an exec-form command
// that is not a shell is one command.
func (l *linterRun) commandsOf(src scriptSource, cmdLine []string) []shellCommand {
	if src.notShell != "" {
		if src.execForm != nil {
			cmd := shellCommand{env: map[string]string{}, words: slices.Clone(src.execForm)}
			for _, w := range src.execForm {
				cmd.pos = append(cmd.pos, shellWord{text: w, line: src.line})
			}
			return []shellCommand{stripWrappers(cmd)}
		}
		return nil
	}
	return parseShell(src.text, src.line, max(src.col, 1), src.exact).cmds
}

func lintTruthy(v string) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// perBuildName reports whether a variable name carries a value that
// changes with every build (a commit, a build number, a date).
var perBuildNameRE = regexp.MustCompile(`(?i)^(GIT_?)?(COMMIT|SHA|REVISION|REV|HASH)(_?(SHA|HASH|ID|REF))?$|^(GIT|SOURCE|CI|GITHUB|VCS|BUILD)_(COMMIT|SHA|REF|REVISION|NUMBER|DATE|TIME|ID|TIMESTAMP|COMMIT_SHA)$|^BUILD_?(DATE|TIME|TIMESTAMP|NUMBER|ID)$|^CI_COMMIT_SHA$|^COMMIT_(DATE|TIME|TIMESTAMP|HASH|SHA|ID)$`)

func perBuildName(k string) bool { return perBuildNameRE.MatchString(k) }

var perBuildValueRE = regexp.MustCompile(`\$\{?(GIT_COMMIT|GIT_SHA|COMMIT_SHA|BUILD_DATE|BUILD_NUMBER|GITHUB_SHA|SOURCE_COMMIT|VCS_REF)\b`)

func perBuildValue(v string) bool { return perBuildValueRE.MatchString(v) }

func (l *linterRun) checkBase(s Stage) {
	ref := s.BaseRef
	if ref == "" || strings.EqualFold(ref, "scratch") || strings.Contains(ref, "$") {
		return
	}
	line, col := l.m.locate(s.Line, s.Line, s.Base)
	if !hasDigest(ref) {
		msg := fmt.Sprintf("base image %s is not pinned by digest", ref)
		if why := floatingTag(ref); why != "" {
			msg += "; " + why
		}
		l.add(RuleBaseNotPinned, SeverityInfo, line, col, msg,
			fmt.Sprintf("Pin it: FROM %s@sha256:<digest> (docker buildx imagetools inspect %s prints the digest).", ref, ref))
	}
}

// checkPythonEOL runs DK106 on the root stages whose Python ends up in the
// image: the target's own base, and builders whose environment is copied
// into it.
func (l *linterRun) checkPythonEOL() {
	g := l.m.graph
	envFrom := map[int]bool{}
	for _, vc := range l.venvCopies {
		if l.m.reaches(vc.to) {
			envFrom[g.RootImage(vc.from)] = true
		}
	}
	for i, s := range g.Stages {
		if s.BaseStage >= 0 || !l.m.reaches(i) || !(l.m.shipped[i] || envFrom[i]) {
			continue
		}
		l.checkEOL(s)
	}
}

func (l *linterRun) checkEOL(s Stage) {
	ref := s.BaseRef
	if ref == "" || strings.EqualFold(ref, "scratch") || strings.Contains(ref, "$") {
		return
	}
	line, col := l.m.locate(s.Line, s.Line, s.Base)
	if v := baseImagePythonVersion(ref); v != "" {
		eol, known := PythonEOL(v)
		old := !known && versionBefore(v, "3.8")
		switch {
		case old || known && !l.cfg.Now.Before(eol):
			when := "long ago"
			if known {
				when = "on " + eol.Format("2006-01-02")
			}
			l.add(RulePythonEOL, SeverityWarning, line, col,
				fmt.Sprintf("%s runs Python %s, which reached end of life %s: no more security fixes", ref, v, when),
				"Move to a supported Python and rebuild the venv.")
		case known && eol.Sub(l.cfg.Now) < eolWarnWindow:
			l.add(RulePythonEOL, SeverityInfo, line, col,
				fmt.Sprintf("%s runs Python %s, which reaches end of life on %s", ref, v, eol.Format("2006-01-02")),
				"Plan the move to a newer Python.")
		}
	}
}

// envLike reports whether a path copied between stages is a Python
// environment (bound to the interpreter that built it).
func envLike(p string) bool {
	for _, s := range []string{"venv", "site-packages", "/usr/local/lib/python", ".local", "wheel", "pypoetry"} {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

func (l *linterRun) walkCopy(st *stageState, stage, line, end int, verb string, sources []string, dest, from, chown string) {
	rec := copyRec{line: line, end: end, stage: stage, dest: lintAbsPath(st.workdir, l.expand(st, dest)), fromStage: -1,
		chown: l.expand(st, chown), instr: verb + " " + strings.Join(append(slices.Clone(sources), dest), " ")}
	destIsDir := strings.HasSuffix(dest, "/") || len(sources) > 1 || dest == "." || dest == "./"
	if strings.HasSuffix(dest, "/") && rec.dest != "/" {
		rec.dest = strings.TrimSuffix(rec.dest, "/")
	}
	for _, s := range sources {
		rec.sources = append(rec.sources, l.expand(st, s))
	}
	if from != "" {
		rec.fromStage = -2
		if j, ok := l.m.stageRef(from, stage); ok {
			rec.fromStage = j
			rec.fromLabel = l.m.graph.Stages[j].Label()
			for _, s := range rec.sources {
				p := rec.dest
				if len(rec.sources) > 1 || strings.HasSuffix(dest, "/") && !envLike(path.Base(rec.dest)) {
					p = path.Join(rec.dest, path.Base(s))
				}
				st.fromOther = append(st.fromOther, populated{path: p, stage: j, line: line})
				if envLike(s) {
					l.venvCopies = append(l.venvCopies, venvCopy{from: j, to: stage, line: line, src: s})
				}
			}
		}
		if l.m.shipped[stage] {
			l.noteToolCopy(st, rec)
		}
		st.copies = append(st.copies, rec)
		return
	}
	ctx := l.cfg.Context
	for i, s := range rec.sources {
		if strings.Contains(sources[i], "$") && strings.TrimSpace(s) == "" {
			continue // an unset build argument: the source is not known
		}
		if strings.Trim(path.Clean("/"+s), "/") == "" {
			rec.whole = true
		}
		if strings.Contains(s, "://") {
			continue
		}
		files := ctx.Match(s)
		rec.files = append(rec.files, files...)
		rec.bytes += contextSum(files)
		rec.placed = append(rec.placed, placeFiles(s, files, rec.dest, destIsDir)...)
	}
	st.copies = append(st.copies, rec)
	if base := path.Base(rec.dest); (base == ".env" || strings.HasPrefix(base, ".env.") && !isEnvTemplate(base)) && l.m.endsUp(stage, rec.dest) {
		l.add(RuleSensitiveFileCopied, SeverityError, line, 1,
			fmt.Sprintf("%s writes an environment file (%s) into the image: whatever secrets it holds ship with every copy of the image", rec.instr, rec.dest),
			"Provide the settings at run time (App Service application settings, Key Vault references) or at build time with RUN --mount=type=secret.")
	}
	if rec.whole && st.wholeCopy == nil {
		st.wholeCopy = &st.copies[len(st.copies)-1]
	}
	l.copies = append(l.copies, ContextCopy{Line: line, Stage: stage, Sources: rec.sources, Dest: rec.dest, Files: len(rec.files), Bytes: rec.bytes})
	if !l.m.reaches(stage) {
		return
	}

	// DK101: the context copy lands on a path another stage filled; it
	// matters when that path ends up in the image.
	var covered []string
	srcs := rec.instr
	for _, p := range st.fromOther {
		if !underPath(p.path, rec.dest) || !l.m.endsUp(stage, p.path) {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.path, rec.dest), "/")
		if rel == "" {
			// The context is merged into the very directory the stage
			// filled: only same-named files collide, which cannot be told
			// without the stage's contents.
			continue
		}
		for _, s := range rec.sources {
			if !copySourceIsDir(ctx, s) {
				continue
			}
			ctxRel := strings.Trim(path.Join(strings.Trim(path.Clean("/"+s), "/"), rel), "/")
			if ctx == nil {
				l.add(RuleContextOverwritesStagePath, SeverityWarning, line, 1,
					fmt.Sprintf("%s lands on %s, which line %d filled from stage %s; if the build context holds %s, it replaces what that stage built", srcs, p.path, p.line, l.m.graph.Stages[p.stage].Label(), ctxRel),
					fmt.Sprintf("Exclude %s in .dockerignore, or keep the stage's output outside %s (e.g. /opt/venv).", ctxRel, rec.dest))
				continue
			}
			files := ctx.Under(ctxRel)
			if len(files) == 0 {
				continue
			}
			covered = append(covered, ctxRel)
			l.add(RuleContextOverwritesStagePath, SeverityError, line, 1,
				fmt.Sprintf("%s brings %s from the build context (%d file%s, %s) over %s, which line %d filled from stage %s: the local copy replaces what that stage built", srcs, ctxRel, len(files), lintPlural(len(files)), report.Bytes(contextSum(files)), p.path, p.line, l.m.graph.Stages[p.stage].Label()),
				fmt.Sprintf("Add %q to .dockerignore; better, build the environment outside %s (e.g. /opt/venv) so the context can never overwrite it.", ctxRel, rec.dest))
		}
	}
	l.contextChecks(&rec, covered)
}

// placeFiles maps the context files a COPY source brings to their image
// paths, following COPY's rules: a directory's contents land in dest, a
// file lands at dest or, when dest is a directory, at dest/base.
func placeFiles(src string, files []ContextFile, dest string, destIsDir bool) []imageFile {
	clean := strings.Trim(path.Clean("/"+src), "/")
	out := make([]imageFile, 0, len(files))
	glob := strings.ContainsAny(clean, "*?[")
	for _, f := range files {
		var p string
		switch {
		case glob:
			// A matched file lands at dest/base; a matched directory's
			// contents land at dest/<dir>/...: approximate with the path
			// below the glob's static prefix.
			prefix := clean
			if i := strings.IndexAny(prefix, "*?["); i >= 0 {
				prefix = prefix[:i]
			}
			if j := strings.LastIndex(prefix, "/"); j >= 0 {
				prefix = prefix[:j+1]
			} else {
				prefix = ""
			}
			p = path.Join(dest, strings.TrimPrefix(f.Path, prefix))
		case clean == "" || f.Path != clean:
			rel := f.Path
			if clean != "" {
				rel = strings.TrimPrefix(f.Path, clean+"/")
			}
			p = path.Join(dest, rel)
		case destIsDir:
			p = path.Join(dest, path.Base(f.Path))
		default:
			p = dest
		}
		out = append(out, imageFile{dest: p, file: f})
	}
	return out
}

// installSubcommands are the subcommands that install dependencies.
var installSubcommands = map[string][]string{
	"poetry": {"install", "sync"},
	"uv":     {"sync", "pip"},
	"pipenv": {"install", "sync"},
	"pdm":    {"install", "sync"},
	"npm":    {"ci", "install"},
	"yarn":   {"install"},
	"pnpm":   {"install"},
}

// runContext is what one RUN knows while its commands are checked.
type runContext struct {
	st          *stageState
	stage       int
	line, end   int
	cacheMounts []string // absolute targets of cache and tmpfs mounts
	hasSecret   bool
	secretEnvs  map[string]bool
	cmds        []shellCommand
	exact       bool
	expand      func(string) string
}

// mounted reports whether a cache or tmpfs mount covers dir.
func (rc *runContext) mounted(dir string) bool {
	if dir == "" {
		return false
	}
	dir = lintAbsPath(rc.st.workdir, dir)
	for _, t := range rc.cacheMounts {
		if underPath(dir, t) {
			return true
		}
	}
	return false
}

// removed reports whether a later "rm -rf" in the same RUN removes dir (or
// a parent of it).
func (rc *runContext) removed(dir string, after int) bool {
	for _, c := range rc.cmds[after:] {
		if c.name() != "rm" {
			continue
		}
		for _, a := range c.args() {
			if strings.HasPrefix(a, "-") {
				continue
			}
			a = rc.expand(expandCmdEnv(a, c.env))
			a = strings.TrimSuffix(strings.TrimSuffix(a, "*"), "/")
			a = strings.ReplaceAll(a, "~", rc.st.home())
			a = strings.ReplaceAll(strings.ReplaceAll(a, "${HOME}", rc.st.home()), "$HOME", rc.st.home())
			if a == "" {
				continue
			}
			if underPath(dir, lintAbsPath(rc.st.workdir, a)) {
				return true
			}
		}
	}
	return false
}

func (rc *runContext) envOf(cmd shellCommand, k string) (string, bool) {
	if v, ok := cmd.env[k]; ok {
		return v, true
	}
	v, ok := rc.st.env[k]
	return v, ok
}

func (l *linterRun) walkRun(st *stageState, stage, line, end int, c *instructions.RunCommand) {
	var files []instructionFile
	for _, f := range c.Files {
		files = append(files, instructionFile{name: f.Name, data: f.Data, chomp: f.Chomp})
	}
	if len(st.shell) > 0 && !shellNames[path.Base(st.shell[0])] {
		return // SHELL ["powershell", ...]: not a POSIX shell
	}
	src := l.m.runScript(line, end, c.CmdLine, c.PrependShell, files)
	var cmds []shellCommand
	if src.notShell != "" {
		cmds = l.commandsOf(src, c.CmdLine)
	} else {
		parsed := parseShell(src.text, src.line, max(src.col, 1), src.exact)
		if parsed.parseErr != "" {
			if l.m.reaches(stage) {
				l.add(RuleShellNotParsed, SeverityInfo, line, 1,
					fmt.Sprintf("this RUN is not a shell script deploykit can parse (%s): its commands were not checked", parsed.parseErr),
					"Check the script with sh -n; deploykit reads RUN with mvdan.cc/sh (bash syntax).")
			}
			return
		}
		cmds = parsed.cmds
	}
	// Mount flags are only decoded by Expand.
	_ = c.Expand(func(w string) (string, error) { return l.expand(st, w), nil })
	rc := &runContext{st: st, stage: stage, line: line, end: end, cmds: cmds, exact: src.exact, secretEnvs: map[string]bool{},
		expand: func(w string) string { return l.expand(st, w) }}
	for _, mt := range instructions.GetMounts(c) {
		switch mt.Type {
		case instructions.MountTypeCache, instructions.MountTypeTmpfs:
			rc.cacheMounts = append(rc.cacheMounts, lintAbsPath(st.workdir, l.expand(st, mt.Target)))
		case instructions.MountTypeSecret:
			rc.hasSecret = true
			if mt.Env != nil {
				rc.secretEnvs[*mt.Env] = true
			}
		}
	}
	reaches, shipped := l.m.reaches(stage), l.m.shipped[stage]
	aptUpdated, aptCleaned := false, false
	for _, cmd := range cmds {
		if _, ok := cmd.sub("apt-get", "update"); ok {
			aptUpdated = true
		}
		if _, ok := cmd.sub("apt", "update"); ok {
			aptUpdated = true
		}
		if _, ok := cmd.sub("apt-get", "distclean", "dist-clean"); ok {
			aptCleaned = true
		}
		if _, ok := cmd.sub("apt", "distclean"); ok {
			aptCleaned = true
		}
		if cmd.name() == "rm" {
			for _, a := range cmd.args() {
				if strings.HasPrefix(a, "/var/lib/apt/lists") || a == "/var/lib/apt" || a == "/var/lib/apt/" {
					aptCleaned = true
				}
			}
		}
	}
	if rc.mounted("/var/lib/apt/lists") {
		aptCleaned = true
	}
	seen := map[string]int{} // DK112 and DK103 (apt lists): one finding per RUN
	for ci, cmd := range cmds {
		w := cmd.words
		if len(w) == 0 {
			continue
		}
		name := cmd.name()
		loc := func(k int) (int, int) {
			if k < len(cmd.pos) && cmd.pos[k].line > 0 && cmd.pos[k].col > 0 {
				return cmd.pos[k].line, cmd.pos[k].col
			}
			if k < len(cmd.pos) && cmd.pos[k].line > 0 {
				ln, col := l.m.locate(cmd.pos[k].line, end, w[k])
				return ln, col
			}
			return l.m.locate(line, end, w[min(k, len(w)-1)])
		}

		// Users created in this stage (for COPY --chown fixes).
		if name == "useradd" || name == "adduser" {
			if u := lastPositional(cmd.args()); u != "" {
				st.users[u] = line
			}
		}

		// Bytecode compilation.
		if slices.Contains(w, "compileall") || shellHasFlag(w, "--compile-bytecode", "--compile") || name == "uv" && truthyEnv(rc, cmd, "UV_COMPILE_BYTECODE") {
			st.compiles = true
		}

		// DK112: expensive install after the whole source was copied.
		tool := installTool(cmd)
		if tool != "" {
			after := st.wholeCopy != nil
			st.installs = append(st.installs, installRec{tool: tool, line: line, afterWhole: after})
			if after && reaches && !l.projectInstall(st, tool, cmd) {
				key := "DK112"
				if _, dup := seen[key]; !dup {
					seen[key] = 1
					ln, col := loc(0)
					what := tool + " install"
					if tool == "apt-get" {
						what = "apt-get install"
					}
					l.add(RuleCacheBustingOrder, SeverityWarning, ln, col,
						fmt.Sprintf("%s runs after %s on line %d copied the whole source: every source edit re-runs it", what, st.wholeCopy.instr, st.wholeCopy.line),
						"Copy only the dependency manifests before this step and the rest of the source after it.")
				}
			}
		}

		// DK103: package caches that end up in the image.
		if shipped || reaches {
			l.checkPackageCache(rc, ci, cmd, loc, aptUpdated, aptCleaned, seen)
		}

		// DK115 and DK124: Poetry pins, tools shipped.
		if args, ok := cmd.pipInstall(); ok {
			l.checkPoetryPin(st, line, end, args, cmd)
			if shipped {
				l.noteToolInstall(st, args)
			}
		}
		if args, ok := cmd.sub("pipx", "install"); ok {
			l.checkPoetryPin(st, line, end, args, cmd)
			if shipped {
				l.noteToolInstall(st, args)
			}
		}
		if args, ok := cmd.sub("uv", "tool"); ok && len(args) > 1 && args[0] == "install" && shipped {
			l.noteToolInstall(st, args[1:])
		}
		if l.poetryInstaller(cmd) {
			l.checkPoetryInstaller(st, line, end, cmd)
			if shipped {
				st.tools = append(st.tools, "poetry")
			}
		}

		// DK116, DK119, DK122: apt and apk packages.
		if args, ok := aptInstallArgs(cmd); ok && reaches {
			l.checkAptInstall(rc, cmd, args, loc)
		}
		if args, ok := cmd.sub("apk", "add"); ok && shipped {
			l.checkBuildTools(rc, cmd, apkPackages(args), "apk add", loc)
		}

		// DK102: recursive chown/chmod over copied files.
		if (name == "chown" || name == "chmod") && shipped {
			l.checkRecursiveOwnership(rc, cmd)
		}

		// DK108 for manage.py / django-admin.
		if sub, rest, ok := djangoCommand(cmd); ok && reaches && !rc.hasSecret {
			l.checkBuildSecret(rc, cmd, sub, rest, loc)
		}
	}
	if reaches {
		l.checkCommandModulesCmds(line, end, cmds)
		l.checkVolatileBefore(st, line, cmds)
	}
}

func truthyEnv(rc *runContext, cmd shellCommand, k string) bool {
	v, _ := rc.envOf(cmd, k)
	return lintTruthy(v)
}

func lastPositional(args []string) string {
	out := ""
	skip := false
	for _, a := range args {
		if skip {
			skip = false
			continue
		}
		if strings.HasPrefix(a, "-") {
			switch a {
			case "-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home", "--home-dir", "-s", "--shell", "-c", "--comment", "--gecos", "--ingroup", "-h":
				skip = true
			}
			continue
		}
		out = a
	}
	return out
}

// installTool names the dependency manager an install command runs, or "".
func installTool(cmd shellCommand) string {
	if _, ok := cmd.pipInstall(); ok {
		return "pip"
	}
	name := cmd.name()
	if subs, ok := installSubcommands[name]; ok {
		i := cmd.subIndex(name, subs...)
		if i < 0 {
			return ""
		}
		if name == "uv" && cmd.words[i] == "pip" {
			if i+1 < len(cmd.words) && (cmd.words[i+1] == "install" || cmd.words[i+1] == "sync") {
				return "uv"
			}
			return ""
		}
		return name
	}
	if _, ok := aptInstallArgs(cmd); ok {
		return "apt-get"
	}
	return ""
}

// projectInstall reports whether an install after the whole copy is the
// documented second step that installs only the project: the same tool
// already installed the dependencies before the copy (uv sync
// --no-install-project, poetry install --no-root, pip install -r then pip
// install .), or the command itself says so.
func (l *linterRun) projectInstall(st *stageState, tool string, cmd shellCommand) bool {
	if shellHasFlag(cmd.words, "--only-root") {
		return true
	}
	for _, in := range st.installs {
		if in.tool == tool && !in.afterWhole {
			return true
		}
	}
	return false
}

// checkPackageCache runs DK103 on one command.
func (l *linterRun) checkPackageCache(rc *runContext, ci int, cmd shellCommand, loc func(int) (int, int), aptUpdated, aptCleaned bool, seen map[string]int) {
	st := rc.st
	w := cmd.words
	// where says what the cache costs: in a shipped stage it is stored in
	// the image; in a builder whose files do not ship, only the rebuilds
	// pay (every run of the step downloads everything again).
	where := func(dir, shippedMsg string) string {
		if l.m.endsUp(rc.stage, lintAbsPath(st.workdir, dir)) {
			return shippedMsg
		}
		return fmt.Sprintf("has no cache mount: every rebuild of this step downloads all packages again (the cache at %s stays in stage %s, which does not ship)", dir, l.m.graph.Stages[rc.stage].Label())
	}
	cacheRoot := st.cacheRoot(cmd.env)
	userNote := ""
	if h := st.home(); h != "/root" {
		userNote = fmt.Sprintf(" (the stage runs as %s, so the cache is under %s)", st.user, h)
	}
	if args, ok := cmd.pipInstall(); ok {
		_, noCacheEnv := rc.envOf(cmd, "PIP_NO_CACHE_DIR") // any value disables the cache
		dir := path.Join(cacheRoot, "pip")
		if v, ok := rc.envOf(cmd, "PIP_CACHE_DIR"); ok && v != "" && !strings.Contains(v, "$") {
			dir = v
		}
		if !pipNoCache(args) && !noCacheEnv && !rc.mounted(dir) && !rc.removed(dir, ci) && !pipCachePurged(rc, ci) {
			k := 1
			if len(w) > 1 && w[1] == "-m" {
				k = 3
			}
			ln, col := loc(0)
			d := l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
				"pip install "+where(dir, fmt.Sprintf("keeps its download cache (%s) in this layer and re-downloads on every rebuild%s", dir, userNote)),
				fmt.Sprintf("RUN --mount=type=cache,target=%s pip install ... (or pip install --no-cache-dir)", dir))
			if rc.exact && k < len(cmd.pos) && cmd.pos[k].col > 0 && cmd.pos[k].literal && !cmd.pos[k].multiline {
				d.SuggestedFixes = append(d.SuggestedFixes, SuggestedFix{Message: "Add --no-cache-dir.",
					TextEdits: []TextEdit{l.insertAt(cmd.pos[k].line, cmd.pos[k].endCol, " --no-cache-dir")}})
				d.SuggestedFixes[0], d.SuggestedFixes[1] = d.SuggestedFixes[1], d.SuggestedFixes[0]
			}
		}
	}
	if args, ok := cmd.sub("poetry", "install", "sync", "add"); ok {
		dir := path.Join(cacheRoot, "pypoetry")
		if v, ok := rc.envOf(cmd, "POETRY_CACHE_DIR"); ok && v != "" && !strings.Contains(v, "$") {
			dir = v
		} else if ok && strings.Contains(v, "$") {
			dir = l.expand(st, v)
		}
		if !shellHasFlag(args, "--no-cache") && !shellHasFlag(w, "--no-cache") && !truthyEnv(rc, cmd, "POETRY_NO_CACHE") &&
			!rc.mounted(dir) && !rc.removed(dir, ci) {
			ln, col := loc(0)
			l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
				"poetry install "+where(dir, fmt.Sprintf("without a cache mount: Poetry's cache (%s) is stored in this layer and every rebuild downloads all packages again%s", dir, userNote)),
				fmt.Sprintf("RUN --mount=type=cache,target=%s poetry install ... (or poetry install --no-cache)", dir))
		}
	}
	if installTool(cmd) == "uv" {
		dir := path.Join(cacheRoot, "uv")
		if v, ok := rc.envOf(cmd, "UV_CACHE_DIR"); ok && v != "" && !strings.Contains(v, "$") {
			dir = v
		}
		if !shellHasFlag(w, "--no-cache", "--no-cache-dir", "-n") && !truthyEnv(rc, cmd, "UV_NO_CACHE") && !rc.mounted(dir) && !rc.removed(dir, ci) && !uvCacheCleaned(rc, ci) {
			ln, col := loc(0)
			l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
				"uv "+where(dir, fmt.Sprintf("without a cache mount: its cache (%s) is stored in this layer and every rebuild downloads all packages again%s", dir, userNote)),
				fmt.Sprintf("RUN --mount=type=cache,target=%s uv sync ... (or uv sync --no-cache)", dir))
		}
	}
	if _, ok := aptInstallArgs(cmd); ok && aptUpdated && !aptCleaned && l.m.endsUp(rc.stage, "/var/lib/apt/lists") && seen["apt-lists"] == 0 {
		seen["apt-lists"] = 1
		ln, col := loc(0)
		l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
			"apt-get update leaves the package lists (/var/lib/apt/lists) in this layer (hadolint DL3009)",
			"End the RUN with rm -rf /var/lib/apt/lists/*, or mount caches: RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install ...")
	}
	if _, ok := cmd.sub("apk", "update"); ok && !shellHasFlag(w, "--no-cache") && !rc.mounted("/var/cache/apk") &&
		!rc.removed("/var/cache/apk", ci) && l.m.endsUp(rc.stage, "/var/cache/apk") {
		ln, col := loc(0)
		l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
			"apk update stores the package index (/var/cache/apk) in this layer (hadolint DL3019)",
			"Drop apk update and use apk add --no-cache, which fetches the index without storing it.")
	}
	if args, ok := cmd.sub("apk", "add"); ok && !shellHasFlag(args, "--no-cache") && !shellHasFlag(w, "--no-cache") &&
		!rc.mounted("/var/cache/apk") && !rc.mounted("/etc/apk/cache") && !rc.removed("/var/cache/apk", ci) && l.m.endsUp(rc.stage, "/var/cache/apk") {
		ln, col := loc(0)
		d := l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
			"apk add without --no-cache leaves the package index (/var/cache/apk) in this layer (hadolint DL3019)",
			"apk add --no-cache ...")
		if i := cmd.subIndex("apk", "add"); rc.exact && i > 0 && i < len(cmd.pos) && cmd.pos[i].col > 0 && !cmd.pos[i].multiline {
			l.addEdit(d, l.insertAt(cmd.pos[i].line, cmd.pos[i].endCol, " --no-cache"))
		}
	}
}

func pipCachePurged(rc *runContext, after int) bool {
	for _, c := range rc.cmds[after:] {
		if isPipName(c.name()) && len(c.words) >= 3 && c.words[1] == "cache" && (c.words[2] == "purge" || c.words[2] == "remove") {
			return true
		}
	}
	return false
}

func uvCacheCleaned(rc *runContext, after int) bool {
	for _, c := range rc.cmds[after:] {
		if args, ok := c.sub("uv", "cache"); ok && len(args) > 0 && (args[0] == "clean" || args[0] == "prune") {
			return true
		}
	}
	return false
}

func aptInstallArgs(cmd shellCommand) ([]string, bool) {
	if args, ok := cmd.sub("apt-get", "install"); ok {
		return args, true
	}
	return cmd.sub("apt", "install")
}

// aptPackages extracts the package names from apt-get install arguments:
// options and their values (-t suite, -o opt=v, -c file), local .deb paths,
// version-pinned and variable words are set apart.
func aptPackages(args []string) (names []string, pinned int) {
	skip := false
	for _, a := range args {
		if skip {
			skip = false
			continue
		}
		switch {
		case a == "-t" || a == "--target-release" || a == "-o" || a == "--option" || a == "-c" || a == "--config-file":
			skip = true
		case strings.HasPrefix(a, "-"):
		case a == "" || strings.Contains(a, "$"):
		case strings.Contains(a, "/") || strings.HasSuffix(a, ".deb"):
			// a local package file, or pkg/suite
			if !strings.HasSuffix(a, ".deb") && !strings.HasPrefix(a, ".") && !strings.HasPrefix(a, "/") {
				names = append(names, a)
				pinned++
			}
		case strings.Contains(a, "="):
			names = append(names, a)
			pinned++
		default:
			names = append(names, a)
		}
	}
	return names, pinned
}

func apkPackages(args []string) []string {
	var out []string
	skip := false
	for _, a := range args {
		if skip {
			skip = false
			continue
		}
		switch {
		case a == "-t" || a == "--virtual" || a == "-X" || a == "--repository":
			skip = true
		case strings.HasPrefix(a, "-") || strings.Contains(a, "$"):
		default:
			out = append(out, a)
		}
	}
	return out
}

func (l *linterRun) checkAptInstall(rc *runContext, cmd shellCommand, args []string, loc func(int) (int, int)) {
	i := cmd.subIndex(cmd.name(), "install")
	ln, col := loc(0)
	if l.m.shipped[rc.stage] && !shellHasFlag(args, "--no-install-recommends") && !shellHasFlag(cmd.words, "--no-install-recommends") &&
		!strings.Contains(strings.ToLower(rc.st.env["APT_OPTS"]), "no-install-recommends") {
		d := l.add(RuleAptRecommends, SeverityInfo, ln, col,
			"apt-get install without --no-install-recommends also installs the recommended packages (hadolint DL3015)",
			"apt-get install -y --no-install-recommends ...")
		if rc.exact && i > 0 && i < len(cmd.pos) && cmd.pos[i].col > 0 && !cmd.pos[i].multiline {
			l.addEdit(d, l.insertAt(cmd.pos[i].line, cmd.pos[i].endCol, " --no-install-recommends"))
		}
	}
	names, pinned := aptPackages(args)
	var unpinned []string
	for _, n := range names {
		if !strings.Contains(n, "=") && !strings.Contains(n, "/") {
			unpinned = append(unpinned, n)
		}
	}
	_ = pinned
	if len(unpinned) > 0 && l.enabled(RuleAptUnpinned) {
		l.add(RuleAptUnpinned, SeverityInfo, ln, col,
			fmt.Sprintf("apt packages without version pins: %s (hadolint DL3008)", strings.Join(unpinned, ", ")),
			"Pin with pkg=version when reproducibility matters more than security updates.")
	}
	l.checkBuildTools(rc, cmd, names, "apt-get install", loc)
}

// buildToolRE matches Debian/Alpine packages that only building needs.
var buildToolRE = regexp.MustCompile(`^(build-essential|build-base|gcc(-[0-9]+)?|g\+\+(-[0-9]+)?|clang(-[0-9]+)?|make|cmake|cargo|rustc|musl-dev|linux-headers|[a-z0-9.+-]+-dev(el)?)(=.*)?$`)

// checkBuildTools runs DK122: compilers and -dev packages in the runtime.
func (l *linterRun) checkBuildTools(rc *runContext, cmd shellCommand, pkgs []string, verb string, loc func(int) (int, int)) {
	if !l.m.shipped[rc.stage] {
		return
	}
	var found []string
	for _, p := range pkgs {
		if buildToolRE.MatchString(p) {
			found = append(found, strings.SplitN(p, "=", 2)[0])
		}
	}
	if len(found) == 0 {
		return
	}
	// Removed again in the same RUN?
	for _, c := range rc.cmds {
		if args, ok := c.sub("apt-get", "purge", "remove", "autoremove"); ok {
			found = slices.DeleteFunc(found, func(p string) bool { return slices.Contains(args, p) || shellHasFlag(args, "--auto-remove") && false })
		}
		if args, ok := c.sub("apk", "del"); ok && len(args) > 0 {
			found = nil
		}
	}
	if len(found) == 0 {
		return
	}
	ln, col := loc(0)
	l.add(RuleBuildToolsInRuntime, SeverityWarning, ln, col,
		fmt.Sprintf("%s puts build-only packages into the runtime stage %s: %s", verb, l.m.graph.Stages[rc.stage].Label(), strings.Join(found, ", ")),
		"Install compilers and -dev packages in the builder stage only; the runtime needs just the shared libraries (libpq5, not libpq-dev).")
}

// djangoCommand recognises "python manage.py X", "./manage.py X" and
// "django-admin X", returning X and the words after it.
func djangoCommand(cmd shellCommand) (sub string, rest []string, ok bool) {
	w := cmd.words
	for i, x := range w {
		if path.Base(x) == "manage.py" || i == 0 && path.Base(x) == "django-admin" {
			for j := i + 1; j < len(w); j++ {
				if !strings.HasPrefix(w[j], "-") {
					return w[j], w[j+1:], true
				}
			}
			return "", nil, false
		}
		if i > 0 && !strings.HasPrefix(x, "-") && x != "run" {
			break
		}
	}
	return "", nil, false
}

func settingsArg(args []string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--settings="); ok {
			return v
		}
		if a == "--settings" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// buildSecretCommands are the manage.py commands that run at build time
// and import the settings.
var buildSecretCommands = map[string]bool{"collectstatic": true, "compress": true, "compilemessages": true, "tailwind": true, "assets": true}

// checkBuildSecret runs DK108.
func (l *linterRun) checkBuildSecret(rc *runContext, cmd shellCommand, sub string, rest []string, loc func(int) (int, int)) {
	if !buildSecretCommands[sub] {
		return
	}
	for _, k := range []string{"SECRET_KEY", "DJANGO_SECRET_KEY"} {
		if _, ok := rc.envOf(cmd, k); ok {
			return // a (dummy) key is passed
		}
	}
	settings := settingsArg(rest)
	if settings == "" {
		settings, _ = rc.envOf(cmd, "DJANGO_SETTINGS_MODULE")
	}
	verdict := l.settingsNeedSecret(settings)
	if verdict == settingsMakeKey {
		return
	}
	ln, col := loc(0)
	msg := fmt.Sprintf("manage.py %s runs at build time and imports the Django settings, which need SECRET_KEY, but this RUN has no secret mount and passes no key", sub)
	switch verdict {
	case settingsNeedKey:
		msg += "; the settings read it without a default"
	case settingsUnknown:
		msg += "; deploykit could not see the settings in the build context"
	}
	if settings != "" {
		msg += fmt.Sprintf(" (settings %s)", settings)
	}
	l.add(RuleBuildTimeSecret, SeverityWarning, ln, col, msg,
		fmt.Sprintf("RUN --mount=type=secret,id=django_secret_key,env=DJANGO_SECRET_KEY python manage.py %s ... and build with --secret id=django_secret_key,env=DJANGO_SECRET_KEY, or pass a throwaway key for this step (DJANGO_SECRET_KEY=build-only python manage.py %s)", sub, sub))
}

type settingsVerdict int

const (
	settingsUnknown settingsVerdict = iota
	settingsNeedKey
	settingsMakeKey
)

var (
	secretReadNoDefaultRE = regexp.MustCompile(`SECRET_KEY\s*=\s*(os\.environ\[|env\(\s*["'][A-Z_]*SECRET_KEY["']\s*\)|env\.str\(\s*["'][A-Z_]*SECRET_KEY["']\s*\)|os\.environ\.get\(\s*["'][A-Z_]*SECRET_KEY["']\s*\)|os\.getenv\(\s*["'][A-Z_]*SECRET_KEY["']\s*\))`)
	secretDefaultRE       = regexp.MustCompile(`SECRET_KEY\s*=\s*(["']|.*get_random_secret_key|os\.environ\.get\([^)]*,|os\.getenv\([^)]*,|env(\.str)?\([^)]*default\s*=|config\([^)]*default\s*=)`)
)

// settingsNeedSecret reads the Django settings files in the context.
func (l *linterRun) settingsNeedSecret(module string) settingsVerdict {
	ctx := l.cfg.Context
	if ctx == nil {
		return settingsUnknown
	}
	found := false
	need := false
	for p, data := range ctx.Manifests {
		if !strings.HasSuffix(p, ".py") {
			continue
		}
		if module != "" && !settingsFileMatches(p, module) {
			continue
		}
		found = true
		if secretDefaultRE.Match(data) {
			return settingsMakeKey
		}
		if secretReadNoDefaultRE.Match(data) {
			need = true
		}
	}
	if need {
		return settingsNeedKey
	}
	if found && module != "" {
		// The named settings module does not set SECRET_KEY itself; it
		// may import a base module: look at every settings file.
		return l.settingsNeedSecret("")
	}
	return settingsUnknown
}

func settingsFileMatches(p, module string) bool {
	modPath := strings.ReplaceAll(module, ".", "/")
	return strings.HasSuffix(p, modPath+".py") || strings.HasSuffix(p, modPath+"/__init__.py") ||
		strings.HasPrefix(modPath, strings.TrimSuffix(path.Dir(p), "/settings")) && strings.Contains(p, "settings")
}

// checkRecursiveOwnership runs DK102: chown -R / chmod -R over files that
// earlier instructions copied. It counts what the chowned path holds and
// reads --from= (only files owned by that owner change).
func (l *linterRun) checkRecursiveOwnership(rc *runContext, cmd shellCommand) {
	st := rc.st
	args := cmd.args()
	recursive := false
	var positional []int
	from := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--recursive" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "R"):
			recursive = true
		case a == "--from" || a == "--reference":
			if i+1 < len(args) {
				if a == "--from" {
					from = args[i+1]
				}
				i++
			}
		case strings.HasPrefix(a, "--from="):
			from = strings.TrimPrefix(a, "--from=")
		case strings.HasPrefix(a, "-"):
		default:
			positional = append(positional, i+1)
		}
	}
	if !recursive || len(positional) < 2 {
		return
	}
	name := cmd.name()
	for _, k := range positional[1:] {
		target := lintAbsPath(st.workdir, l.expand(st, cmd.words[k]))
		var parts []string
		var bytes int64
		files := 0
		var covering []*copyRec
		for ci := range st.copies {
			c := &st.copies[ci]
			if !underPath(c.dest, target) && !underPath(target, c.dest) {
				continue
			}
			if name == "chown" && from != "" && !ownerMatches(from, c.chown) {
				continue // --from: only files of that owner change
			}
			switch c.fromStage {
			case -1:
				n, b := 0, int64(0)
				for _, f := range c.placed {
					if underPath(f.dest, target) {
						n++
						b += f.file.Size
					}
				}
				if l.cfg.Context != nil && n == 0 {
					continue
				}
				parts = append(parts, fmt.Sprintf("line %d (the build context)", c.line))
				bytes += b
				files += n
			case -2:
				parts = append(parts, fmt.Sprintf("line %d (an image)", c.line))
			default:
				parts = append(parts, fmt.Sprintf("line %d (stage %s)", c.line, c.fromLabel))
			}
			covering = append(covering, c)
		}
		if len(parts) == 0 {
			continue
		}
		size := ""
		if l.cfg.Context != nil && files > 0 {
			size = fmt.Sprintf(" %s in %d files from the context are stored twice", report.Bytes(bytes), files)
			if len(parts) > 1 {
				size += ", plus what the other copies brought"
			}
			size += "."
		}
		ln, col := rc.line, 1
		if len(cmd.pos) > 0 && cmd.pos[0].col > 0 {
			ln, col = cmd.pos[0].line, cmd.pos[0].col
		}
		d := l.add(RuleRecursiveChownAfterCopy, SeverityWarning, ln, col,
			fmt.Sprintf("%s -R %s rewrites the files copied there by %s: every changed file is stored again in this layer.%s", name, target, strings.Join(parts, ", "), size),
			"Drop the recursive "+name+": create the user before copying, keep code and venv root-owned, and give the user only the directories it writes (COPY --chown=UID:GID, or RUN install -d -o UID -g GID <dir>).")
		if name == "chown" && from == "" && len(positional) == 2 {
			l.chownFix(rc, cmd, d, cmd.words[positional[0]], covering)
		}
	}
}

func ownerMatches(from, chown string) bool {
	fu, _, _ := strings.Cut(from, ":")
	cu, _, _ := strings.Cut(chown, ":")
	if cu == "" {
		cu = "root"
	}
	norm := func(u string) string {
		if u == "0" {
			return "root"
		}
		return u
	}
	return fu == "" || norm(fu) == norm(cu)
}

// chownFix turns "RUN chown -R OWNER PATH" into COPY --chown=OWNER on the
// copies it covers, when that is mechanical: the RUN is only this command,
// every covered COPY has no --chown, and OWNER exists before the first of
// them (numeric, or created by an earlier RUN of the stage).
func (l *linterRun) chownFix(rc *runContext, cmd shellCommand, d *Diagnostic, owner string, covering []*copyRec) {
	if len(rc.cmds) != 1 || !rc.exact || len(covering) == 0 || strings.Contains(owner, "$") {
		return
	}
	user, _, _ := strings.Cut(owner, ":")
	for _, c := range covering {
		if c.chown != "" || c.stage != rc.stage {
			return
		}
		if _, err := strconv.Atoi(user); err != nil {
			created, ok := rc.st.users[user]
			if !ok || created > c.line {
				return
			}
		}
	}
	var edits []TextEdit
	for _, c := range covering {
		text := l.m.lines[c.line-1]
		i := strings.Index(strings.ToUpper(text), "COPY")
		if i < 0 || strings.TrimSpace(text[:i]) != "" {
			return
		}
		edits = append(edits, l.insertAt(c.line, i+6, "--chown="+owner+" "))
	}
	// Delete the RUN instruction's lines.
	edits = append(edits, TextEdit{Pos: Position{File: l.m.file, Line: rc.line, Column: 1}, End: Position{File: l.m.file, Line: rc.end + 1, Column: 1}})
	if rc.end >= len(l.m.lines) {
		return
	}
	d.SuggestedFixes = append([]SuggestedFix{{Message: fmt.Sprintf("Copy with --chown=%s and drop the RUN (moves no data; the files are owned as they land).", owner), TextEdits: edits}}, d.SuggestedFixes...)
}

// checkPoetryPin runs DK115 on the arguments of a pip/pipx install.
func (l *linterRun) checkPoetryPin(st *stageState, line, end int, args []string, cmd shellCommand) {
	ctx := l.cfg.Context
	if ctx == nil {
		return
	}
	lock, ok := ctx.Manifests["poetry.lock"]
	if !ok {
		return
	}
	for _, a := range args {
		a = strings.Trim(l.expand(st, expandCmdEnv(a, cmd.env)), "\"'")
		nameVer := strings.ToLower(a)
		if nameVer != "poetry" && !strings.HasPrefix(nameVer, "poetry=") && !strings.HasPrefix(nameVer, "poetry<") &&
			!strings.HasPrefix(nameVer, "poetry>") && !strings.HasPrefix(nameVer, "poetry~") && !strings.HasPrefix(nameVer, "poetry!") {
			continue
		}
		ver, pinned := strings.CutPrefix(nameVer, "poetry==")
		l.poetrySkew(line, end, pinned, ver, parsePoetryLock(lock), "pip install poetry==")
		return
	}
}

func expandCmdEnv(word string, env map[string]string) string {
	if !strings.Contains(word, "$") {
		return word
	}
	for k, v := range env {
		word = strings.ReplaceAll(strings.ReplaceAll(word, "${"+k+"}", v), "$"+k, v)
	}
	return word
}

// poetryInstaller reports whether cmd runs Poetry's official installer
// (curl ... install.python-poetry.org | python -).
func (l *linterRun) poetryInstaller(cmd shellCommand) bool {
	if cmd.name() != "curl" && cmd.name() != "wget" {
		return false
	}
	for _, w := range cmd.words {
		if strings.Contains(w, "install.python-poetry.org") || strings.Contains(w, "get-poetry.py") {
			return true
		}
	}
	return false
}

// checkPoetryInstaller runs DK115 for the official installer, which
// installs $POETRY_VERSION (or the latest).
func (l *linterRun) checkPoetryInstaller(st *stageState, line, end int, cmd shellCommand) {
	ctx := l.cfg.Context
	if ctx == nil {
		return
	}
	lock, ok := ctx.Manifests["poetry.lock"]
	if !ok {
		return
	}
	ver, pinned := cmd.env["POETRY_VERSION"]
	if !pinned {
		ver, pinned = st.env["POETRY_VERSION"]
	}
	if pinned && (ver == "" || strings.Contains(ver, "$")) {
		pinned = false
	}
	l.poetrySkew(line, end, pinned, ver, parsePoetryLock(lock), "ENV POETRY_VERSION=")
}

func (l *linterRun) poetrySkew(line, end int, pinned bool, ver string, info poetryLockInfo, fixPrefix string) {
	ln, col := l.m.locate(line, end, "poetry")
	if !pinned {
		msg := "Poetry is installed without an exact version pin"
		if info.generatedBy != "" {
			msg += fmt.Sprintf("; poetry.lock was written by Poetry %s", info.generatedBy)
		}
		fixVer := lintFirst(info.generatedBy, "X.Y.Z")
		l.add(RulePoetryVersionSkew, SeverityWarning, ln, col, msg, fixPrefix+fixVer)
		return
	}
	readV, fullV := info.minPoetry()
	switch {
	case readV != "" && versionBefore(ver, readV):
		l.add(RulePoetryVersionSkew, SeverityError, ln, col,
			fmt.Sprintf("Poetry %s cannot read poetry.lock: its lock-version %s needs Poetry %s or newer%s", ver, info.lockVersion, readV, info.byText()),
			fixPrefix+lintFirst(info.generatedBy, fullV))
	case fullV != "" && versionBefore(ver, fullV):
		l.add(RulePoetryVersionSkew, SeverityWarning, ln, col,
			fmt.Sprintf("Poetry %s predates poetry.lock's lock-version %s (Poetry %s or newer)%s: it only warns that the lock \"might not be compatible\" and may install something else", ver, info.lockVersion, fullV, info.byText()),
			fixPrefix+lintFirst(info.generatedBy, fullV))
	case info.generatedBy != "" && versionBefore(ver, info.generatedBy) && numPrefix(info.generatedBy) != numPrefix(ver):
		l.add(RulePoetryVersionSkew, SeverityWarning, ln, col,
			fmt.Sprintf("the image installs Poetry %s but poetry.lock was written by Poetry %s, a newer major version", ver, info.generatedBy),
			fixPrefix+info.generatedBy)
	}
}

func lintFirst(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// noteToolInstall records dependency managers installed into a shipped
// stage (DK124).
func (l *linterRun) noteToolInstall(st *stageState, args []string) {
	for _, a := range args {
		n := strings.ToLower(strings.Trim(a, "\"'"))
		n = regexp.MustCompile(`[=<>~!\[ ].*$`).ReplaceAllString(n, "")
		switch n {
		case "poetry", "uv", "pip-tools", "pipenv", "pdm", "hatch":
			st.tools = append(st.tools, n)
		}
	}
}

// noteToolCopy records "COPY --from=ghcr.io/astral-sh/uv /uv /bin/".
func (l *linterRun) noteToolCopy(st *stageState, rec copyRec) {
	for _, s := range rec.sources {
		if path.Base(s) == "uv" || path.Base(s) == "uvx" {
			st.tools = append(st.tools, "uv")
			return
		}
	}
}

// checkVolatileBefore runs DK123: a per-build ARG/ENV declared before an
// expensive step of the stage busts that step's cache on every build.
func (l *linterRun) checkVolatileBefore(st *stageState, line int, cmds []shellCommand) {
	if len(st.volatile) == 0 {
		return
	}
	expensive := false
	for _, c := range cmds {
		if installTool(c) != "" {
			expensive = true
		}
	}
	if !expensive {
		return
	}
	for _, v := range st.volatile {
		l.add(RulePerBuildValueEarly, SeverityWarning, v.line, 1,
			fmt.Sprintf("%s %s changes with every build and is declared before the install on line %d: its new value invalidates that step's cache each time", v.kind, v.name, line),
			fmt.Sprintf("Declare %s just before the instruction that needs it (usually a LABEL or the final ENV), after the installs.", v.name))
	}
	st.volatile = nil
}

// checkCommandModulesCmds runs DK109 on commands.
func (l *linterRun) checkCommandModulesCmds(line, end int, cmds []shellCommand) {
	for _, cmd := range cmds {
		w := cmd.words
		if len(w) == 0 {
			continue
		}
		name := cmd.name()
		if isPythonName(name) && len(w) >= 3 && w[1] == "-m" {
			mod := w[2]
			switch mod {
			case "gunicorn", "uvicorn", "daphne", "hypercorn":
				name, w = mod, w[2:]
			default:
				l.checkModule(line, end, mod, "python -m")
				continue
			}
		}
		switch name {
		case "gunicorn", "uvicorn", "daphne", "hypercorn":
			var positional []string
			for i := 1; i < len(w); i++ {
				a := w[i]
				if strings.HasPrefix(a, "-") {
					if !strings.Contains(a, "=") && !serverFlagOnly[a] {
						i++
					}
					continue
				}
				positional = append(positional, a)
			}
			if len(positional) > 0 && !strings.Contains(positional[len(positional)-1], "$") {
				l.checkModule(line, end, positional[len(positional)-1], name+" application")
			}
		}
		if _, rest, ok := djangoCommand(cmd); ok {
			if s := settingsArg(rest); s != "" {
				l.checkModule(line, end, s, "--settings")
			}
		}
	}
}

var serverFlagOnly = map[string]bool{
	"--reload": true, "--preload": true, "--daemon": true, "-D": true, "--check-config": true,
	"--print-config": true, "--capture-output": true, "--enable-stdio-inheritance": true,
	"--reuse-port": true, "--spew": true, "--no-sendfile": true, "--strip-header-spaces": true,
	"--suppress-ragged-eofs": true, "--factory": true, "--no-access-log": true, "--access-log": true,
	"--proxy-headers": true, "--no-proxy-headers": true, "--use-colors": true, "--no-use-colors": true,
	"--server-header": true, "--no-server-header": true, "--date-header": true, "--no-date-header": true,
	"--version": true, "-v": true, "--help": true,
}

// checkModule reports DK109 when value is not an importable module path.
func (l *linterRun) checkModule(line, end int, value, what string) {
	if value == "" || strings.Contains(value, "$") {
		return
	}
	bad := badImportPath(value)
	if bad == "" {
		return
	}
	ln, col := l.m.locate(line, end, value)
	fixed := suggestModule(value)
	l.add(RuleModulePath, SeverityError, ln, col,
		fmt.Sprintf("%s %q is not an importable module path: %q is not a Python identifier, so Django cannot have created this package", what, value, bad),
		fmt.Sprintf("Use the package's real name, probably %q.", fixed))
}

func suggestModule(v string) string {
	mod, attr, hasAttr := strings.Cut(v, ":")
	segs := strings.Split(mod, ".")
	for i, s := range segs {
		s = strings.Map(func(r rune) rune {
			if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, s)
		if s == "" || s[0] >= '0' && s[0] <= '9' || pyKeyword[s] {
			s = "_" + s
		}
		segs[i] = s
	}
	out := strings.Join(segs, ".")
	if hasAttr {
		out += ":" + attr
	}
	return out
}

// checkVenvBases runs DK105.
func (l *linterRun) checkVenvBases() {
	g := l.m.graph
	seen := map[[2]int]bool{}
	for _, vc := range l.venvCopies {
		if !l.m.reaches(vc.to) {
			continue
		}
		a, b := g.RootImage(vc.from), g.RootImage(vc.to)
		if a == b || seen[[2]int{a, b}] {
			continue
		}
		seen[[2]int{a, b}] = true
		sa, sb := g.Stages[a], g.Stages[b]
		if strings.Contains(sa.BaseRef, "$") || strings.Contains(sb.BaseRef, "$") {
			continue
		}
		line, col := l.m.locate(sb.Line, sb.Line, sb.Base)
		fix := "Declare the base once, before the first FROM: ARG PYTHON_IMAGE=" + sa.BaseRef + "@sha256:<digest>, then FROM ${PYTHON_IMAGE} in both stages."
		if sa.BaseRef != sb.BaseRef {
			va, vb := baseImagePythonVersion(sa.BaseRef), baseImagePythonVersion(sb.BaseRef)
			if va != "" && vb != "" && va != vb {
				l.add(RuleVenvBaseMismatch, SeverityError, line, col,
					fmt.Sprintf("line %d copies %s, built by Python %s in stage %s, into a stage running Python %s: the environment will not import", vc.line, vc.src, va, sa.Label(), vb),
					fix)
				continue
			}
			if va == "" || vb == "" {
				continue // a distroless or other runtime image: not comparable
			}
			l.add(RuleVenvBaseMismatch, SeverityWarning, line, col,
				fmt.Sprintf("line %d copies %s from stage %s (FROM %s) into a stage FROM %s: the environment is bound to the interpreter that built it", vc.line, vc.src, sa.Label(), sa.BaseRef, sb.BaseRef),
				fix)
			continue
		}
		if hasDigest(sa.BaseRef) || strings.Contains(sa.Base, "$") || strings.Contains(sb.Base, "$") {
			continue
		}
		why := floatingTag(sa.BaseRef)
		if why == "" {
			continue // the tag names a full version: both stages get the same interpreter
		}
		l.add(RuleVenvBaseMismatch, SeverityWarning, line, col,
			fmt.Sprintf("stages %s (line %d) and %s both name %s separately while line %d copies the venv between them, which is bound to one interpreter; %s, so the two can drift apart", sa.Label(), sa.Line, sb.Label(), sb.BaseRef, vc.line, why),
			fix)
	}
}

// devServers are commands that start a development server, or resolve
// dependencies at start, when used as the container's command.
func devServer(cmd shellCommand) string {
	w := cmd.words
	switch cmd.name() {
	case "flask":
		if slices.Contains(w, "run") {
			return "flask run starts Werkzeug's development server"
		}
	case "fastapi":
		if len(w) > 1 && w[1] == "dev" {
			return "fastapi dev is the development server (auto-reload, bound for local use)"
		}
		if len(w) > 1 && w[1] == "run" && !shellHasFlag(w, "--workers") {
			return "fastapi run starts a single uvicorn process; without --workers one process serves every request"
		}
	case "uv":
		if len(w) > 1 && w[1] == "run" && !shellHasFlag(w, "--no-sync", "--frozen", "--offline") {
			return "uv run checks and syncs the environment at every start (and needs uv in the image)"
		}
	}
	if sub, _, ok := djangoCommand(cmd); ok && sub == "runserver" {
		return "manage.py runserver is Django's development server"
	}
	return ""
}

// checkTarget runs the rules about the final image: DK107, DK110, DK111,
// DK121, DK124, DK125, DK126.
func (l *linterRun) checkTarget() {
	t := l.m.target
	st := l.states[t]
	ts := l.m.graph.Stages[t]
	user, _, _ := strings.Cut(st.user, ":")
	switch {
	case strings.Contains(user, "$"):
	case user == "" && !rootByDefault(l.m.graph.Stages[l.m.graph.RootImage(t)].BaseRef):
		// An image deploykit does not know may set its own USER: not
		// modelled, so not reported.
	case user == "" || user == "root" || user == "0":
		line := ts.Line
		what := "no USER instruction: the container runs as root"
		if user != "" {
			line = st.userLine
			what = "USER " + st.user + " runs the container as root"
		}
		l.add(RuleFinalUser, SeverityWarning, line, 1, what,
			"RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid 10001 app (before the COPY instructions), then USER 10001:10001.")
	default:
		if _, err := strconv.Atoi(user); err != nil {
			l.add(RuleFinalUser, SeverityWarning, st.userLine, 1,
				fmt.Sprintf("USER %s is a name, not a numeric UID: Kubernetes runAsNonRoot cannot verify it and refuses to start the pod", st.user),
				fmt.Sprintf("Create the user with a fixed UID (useradd --uid 10001 %s) and write USER 10001:10001.", user))
		}
	}
	// DK121: the runtime built for the build machine's platform.
	root := l.m.graph.RootImage(t)
	if p := l.m.stages[root].Platform; strings.Contains(p, "BUILDPLATFORM") && !strings.EqualFold(l.m.graph.Stages[root].BaseRef, "scratch") {
		rs := l.m.graph.Stages[root]
		l.add(RuleRuntimeBuildPlatform, SeverityWarning, rs.Line, 1,
			fmt.Sprintf("the final image's stage %s is built FROM --platform=%s: a cross-platform build ships the build machine's architecture", rs.Label(), p),
			"Use --platform=$BUILDPLATFORM only for builder stages that cross-compile; let the runtime stage follow the target platform.")
	}
	// DK125: a full Python base for the runtime.
	if ref := l.m.graph.Stages[root].BaseRef; fullPythonBase(ref) {
		rs := l.m.graph.Stages[root]
		line, col := l.m.locate(rs.Line, rs.Line, rs.Base)
		l.add(RuleFullPythonBase, SeverityInfo, line, col,
			fmt.Sprintf("the runtime stage starts FROM %s, the full Debian image with compilers and headers (about 1 GB); the slim variant is about 150 MB", ref),
			"Use the -slim variant for the runtime stage and install only the shared libraries it needs.")
	}
	// DK124: dependency managers in the final image (uv's own images ship it).
	if repo, _, _ := strings.Cut(stripDigest(l.m.graph.Stages[root].BaseRef), ":"); repo == "ghcr.io/astral-sh/uv" {
		st.tools = append(st.tools, "uv")
	}
	tools := slices.Compact(slices.Sorted(slices.Values(st.tools)))
	if len(tools) > 0 {
		l.add(RuleToolInImage, SeverityInfo, ts.Line, 1,
			fmt.Sprintf("the final image ships %s, needed only to install dependencies", strings.Join(tools, ", ")),
			"Install dependencies in a builder stage into a venv and copy only the venv into the runtime stage.")
	}
	if len(st.cmd) == 0 {
		return
	}
	runsPython := false
	for _, cmd := range st.cmd {
		switch n := cmd.name(); {
		case isPythonName(n), n == "gunicorn", n == "uvicorn", n == "daphne", n == "hypercorn", n == "celery", n == "django-admin", n == "manage.py",
			n == "granian", n == "fastapi", n == "flask", n == "uv", n == "poetry", n == "uwsgi":
			runsPython = true
		}
		if why := devServer(cmd); why != "" {
			ln, col := st.cmdLine, 1
			if len(cmd.pos) > 0 && cmd.pos[0].col > 0 {
				ln, col = cmd.pos[0].line, cmd.pos[0].col
			}
			l.add(RuleDevServer, SeverityWarning, ln, col,
				fmt.Sprintf("the container's command is %s: %s", strings.Join(cmd.words[:min(len(cmd.words), 3)], " "), why),
				"Run a production server: gunicorn (with uvicorn workers for ASGI), uvicorn --workers N, or granian, from the venv directly.")
		}
	}
	if !runsPython {
		return
	}
	if !lintTruthy(st.env["PYTHONUNBUFFERED"]) {
		l.add(RulePythonUnbuffered, SeverityInfo, st.cmdLine, 1,
			"the final stage runs Python without PYTHONUNBUFFERED: log lines sit in a buffer and are lost when the container stops",
			"ENV PYTHONUNBUFFERED=1")
	}
	compiled := false
	for _, i := range l.m.graph.Needs(t) {
		if l.states[i].compiles {
			compiled = true
		}
	}
	if !compiled {
		l.add(RuleBytecodeNotCompiled, SeverityInfo, st.cmdLine, 1,
			"nothing compiles Python bytecode at build time: every container start compiles the source again",
			"RUN python -m compileall -q /app (after COPY . .), and UV_COMPILE_BYTECODE=1 or compileall over the venv in the builder.")
	}
}

// fullPythonBase reports whether ref is a full (non-slim, non-alpine)
// official python image.
func fullPythonBase(ref string) bool {
	repo, tag, ok := strings.Cut(stripDigest(ref), ":")
	if !ok {
		tag = "latest"
	}
	if repo != "python" && repo != "docker.io/library/python" && repo != "library/python" {
		return false
	}
	for _, s := range []string{"slim", "alpine", "windowsservercore", "nanoserver"} {
		if strings.Contains(tag, s) {
			return false
		}
	}
	return true
}

func stripDigest(ref string) string {
	r, _, _ := strings.Cut(ref, "@")
	return r
}

// pipNoCache reports whether pip's arguments disable its cache: pip (through
// optparse) accepts any unambiguous prefix of --no-cache-dir, such as
// --no-cache.
func pipNoCache(args []string) bool {
	for _, a := range args {
		if len(a) >= len("--no-cache") && strings.HasPrefix("--no-cache-dir", a) {
			return true
		}
	}
	return false
}

// rootByDefault reports whether an image is known to run as root when no
// USER is given: the Docker official images (no registry, no namespace, or
// library/), and the few others deploykit knows.
func rootByDefault(ref string) bool {
	repo, _, _ := strings.Cut(stripDigest(ref), ":")
	repo = strings.TrimPrefix(strings.TrimPrefix(repo, "docker.io/"), "library/")
	repo = strings.TrimPrefix(repo, "public.ecr.aws/docker/library/")
	if !strings.Contains(repo, "/") {
		return true
	}
	switch repo {
	case "ghcr.io/astral-sh/uv", "cgr.dev/chainguard/wolfi-base", "mcr.microsoft.com/devcontainers/python", "tiangolo/uvicorn-gunicorn-fastapi", "tiangolo/uvicorn-gunicorn":
		return true
	}
	return false
}

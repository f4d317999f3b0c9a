package dockerfile

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/deploykit/deploykit/internal/report"
)

// copyRec is one COPY/ADD seen while walking a stage.
type copyRec struct {
	line      int
	stage     int
	dest      string // absolute
	fromStage int    // -1: build context, -2: an external image
	fromLabel string
	sources   []string
	files     []ContextFile
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

type stageState struct {
	workdir   string
	env       map[string]string
	user      string
	userLine  int
	copies    []copyRec
	fromOther []populated
	wholeCopy *copyRec
	compiles  bool
	cmd       []string // CMD or ENTRYPOINT words (last one wins)
	cmdLine   int
}

func (s *stageState) clone() *stageState {
	c := *s
	c.env = maps.Clone(s.env)
	c.copies = slices.Clone(s.copies)
	c.fromOther = slices.Clone(s.fromOther)
	c.cmd = slices.Clone(s.cmd)
	return &c
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

func (l *linterRun) add(rule string, sev Severity, line, col int, msg, fix string) {
	d := Diagnostic{Rule: rule, Severity: sev, Pos: Position{File: l.m.file, Line: line, Column: col}, Message: msg}
	if fix != "" {
		d.SuggestedFixes = []SuggestedFix{{Message: fix}}
	}
	l.diags = append(l.diags, d)
}

func (l *linterRun) run() {
	for i := range l.m.stages {
		l.walkStage(i)
	}
	l.checkVenvBases()
	l.checkTarget()
	if l.cfg.Target == "" {
		for _, i := range l.m.graph.Unused(l.m.target) {
			s := l.m.graph.Stages[i]
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
		st = &stageState{workdir: "/", env: map[string]string{}}
		l.checkBase(s)
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
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v := l.expand(st, kv.Value)
				st.env[kv.Key] = v
				if kv.Key == "DJANGO_SETTINGS_MODULE" {
					l.checkModule(line, end, v, "DJANGO_SETTINGS_MODULE")
				}
				if kv.Key == "UV_COMPILE_BYTECODE" && lintTruthy(v) {
					st.compiles = true
				}
			}
		case *instructions.UserCommand:
			st.user = l.expand(st, c.User)
			st.userLine = line
		case *instructions.CopyCommand:
			l.walkCopy(st, i, line, "COPY", c.SourcePaths, c.DestPath, c.From)
		case *instructions.AddCommand:
			l.walkCopy(st, i, line, "ADD", c.SourcePaths, c.DestPath, "")
		case *instructions.RunCommand:
			l.walkRun(st, i, line, end, c)
		case *instructions.CmdCommand:
			st.cmd, st.cmdLine = l.cmdWords(st, c.ShellDependantCmdLine), line
			l.checkCommandModules(line, end, st.cmd, c.PrependShell)
		case *instructions.EntrypointCommand:
			st.cmd, st.cmdLine = l.cmdWords(st, c.ShellDependantCmdLine), line
			l.checkCommandModules(line, end, st.cmd, c.PrependShell)
		}
	}
}

func lintTruthy(v string) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func (l *linterRun) cmdWords(st *stageState, c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return []string{strings.Join(c.CmdLine, " ")}
	}
	out := make([]string, len(c.CmdLine))
	copy(out, c.CmdLine)
	return out
}

// commandsOf turns CMD/ENTRYPOINT/RUN words into simple commands.
func shellCommandsOf(words []string, shellForm bool) []shellCommand {
	if shellForm {
		return splitShell(strings.Join(words, " "))
	}
	if len(words) >= 3 && (path.Base(words[0]) == "sh" || path.Base(words[0]) == "bash") && words[1] == "-c" {
		return splitShell(words[2])
	}
	return []shellCommand{makeCommand(words)}
}

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
	if v := pythonImageVersion(ref); v != "" {
		eol, known := PythonEOL[v]
		old := !known && versionLess(v, "3.8")
		switch {
		case old || known && !l.cfg.Now.Before(eol):
			when := "long ago"
			if known {
				when = "on " + eol.Format("2006-01-02")
			}
			l.add(RulePythonEOL, SeverityWarning, line, col,
				fmt.Sprintf("Python %s reached end of life %s: no more security fixes", v, when),
				"Move to a supported Python (3.12 or 3.13) and rebuild the venv.")
		case known && eol.Sub(l.cfg.Now) < eolWarnWindow:
			l.add(RulePythonEOL, SeverityInfo, line, col,
				fmt.Sprintf("Python %s reaches end of life on %s", v, eol.Format("2006-01-02")),
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

func (l *linterRun) walkCopy(st *stageState, stage, line int, verb string, sources []string, dest, from string) {
	rec := copyRec{line: line, stage: stage, dest: lintAbsPath(st.workdir, l.expand(st, dest)), fromStage: -1,
		instr: verb + " " + strings.Join(append(slices.Clone(sources), dest), " ")}
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
		st.copies = append(st.copies, rec)
		return
	}
	ctx := l.cfg.Context
	for _, s := range rec.sources {
		if strings.Trim(path.Clean("/"+s), "/") == "" {
			rec.whole = true
		}
		if strings.Contains(s, "://") {
			continue
		}
		files := ctx.Match(s)
		rec.files = append(rec.files, files...)
		rec.bytes += contextSum(files)
	}
	st.copies = append(st.copies, rec)
	if rec.whole && st.wholeCopy == nil {
		st.wholeCopy = &st.copies[len(st.copies)-1]
	}
	l.copies = append(l.copies, ContextCopy{Line: line, Stage: stage, Sources: rec.sources, Dest: rec.dest, Files: len(rec.files), Bytes: rec.bytes})

	// DK101: the context copy lands on a path another stage filled.
	var covered []string
	srcs := rec.instr
	for _, p := range st.fromOther {
		if !pathWithin(p.path, rec.dest) {
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

var installSubcommands = map[string][]string{
	"poetry": {"install", "sync"},
	"uv":     {"sync", "pip"},
	"npm":    {"ci", "install"},
	"yarn":   {"install"},
	"pnpm":   {"install"},
}

func (l *linterRun) walkRun(st *stageState, stage, line, end int, c *instructions.RunCommand) {
	script := c.CmdLine
	var cmds []shellCommand
	if c.PrependShell {
		text := strings.Join(script, " ")
		for _, f := range c.Files {
			text += "\n" + f.Data
		}
		cmds = splitShell(text)
	} else {
		cmds = shellCommandsOf(script, false)
	}
	// Mount flags are only decoded by Expand.
	_ = c.Expand(func(w string) (string, error) { return l.expand(st, w), nil })
	mounts := instructions.GetMounts(c)
	var cacheTargets []string
	hasSecret := false
	for _, mt := range mounts {
		switch mt.Type {
		case instructions.MountTypeCache:
			cacheTargets = append(cacheTargets, lintAbsPath(st.workdir, l.expand(st, mt.Target)))
		case instructions.MountTypeSecret:
			hasSecret = true
		}
	}
	// cached reports whether a cache mount covers one of the default cache
	// directories (needles) or the directory the tool is configured to use
	// (configured, when not "").
	cached := func(configured string, needles ...string) bool {
		for _, t := range cacheTargets {
			if configured != "" && pathWithin(lintAbsPath(st.workdir, configured), t) {
				return true
			}
			for _, n := range needles {
				if strings.Contains(t, n) {
					return true
				}
			}
		}
		return false
	}
	envOf := func(cmd shellCommand, k string) string {
		if v, ok := cmd.env[k]; ok {
			return v
		}
		return st.env[k]
	}
	aptCleaned := false
	for _, cmd := range cmds {
		if cmd.name() == "rm" {
			for _, a := range cmd.args() {
				if strings.HasPrefix(a, "/var/lib/apt/lists") {
					aptCleaned = true
				}
			}
		}
	}
	for _, cmd := range cmds {
		w := cmd.words
		if len(w) == 0 {
			continue
		}
		name := cmd.name()
		loc := func(words ...string) (int, int) { return l.m.locate(line, end, words...) }

		// Bytecode compilation.
		if slices.Contains(w, "compileall") || shellHasFlag(w, "--compile-bytecode", "--compile") || lintTruthy(envOf(cmd, "UV_COMPILE_BYTECODE")) && name == "uv" {
			st.compiles = true
		}

		// DK112: expensive install after the whole source was copied.
		expensive := ""
		if _, ok := cmd.pipInstall(); ok {
			expensive = "pip install"
		} else if subs, ok := installSubcommands[name]; ok {
			if args, ok := cmd.sub(name, subs...); ok {
				// "uv pip list" is cheap; "uv sync" and "uv pip install" are not.
				if name != "uv" || w[len(w)-len(args)-1] == "sync" || len(args) > 0 && (args[0] == "install" || args[0] == "sync") {
					expensive = name + " install"
				}
			}
		} else if _, ok := cmd.sub("apt-get", "install"); ok {
			expensive = "apt-get install"
		}
		if expensive != "" && st.wholeCopy != nil {
			ln, col := loc(w[0])
			l.add(RuleCacheBustingOrder, SeverityWarning, ln, col,
				fmt.Sprintf("%s runs after %s on line %d copied the whole source: every source edit re-runs it", expensive, st.wholeCopy.instr, st.wholeCopy.line),
				"Copy only the dependency manifests before this step and the rest of the source after it.")
		}

		// DK103 and DK115.
		if args, ok := cmd.pipInstall(); ok {
			if !shellHasFlag(args, "--no-cache-dir") && !lintTruthy(envOf(cmd, "PIP_NO_CACHE_DIR")) && !cached(envOf(cmd, "PIP_CACHE_DIR"), ".cache/pip", "/root/.cache") {
				ln, col := loc(w[0], "install")
				if len(w) > 1 && w[1] == "-m" {
					ln, col = loc(w[0], "-m", "pip")
				}
				l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
					"pip install keeps its download cache (/root/.cache/pip) in this layer and re-downloads on every rebuild",
					"RUN --mount=type=cache,target=/root/.cache/pip pip install ... (or pip install --no-cache-dir)")
			}
			l.checkPoetryPin(line, end, args)
		}
		if name == "pipx" {
			if args, ok := cmd.sub("pipx", "install"); ok {
				l.checkPoetryPin(line, end, args)
			}
		}
		if args, ok := cmd.sub("poetry", "install", "sync"); ok {
			if !shellHasFlag(args, "--no-cache") && !shellHasFlag(w, "--no-cache") && !cached(envOf(cmd, "POETRY_CACHE_DIR"), "pypoetry", "/root/.cache") {
				ln, col := loc("poetry", w[len(w)-len(args)-1])
				l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
					"poetry install without a cache mount: Poetry's cache (/root/.cache/pypoetry) is stored in this layer and every rebuild downloads all packages again",
					"RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install ...")
			}
		}
		if args, ok := cmd.sub("uv", "sync", "pip"); ok {
			isInstall := w[len(w)-len(args)-1] == "sync" || len(args) > 0 && (args[0] == "install" || args[0] == "sync")
			if isInstall && !shellHasFlag(w, "--no-cache") && !lintTruthy(envOf(cmd, "UV_NO_CACHE")) && !cached(envOf(cmd, "UV_CACHE_DIR"), ".cache/uv", "/root/.cache") {
				ln, col := loc("uv")
				l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
					"uv without a cache mount: its cache (/root/.cache/uv) is stored in this layer and every rebuild downloads all packages again",
					"RUN --mount=type=cache,target=/root/.cache/uv uv sync ...")
			}
		}
		if args, ok := aptInstallArgs(cmd); ok {
			ln, col := loc(w[0], "install")
			if !aptCleaned && !cached("", "/var/lib/apt") {
				l.add(RulePackageCacheInLayer, SeverityWarning, ln, col,
					"apt-get install leaves the package lists (/var/lib/apt/lists) in this layer (hadolint DL3009)",
					"RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install ... (or end with rm -rf /var/lib/apt/lists/*)")
			}
			if !shellHasFlag(args, "--no-install-recommends") && !shellHasFlag(w, "--no-install-recommends") {
				l.add(RuleAptRecommends, SeverityInfo, ln, col,
					"apt-get install without --no-install-recommends also installs the recommended packages (hadolint DL3015)",
					"apt-get install -y --no-install-recommends ...")
			}
			var unpinned []string
			for _, a := range args {
				if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") && !strings.Contains(a, "$") {
					unpinned = append(unpinned, a)
				}
			}
			if len(unpinned) > 0 {
				l.add(RuleAptUnpinned, SeverityInfo, ln, col,
					fmt.Sprintf("apt packages without version pins: %s (hadolint DL3008)", strings.Join(unpinned, ", ")),
					"Pin with pkg=version when reproducibility matters more than security updates.")
			}
		}

		// DK102: recursive chown/chmod over copied files.
		if name == "chown" || name == "chmod" {
			l.checkRecursiveOwnership(st, cmd, line, end)
		}

		// DK108 and DK109 for manage.py / django-admin.
		if sub, rest, ok := djangoCommand(cmd); ok && !hasSecret {
			ln, col := loc(sub)
			msg := fmt.Sprintf("manage.py %s runs at build time and imports the Django settings, which need SECRET_KEY (and often database or storage credentials), but this RUN has no secret mount", sub)
			if s := settingsArg(rest); s != "" {
				msg += fmt.Sprintf("; --settings=%s suggests production settings", s)
			}
			l.add(RuleBuildTimeSecret, SeverityWarning, ln, col, msg,
				fmt.Sprintf("RUN --mount=type=secret,id=django_secret_key,env=DJANGO_SECRET_KEY python manage.py %s ... and build with --secret id=django_secret_key,env=DJANGO_SECRET_KEY", sub))
		}
	}
	l.checkCommandModulesCmds(line, end, cmds)
}

func aptInstallArgs(cmd shellCommand) ([]string, bool) {
	if args, ok := cmd.sub("apt-get", "install"); ok {
		return args, true
	}
	return cmd.sub("apt", "install")
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
		if i > 0 && !strings.HasPrefix(x, "-") {
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

func (l *linterRun) checkRecursiveOwnership(st *stageState, cmd shellCommand, line, end int) {
	args := cmd.args()
	recursive := false
	var positional []string
	for _, a := range args {
		switch {
		case a == "--recursive" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "R"):
			recursive = true
		case strings.HasPrefix(a, "-"):
		default:
			positional = append(positional, a)
		}
	}
	if !recursive || len(positional) < 2 {
		return
	}
	for _, t := range positional[1:] {
		target := lintAbsPath(st.workdir, l.expand(st, t))
		var parts []string
		var bytes int64
		files := 0
		known := l.cfg.Context != nil
		for _, c := range st.copies {
			if !pathWithin(c.dest, target) && !pathWithin(target, c.dest) {
				continue
			}
			switch c.fromStage {
			case -1:
				parts = append(parts, fmt.Sprintf("line %d (the build context)", c.line))
				bytes += c.bytes
				files += len(c.files)
			case -2:
				parts = append(parts, fmt.Sprintf("line %d (an image)", c.line))
			default:
				parts = append(parts, fmt.Sprintf("line %d (stage %s)", c.line, c.fromLabel))
			}
		}
		if len(parts) == 0 {
			continue
		}
		size := ""
		if known && files > 0 {
			size = fmt.Sprintf(" At least %s in %d files from the context are duplicated, plus everything copied from other stages.", report.Bytes(bytes), files)
		}
		ln, col := l.m.locate(line, end, cmd.words[0])
		l.add(RuleRecursiveChownAfterCopy, SeverityWarning, ln, col,
			fmt.Sprintf("%s -R %s rewrites the files copied there by %s: every changed file is stored again in this layer, doubling its size in the image.%s", cmd.name(), target, strings.Join(parts, ", "), size),
			"Drop the recursive "+cmd.name()+": create the user before copying, keep code and venv root-owned, and give the user only the directories it writes (COPY --chown=UID:GID, or RUN install -d -o UID -g GID <dir>).")
	}
}

// checkPoetryPin runs DK115 on the arguments of a pip/pipx install.
func (l *linterRun) checkPoetryPin(line, end int, args []string) {
	ctx := l.cfg.Context
	if ctx == nil {
		return
	}
	lock, ok := ctx.Manifests["poetry.lock"]
	if !ok {
		return
	}
	for _, a := range args {
		a = strings.Trim(a, "\"'")
		nameVer := strings.ToLower(a)
		if nameVer != "poetry" && !strings.HasPrefix(nameVer, "poetry=") && !strings.HasPrefix(nameVer, "poetry<") &&
			!strings.HasPrefix(nameVer, "poetry>") && !strings.HasPrefix(nameVer, "poetry~") && !strings.HasPrefix(nameVer, "poetry!") {
			continue
		}
		info := parsePoetryLock(lock)
		ln, col := l.m.locate(line, end, "poetry")
		ver, pinned := strings.CutPrefix(nameVer, "poetry==")
		if !pinned {
			msg := "Poetry is installed without an exact version pin"
			if info.generatedBy != "" {
				msg += fmt.Sprintf("; poetry.lock was written by Poetry %s", info.generatedBy)
			}
			fixVer := info.generatedBy
			if fixVer == "" {
				fixVer = "X.Y.Z"
			}
			l.add(RulePoetryVersionSkew, SeverityWarning, ln, col, msg, "pip install poetry=="+fixVer)
			return
		}
		readV, fullV := info.minPoetry()
		if readV != "" && versionLess(ver, readV) {
			l.add(RulePoetryVersionSkew, SeverityError, ln, col,
				fmt.Sprintf("Poetry %s cannot read poetry.lock: its lock-version %s needs Poetry %s or newer%s", ver, info.lockVersion, readV, info.byText()),
				fmt.Sprintf("pip install poetry==%s", lintFirst(info.generatedBy, fullV)))
			return
		}
		if fullV != "" && versionLess(ver, fullV) {
			l.add(RulePoetryVersionSkew, SeverityWarning, ln, col,
				fmt.Sprintf("Poetry %s predates poetry.lock's lock-version %s (Poetry %s or newer)%s: it only warns that the lock \"might not be compatible\" and may install something else", ver, info.lockVersion, fullV, info.byText()),
				fmt.Sprintf("pip install poetry==%s", lintFirst(info.generatedBy, fullV)))
			return
		}
		if info.generatedBy != "" && leadingInt(info.generatedBy) != leadingInt(ver) {
			l.add(RulePoetryVersionSkew, SeverityWarning, ln, col,
				fmt.Sprintf("the image installs Poetry %s but poetry.lock was written by Poetry %s, a different major version", ver, info.generatedBy),
				"pip install poetry=="+info.generatedBy)
		}
		return
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

// checkCommandModules runs DK109 on CMD/ENTRYPOINT.
func (l *linterRun) checkCommandModules(line, end int, words []string, shellForm bool) {
	l.checkCommandModulesCmds(line, end, shellCommandsOf(words, shellForm))
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

// checkModule reports DK109 when value is not an importable module path.
func (l *linterRun) checkModule(line, end int, value, what string) {
	if value == "" || strings.Contains(value, "$") {
		return
	}
	bad := badAppPath(value)
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
		if s == "" || s[0] >= '0' && s[0] <= '9' || pythonKeywords[s] {
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
			va, vb := pythonImageVersion(sa.BaseRef), pythonImageVersion(sb.BaseRef)
			if va != "" && vb != "" && va != vb {
				l.add(RuleVenvBaseMismatch, SeverityError, line, col,
					fmt.Sprintf("line %d copies %s, built by Python %s in stage %s, into a stage running Python %s: the environment will not import", vc.line, vc.src, va, sa.Label(), vb),
					fix)
				continue
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
			why = "the tag is not pinned by digest"
		}
		l.add(RuleVenvBaseMismatch, SeverityWarning, line, col,
			fmt.Sprintf("stages %s (line %d) and %s both name %s separately while line %d copies the venv between them, which is bound to one interpreter; %s, so the two can drift apart", sa.Label(), sa.Line, sb.Label(), sb.BaseRef, vc.line, why),
			fix)
	}
}

// checkTarget runs the rules about the final image: DK107, DK110, DK111.
func (l *linterRun) checkTarget() {
	t := l.m.target
	st := l.states[t]
	ts := l.m.graph.Stages[t]
	user, _, _ := strings.Cut(st.user, ":")
	switch {
	case strings.Contains(user, "$"):
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
	if len(st.cmd) == 0 {
		return
	}
	runsPython := false
	for _, cmd := range shellCommandsOf(st.cmd, len(st.cmd) == 1 && strings.Contains(st.cmd[0], " ")) {
		switch n := cmd.name(); {
		case isPythonName(n), n == "gunicorn", n == "uvicorn", n == "daphne", n == "hypercorn", n == "celery", n == "django-admin", n == "manage.py":
			runsPython = true
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

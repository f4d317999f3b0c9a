package dockerfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// LintConfig configures Lint. The zero value lints the last stage with no
// build context, today's date and every rule at its default severity.
type LintConfig struct {
	// File is the Dockerfile's name in diagnostics; "" means "Dockerfile".
	File string
	// Context is the build context, when known (see ContextFromDir). Nil
	// turns the context checks off (DK113, DK114, DK115, DK118) and makes
	// DK101 a warning about what the context might hold.
	Context *ContextIndex
	// Target is the stage to analyse (name or index); "" means the last.
	Target string
	// BuildArgs override ARG defaults, as --build-arg does.
	BuildArgs map[string]string
	// Now is the date end-of-life checks compare with; zero means
	// time.Now().
	Now time.Time
	// BuildKit runs BuildKit's own checks (package buildkitcheck has the
	// implementation). Nil runs only the checks BuildKit's instruction
	// parser makes (FromAsCasing, StageNameCasing, MaintainerDeprecated,
	// InvalidDefinitionDescription) beside deploykit's rules.
	BuildKit Checker
	// BaseImageEnv gives the environment (KEY=value) of base images for
	// BuildKit's checks, keyed by image reference ("python:3.12-slim") or
	// repository ("python"). Nothing is ever fetched from a registry.
	BaseImageEnv map[string][]string
	// Severity overrides rule severities by rule ID or BuildKit check name.
	Severity map[string]Severity
	// Skip turns rules off by ID or BuildKit check name, in addition to
	// "# check=skip=..." and "# deploykit:ignore" comments.
	Skip []string
	// Enable turns on rules that are off by default (DK116).
	Enable []string
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// Checker runs BuildKit's built-in Dockerfile checks. It returns the
// warnings it found and, when BuildKit also stops with an error, a
// *LintError beside them; Lint keeps both.
type Checker interface {
	Check(ctx context.Context, dockerfile []byte, opt CheckOptions) ([]Diagnostic, error)
}

// CheckOptions is what a Checker is told about the build.
type CheckOptions struct {
	// File is the Dockerfile's name in diagnostics.
	File string
	// Target is the stage built; "" means the last.
	Target string
	// BuildArgs override ARG defaults.
	BuildArgs map[string]string
	// BaseImageEnv is LintConfig.BaseImageEnv.
	BaseImageEnv map[string][]string
	// IgnorePatterns are the build context's .dockerignore patterns, for
	// CopyIgnoredFile; nil when the context is unknown.
	IgnorePatterns []string
}

// Analysis is what Lint found.
type Analysis struct {
	// Diagnostics are sorted by line, column and rule.
	Diagnostics []Diagnostic `json:"findings"`
	// Graph is the stage graph.
	Graph *Graph `json:"graph"`
	// Target is the index of the analysed stage.
	Target int `json:"target"`
	// Copies lists every COPY/ADD from the build context and what it
	// brings (files and bytes are 0 without a context).
	Copies []ContextCopy `json:"copies"`
}

// ContextCopy is one COPY or ADD from the build context.
type ContextCopy struct {
	Line    int      `json:"line"`
	Stage   int      `json:"stage"`
	Sources []string `json:"sources"`
	Dest    string   `json:"dest"`
	Files   int      `json:"files"`
	Bytes   int64    `json:"bytes"`
}

// MaxSeverity is the highest severity among the diagnostics, "" if none.
func (a *Analysis) MaxSeverity() Severity {
	var s Severity
	for _, d := range a.Diagnostics {
		if d.Severity.Rank() > s.Rank() {
			s = d.Severity
		}
	}
	return s
}

// LintError is returned for a Dockerfile that cannot be parsed: it names
// the file, the 1-based line (and column where known) and what is wrong.
type LintError struct {
	File         string
	Line, Column int
	Message      string
	Err          error
}

// Error formats the error as "file:line:col: message".
func (e *LintError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			pos += fmt.Sprintf(":%d", e.Column)
		}
	}
	return pos + ": " + e.Message
}

// Unwrap returns the underlying parser error.
func (e *LintError) Unwrap() error { return e.Err }

// LintFile reads the Dockerfile at dockerfilePath and, when contextDir is
// not "", indexes that build context, then runs Lint. cfg.File defaults to
// dockerfilePath and cfg.Context to the index of contextDir.
func LintFile(ctx context.Context, dockerfilePath, contextDir string, cfg LintConfig) (*Analysis, error) {
	dt, err := os.ReadFile(dockerfilePath)
	if err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	if cfg.File == "" {
		cfg.File = dockerfilePath
	}
	if contextDir != "" && cfg.Context == nil {
		if cfg.Context, err = ContextFromDir(ctx, contextDir); err != nil {
			return nil, err
		}
	}
	return Lint(ctx, dt, cfg)
}

// Lint parses the Dockerfile with BuildKit's parser, runs BuildKit's own
// checks offline (reported under their BuildKit names) and deploykit's
// rules (DK...), applies suppressions and returns the findings. A
// Dockerfile that does not parse gives a *LintError. Lint does no I/O.
func Lint(ctx context.Context, dockerfile []byte, cfg LintConfig) (*Analysis, error) {
	if cfg.File == "" {
		cfg.File = "Dockerfile"
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := parseModel(dockerfile, cfg)
	if err != nil {
		return nil, err
	}
	bk := m.parseWarnings
	var bkErr error
	if cfg.BuildKit != nil {
		opt := CheckOptions{File: cfg.File, Target: cfg.Target, BuildArgs: cfg.BuildArgs, BaseImageEnv: cfg.BaseImageEnv}
		if cfg.Context != nil && cfg.Context.HasDockerIgnore {
			opt.IgnorePatterns = cfg.Context.DockerIgnore
		}
		bk, bkErr = cfg.BuildKit.Check(ctx, dockerfile, opt)
		if bkErr != nil && len(bk) == 0 {
			return nil, bkErr
		}
	}
	if m.check.ReturnAsError {
		for i := range bk {
			bk[i].Severity = SeverityError
		}
	}
	// Without a Checker deploykit runs BuildKit's CopyIgnoredFile itself
	// (same rule text and semantics) with the context's patterns; with one,
	// BuildKit's own finding is kept and the copy dropped.
	for _, d := range m.copyIgnoredFile(cfg) {
		if !slices.ContainsFunc(bk, func(e Diagnostic) bool { return e.Rule == d.Rule && e.Pos.Line == d.Pos.Line && e.Message == d.Message }) {
			bk = append(bk, d)
		}
	}
	bk = m.fromAsCasingFixes(bk)
	l := &linterRun{m: m, cfg: cfg}
	l.run()
	all := append(bk, l.diags...)
	log.Debug("dockerfile lint", "file", cfg.File, "stages", len(m.graph.Stages), "buildkit", len(bk), "deploykit", len(l.diags))
	out := m.filter(all, cfg)
	a := &Analysis{Diagnostics: out, Graph: m.graph, Target: m.target, Copies: l.copies}
	if bkErr != nil {
		return a, bkErr
	}
	return a, nil
}

// lintModel is a parsed Dockerfile.
type lintModel struct {
	file    string
	lines   []string // source lines, index 0 = line 1
	ast     *parser.Node
	stages  []instructions.Stage
	graph   *Graph
	target  int
	globals map[string]string // global ARGs after --build-arg overrides
	lex     *shell.Lex
	// instrs are the instruction line ranges, for suppressions.
	instrs [][2]int
	check  *linter.Config
	// parseWarnings are the BuildKit checks instructions.Parse ran.
	parseWarnings []Diagnostic
	escape        rune
	// The stage model (stages.go).
	need, shipped []bool
	exported      [][]string
}

type lintEnv map[string]string

func (e lintEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e lintEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var parseErrorPrefixRE = regexp.MustCompile(`^dockerfile parse error on line [0-9]+: `)

func lintErrorFrom(file string, err error) *LintError {
	msg := parseErrorPrefixRE.ReplaceAllString(err.Error(), "")
	le := &LintError{File: file, Message: msg, Err: err}
	var loc *parser.LocationError
	if errors.As(err, &loc) && len(loc.Locations) > 0 && len(loc.Locations[0]) > 0 {
		r := loc.Locations[0][0]
		le.Line = r.Start.Line
		if r.Start.Character > 0 {
			le.Column = r.Start.Character + 1
		}
	}
	if le.Line <= 0 {
		// The parser gives no position for whole-file problems ("file with
		// no instructions"): point at the start of the file.
		le.Line = 1
	}
	le.Column = max(le.Column, 1)
	return le
}

func parseModel(dt []byte, cfg LintConfig) (*lintModel, error) {
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil, lintErrorFrom(cfg.File, err)
	}
	checkStr, _, _, _ := parser.ParseDirective("check", dt)
	check, err := linter.ParseLintOptions(checkStr)
	if err != nil {
		return nil, &LintError{File: cfg.File, Line: 1, Column: 1, Message: "bad # check= directive: " + err.Error(), Err: err}
	}
	// The instruction parser runs a few of BuildKit's checks itself; its
	// warnings are kept for a run without a Checker. (A non-nil linter is
	// needed anyway: instructions.Parse dereferences it when a comment
	// carries a "check=" directive; found by FuzzLint, BuildKit v0.34.2.)
	var parseWarnings []Diagnostic
	collect := *check
	collect.ReturnAsError = false
	collect.Warn = func(rule, _, url, msg string, loc []parser.Range) {
		d := Diagnostic{Rule: rule, URL: url, Severity: SeverityWarning, Message: msg, Pos: Position{File: cfg.File}}
		if len(loc) > 0 {
			d.Pos.Line, d.Pos.Column = loc[0].Start.Line, loc[0].Start.Character+1
		}
		parseWarnings = append(parseWarnings, d)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&collect))
	if err != nil {
		return nil, lintErrorFrom(cfg.File, err)
	}
	if len(stages) == 0 {
		return nil, &LintError{File: cfg.File, Line: 1, Column: 1, Message: "no FROM instruction: a Dockerfile needs at least one stage"}
	}
	m := &lintModel{
		file:    cfg.File,
		lines:   strings.Split(strings.ReplaceAll(string(dt), "\r\n", "\n"), "\n"),
		ast:     res.AST,
		stages:  stages,
		globals: map[string]string{},
		lex:     shell.NewLex(res.EscapeToken),
		escape:  res.EscapeToken,
	}
	for _, n := range res.AST.Children {
		m.instrs = append(m.instrs, [2]int{n.StartLine, n.EndLine})
	}
	m.check = check
	m.parseWarnings = parseWarnings
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if v, ok := cfg.BuildArgs[kv.Key]; ok {
				m.globals[kv.Key] = v
			} else if kv.Value != nil {
				v, _, err := m.lex.ProcessWord(*kv.Value, lintEnv(m.globals))
				if err != nil {
					v = *kv.Value
				}
				m.globals[kv.Key] = v
			}
		}
	}
	g := &Graph{}
	for i, s := range stages {
		st := Stage{Index: i, Name: s.Name, Base: s.BaseName, BaseStage: -1, Line: lintRangeLine(s.Location)}
		st.BaseRef = m.expandGlobal(s.BaseName)
		for j := range i {
			if stages[j].Name != "" && strings.EqualFold(stages[j].Name, st.BaseRef) {
				st.BaseStage = j
			}
		}
		g.Stages = append(g.Stages, st)
		if st.BaseStage >= 0 {
			g.Edges = append(g.Edges, GraphEdge{From: st.BaseStage, To: i, Kind: GraphEdgeBase, Line: st.Line})
		}
	}
	m.graph = g
	for i, s := range stages {
		for _, c := range s.Commands {
			switch c := c.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					continue
				}
				if j, ok := m.stageRef(c.From, i); ok {
					g.Edges = append(g.Edges, GraphEdge{From: j, To: i, Kind: GraphEdgeCopy, Line: lintRangeLine(c.Location())})
				}
			case *instructions.RunCommand:
				if err := c.Expand(func(w string) (string, error) { return m.expandGlobal(w), nil }); err != nil {
					return nil, &LintError{File: cfg.File, Line: max(lintRangeLine(c.Location()), 1), Column: 1, Message: err.Error(), Err: err}
				}
				for _, mt := range instructions.GetMounts(c) {
					if mt.From == "" {
						continue
					}
					if j, ok := m.stageRef(mt.From, i); ok {
						g.Edges = append(g.Edges, GraphEdge{From: j, To: i, Kind: GraphEdgeMount, Line: lintRangeLine(c.Location())})
					}
				}
			}
		}
	}
	m.target = len(stages) - 1
	if cfg.Target != "" {
		t, ok := g.StageIndex(cfg.Target)
		if !ok {
			return nil, &LintError{File: cfg.File, Message: fmt.Sprintf("target stage %q not found", cfg.Target)}
		}
		m.target = t
	}
	m.buildStageModel()
	return m, nil
}

// stageRef resolves a --from value used in stage i to an earlier stage.
func (m *lintModel) stageRef(from string, i int) (int, bool) {
	from = m.expandGlobal(from)
	j, ok := m.graph.StageIndex(from)
	if !ok || j >= i {
		return 0, false
	}
	return j, true
}

func (m *lintModel) expandGlobal(word string) string {
	if !strings.Contains(word, "$") {
		return word
	}
	v, _, err := m.lex.ProcessWord(word, lintEnv(m.globals))
	if err != nil {
		return word
	}
	return v
}

func lintRangeLine(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}

func lintRangeEnd(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1].End.Line
}

// locate finds the first line in [start, end] where the words occur in
// order separated by blanks and returns it with the 1-based column of the
// first word; it falls back to (start, 1).
func (m *lintModel) locate(start, end int, words ...string) (int, int) {
	if len(words) == 0 {
		return start, 1
	}
	for l := start; l <= end && l <= len(m.lines); l++ {
		if l < 1 {
			continue
		}
		text := m.lines[l-1]
		from := 0
		for from < len(text) {
			k := strings.Index(text[from:], words[0])
			if k < 0 {
				break
			}
			k += from
			rest := text[k+len(words[0]):]
			ok := true
			for _, w := range words[1:] {
				trimmed := strings.TrimLeft(rest, " \t\"'")
				if !strings.HasPrefix(trimmed, w) {
					ok = false
					break
				}
				rest = trimmed[len(w):]
			}
			if ok {
				return l, k + 1
			}
			from = k + 1
		}
	}
	return start, 1
}

const ignoreDirective = "deploykit:ignore"

// filter applies "# check=skip=", "# deploykit:ignore", cfg.Skip and
// severity overrides, and sorts.
func (m *lintModel) filter(ds []Diagnostic, cfg LintConfig) []Diagnostic {
	skip := map[string]bool{}
	for _, r := range m.check.SkipRules {
		skip[r] = true
	}
	for _, r := range cfg.Skip {
		skip[r] = true
	}
	// line -> rules ignored on that instruction
	ignored := map[int]map[string]bool{}
	for i, text := range m.lines {
		t := strings.TrimSpace(text)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimSpace(strings.TrimPrefix(t, "#"))
		if !strings.HasPrefix(t, ignoreDirective) {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(t, ignoreDirective))
		if len(fields) == 0 {
			continue
		}
		// The comment applies to the next instruction.
		for _, in := range m.instrs {
			if in[0] > i+1 {
				set := map[string]bool{}
				for r := range strings.SplitSeq(fields[0], ",") {
					set[strings.TrimSpace(r)] = true
				}
				for l := in[0]; l <= in[1]; l++ {
					if ignored[l] == nil {
						ignored[l] = map[string]bool{}
					}
					for r := range set {
						ignored[l][r] = true
					}
				}
				break
			}
		}
	}
	out := ds[:0]
	for _, d := range ds {
		if defaultOff(d.Rule) && !slices.Contains(cfg.Enable, d.Rule) {
			if _, ok := cfg.Severity[d.Rule]; !ok {
				continue
			}
		}
		if m.check.SkipAll || skip[d.Rule] || d.Pos.File == "" && ignored[d.Pos.Line][d.Rule] ||
			d.Pos.File == m.file && ignored[d.Pos.Line][d.Rule] {
			continue
		}
		if s, ok := cfg.Severity[d.Rule]; ok {
			d.Severity = s
		}
		if d.Pos.File == "" {
			d.Pos.File = m.file
		}
		if d.URL == "" {
			if r, ok := RuleByID(d.Rule); ok {
				d.URL = r.HelpURI()
			}
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Pos.File == m.file) != (b.Pos.File == m.file) {
			return a.Pos.File == m.file
		}
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	return out
}

// absPath resolves p against the working directory wd.
func lintAbsPath(wd, p string) string {
	if p == "" {
		return wd
	}
	if !path.IsAbs(p) {
		p = path.Join(wd, p)
	}
	return path.Clean(p)
}

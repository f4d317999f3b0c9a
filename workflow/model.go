package workflow

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/rhysd/actionlint"
	"mvdan.cc/sh/v3/syntax"
)

// model is the part of a workflow the deploy rules look at, with positions
// mapped back to the file.
type model struct {
	file    File
	lines   []string // the file's lines, without newlines
	ast     *actionlint.Workflow
	jobs    []*job
	byID    map[string]*job
	text    string // the whole file, for "does the workflow mention X"
	trigger map[string]bool

	// memoised per job and step: the rules ask the same questions often.
	roles   map[*job][2]bool
	kinds   map[*step][2]string
	texts   map[*step]string
	deploy  map[*job]bool
	layouts map[*job]*venvLayout
}

type job struct {
	id    string
	a     *actionlint.Job
	steps []*step
	needs []string
}

type step struct {
	idx    int
	a      *actionlint.Step
	uses   string // action name in lower case, without @ref; "" for run steps
	ref    string
	inputs map[string]*actionlint.Input
	run    *script // nil for action steps
}

// script is a run: block, split into simple commands.
type script struct {
	src      string
	modelled bool // parsed as POSIX/bash shell
	cmds     []command
}

type command struct {
	args []word
}

// word is one shell word: its value with quotes removed and ${{ }}
// expressions kept, and its range in the workflow file.
type word struct {
	text    string
	dynamic bool // contains a shell expansion ($VAR, $(cmd))
	pos     Position
	end     Position
}

func (c command) name() string {
	if len(c.args) == 0 {
		return ""
	}
	n := c.args[0].text
	if i := strings.LastIndexByte(n, '/'); i >= 0 && !strings.Contains(n, "${{") {
		n = n[i+1:]
	}
	return n
}

// has reports whether the command's words, from index from, include all of
// want in order (not necessarily adjacent).
func (c command) hasSeq(want ...string) bool {
	i := 0
	for _, a := range c.args {
		if i < len(want) && a.text == want[i] {
			i++
		}
	}
	return i == len(want)
}

// flag returns the value of a --flag VALUE or --flag=VALUE option.
func (c command) flag(names ...string) (word, bool) {
	for i, a := range c.args {
		for _, n := range names {
			if a.text == n && i+1 < len(c.args) {
				return c.args[i+1], true
			}
			if strings.HasPrefix(a.text, n+"=") && strings.HasPrefix(n, "--") {
				w := a
				w.text = a.text[len(n)+1:]
				w.pos.Column += len(n) + 1
				return w, true
			}
		}
	}
	return word{}, false
}

func (c command) joined() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.text
	}
	return strings.Join(parts, " ")
}

func buildModel(f File, ast *actionlint.Workflow) *model {
	m := &model{file: f, ast: ast, byID: map[string]*job{}, text: string(f.Data), trigger: map[string]bool{},
		roles: map[*job][2]bool{}, kinds: map[*step][2]string{}, texts: map[*step]string{}, deploy: map[*job]bool{}, layouts: map[*job]*venvLayout{}}
	// Line breaks as YAML counts them: CRLF, CR or LF.
	m.lines = strings.Split(strings.ReplaceAll(strings.ReplaceAll(string(f.Data), "\r\n", "\n"), "\r", "\n"), "\n")
	for _, ev := range ast.On {
		m.trigger[strings.ToLower(ev.EventName())] = true
	}
	for id, aj := range ast.Jobs {
		if aj == nil {
			continue
		}
		j := &job{id: id, a: aj}
		if aj.ID != nil {
			j.id = aj.ID.Value
		}
		for _, n := range aj.Needs {
			if n != nil {
				j.needs = append(j.needs, strings.ToLower(n.Value))
			}
		}
		for i, as := range aj.Steps {
			if as == nil {
				continue
			}
			s := &step{idx: i, a: as}
			switch e := as.Exec.(type) {
			case *actionlint.ExecAction:
				if e.Uses != nil {
					u := e.Uses.Value
					if k := strings.IndexByte(u, '@'); k >= 0 {
						s.ref = u[k+1:]
						u = u[:k]
					}
					s.uses = strings.ToLower(u)
				}
				s.inputs = e.Inputs
			case *actionlint.ExecRun:
				s.run = m.parseScript(e, aj)
			}
			j.steps = append(j.steps, s)
		}
		m.jobs = append(m.jobs, j)
		m.byID[strings.ToLower(id)] = j
	}
	sort.Slice(m.jobs, func(a, b int) bool { return posLess(m.jobs[a].a.Pos, m.jobs[b].a.Pos) })
	return m
}

func posLess(a, b *actionlint.Pos) bool {
	if a == nil || b == nil {
		return b != nil
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// input returns a step's input value, "" when absent.
func (s *step) input(name string) (*actionlint.String, bool) {
	if s.inputs == nil {
		return nil, false
	}
	in, ok := s.inputs[name]
	if !ok || in == nil || in.Value == nil {
		return nil, false
	}
	return in.Value, true
}

func (s *step) inputText(name string) string {
	v, _ := s.input(name)
	if v == nil {
		return ""
	}
	return v.Value
}

func (s *step) isAction(names ...string) bool {
	for _, n := range names {
		if s.uses == n {
			return true
		}
	}
	return false
}

// stepPos is where a step starts in the file.
func (m *model) stepPos(s *step) Position {
	if s.a.Pos == nil {
		return Position{File: m.file.Name}
	}
	return Position{File: m.file.Name, Line: s.a.Pos.Line, Column: s.a.Pos.Col}
}

func (m *model) jobPos(j *job) Position {
	if j.a.ID != nil && j.a.ID.Pos != nil {
		return Position{File: m.file.Name, Line: j.a.ID.Pos.Line, Column: j.a.ID.Pos.Col}
	}
	if j.a.Pos != nil {
		return Position{File: m.file.Name, Line: j.a.Pos.Line, Column: j.a.Pos.Col}
	}
	return Position{File: m.file.Name}
}

// line returns file line n (1-based), "" when out of range.
func (m *model) line(n int) string {
	if n < 1 || n > len(m.lines) {
		return ""
	}
	return m.lines[n-1]
}

// isBlock reports whether the YAML scalar s is a block scalar (| or >), and
// which indicator.
func (m *model) isBlock(s *actionlint.String) (byte, bool) {
	if s == nil || s.Pos == nil || s.Quoted {
		return 0, false
	}
	l := m.line(s.Pos.Line)
	c := s.Pos.Col - 1
	if c >= 0 && c < len(l) && (l[c] == '|' || l[c] == '>') {
		return l[c], true
	}
	return 0, false
}

// posOf maps a byte offset inside the value of scalar s to a file
// position. Literal block scalars and single-line scalars map exactly;
// folded or multi-line flow scalars are located by searching for the text.
func (m *model) posOf(s *actionlint.String, off int) Position {
	p := Position{File: m.file.Name}
	if s == nil || s.Pos == nil {
		return p
	}
	if off < 0 {
		off = 0
	}
	if off > len(s.Value) {
		off = len(s.Value)
	}
	k := strings.Count(s.Value[:off], "\n")
	lineStart := strings.LastIndexByte(s.Value[:off], '\n') + 1
	col := off - lineStart // 0-based within the value's line
	lineEnd := strings.IndexByte(s.Value[lineStart:], '\n')
	var lineText string
	if lineEnd < 0 {
		lineText = s.Value[lineStart:]
	} else {
		lineText = s.Value[lineStart : lineStart+lineEnd]
	}
	ind, block := m.isBlock(s)
	if block && ind == '|' {
		fl := s.Pos.Line + 1 + k
		indent := m.blockIndent(s.Pos.Line + 1)
		p.Line, p.Column = fl, indent+col+1
		if strings.HasPrefix(m.line(fl), strings.Repeat(" ", indent)+lineText) || lineText == "" {
			return p
		}
	} else if !block && k == 0 && !strings.Contains(s.Value, "\n") {
		c := s.Pos.Col + col
		if s.Quoted {
			c++
		}
		p.Line, p.Column = s.Pos.Line, c
		if l := m.line(p.Line); !s.Quoted && strings.HasPrefix(l[min(len(l), s.Pos.Col-1):], s.Value) {
			return p
		}
		if s.Quoted {
			return p
		}
	}
	// Search for the rest of this value line, from the scalar's line on.
	needle := strings.TrimSpace(lineText[min(col, len(lineText)):])
	if needle == "" {
		needle = strings.TrimSpace(lineText)
	}
	if needle != "" {
		for fl := s.Pos.Line; fl <= len(m.lines) && fl <= s.Pos.Line+k+200; fl++ {
			if i := strings.Index(m.line(fl), needle); i >= 0 {
				return Position{File: m.file.Name, Line: fl, Column: i + 1}
			}
		}
	}
	if p.Line == 0 {
		p.Line, p.Column = s.Pos.Line, s.Pos.Col
	}
	return p
}

// blockIndent is the indentation of the first non-blank line from line n.
func (m *model) blockIndent(n int) int {
	for ; n <= len(m.lines); n++ {
		l := m.line(n)
		t := strings.TrimLeft(l, " ")
		if t != "" {
			return len(l) - len(t)
		}
	}
	return 0
}

// valueLines splits a scalar's value into its non-empty lines with the
// file position of each (after leading whitespace).
type valueLine struct {
	text string
	pos  Position
	end  Position
}

func (m *model) valueLines(s *actionlint.String) []valueLine {
	if s == nil {
		return nil
	}
	var out []valueLine
	off := 0
	for _, l := range strings.SplitAfter(s.Value, "\n") {
		t := strings.TrimRight(l, "\r\n")
		lead := len(t) - len(strings.TrimLeft(t, " \t"))
		tt := strings.TrimSpace(t)
		if tt != "" {
			p := m.posOf(s, off+lead)
			e := p
			e.Column += len(tt)
			out = append(out, valueLine{text: tt, pos: p, end: e})
		}
		off += len(l)
	}
	return out
}

var exprRe = regexp.MustCompile(`\$\{\{[^}]*(?:\}[^}][^}]*)*\}\}`)

// shParsers reuses bash parsers: a syntax.Parser is large to allocate and
// resets itself on every Parse.
var shParsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangBash)) }}

// parseScript splits a run: script into simple commands. Scripts for a
// shell other than bash/sh are not modelled.
func (m *model) parseScript(e *actionlint.ExecRun, j *actionlint.Job) *script {
	sc := &script{}
	if e.Run == nil {
		return sc
	}
	sc.src = e.Run.Value
	shell := ""
	if e.Shell != nil {
		shell = e.Shell.Value
	} else if j.Defaults != nil && j.Defaults.Run != nil && j.Defaults.Run.Shell != nil {
		shell = j.Defaults.Run.Shell.Value
	} else if m.ast.Defaults != nil && m.ast.Defaults.Run != nil && m.ast.Defaults.Run.Shell != nil {
		shell = m.ast.Defaults.Run.Shell.Value
	}
	if f := strings.Fields(shell); len(f) > 0 {
		shell = f[0]
	}
	switch shell {
	case "", "bash", "sh":
	default:
		return sc
	}
	if j.RunsOn != nil {
		for _, l := range j.RunsOn.Labels {
			if l != nil && strings.Contains(strings.ToLower(l.Value), "windows") && shell == "" {
				return sc // pwsh by default
			}
		}
	}
	orig := sc.src
	// Replace ${{ }} with letters of the same length so that the shell
	// parser sees one literal and offsets stay those of the original.
	masked := []byte(orig)
	for _, loc := range exprRe.FindAllStringIndex(orig, -1) {
		for i := loc[0]; i < loc[1]; i++ {
			masked[i] = 'E'
		}
	}
	p := shParsers.Get().(*syntax.Parser)
	f, err := p.Parse(bytes.NewReader(masked), "")
	shParsers.Put(p)
	if err != nil {
		return sc
	}
	sc.modelled = true
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		var c command
		for _, w := range call.Args {
			c.args = append(c.args, m.shellWord(e.Run, orig, w))
		}
		sc.cmds = append(sc.cmds, c)
		return true
	})
	return sc
}

func (m *model) shellWord(run *actionlint.String, orig string, w *syntax.Word) word {
	var b strings.Builder
	dyn := false
	slice := func(a, z uint) string {
		if int(a) > len(orig) || int(z) > len(orig) || a > z {
			return ""
		}
		return orig[a:z]
	}
	var parts func(ps []syntax.WordPart)
	parts = func(ps []syntax.WordPart) {
		for _, part := range ps {
			switch x := part.(type) {
			case *syntax.Lit:
				s := slice(x.Pos().Offset(), x.End().Offset())
				b.WriteString(strings.ReplaceAll(s, "\\\n", ""))
			case *syntax.SglQuoted:
				a := x.Left.Offset() + 1
				if x.Dollar {
					a++
				}
				b.WriteString(slice(a, x.Right.Offset()))
			case *syntax.DblQuoted:
				parts(x.Parts)
			default:
				dyn = true
				b.WriteString(slice(part.Pos().Offset(), part.End().Offset()))
			}
		}
	}
	parts(w.Parts)
	return word{text: b.String(), dynamic: dyn,
		pos: m.posOf(run, int(w.Pos().Offset())), end: m.posOf(run, int(w.End().Offset()))}
}

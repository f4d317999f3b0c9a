package dockerfile

import (
	"path"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"mvdan.cc/sh/v3/syntax"
)

// shellWord is one word of a simple command with its place in the
// Dockerfile (1-based line and byte column; 0 when only the instruction's
// line is known, as for exec form).
type shellWord struct {
	text      string
	line, col int
	endCol    int  // column one past the word, on line
	literal   bool // no expansion, substitution or quote removal changed it
	quoted    bool
	multiline bool // the word spans lines
}

// shellCommand is one simple command of a RUN, CMD or ENTRYPOINT, found by
// walking the call expressions of mvdan.cc/sh's syntax tree: leading
// assignments and variables exported earlier in the same script are in env,
// wrappers (sudo, env, exec, nice, time, command) are dropped.
type shellCommand struct {
	env   map[string]string
	words []string
	pos   []shellWord
}

// name is the command's base name ("pip" for /usr/local/bin/pip).
func (c shellCommand) name() string {
	if len(c.words) == 0 {
		return ""
	}
	return path.Base(c.words[0])
}

// args are the words after the command name.
func (c shellCommand) args() []string {
	if len(c.words) < 2 {
		return nil
	}
	return c.words[1:]
}

// line is the Dockerfile line of the command's first word (0 if unknown).
func (c shellCommand) line() int {
	if len(c.pos) == 0 {
		return 0
	}
	return c.pos[0].line
}

// shellScript is a parsed script: its commands in source order, or the
// reason it could not be parsed.
type shellScript struct {
	cmds     []shellCommand
	parseErr string
}

// shellMaxScript bounds the script size handed to the shell parser.
const shellMaxScript = 1 << 20

// parseShell parses script, whose first byte sits at Dockerfile line
// baseLine, column baseCol. exact says the script's bytes are laid out as
// in the Dockerfile (lines and columns map one to one); otherwise every
// word is placed on baseLine, column 0.
func parseShell(script string, baseLine, baseCol int, exact bool) shellScript {
	return parseShellDepth(script, baseLine, baseCol, exact, 0)
}

func parseShellDepth(script string, baseLine, baseCol int, exact bool, depth int) shellScript {
	if len(script) > shellMaxScript {
		return shellScript{parseErr: "script longer than 1 MiB"}
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(syntax.ParseError); ok {
			msg = pe.Text
		}
		return shellScript{parseErr: msg}
	}
	w := shellWalker{baseLine: baseLine, baseCol: baseCol, exact: exact, exported: map[string]string{}, depth: depth}
	syntax.Walk(f, w.visit)
	return shellScript{cmds: w.cmds}
}

type shellWalker struct {
	baseLine, baseCol int
	exact             bool
	exported          map[string]string
	cmds              []shellCommand
	depth             int
}

func (w *shellWalker) place(p, end syntax.Pos) (line, col, endCol int, multi bool) {
	if !w.exact {
		return w.baseLine, 0, 0, false
	}
	line = w.baseLine + int(p.Line()) - 1
	col = int(p.Col())
	if p.Line() == 1 {
		col += w.baseCol - 1
	}
	endCol = int(end.Col())
	if end.Line() == 1 {
		endCol += w.baseCol - 1
	}
	return line, col, endCol, end.Line() != p.Line()
}

func (w *shellWalker) visit(n syntax.Node) bool {
	switch n := n.(type) {
	case *syntax.DeclClause:
		if n.Variant != nil && n.Variant.Value == "export" {
			for _, a := range n.Args {
				if a.Name != nil && a.Value != nil {
					w.exported[a.Name.Value] = wordText(a.Value)
				}
			}
		}
	case *syntax.CallExpr:
		if len(n.Args) == 0 {
			return true
		}
		cmd := shellCommand{env: map[string]string{}}
		for k, v := range w.exported {
			cmd.env[k] = v
		}
		for _, a := range n.Assigns {
			if a.Name != nil && a.Value != nil {
				cmd.env[a.Name.Value] = wordText(a.Value)
			} else if a.Name != nil {
				cmd.env[a.Name.Value] = ""
			}
		}
		for _, arg := range n.Args {
			sw := shellWord{text: wordText(arg)}
			sw.literal, sw.quoted = wordLiteral(arg)
			sw.line, sw.col, sw.endCol, sw.multiline = w.place(arg.Pos(), arg.End())
			cmd.words = append(cmd.words, sw.text)
			cmd.pos = append(cmd.pos, sw)
		}
		cmd = stripWrappers(cmd)
		if len(cmd.words) == 0 {
			return true
		}
		w.cmds = append(w.cmds, cmd)
		// sh -c "script" / bash -lc "script" runs another script: its
		// commands count as this RUN's, on the line of the script word.
		if inner, at, ok := shellCArg(cmd); ok && w.depth < 4 {
			sub := parseShellDepth(inner, cmd.pos[at].line, 0, false, w.depth+1)
			for _, c := range sub.cmds {
				for k, v := range cmd.env {
					if _, ok := c.env[k]; !ok {
						c.env[k] = v
					}
				}
				for i := range c.pos {
					c.pos[i].col = cmd.pos[at].col
				}
				w.cmds = append(w.cmds, c)
			}
		}
	}
	return true
}

// shellNames are the shells whose -c argument is a script.
var shellNames = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true}

// shellCArg finds the script of "sh -c SCRIPT" (or -lc, -ec, -euxc ...):
// the script and the index of its word.
func shellCArg(cmd shellCommand) (string, int, bool) {
	if !shellNames[cmd.name()] {
		return "", 0, false
	}
	for i := 1; i < len(cmd.words); i++ {
		a := cmd.words[i]
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			return "", 0, false
		}
		if strings.Contains(a, "c") && i+1 < len(cmd.words) {
			return cmd.words[i+1], i + 1, true
		}
	}
	return "", 0, false
}

// stripWrappers drops command wrappers: "sudo -E pip" is pip.
func stripWrappers(cmd shellCommand) shellCommand {
	for len(cmd.words) > 0 {
		switch path.Base(cmd.words[0]) {
		case "sudo", "exec", "nice", "time", "command", "nohup":
			cmd.words, cmd.pos = cmd.words[1:], cmd.pos[1:]
			for len(cmd.words) > 0 && strings.HasPrefix(cmd.words[0], "-") {
				cmd.words, cmd.pos = cmd.words[1:], cmd.pos[1:]
			}
			continue
		case "env":
			cmd.words, cmd.pos = cmd.words[1:], cmd.pos[1:]
			for len(cmd.words) > 0 && (strings.HasPrefix(cmd.words[0], "-") || assignRE.MatchString(cmd.words[0])) {
				if k, v, ok := strings.Cut(cmd.words[0], "="); ok && !strings.HasPrefix(k, "-") {
					cmd.env[k] = v
				}
				cmd.words, cmd.pos = cmd.words[1:], cmd.pos[1:]
			}
			continue
		}
		break
	}
	return cmd
}

var assignRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// wordText renders a word the way deploykit's rules compare it: quotes
// removed, parameter expansions and substitutions kept as written.
func wordText(w *syntax.Word) string {
	var b strings.Builder
	wordParts(&b, w.Parts)
	return b.String()
}

func wordParts(b *strings.Builder, parts []syntax.WordPart) {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			wordParts(b, p.Parts)
		case *syntax.ParamExp:
			if p.Param != nil {
				if p.Short {
					b.WriteString("$" + p.Param.Value)
				} else {
					b.WriteString("${" + p.Param.Value + "}")
				}
			} else {
				b.WriteString("$?")
			}
		case *syntax.CmdSubst:
			b.WriteString("$(...)")
		case *syntax.ArithmExp:
			b.WriteString("$((...))")
		default:
			b.WriteString("$?")
		}
	}
}

// wordLiteral reports whether w is plain text (no expansion), and whether
// any part of it was quoted.
func wordLiteral(w *syntax.Word) (literal, quoted bool) {
	literal = true
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "\\*?[") {
				literal = false
			}
		case *syntax.SglQuoted:
			quoted = true
		case *syntax.DblQuoted:
			quoted = true
			for _, q := range p.Parts {
				if _, ok := q.(*syntax.Lit); !ok {
					literal = false
				}
			}
		default:
			literal = false
		}
	}
	return literal, quoted
}

// scriptOfRun returns the shell script a RUN (or CMD/ENTRYPOINT) runs and
// where it starts, following BuildKit's rules: shell form runs the text
// after the flags (continuations included); a RUN that is only a heredoc
// runs the heredoc's body; other heredocs are part of the script; exec form
// runs a script only as ["sh"/"bash", "-c"..., SCRIPT].
type scriptSource struct {
	text        string
	line, col   int
	exact       bool
	notShell    string // why the command is not a shell script ("" if it is)
	execForm    []string
	hasHeredocs bool
}

// runScript computes the script of the instruction on lines [start, end].
func (m *lintModel) runScript(start, end int, cmdLine []string, prependShell bool, files []instructionFile) scriptSource {
	if !prependShell {
		src := scriptSource{execForm: cmdLine, line: start}
		if len(cmdLine) >= 3 && shellNames[path.Base(cmdLine[0])] {
			cmd := shellCommand{words: cmdLine, pos: make([]shellWord, len(cmdLine))}
			if s, _, ok := shellCArg(cmd); ok {
				src.text = s
				return src
			}
		}
		src.notShell = "exec form"
		return src
	}
	if len(files) > 0 && len(cmdLine) == 1 && parser.MustParseHeredoc(cmdLine[0]) != nil {
		data := files[0].data
		if strings.HasPrefix(data, "#!") {
			first, _, _ := strings.Cut(data, "\n")
			interp := strings.Fields(strings.TrimPrefix(first, "#!"))
			if len(interp) > 0 && path.Base(interp[0]) == "env" && len(interp) > 1 {
				interp = interp[1:]
			}
			if len(interp) == 0 || !shellNames[path.Base(interp[0])] {
				return scriptSource{notShell: "heredoc run by " + strings.TrimPrefix(first, "#!"), line: start}
			}
		}
		return scriptSource{text: data, line: start + 1, col: 1, exact: !files[0].chomp && m.escape == '\\', hasHeredocs: true}
	}
	if m.escape == '\\' && start >= 1 && end <= len(m.lines) && end >= start {
		if text, col, ok := rawShellText(m.lines[start-1 : end]); ok {
			return scriptSource{text: text, line: start, col: col, exact: true, hasHeredocs: len(files) > 0}
		}
	}
	text := strings.Join(cmdLine, " ")
	for _, f := range files {
		text += "\n" + f.data + f.name
	}
	return scriptSource{text: text, line: start, hasHeredocs: len(files) > 0}
}

// instructionFile is a heredoc of an instruction.
type instructionFile struct {
	name, data string
	chomp      bool
}

// rawShellText takes the source lines of a shell-form instruction and
// returns them with the keyword and flags blanked out, so that lines and
// columns map one to one; Dockerfile comment and blank lines inside a
// continuation (which BuildKit drops) become bare continuations.
func rawShellText(lines []string) (string, int, bool) {
	out := make([]string, len(lines))
	copy(out, lines)
	// Blank the keyword and the --flags.
	li, ci := 0, 0
	skipSpace := func() bool {
		for li < len(out) {
			s := out[li]
			for ci < len(s) && (s[ci] == ' ' || s[ci] == '\t') {
				ci++
			}
			if ci < len(s) && s[ci] == '\\' && strings.TrimSpace(s[ci+1:]) == "" {
				li, ci = li+1, 0
				continue
			}
			if ci >= len(s) {
				return false
			}
			return true
		}
		return false
	}
	blankToken := func() {
		s := []byte(out[li])
		for ci < len(s) && s[ci] != ' ' && s[ci] != '\t' {
			s[ci] = ' '
			ci++
		}
		out[li] = string(s)
	}
	if !skipSpace() {
		return "", 0, false
	}
	blankToken() // the keyword
	for skipSpace() && strings.HasPrefix(out[li][ci:], "--") {
		blankToken()
	}
	// Continuation lines that are comments or blank: BuildKit drops them.
	cont := false
	for i := range out {
		t := strings.TrimSpace(out[i])
		if cont && (t == "" || strings.HasPrefix(t, "#")) {
			out[i] = "\\"
			continue
		}
		cont = endsWithContinuation(out[i])
		if !cont && i > 0 {
			break
		}
	}
	return strings.Join(out, "\n") + "\n", 1, true
}

func endsWithContinuation(s string) bool {
	s = strings.TrimRight(s, " \t\r")
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// isPipInstall reports whether c is "pip install", "pip3 install" or
// "python -m pip install", and returns the arguments after "install".
func (c shellCommand) pipInstall() ([]string, bool) {
	w := c.words
	if len(w) >= 2 && isPipName(path.Base(w[0])) && w[1] == "install" {
		return w[2:], true
	}
	if len(w) >= 4 && isPythonName(path.Base(w[0])) && w[1] == "-m" && w[2] == "pip" && w[3] == "install" {
		return w[4:], true
	}
	return nil, false
}

var pipNameRE = regexp.MustCompile(`^pip[0-9.]*$`)
var pythonNameRE = regexp.MustCompile(`^python[0-9.]*$`)

func isPipName(s string) bool    { return pipNameRE.MatchString(s) }
func isPythonName(s string) bool { return pythonNameRE.MatchString(s) }

// sub reports whether c is "<name> <sub>" (e.g. "poetry install") and
// returns the arguments after the subcommand. Global options between the
// name and the subcommand are skipped.
func (c shellCommand) sub(name string, subs ...string) ([]string, bool) {
	if c.name() != name {
		return nil, false
	}
	for i := 1; i < len(c.words); i++ {
		w := c.words[i]
		if strings.HasPrefix(w, "-") {
			continue
		}
		for _, s := range subs {
			if w == s {
				return c.words[i+1:], true
			}
		}
		return nil, false
	}
	return nil, false
}

// subIndex is like sub but returns the index of the subcommand word.
func (c shellCommand) subIndex(name string, subs ...string) int {
	if c.name() != name {
		return -1
	}
	for i := 1; i < len(c.words); i++ {
		w := c.words[i]
		if strings.HasPrefix(w, "-") {
			continue
		}
		for _, s := range subs {
			if w == s {
				return i
			}
		}
		return -1
	}
	return -1
}

func shellHasFlag(args []string, flags ...string) bool {
	for _, a := range args {
		for _, f := range flags {
			if a == f || strings.HasPrefix(a, f+"=") {
				return true
			}
		}
	}
	return false
}

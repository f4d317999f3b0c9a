package cdn

import (
	"strconv"
	"strings"
)

// pyAssign is one assignment statement of a Python settings module, as far
// as the checker needs it: NAME (or NAME[...]) = VALUE.
type pyAssign struct {
	// Name is the assigned name, Target the whole target text ("STORAGES['staticfiles']").
	Name, Target string
	// Line and Col are where the target starts (1-based, byte column).
	Line, Col int
	// Value is the expression text, comment stripped, as written.
	Value string
	// ValueOff and ValueEnd are byte offsets of Value in the source.
	ValueOff, ValueEnd int
	// StmtOff and StmtEnd span the whole statement up to (not including) its
	// newline; LineEnd includes the newline.
	StmtOff, StmtEnd, LineEnd int
}

// pyString is one string literal, with its decoded-enough content.
type pyString struct {
	Text      string
	Off, Line int
	Col       int
}

// pyBlock is one block header (a logical line ending in ':'), for
// telling which if/else branch an assignment sits in.
type pyBlock struct {
	// Indent is the header's column - 1; Line its line.
	Indent, Line int
	// Kind is "if", "elif", "else" or "other" (def, class, for, try, ...).
	Kind string
	// Cond is the condition of an if or elif, comment stripped.
	Cond string
}

// maxSettingsSize bounds the checker's input.
const maxSettingsSize = 4 << 20

// scanPython splits src into logical lines (brackets, backslashes and
// triple-quoted strings join physical lines), and returns top-level-looking
// assignments (at any indentation, since settings often assign inside if
// blocks) and every string literal.
func scanPython(src []byte) (assigns []pyAssign, strs []pyString, blocks []pyBlock) {
	s := string(src)
	n := len(s)
	i := 0
	line := 1
	lineStart := 0
	for i < n {
		// One logical line from i.
		stmtOff := i
		stmtLine := line
		stmtCol := i - lineStart + 1
		depth := 0
		commentAt := -1
		end := -1
		for i < n && end < 0 {
			c := s[i]
			switch {
			case c == '#':
				if depth == 0 {
					commentAt = i
				}
				for i < n && s[i] != '\n' {
					i++
				}
				if depth == 0 {
					end = i
				}
				continue
			case c == '\'' || c == '"':
				quote := string(c)
				if strings.HasPrefix(s[i:], strings.Repeat(quote, 3)) {
					quote = strings.Repeat(quote, 3)
				}
				start := i
				sl, sc := line, i-lineStart+1
				i += len(quote)
				for i < n && !strings.HasPrefix(s[i:], quote) {
					if s[i] == '\\' && i+1 < n {
						if s[i+1] == '\n' {
							line++
							lineStart = i + 2
						}
						i += 2
						continue
					}
					if s[i] == '\n' {
						if len(quote) == 1 {
							break // unterminated: stop at the line end
						}
						line++
						lineStart = i + 1
					}
					i++
				}
				bodyEnd := i
				if i < n && strings.HasPrefix(s[i:], quote) {
					i += len(quote)
				}
				strs = append(strs, pyString{Text: s[start+len(quote) : bodyEnd], Off: start, Line: sl, Col: sc})
				continue
			case c == '(' || c == '[' || c == '{':
				depth++
			case c == ')' || c == ']' || c == '}':
				if depth > 0 {
					depth--
				}
			case c == '\\' && i+1 < n && s[i+1] == '\n':
				i += 2
				line++
				lineStart = i
				continue
			case c == '\n':
				if depth == 0 {
					end = i
					continue
				}
				line++
				lineStart = i + 1
			case c == ';' && depth == 0:
				end = i
				continue
			}
			i++
		}
		if end < 0 {
			end = n
		}
		stmtEnd := end
		if commentAt >= 0 && commentAt < stmtEnd && depth == 0 {
			stmtEnd = commentAt
		}
		lineEnd := end
		if lineEnd < n && s[lineEnd] == '\n' {
			lineEnd++
		}
		if a, ok := parseAssign(s, stmtOff, stmtEnd); ok {
			a.Line, a.Col = stmtLine, stmtCol
			a.LineEnd = lineEnd
			assigns = append(assigns, a)
		} else if b, ok := parseBlock(s[stmtOff:stmtEnd]); ok {
			b.Indent, b.Line = stmtCol-1, stmtLine
			blocks = append(blocks, b)
		}
		// Step over the terminator and leading indentation of the next line.
		if end < n {
			if s[end] == '\n' {
				line++
				lineStart = end + 1
			}
			i = end + 1
		}
		for i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++
		}
	}
	return assigns, strs, blocks
}

// parseBlock recognises a block header: a statement ending in ':' (an
// if/elif with its condition, an else, or any other compound statement).
func parseBlock(stmt string) (pyBlock, bool) {
	stmt = strings.TrimSpace(stmt)
	if !strings.HasSuffix(stmt, ":") {
		return pyBlock{}, false
	}
	body := strings.TrimSpace(strings.TrimSuffix(stmt, ":"))
	j := 0
	for j < len(body) && isIdent(body[j]) {
		j++
	}
	switch kw := body[:j]; kw {
	case "if", "elif":
		return pyBlock{Kind: kw, Cond: strings.TrimSpace(body[j:])}, true
	case "else":
		if j == len(body) {
			return pyBlock{Kind: "else"}, true
		}
	}
	return pyBlock{Kind: "other"}, true
}

// parseAssign recognises NAME[subscripts] = VALUE in s[off:end].
func parseAssign(s string, off, end int) (pyAssign, bool) {
	stmt := s[off:end]
	j := 0
	for j < len(stmt) && (isIdent(stmt[j]) || (j > 0 && stmt[j] >= '0' && stmt[j] <= '9')) {
		j++
	}
	if j == 0 || (stmt[0] >= '0' && stmt[0] <= '9') {
		return pyAssign{}, false
	}
	name := stmt[:j]
	if name == "if" || name == "elif" || name == "else" || name == "for" || name == "while" || name == "def" || name == "class" || name == "return" || name == "import" || name == "from" {
		return pyAssign{}, false
	}
	k := j
	for k < len(stmt) && stmt[k] == '[' {
		d := 0
		for k < len(stmt) {
			if stmt[k] == '[' {
				d++
			} else if stmt[k] == ']' {
				d--
				if d == 0 {
					k++
					break
				}
			}
			k++
		}
	}
	target := stmt[:k]
	for k < len(stmt) && (stmt[k] == ' ' || stmt[k] == '\t') {
		k++
	}
	if k >= len(stmt) || stmt[k] != '=' || (k+1 < len(stmt) && stmt[k+1] == '=') {
		return pyAssign{}, false
	}
	k++
	for k < len(stmt) && (stmt[k] == ' ' || stmt[k] == '\t') {
		k++
	}
	v := strings.TrimRight(stmt[k:], " \t\r")
	return pyAssign{Name: name, Target: target, Value: v, ValueOff: off + k, ValueEnd: off + k + len(v), StmtOff: off,
		StmtEnd: off + len(strings.TrimRight(stmt, " \t\r"))}, true
}

func isIdent(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// evalInt evaluates an integer expression of literals, + - * // and
// parentheses (what settings use for durations: 60 * 60 * 24 * 365).
// ok is false for anything else (names, calls, floats).
func evalInt(expr string) (v int64, ok bool) {
	p := &intParser{s: strings.TrimSpace(expr)}
	v, ok = p.sum(0)
	p.space()
	return v, ok && p.i == len(p.s)
}

type intParser struct {
	s string
	i int
}

func (p *intParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r' || p.s[p.i] == '\\') {
		p.i++
	}
}

const maxExprDepth = 32

func (p *intParser) sum(depth int) (int64, bool) {
	v, ok := p.product(depth)
	for ok {
		p.space()
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			op := p.s[p.i]
			p.i++
			w, ok2 := p.product(depth)
			if !ok2 {
				return 0, false
			}
			if op == '+' {
				v += w
			} else {
				v -= w
			}
			continue
		}
		break
	}
	return v, ok
}

func (p *intParser) product(depth int) (int64, bool) {
	v, ok := p.atom(depth)
	for ok {
		p.space()
		if strings.HasPrefix(p.s[p.i:], "//") {
			p.i += 2
			w, ok2 := p.atom(depth)
			if !ok2 || w == 0 {
				return 0, false
			}
			v /= w
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '*' && !strings.HasPrefix(p.s[p.i:], "**") {
			p.i++
			w, ok2 := p.atom(depth)
			if !ok2 {
				return 0, false
			}
			if v != 0 && (w > 1<<40 || v > 1<<40 || w < -(1<<40) || v < -(1<<40)) {
				return 0, false
			}
			v *= w
			continue
		}
		break
	}
	return v, ok
}

func (p *intParser) atom(depth int) (int64, bool) {
	if depth > maxExprDepth {
		return 0, false
	}
	p.space()
	if p.i >= len(p.s) {
		return 0, false
	}
	switch c := p.s[p.i]; {
	case c == '(':
		p.i++
		v, ok := p.sum(depth + 1)
		p.space()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return 0, false
		}
		p.i++
		return v, true
	case c == '-':
		p.i++
		v, ok := p.atom(depth + 1)
		return -v, ok
	case c >= '0' && c <= '9':
		j := p.i
		for j < len(p.s) && ((p.s[j] >= '0' && p.s[j] <= '9') || p.s[j] == '_') {
			j++
		}
		if j < len(p.s) && (p.s[j] == '.' || p.s[j] == 'e' || p.s[j] == 'x' || p.s[j] == 'j') {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(p.s[p.i:j], "_", ""), 10, 64)
		if err != nil || v > 1<<40 {
			return 0, false
		}
		p.i = j
		return v, true
	}
	return 0, false
}

// stringLiteral returns the content of a single plain string literal
// ('x', "x", with an optional r/u prefix), ok false for anything else.
func stringLiteral(expr string) (string, bool) {
	e := strings.TrimSpace(expr)
	// ("x") is the same string; settings wrap long names this way.
	for len(e) > 2 && e[0] == '(' && e[len(e)-1] == ')' {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	if len(e) > 0 && (e[0] == 'r' || e[0] == 'u' || e[0] == 'R' || e[0] == 'U') {
		e = e[1:]
	}
	if len(e) < 2 {
		return "", false
	}
	q := e[0]
	if (q != '\'' && q != '"') || e[len(e)-1] != q {
		return "", false
	}
	body := e[1 : len(e)-1]
	if strings.IndexByte(body, q) >= 0 || strings.Contains(body, "\\") {
		return "", false
	}
	return body, true
}

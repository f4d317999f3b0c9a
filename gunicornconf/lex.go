package gunicornconf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is a gunicorn.conf.py that is not valid Python (as far as the
// lexer can tell): gunicorn itself would stop with a SyntaxError.
type ParseError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error returns "file:line:column: message".
func (e *ParseError) Error() string {
	f := e.File
	if f == "" {
		f = "gunicorn.conf.py"
	}
	return fmt.Sprintf("%s:%d:%d: %s", f, e.Line, e.Column, e.Msg)
}

type tokKind int

const (
	tName tokKind = iota
	tNumber
	tString
	tOp
)

type token struct {
	kind      tokKind
	text      string // source text (for strings: the whole literal)
	str       string // decoded string value (tString)
	prefix    string // lower-cased string prefix (r, b, f, u, rb, ...)
	line, col int
}

// logicalLine is one Python logical line: the tokens up to a NEWLINE at
// bracket depth 0.
type logicalLine struct {
	indent int
	line   int
	toks   []token
	src    string // the source text of the line(s)
}

type lexer struct {
	file      string
	src       string
	pos       int
	line, col int // 1-based
}

func (lx *lexer) errf(line, col int, format string, a ...any) error {
	return &ParseError{File: lx.file, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
}

func (lx *lexer) peek(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.pos < len(lx.src); i++ {
		if lx.src[lx.pos] == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
		lx.pos++
	}
}

// lexLines splits src into logical lines.
func lexLines(file, src string) ([]logicalLine, error) {
	if !utf8.ValidString(src) {
		return nil, &ParseError{File: file, Line: 1, Column: 1, Msg: "file is not valid UTF-8"}
	}
	src = strings.TrimPrefix(src, "\ufeff")
	lx := &lexer{file: file, src: src, line: 1, col: 1}
	var lines []logicalLine
	for lx.pos < len(lx.src) {
		// Start of a physical line at depth 0: measure indentation.
		start := lx.pos
		indent := 0
		for lx.pos < len(lx.src) && (lx.src[lx.pos] == ' ' || lx.src[lx.pos] == '\t' || lx.src[lx.pos] == '\f') {
			if lx.src[lx.pos] == '\t' {
				indent = (indent/8 + 1) * 8
			} else if lx.src[lx.pos] == ' ' {
				indent++
			}
			lx.advance(1)
		}
		c := lx.peek(0)
		if c == '#' {
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance(1)
			}
		}
		c = lx.peek(0)
		if c == '\n' || c == '\r' {
			lx.advance(1)
			continue
		}
		if c == 0 {
			break
		}
		ll := logicalLine{indent: indent, line: lx.line, toks: make([]token, 0, 16)}
		depth := 0
		var stack []token
	lineLoop:
		for {
			c := lx.peek(0)
			switch {
			case c == 0:
				if depth > 0 {
					open := stack[len(stack)-1]
					return nil, lx.errf(open.line, open.col, "%q was never closed", open.text)
				}
				break lineLoop
			case c == '\n' || (c == '\r' && lx.peek(1) != '\n'):
				lx.advance(1)
				if depth == 0 {
					break lineLoop
				}
			case c == ' ' || c == '\t' || c == '\f' || c == '\r':
				lx.advance(1)
			case c == '#':
				for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
					lx.advance(1)
				}
			case c == '\\':
				if lx.peek(1) == '\n' {
					lx.advance(2)
				} else if lx.peek(1) == '\r' && lx.peek(2) == '\n' {
					lx.advance(3)
				} else {
					return nil, lx.errf(lx.line, lx.col, "unexpected character after line continuation character")
				}
			case isIdentStart(lx.src[lx.pos:]):
				line, col := lx.line, lx.col
				s := lx.pos
				for lx.pos < len(lx.src) {
					r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
					if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
						lx.advance(size)
						continue
					}
					break
				}
				word := lx.src[s:lx.pos]
				// String prefix?
				if q := lx.peek(0); (q == '"' || q == '\'') && isStringPrefix(word) {
					t, err := lx.lexString(strings.ToLower(word), line, col, s)
					if err != nil {
						return nil, err
					}
					ll.toks = append(ll.toks, t)
					continue
				}
				ll.toks = append(ll.toks, token{kind: tName, text: word, line: line, col: col})
			case c >= '0' && c <= '9' || (c == '.' && lx.peek(1) >= '0' && lx.peek(1) <= '9'):
				t, err := lx.lexNumber()
				if err != nil {
					return nil, err
				}
				ll.toks = append(ll.toks, t)
			case c == '"' || c == '\'':
				t, err := lx.lexString("", lx.line, lx.col, lx.pos)
				if err != nil {
					return nil, err
				}
				ll.toks = append(ll.toks, t)
			default:
				t, err := lx.lexOp()
				if err != nil {
					return nil, err
				}
				switch t.text {
				case "(", "[", "{":
					depth++
					stack = append(stack, t)
				case ")", "]", "}":
					if depth == 0 {
						return nil, lx.errf(t.line, t.col, "unmatched %q", t.text)
					}
					open := stack[len(stack)-1]
					if closer(open.text) != t.text {
						return nil, lx.errf(t.line, t.col, "closing %q does not match %q opened at line %d", t.text, open.text, open.line)
					}
					stack = stack[:len(stack)-1]
					depth--
				}
				ll.toks = append(ll.toks, t)
			}
		}
		ll.src = strings.TrimRight(lx.src[start:lx.pos], "\r\n")
		if len(ll.toks) > 0 {
			lines = append(lines, ll)
		}
	}
	return lines, nil
}

func closer(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	}
	return "}"
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

func (lx *lexer) lexOp() (token, error) {
	line, col := lx.line, lx.col
	c := lx.src[lx.pos]
	n := 0
	switch c {
	case '(', ')', '[', ']', '{', '}', ',', ';', '~', '.':
		n = 1
		if c == '.' && lx.peek(1) == '.' && lx.peek(2) == '.' {
			n = 3
		}
	case '+', '%', '&', '|', '^', '@', '=', '!':
		n = 1
		if lx.peek(1) == '=' {
			n = 2
		} else if c == '!' {
			n = 0
		}
	case '-':
		n = 1
		if lx.peek(1) == '=' || lx.peek(1) == '>' {
			n = 2
		}
	case ':':
		n = 1
		if lx.peek(1) == '=' {
			n = 2
		}
	case '*', '/', '<', '>':
		n = 1
		if lx.peek(1) == c {
			n = 2
			if lx.peek(2) == '=' {
				n = 3
			}
		} else if lx.peek(1) == '=' || (c == '<' && lx.peek(1) == '>') {
			n = 2
		}
	}
	if n == 0 {
		r, _ := utf8.DecodeRuneInString(lx.src[lx.pos:])
		return token{}, lx.errf(line, col, "invalid character %q in gunicorn.conf.py", r)
	}
	text := lx.src[lx.pos : lx.pos+n]
	lx.advance(n)
	return token{kind: tOp, text: text, line: line, col: col}, nil
}

func (lx *lexer) lexNumber() (token, error) {
	line, col := lx.line, lx.col
	s := lx.pos
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' || c == '_' }
	if lx.peek(0) == '0' && strings.IndexByte("xXoObB", lx.peek(1)) >= 0 {
		lx.advance(2)
		for lx.pos < len(lx.src) && (isHex(lx.src[lx.pos]) || lx.src[lx.pos] == '_') {
			lx.advance(1)
		}
	} else {
		for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
			lx.advance(1)
		}
		if lx.peek(0) == '.' {
			lx.advance(1)
			for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
				lx.advance(1)
			}
		}
		if c := lx.peek(0); c == 'e' || c == 'E' {
			n := 1
			if s := lx.peek(1); s == '+' || s == '-' {
				n = 2
			}
			if d := lx.peek(n); d >= '0' && d <= '9' {
				lx.advance(n)
				for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
					lx.advance(1)
				}
			}
		}
		if c := lx.peek(0); c == 'j' || c == 'J' {
			lx.advance(1)
		}
	}
	text := lx.src[s:lx.pos]
	if isIdentStart(lx.src[lx.pos:]) {
		return token{}, lx.errf(line, col, "invalid number literal %q", text+string(lx.src[lx.pos]))
	}
	// Python 3 rejects decimal integers with leading zeros ("022").
	if len(text) > 1 && text[0] == '0' && !strings.ContainsAny(text, "xXoObB.eEjJ") && strings.Trim(text, "0_") != "" {
		return token{}, lx.errf(line, col, "leading zeros in decimal integer literals are not permitted (%s); use an 0o prefix for octal integers, e.g. 0o%s", text, strings.TrimLeft(text, "0"))
	}
	return token{kind: tNumber, text: text, line: line, col: col}, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lexString reads a string literal whose quote starts at lx.pos; prefix is
// already consumed (start is where the prefix began).
func (lx *lexer) lexString(prefix string, line, col, start int) (token, error) {
	q := lx.peek(0)
	triple := lx.peek(1) == q && lx.peek(2) == q
	n := 1
	if triple {
		n = 3
	}
	lx.advance(n)
	raw := strings.ContainsRune(prefix, 'r')
	var b strings.Builder
	for {
		if lx.pos >= len(lx.src) {
			return token{}, lx.errf(line, col, "unterminated string literal")
		}
		c := lx.src[lx.pos]
		if c == q && (!triple || (lx.peek(1) == q && lx.peek(2) == q)) {
			lx.advance(n)
			break
		}
		if c == '\n' && !triple {
			return token{}, lx.errf(line, col, "unterminated string literal")
		}
		if c == '\\' {
			if lx.pos+1 >= len(lx.src) {
				return token{}, lx.errf(line, col, "unterminated string literal")
			}
			if raw {
				b.WriteByte('\\')
				b.WriteByte(lx.src[lx.pos+1])
				lx.advance(2)
				continue
			}
			s, size := decodeEscape(lx.src[lx.pos:])
			b.WriteString(s)
			lx.advance(size)
			continue
		}
		b.WriteByte(c)
		lx.advance(1)
	}
	return token{kind: tString, text: lx.src[start:lx.pos], str: b.String(), prefix: prefix, line: line, col: col}, nil
}

// decodeEscape decodes the escape sequence at the start of s (which begins
// with a backslash) and returns the text and the bytes consumed.
func decodeEscape(s string) (string, int) {
	c := s[1]
	switch c {
	case '\n':
		return "", 2
	case '\\', '\'', '"':
		return string(c), 2
	case 'n':
		return "\n", 2
	case 't':
		return "\t", 2
	case 'r':
		return "\r", 2
	case 'a':
		return "\a", 2
	case 'b':
		return "\b", 2
	case 'f':
		return "\f", 2
	case 'v':
		return "\v", 2
	case 'x':
		if len(s) >= 4 {
			if v, err := strconv.ParseUint(s[2:4], 16, 8); err == nil {
				return string(rune(v)), 4
			}
		}
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if len(s) >= 2+n {
			if v, err := strconv.ParseUint(s[2:2+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				return string(rune(v)), 2 + n
			}
		}
	}
	if c >= '0' && c <= '7' {
		end := 2
		for end < len(s) && end < 4 && s[end] >= '0' && s[end] <= '7' {
			end++
		}
		v, _ := strconv.ParseUint(s[1:end], 8, 16)
		return string(rune(v)), end
	}
	// Unknown escapes keep the backslash, as Python does.
	r, size := utf8.DecodeRuneInString(s[1:])
	return "\\" + string(r), 1 + size
}

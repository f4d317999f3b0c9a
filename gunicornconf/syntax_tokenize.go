package gunicornconf

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// The tokenizer of CPython 3.11 (Parser/tokenizer.c, tok_get), rewritten
// for the accept/reject decision of Parse: it turns the decoded source
// into the token stream CPython's parser sees (NAME, NUMBER, STRING, OP,
// NEWLINE, INDENT, DEDENT, ENDMARKER) or stops at the first error the
// tokenizer raises. tree-sitter's scanner is more forgiving (it skips a
// newline its grammar does not expect, accepts a backslash before the end
// of the file, ...); the recognizer (syntax_grammar.go) runs on these
// tokens instead.

type pyTokKind uint8

const (
	tkEnd pyTokKind = iota
	tkName
	tkNumber
	tkString
	tkOp
	tkNewline
	tkIndent
	tkDedent
)

type pyToken struct {
	kind       pyTokKind
	val        string // the text for NAME, NUMBER, STRING and OP
	start, end int    // byte offsets in the source
	line, col  int    // 1-based, col in bytes
}

// pyTokError is a tokenizer error at a byte offset.
type pyTokError struct {
	off       int
	line, col int // of off in the source (1-based)
	msg       string
}

// Tokenizer constants of tokenizer.c.
const (
	pyTabSize    = 8
	pyAltTabSize = 1
)

// The operators of Grammar/Tokens, three, two and one characters long.
// "<>" is a token (NOTEQUAL) that the parser accepts only under
// barry_as_FLUFL, which compile() does not set.
var (
	pyOps3 = map[string]bool{"**=": true, "...": true, "//=": true, "<<=": true, ">>=": true}
	pyOps2 = map[string]bool{"!=": true, "%=": true, "&=": true, "**": true, "*=": true, "+=": true, "-=": true,
		"->": true, "//": true, "/=": true, ":=": true, "<<": true, "<=": true, "<>": true, "==": true, ">=": true,
		">>": true, "@=": true, "^=": true, "|=": true}
	pyOps1 = map[byte]bool{'%': true, '&': true, '(': true, ')': true, '*': true, '+': true, ',': true, '-': true,
		'.': true, '/': true, ':': true, ';': true, '<': true, '=': true, '>': true, '@': true, '[': true, ']': true,
		'^': true, '{': true, '|': true, '}': true, '~': true}
)

type pyTokenizer struct {
	src     []byte
	text    string // src as a string, so that token texts share it
	pos     int
	line    int
	lineOff int // offset of the current line's first byte
	toks    []pyToken
	level   int    // bracket nesting
	parens  []byte // open brackets
	indents []int
	alts    []int
	// contIndent: a backslash continued some line's indentation.
	contIndent bool
}

func isPotentialIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 128
}

func isPotentialIdentChar(c byte) bool { return isPotentialIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// pyTokenize tokenizes a decoded source (UTF-8, lone carriage returns
// already turned into newlines). Like CPython's translate_newlines, a
// missing final newline is supplied.
func pyTokenize(src []byte) ([]pyToken, *pyTokError) {
	toks, _, err := pyTokenizeLines(src)
	return toks, err
}

// pyTokenizeLines is pyTokenize that also reports whether a statement
// line's indentation was continued with a backslash (tree-sitter reads
// such a line differently).
func pyTokenizeLines(src []byte) ([]pyToken, bool, *pyTokError) {
	// "\r\n" is a newline (the line numbers and the columns before it
	// stay as they are); a UTF-8 byte order mark is skipped. CPython's
	// translate_newlines (Parser/tokenizer.c) consumes the "\n" of a final
	// "\r\n" and then, its last character read being the end of the
	// string, supplies one more newline: a file ending in "\\\r\n" is a
	// backslash continued onto an empty line, which compiles, where one
	// ending in "\\\n" is "unexpected EOF".
	if bytes.Contains(src, []byte("\r\n")) {
		endsCRLF := bytes.HasSuffix(src, []byte("\r\n"))
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		if endsCRLF {
			src = append(src, '\n')
		}
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if len(src) == 0 || src[len(src)-1] != '\n' {
		src = append(src[:len(src):len(src)], '\n')
	}
	t := &pyTokenizer{src: src, text: string(src), line: 1, indents: []int{0}, alts: []int{0},
		toks: make([]pyToken, 0, len(src)/4+16)}
	if err := t.run(); err != nil {
		// The "\r\n" translation keeps lines and the columns before
		// the line end, so this source's line:col is the file's.
		err.line, err.col = lineCol(src, min(err.off, len(src)))
		return nil, t.contIndent, err
	}
	return t.toks, t.contIndent, nil
}

// at returns the byte at pos, or 0 at the end (the C tokenizer's EOF).
func (t *pyTokenizer) at(i int) byte {
	if i < len(t.src) {
		return t.src[i]
	}
	return 0
}

func (t *pyTokenizer) errf(off int, format string, a ...any) *pyTokError {
	return &pyTokError{off: off, msg: fmt.Sprintf(format, a...)}
}

func (t *pyTokenizer) emit(kind pyTokKind, start, end int) {
	t.toks = append(t.toks, pyToken{kind: kind, val: t.text[start:end], start: start, end: end,
		line: t.line, col: start - t.lineOff + 1})
}

// newline moves past the '\n' at pos.
func (t *pyTokenizer) newline() {
	t.pos++
	t.line++
	t.lineOff = t.pos
}

// continuation is tok_continuation_line: a backslash at pos must be
// followed by a newline, and that by more input.
func (t *pyTokenizer) continuation() *pyTokError {
	if t.at(t.pos+1) != '\n' {
		return t.errf(t.pos, "unexpected character after line continuation character")
	}
	t.pos++
	t.newline()
	if t.pos >= len(t.src) {
		return t.errf(t.pos-1, "unexpected EOF while parsing")
	}
	return nil
}

func (t *pyTokenizer) run() *pyTokError {
	atbol := true
	for {
		if atbol {
			atbol = false
			if err := t.indentation(); err != nil {
				return err
			}
		}
	again:
		for t.pos < len(t.src) && (t.src[t.pos] == ' ' || t.src[t.pos] == '\t' || t.src[t.pos] == '\f') {
			t.pos++
		}
		if t.at(t.pos) == '#' {
			for t.pos < len(t.src) && t.src[t.pos] != '\n' {
				t.pos++
			}
		}
		if t.pos >= len(t.src) {
			if t.level > 0 {
				return t.errf(len(t.src)-1, "'%c' was never closed", t.parens[0])
			}
			for len(t.indents) > 1 {
				t.indents, t.alts = t.indents[:len(t.indents)-1], t.alts[:len(t.alts)-1]
				t.emit(tkDedent, t.pos, t.pos)
			}
			t.emit(tkEnd, t.pos, t.pos)
			return nil
		}
		c := t.src[t.pos]
		start := t.pos
		switch {
		case c == '\n':
			blank := len(t.toks) == 0 || t.toks[len(t.toks)-1].kind == tkNewline ||
				t.toks[len(t.toks)-1].kind == tkIndent || t.toks[len(t.toks)-1].kind == tkDedent
			if t.level == 0 && !blank {
				t.emit(tkNewline, start, start+1)
			}
			t.newline()
			atbol = true
			continue
		case c == '\\':
			if err := t.continuation(); err != nil {
				return err
			}
			goto again
		case isPotentialIdentStart(c):
			if err := t.name(); err != nil {
				return err
			}
		case isDigit(c) || c == '.' && isDigit(t.at(t.pos+1)):
			if err := t.number(); err != nil {
				return err
			}
		case c == '\'' || c == '"':
			if err := t.str(start); err != nil {
				return err
			}
		default:
			if err := t.op(); err != nil {
				return err
			}
		}
	}
}

// indentation is the start of tok_get: the indentation of a line
// outside brackets becomes INDENT or DEDENT tokens; blank and
// comment-only lines do not count.
func (t *pyTokenizer) indentation() *pyTokError {
	col, alt, contCol := 0, 0, 0
	for {
		switch t.at(t.pos) {
		case ' ':
			col++
			alt++
		case '\t':
			col = (col/pyTabSize + 1) * pyTabSize
			alt = (alt/pyAltTabSize + 1) * pyAltTabSize
		case '\f':
			col, alt = 0, 0
		case '\\':
			// "the first one we find determines the level of
			// indentation of whatever comes next".
			if contCol == 0 {
				contCol = col
			}
			if err := t.continuation(); err != nil {
				return err
			}
			continue
		default:
			goto done
		}
		t.pos++
	}
done:
	c := t.at(t.pos)
	if c == '#' || c == '\n' || t.pos >= len(t.src) || t.level > 0 {
		// A blank line, a comment line, the end, or inside brackets.
		if t.pos < len(t.src) || t.level > 0 {
			return nil
		}
		col, alt = 0, 0 // the end of the file dedents to column 0
	}
	if contCol != 0 {
		col, alt = contCol, contCol
	}
	if contCol != 0 || t.pos > 0 && t.src[t.pos-1] == '\n' && t.pos > 1 && t.src[t.pos-2] == '\\' {
		t.contIndent = true
	}
	top := len(t.indents) - 1
	switch {
	case col == t.indents[top]:
		if alt != t.alts[top] {
			return t.errf(t.pos, "inconsistent use of tabs and spaces in indentation")
		}
	case col > t.indents[top]:
		if top+1 >= MaxIndentLevels {
			return t.errf(t.pos, "too many levels of indentation")
		}
		if alt <= t.alts[top] {
			return t.errf(t.pos, "inconsistent use of tabs and spaces in indentation")
		}
		t.indents, t.alts = append(t.indents, col), append(t.alts, alt)
		t.emit(tkIndent, t.pos, t.pos)
	default:
		for top > 0 && col < t.indents[top] {
			t.indents, t.alts = t.indents[:top], t.alts[:top]
			top--
			t.emit(tkDedent, t.pos, t.pos)
		}
		if col != t.indents[top] {
			return t.errf(t.pos, "unindent does not match any outer indentation level")
		}
		if alt != t.alts[top] {
			return t.errf(t.pos, "inconsistent use of tabs and spaces in indentation")
		}
	}
	return nil
}

// name reads an identifier, or the prefix of a string literal (b, r, u,
// f and their combinations, as tokenizer.c allows them).
func (t *pyTokenizer) name() *pyTokError {
	start := t.pos
	sawB, sawR, sawU, sawF := false, false, false, false
	for {
		c := t.at(t.pos)
		switch {
		case !(sawB || sawU || sawF) && (c == 'b' || c == 'B'):
			sawB = true
		case !(sawB || sawU || sawR || sawF) && (c == 'u' || c == 'U'):
			sawU = true
		case !(sawR || sawU) && (c == 'r' || c == 'R'):
			sawR = true
		case !(sawF || sawB || sawU) && (c == 'f' || c == 'F'):
			sawF = true
		default:
			goto rest
		}
		t.pos++
		if q := t.at(t.pos); q == '"' || q == '\'' {
			return t.str(start)
		}
	}
rest:
	for t.pos < len(t.src) && isPotentialIdentChar(t.src[t.pos]) {
		t.pos++
	}
	word := t.src[start:t.pos]
	for i := 0; i < len(word); {
		r, size := utf8.DecodeRune(word[i:])
		if r >= 0x80 || r == utf8.RuneError && size <= 1 {
			if !isIdentRune(r, i == 0) {
				return t.errf(start+i, "invalid character '%c' (U+%04X)", r, r)
			}
		}
		i += size
	}
	t.emit(tkName, start, t.pos)
	return nil
}

// verifyEndOfNumber is verify_end_of_number: a number directly followed
// by a letter is an error, except before the keywords that may follow a
// number in valid code (and, else, for, if, in, is, not, or: a warning in
// 3.11).
func (t *pyTokenizer) verifyEndOfNumber(kind string) *pyTokError {
	c := t.at(t.pos)
	rest := string(t.src[t.pos:min(t.pos+4, len(t.src))])
	ok := false
	switch c {
	case 'a':
		ok = len(rest) >= 3 && rest[1:3] == "nd"
	case 'e':
		ok = len(rest) >= 4 && rest[1:4] == "lse"
	case 'f':
		ok = len(rest) >= 3 && rest[1:3] == "or"
	case 'i':
		ok = len(rest) >= 2 && (rest[1] == 'f' || rest[1] == 'n' || rest[1] == 's')
	case 'o':
		ok = len(rest) >= 2 && rest[1] == 'r'
	case 'n':
		ok = len(rest) >= 3 && rest[1:3] == "ot"
	}
	if !ok && isPotentialIdentChar(c) {
		return t.errf(t.pos, "invalid %s literal", kind)
	}
	return nil
}

// decimalTail is tok_decimal_tail: digits with single underscores
// between them.
func (t *pyTokenizer) decimalTail() *pyTokError {
	for {
		for isDigit(t.at(t.pos)) {
			t.pos++
		}
		if t.at(t.pos) != '_' {
			return nil
		}
		t.pos++
		if !isDigit(t.at(t.pos)) {
			return t.errf(t.pos, "invalid decimal literal")
		}
	}
}

// number reads a number literal as tok_get does.
func (t *pyTokenizer) number() *pyTokError {
	start := t.pos
	done := func() *pyTokError { t.emit(tkNumber, start, t.pos); return nil }
	radix := func(kind string, ok func(byte) bool, isOct bool) *pyTokError {
		t.pos += 2
		for {
			if t.at(t.pos) == '_' {
				t.pos++
			}
			if !ok(t.at(t.pos)) {
				if isOct && isDigit(t.at(t.pos)) {
					return t.errf(t.pos, "invalid digit '%c' in octal literal", t.at(t.pos))
				}
				if kind == "binary" && isDigit(t.at(t.pos)) {
					return t.errf(t.pos, "invalid digit '%c' in binary literal", t.at(t.pos))
				}
				return t.errf(t.pos, "invalid %s literal", kind)
			}
			for ok(t.at(t.pos)) {
				t.pos++
			}
			if t.at(t.pos) != '_' {
				break
			}
		}
		if (isOct || kind == "binary") && isDigit(t.at(t.pos)) {
			return t.errf(t.pos, "invalid digit '%c' in %s literal", t.at(t.pos), kind)
		}
		if err := t.verifyEndOfNumber(kind); err != nil {
			return err
		}
		return done()
	}
	c := t.at(t.pos)
	if c == '.' {
		t.pos++
		goto fraction
	}
	if c == '0' {
		switch t.at(t.pos + 1) {
		case 'x', 'X':
			return radix("hexadecimal", isHexDigit, false)
		case 'o', 'O':
			return radix("octal", func(b byte) bool { return b >= '0' && b <= '7' }, true)
		case 'b', 'B':
			return radix("binary", func(b byte) bool { return b == '0' || b == '1' }, false)
		}
		// Zeros, maybe an old-style octal (refused), a float or an
		// imaginary number.
		t.pos++
		for {
			if t.at(t.pos) == '_' {
				t.pos++
				if !isDigit(t.at(t.pos)) {
					return t.errf(t.pos, "invalid decimal literal")
				}
			}
			if t.at(t.pos) != '0' {
				break
			}
			t.pos++
		}
		nonzero := false
		if isDigit(t.at(t.pos)) {
			nonzero = true
			if err := t.decimalTail(); err != nil {
				return err
			}
		}
		switch t.at(t.pos) {
		case '.':
			t.pos++
			goto fraction
		case 'e', 'E':
			goto exponent
		case 'j', 'J':
			goto imaginary
		}
		if nonzero {
			return t.errf(start, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
		}
		if err := t.verifyEndOfNumber("decimal"); err != nil {
			return err
		}
		return done()
	}
	if err := t.decimalTail(); err != nil {
		return err
	}
	if t.at(t.pos) == '.' {
		t.pos++
		goto fraction
	}
	goto exponentOrEnd
fraction:
	if isDigit(t.at(t.pos)) {
		if err := t.decimalTail(); err != nil {
			return err
		}
	}
exponentOrEnd:
	if c := t.at(t.pos); c == 'e' || c == 'E' {
		goto exponent
	}
	goto imaginaryOrEnd
exponent:
	{
		e := t.pos
		t.pos++
		if c := t.at(t.pos); c == '+' || c == '-' {
			t.pos++
			if !isDigit(t.at(t.pos)) {
				return t.errf(t.pos, "invalid decimal literal")
			}
		} else if !isDigit(c) {
			// "1e" followed by no digit: the number ends before the e,
			// which must then start one of the keywords.
			t.pos = e
			if err := t.verifyEndOfNumber("decimal"); err != nil {
				return err
			}
			return done()
		}
		if err := t.decimalTail(); err != nil {
			return err
		}
	}
imaginaryOrEnd:
	if c := t.at(t.pos); c == 'j' || c == 'J' {
		goto imaginary
	}
	if err := t.verifyEndOfNumber("decimal"); err != nil {
		return err
	}
	return done()
imaginary:
	t.pos++
	if err := t.verifyEndOfNumber("imaginary"); err != nil {
		return err
	}
	return done()
}

// str reads a string literal whose prefix starts at start and whose quote
// is at pos. A backslash skips the character after it (a newline too).
func (t *pyTokenizer) str(start int) *pyTokError {
	quote := t.src[t.pos]
	line, lineOff := t.line, t.lineOff
	size := 1
	if t.at(t.pos+1) == quote && t.at(t.pos+2) == quote {
		size = 3
	}
	t.pos += size
	run := 0
	if size == 1 && t.at(t.pos) == quote {
		t.pos++
		goto done
	}
	for run != size {
		if t.pos >= len(t.src) || size == 1 && t.src[t.pos] == '\n' {
			t.line, t.lineOff = line, lineOff
			if size == 3 {
				return t.errf(start, "unterminated triple-quoted string literal")
			}
			return t.errf(start, "unterminated string literal")
		}
		c := t.src[t.pos]
		if c == quote {
			run++
			t.pos++
			continue
		}
		run = 0
		if c == '\\' {
			t.pos++
			c = t.at(t.pos)
		}
		if c == '\n' {
			t.newline()
		} else if t.pos < len(t.src) {
			t.pos++
		}
	}
done:
	t.toks = append(t.toks, pyToken{kind: tkString, val: t.text[start:t.pos], start: start, end: t.pos,
		line: line, col: start - lineOff + 1})
	return nil
}

// op reads an operator or a bracket; a character that is none of them is
// an error (CPython's parser fails on the OP token it makes of it).
func (t *pyTokenizer) op() *pyTokError {
	start := t.pos
	rest := t.src[t.pos:min(t.pos+3, len(t.src))]
	n := 0
	switch {
	case len(rest) == 3 && pyOps3[string(rest)]:
		n = 3
	case len(rest) >= 2 && pyOps2[string(rest[:2])]:
		n = 2
	case pyOps1[rest[0]]:
		n = 1
	default:
		return t.errf(start, "invalid syntax at %q", string(rest[:1]))
	}
	switch c := rest[0]; {
	case n == 1 && (c == '(' || c == '[' || c == '{'):
		if t.level >= MaxBracketNesting {
			return t.errf(start, "too many nested parentheses")
		}
		t.level++
		t.parens = append(t.parens, c)
	case n == 1 && (c == ')' || c == ']' || c == '}'):
		if t.level == 0 {
			return t.errf(start, "unmatched '%c'", c)
		}
		open := t.parens[len(t.parens)-1]
		if open == '(' && c != ')' || open == '[' && c != ']' || open == '{' && c != '}' {
			return t.errf(start, "closing parenthesis '%c' does not match opening parenthesis '%c'", c, open)
		}
		t.level--
		t.parens = t.parens[:len(t.parens)-1]
	}
	t.pos += n
	t.emit(tkOp, start, t.pos)
	return nil
}

// isIdentRune reports whether a non-ASCII rune may start (first) or
// continue a Python identifier (syntax_xid_table.go, from CPython's
// Unicode database).
func isIdentRune(r rune, first bool) bool {
	if r == utf8.RuneError {
		return false
	}
	if first {
		return unicode.Is(pyXIDStart, r)
	}
	return unicode.Is(pyXIDContinue, r)
}

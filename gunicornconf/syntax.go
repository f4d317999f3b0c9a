package gunicornconf

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the parser. They follow CPython 3.11, so that a file deploykit
// refuses is one CPython refuses too.
const (
	// MaxFileSize is the largest gunicorn.conf.py Parse reads (4 MiB).
	MaxFileSize = 4 << 20
	// MaxBracketNesting is CPython's tokenizer limit on nested (, [ and {
	// (MAXLEVEL): "too many nested parentheses".
	MaxBracketNesting = 200
	// MaxIndentLevels is CPython's tokenizer limit on indentation levels
	// (MAXINDENT): "too many levels of indentation".
	MaxIndentLevels = 100
	// MaxExpressionDepth is the deepest syntax tree accepted, CPython's
	// "maximum recursion depth exceeded during compilation" (3 × the
	// default recursion limit of 1000, less the frames of the module and
	// the statement).
	MaxExpressionDepth = 2990
)

// ParseError is a gunicorn.conf.py that is not valid Python 3: gunicorn
// itself would stop with a SyntaxError (or, for a file too deeply nested,
// a RecursionError) before reading any setting. File, Line and Column
// (1-based, bytes) name the first error and Msg says what was expected;
// Errors lists every error found, the first one included.
type ParseError struct {
	File         string
	Line, Column int
	Msg          string
	// Errors holds every syntax error, in source order.
	Errors []SyntaxError
	// NotModelled is set when the file is refused only because it uses
	// Python whose compile-time rules deploykit does not check (a match
	// statement: unreachable or repeated captures, alternatives binding
	// different names). CPython may accept such a file; deploykit
	// refuses it rather than guess.
	NotModelled bool
}

// SyntaxError is one place where a file is not valid Python 3.
type SyntaxError struct {
	Line, Column       int
	EndLine, EndColumn int
	Msg                string
}

// Error returns "file:line:column: message" for the first error, and a
// count of the others.
func (e *ParseError) Error() string {
	f := e.File
	if f == "" {
		f = "gunicorn.conf.py"
	}
	s := fmt.Sprintf("%s:%d:%d: %s", f, e.Line, e.Column, e.Msg)
	if n := len(e.Errors) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more syntax error(s))", n)
	}
	return s
}

// node is a syntax-tree node copied out of tree-sitter into Go memory, so
// that the evaluator walks plain structs (no cgo call per step).
type node struct {
	kind           string
	field          string
	named, missing bool
	start, end     int
	line, col      int // 1-based; col counts bytes
	eline, ecol    int
	kids           []*node
	parent         *node
}

func (n *node) text(src []byte) string { return string(src[n.start:n.end]) }

// child returns the first child with the field name, or nil.
func (n *node) child(field string) *node {
	for _, k := range n.kids {
		if k.field == field {
			return k
		}
	}
	return nil
}

// namedKids returns the named children that are not comments.
func (n *node) namedKids() []*node {
	out := make([]*node, 0, len(n.kids))
	for _, k := range n.kids {
		if k.named && k.kind != "comment" && k.kind != "line_continuation" {
			out = append(out, k)
		}
	}
	return out
}

// hasToken reports whether n has an anonymous child token tok.
func (n *node) hasToken(tok string) bool {
	for _, k := range n.kids {
		if !k.named && k.kind == tok {
			return true
		}
	}
	return false
}

// syntaxTree parses src with tree-sitter's Python grammar and returns the
// tree in Go memory and the source it indexes (decoded to UTF-8, newlines
// translated), or a *ParseError listing every syntax error: the
// grammar's ERROR and MISSING nodes, and what CPython 3.11's tokenizer and
// compiler reject although the grammar accepts it (Python 2 statements,
// leading-zero integers, inconsistent tabs, misplaced return or yield,
// invalid assignment targets, argument order, ...).
func syntaxTree(path string, src []byte) (*node, []byte, error) {
	pe := &ParseError{File: path}
	if len(src) > MaxFileSize {
		pe.add(1, 1, 0, 0, fmt.Sprintf("file is %d bytes; deploykit reads at most %d", len(src), MaxFileSize))
		return nil, nil, pe.done()
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		l, c := lineCol(src, i)
		pe.add(l, c, 0, 0, "source code cannot contain null bytes")
		return nil, nil, pe.done()
	}
	// Lone carriage returns end lines before the coding declaration is
	// looked for ("\r#coding:x" declares it on line 2, as for CPython).
	src = translateNewlines(src)
	src, encNotModelled, err := decodeSource(src)
	if err != nil {
		pe.add(1, 1, 0, 0, err.Error())
		return nil, nil, pe.done()
	}
	if encNotModelled != "" {
		pe.add(1, 1, 0, 0, "not modelled: "+encNotModelled+"; deploykit refuses the file rather than guess")
		pe.NotModelled = true
		return nil, nil, pe.done()
	}
	root, tooDeep, err := flatTree(src, MaxExpressionDepth)
	if err != nil {
		pe.add(1, 1, 0, 0, err.Error())
		return nil, nil, pe.done()
	}
	if tooDeep != nil {
		pe.add(tooDeep.line, tooDeep.col, 0, 0, "too deeply nested: maximum recursion depth exceeded during compilation")
		return nil, nil, pe.done()
	}
	c := &checker{src: src, pe: pe}
	if !utf8.Valid(src) {
		// CPython decodes tokens, not comments: invalid UTF-8 is an error
		// everywhere except inside a comment.
		comments := map[int]bool{}
		for _, t := range leaves(root) {
			if t.kind == "comment" {
				for i := t.start; i < t.end; i++ {
					comments[i] = true
				}
			}
		}
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 && !comments[i] {
				l, col := lineCol(src, i)
				pe.add(l, col, 0, 0, fmt.Sprintf("(unicode error) 'utf-8' codec can't decode byte 0x%02x", src[i]))
				return nil, nil, pe.done()
			}
			i += size
		}
	}
	// CPython 3.11's tokenizer, grammar and literal rules decide what is
	// Python; tree-sitter's errors and the lexical checks below only name
	// the problem better when CPython rejects the file too.
	grammarErr := c.cpythonGrammar()
	if !c.brackets(root) {
		c.grammarErrors(root)
	}
	if len(pe.Errors) > 0 {
		if grammarErr == nil {
			// Valid Python 3.11 that tree-sitter's grammar cannot read
			// (`a, *(b, c) = seq`): the evaluator has no tree for it.
			first := pe.Errors[0]
			pe.Errors = nil
			c.notModelled = &node{line: first.Line, col: first.Column}
			c.notModelledWhat = "valid Python that tree-sitter's grammar does not read (" + first.Msg + ")"
			return nil, nil, c.refuseNotModelled()
		}
		return nil, nil, pe.done()
	}
	if grammarErr != nil {
		if len(root.kids) > 0 && root.kids[0].col > 1 && root.kids[0].kind != "comment" &&
			indentWidth(src[root.kids[0].start-(root.kids[0].col-1):root.kids[0].start]) > 0 {
			pe.add(root.kids[0].line, root.kids[0].col, 0, 0, "unexpected indent")
		}
		if len(pe.Errors) == 0 {
			c.tokens(root)
			c.logicalLines(root)
			c.indentation(root)
		}
		if len(pe.Errors) == 0 {
			pe.Errors = append(pe.Errors, *grammarErr)
		}
		return nil, nil, pe.done()
	}
	if c.notModelled != nil {
		return nil, nil, c.refuseNotModelled()
	}
	if st := c.misreadStatement(root); st != nil {
		c.notModelled = st
		c.notModelledWhat = "valid Python whose statements tree-sitter's grammar reads differently"
		return nil, nil, c.refuseNotModelled()
	}
	c.compile(root, scope{}, nil)
	if len(pe.Errors) == 0 {
		c.symbols(root)
	}
	if len(pe.Errors) == 0 && c.notModelled != nil {
		return nil, nil, c.refuseNotModelled()
	}
	if len(pe.Errors) > 0 {
		return nil, nil, pe.done()
	}
	return root, src, nil
}

func (pe *ParseError) add(line, col, eline, ecol int, msg string) {
	pe.Errors = append(pe.Errors, SyntaxError{Line: line, Column: col, EndLine: eline, EndColumn: ecol, Msg: msg})
}

func (pe *ParseError) done() error {
	sort.SliceStable(pe.Errors, func(i, j int) bool {
		a, b := pe.Errors[i], pe.Errors[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	// One error per position.
	out := pe.Errors[:0]
	for i, e := range pe.Errors {
		if i > 0 && e.Line == out[len(out)-1].Line && e.Column == out[len(out)-1].Column {
			continue
		}
		out = append(out, e)
	}
	pe.Errors = out
	pe.Line, pe.Column, pe.Msg = out[0].Line, out[0].Column, out[0].Msg
	return pe
}

func lineCol(src []byte, off int) (int, int) {
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, off - start + 1
}

var codingCookie = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

// Codec names Python 3.11 reads as UTF-8, ASCII and Latin-1: the codec
// and its aliases in Lib/encodings/aliases.py (CPython v3.11.7), keyed by
// encodings.normalize_encoding's form (lower case, other runs of
// punctuation than '.' as '_').
var (
	utf8Codecs   = map[string]bool{"utf_8": true, "cp65001": true, "u8": true, "utf": true, "utf8": true, "utf8_ucs2": true, "utf8_ucs4": true}
	asciiCodecs  = map[string]bool{"ascii": true, "646": true, "ansi_x3.4_1968": true, "ansi_x3.4_1986": true, "ansi_x3_4_1968": true, "cp367": true, "csascii": true, "ibm367": true, "iso646_us": true, "iso_646.irv_1991": true, "iso_ir_6": true, "us": true, "us_ascii": true}
	latin1Codecs = map[string]bool{"latin_1": true, "8859": true, "cp819": true, "csisolatin1": true, "ibm819": true, "iso8859": true, "iso8859_1": true, "iso_8859_1": true, "iso_8859_1_1987": true, "iso_ir_100": true, "l1": true, "latin": true, "latin1": true}
	nonCodecChar = regexp.MustCompile(`[^a-z0-9.]+`)
)

// decodeSource honours a PEP 263 coding declaration on the first two
// lines as CPython's tokenizer does (get_normal_name, then the codec
// registry): Latin-1 sources are converted to UTF-8 (so columns after a
// non-ASCII character count UTF-8 bytes); UTF-8 is read as it is; an
// ASCII source must be ASCII throughout. Any other codec is not modelled
// (the second result names it): CPython may read the file, deploykit does
// not decode it.
func decodeSource(src []byte) ([]byte, string, error) {
	lines := bytes.SplitN(src, []byte{'\n'}, 3)
	for i := 0; i < len(lines) && i < 2; i++ {
		m := codingCookie.FindSubmatch(lines[i])
		if m == nil {
			if i == 0 && len(bytes.TrimLeft(lines[0], " \t\f\r")) > 0 && bytes.TrimLeft(lines[0], " \t\f\r")[0] != '#' {
				break // the cookie must be on a comment-only line
			}
			continue
		}
		// get_normal_name: the first 12 characters, lower case, '_' as '-'.
		enc := string(m[1])
		normal := strings.ReplaceAll(strings.ToLower(enc[:min(len(enc), 12)]), "_", "-")
		codec := strings.Trim(nonCodecChar.ReplaceAllString(strings.ToLower(enc), "_"), "_")
		switch {
		case normal == "utf-8" || strings.HasPrefix(normal, "utf-8-"):
			return src, "", nil
		case utf8Codecs[codec]:
			// An alias is decoded by the codec, comments included.
			if !utf8.Valid(src) {
				return nil, "", fmt.Errorf("(unicode error) 'utf-8' codec can't decode the source (coding %q)", enc)
			}
			return src, "", nil
		case normal == "latin-1" || normal == "iso-8859-1" || normal == "iso-latin-1" || strings.HasPrefix(normal, "latin-1-") ||
			strings.HasPrefix(normal, "iso-8859-1-") || strings.HasPrefix(normal, "iso-latin-1-") || latin1Codecs[codec]:
			var b strings.Builder
			for _, c := range src {
				b.WriteRune(rune(c))
			}
			return []byte(b.String()), "", nil
		case asciiCodecs[codec]:
			for j, c := range src {
				if c >= 0x80 {
					l, col := lineCol(src, j)
					return nil, "", fmt.Errorf("%d:%d: (unicode error) 'ascii' codec can't decode byte 0x%02x", l, col, c)
				}
			}
			return src, "", nil
		default:
			return src, fmt.Sprintf("a %q coding declaration (deploykit decodes UTF-8, ASCII and Latin-1 only)", enc), nil
		}
	}
	return src, "", nil
}

// checker finds what CPython rejects in a tree.
type checker struct {
	src []byte
	pe  *ParseError
	// notModelled is the first construct the checks do not cover;
	// notModelledWhat names it when it is not a node kind of its own.
	notModelled     *node
	notModelledWhat string
	// futureLine is the line of the last leading __future__ import (-1:
	// none), set by futureImports.
	futureLine int
	// ends are the positions of CPython's NEWLINE and ';' tokens, in
	// order (cpythonGrammar).
	ends []pyToken
}

func (c *checker) errAt(n *node, format string, a ...any) {
	c.pe.add(n.line, n.col, n.eline, n.ecol, fmt.Sprintf(format, a...))
}

// grammarErrors reports ERROR and MISSING nodes, outermost only, without
// recursion.
func (c *checker) grammarErrors(root *node) {
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.kind == "ERROR" && c.exceptStar(n):
			// `except *E:` with a space: the grammar knows only the
			// token `except*`. except* is not modelled either way.
			if c.notModelled == nil {
				c.notModelled = n
			}
			continue
		case n.kind == "ERROR":
			c.errAt(n, "%s", c.describeError(n))
			continue
		case n.missing:
			what := n.kind
			if !n.named {
				what = "'" + what + "'"
			}
			c.errAt(n, "invalid syntax: expected %s", what)
			continue
		}
		for i := len(n.kids) - 1; i >= 0; i-- {
			stack = append(stack, n.kids[i])
		}
	}
}

// leaves returns the tokens under n in source order, without recursion.
func leaves(n *node) []*node {
	var out []*node
	stack := []*node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(x.kids) == 0 {
			out = append(out, x)
			continue
		}
		for i := len(x.kids) - 1; i >= 0; i-- {
			stack = append(stack, x.kids[i])
		}
	}
	return out
}

// brackets reports unbalanced brackets the way CPython's tokenizer does
// and returns whether it found any.
func (c *checker) brackets(root *node) bool {
	var open []*node
	pairs := map[string]string{")": "(", "]": "[", "}": "{"}
	for _, t := range leaves(root) {
		if t.named || t.missing || t.end == t.start {
			continue
		}
		switch t.kind {
		case "(", "[", "{":
			open = append(open, t)
		case ")", "]", "}":
			if len(open) == 0 {
				c.errAt(t, "unmatched '%s'", t.kind)
				return true
			}
			o := open[len(open)-1]
			if pairs[t.kind] != o.kind {
				if o.line != t.line {
					c.errAt(t, "closing parenthesis '%s' does not match opening parenthesis '%s' on line %d", t.kind, o.kind, o.line)
				} else {
					c.errAt(t, "closing parenthesis '%s' does not match opening parenthesis '%s'", t.kind, o.kind)
				}
				return true
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		c.errAt(open[0], "'%s' was never closed", open[0].kind)
		return true
	}
	return false
}

var compoundHeads = map[string]bool{"if": true, "elif": true, "else": true, "for": true, "while": true, "def": true,
	"class": true, "with": true, "try": true, "except": true, "finally": true}

// describeError names the first token of an ERROR node; a compound
// statement's header without its colon gets CPython's "expected ':'" at
// the end of the header line.
func (c *checker) describeError(n *node) string {
	ls := leaves(n)
	for _, t := range ls {
		switch {
		case t.kind == "ERROR" || (t.named && t.kind == "ERROR"):
			r, _ := utf8.DecodeRuneInString(t.text(c.src))
			n.line, n.col = t.line, t.col
			return fmt.Sprintf("invalid character '%c' (U+%04X)", r, r)
		case t.kind == "\\" && !t.named:
			n.line, n.col = t.line, t.col
			return "unexpected character after line continuation character"
		case (t.kind == "integer" || t.kind == "float") && t.end < len(c.src):
			if r, _ := utf8.DecodeRune(c.src[t.end:]); r == '_' || unicode.IsLetter(r) {
				n.line, n.col = t.line, t.col
				return "invalid number literal: a digit is followed by " + strconv.QuoteRune(r) + " (invalid decimal literal)"
			}
		}
	}
	if len(ls) > 1 && compoundHeads[ls[0].kind] && !ls[0].named {
		last := ls[0]
		hasColon := false
		for _, t := range ls {
			if t.line != ls[0].line {
				break
			}
			if t.kind == ":" && !t.named {
				hasColon = true
			}
			last = t
		}
		if !hasColon {
			n.line, n.col = last.eline, last.ecol
			return "expected ':'"
		}
	}
	first := n
	for len(first.kids) > 0 {
		first = first.kids[0]
	}
	tok := strings.TrimSpace(first.text(c.src))
	if len(tok) > 20 {
		tok = tok[:20] + "..."
	}
	switch {
	case tok == "":
		return "invalid syntax"
	case strings.HasPrefix(tok, "\"") || strings.HasPrefix(tok, "'"):
		if first.line != first.eline || first.kind == "string_start" {
			return "invalid syntax (unterminated string literal?)"
		}
	}
	return fmt.Sprintf("invalid syntax at %q", tok)
}

var (
	reDecimal  = regexp.MustCompile(`^(?:0(?:_?0)*|[1-9](?:_?[0-9])*)$`)
	reHex      = regexp.MustCompile(`^0[xX](?:_?[0-9a-fA-F])+$`)
	reOct      = regexp.MustCompile(`^0[oO](?:_?[0-7])+$`)
	reBin      = regexp.MustCompile(`^0[bB](?:_?[01])+$`)
	reDigits   = `[0-9](?:_?[0-9])*`
	reFloat    = regexp.MustCompile(`^(?:(?:` + reDigits + `)?\.` + reDigits + `|` + reDigits + `\.?)(?:[eE][+-]?` + reDigits + `)?[jJ]?$`)
	reImagInt  = regexp.MustCompile(`^` + reDigits + `[jJ]$`)
	validStart = map[string]bool{"": true, "r": true, "u": true, "b": true, "f": true, "br": true, "rb": true, "fr": true, "rf": true}
)

// tokens checks the leaves: number and string literal syntax, identifiers,
// operators and statements that only Python 2 had.
func (c *checker) tokens(root *node) {
	stack := []*node{root}
	level := 0
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c.commas(n)
		switch n.kind {
		case "integer":
			t := n.text(c.src)
			if !reDecimal.MatchString(t) && !reHex.MatchString(t) && !reOct.MatchString(t) && !reBin.MatchString(t) && !reImagInt.MatchString(t) {
				if len(t) > 1 && t[0] == '0' && strings.Trim(t, "0_") != "" && reDecimal.MatchString(strings.TrimLeft(t, "0_")) {
					c.errAt(n, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
				} else {
					c.errAt(n, "invalid integer literal %q", t)
				}
			}
			continue
		case "float":
			if t := n.text(c.src); !reFloat.MatchString(t) {
				c.errAt(n, "invalid float literal %q", t)
			}
			continue
		case "string":
			c.stringLiteral(n)
		case "identifier":
			c.identifier(n)
			continue
		case "<>":
			c.errAt(n, "invalid syntax: the <> operator is Python 2; use !=")
		case "print_statement":
			// `print >>f, x` is a valid Python 3 expression (a shift and a
			// tuple); `print x` is not.
			if len(n.namedKids()) > 0 && n.namedKids()[0].kind != "chevron" {
				c.errAt(n, "Missing parentheses in call to 'print'. Did you mean print(...)?")
				continue
			}
		case "exec_statement":
			c.errAt(n, "Missing parentheses in call to 'exec'. Did you mean exec(...)?")
			continue
		case "type_alias_statement":
			c.errAt(n, "invalid syntax: the type statement needs Python 3.12")
			continue
		case "type_parameter":
			// In `list[int]` (generic_type) it is a subscript; only on a
			// def or class is it a 3.12 type parameter list.
			if n.field == "type_parameters" {
				c.errAt(n, "invalid syntax: type parameter lists need Python 3.12")
				continue
			}
		case "(", "[", "{":
			if !n.named {
				level++
				if level > MaxBracketNesting {
					c.errAt(n, "too many nested parentheses")
					return
				}
			}
		case ")", "]", "}":
			if !n.named && level > 0 {
				level--
			}
		}
		for i := len(n.kids) - 1; i >= 0; i-- {
			stack = append(stack, n.kids[i])
		}
	}
}

var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

func (c *checker) identifier(n *node) {
	t := n.text(c.src)
	if pyKeywords[t] {
		c.errAt(n, "invalid syntax: %q is a keyword", t)
		return
	}
	for i, r := range t {
		ok := r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
		if i > 0 {
			ok = ok || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Other_ID_Continue, r)
		}
		if !ok {
			c.errAt(n, "invalid character %q (U+%04X)", r, r)
			return
		}
	}
}

// stringLiteral checks the prefix and, for f-strings, what Python 3.11's
// f-string parser rejects.
func (c *checker) stringLiteral(n *node) {
	t := n.text(c.src)
	if strings.HasPrefix(t, "`") {
		c.errAt(n, "invalid syntax: backquotes are Python 2; use repr()")
		return
	}
	q := strings.IndexAny(t, `'"`)
	if q < 0 {
		return
	}
	prefix := strings.ToLower(t[:q])
	if !validStart[prefix] {
		c.errAt(n, "invalid string prefix %q", t[:q])
		return
	}
	if t[0] == '`' || (q > 0 && t[q-1] == '`') {
		c.errAt(n, "invalid syntax: backquotes are Python 2; use repr()")
		return
	}
	quote := t[q]
	triple := len(t) >= q+6 && t[q+1] == quote && t[q+2] == quote
	if !strings.ContainsRune(prefix, 'f') {
		if strings.ContainsRune(prefix, 'b') {
			for _, r := range t {
				if r >= 0x80 {
					c.errAt(n, "bytes can only contain ASCII literal characters")
					return
				}
			}
		}
		return
	}
	for _, k := range n.kids {
		switch k.kind {
		case "interpolation":
			body := k.text(c.src)
			inner := body[1 : len(body)-1]
			expr := k.child("expression")
			if expr == nil {
				c.errAt(k, "f-string: empty expression not allowed")
				continue
			}
			if strings.ContainsRune(inner, '\\') {
				c.errAt(k, "f-string expression part cannot include a backslash")
			}
			if strings.ContainsRune(c.exprText(k, expr), '#') {
				c.errAt(k, "f-string expression part cannot include '#'")
			}
			if strings.IndexByte(inner, quote) >= 0 && (!triple || strings.Contains(inner, strings.Repeat(string(quote), 3))) {
				c.errAt(k, "f-string: expecting '}' (the expression reuses the string's quote, which needs Python 3.12)")
			}
		case "string_content":
			s := k.text(c.src)
			// "{{" and "}}" are escapes; a lone "}" is an error.
			for i := 0; i < len(s); i++ {
				if s[i] == '}' {
					if i+1 < len(s) && s[i+1] == '}' {
						i++
						continue
					}
					c.errAt(k, "f-string: single '}' is not allowed")
					break
				}
			}
		}
	}
}

func (c *checker) exprText(k, expr *node) string {
	end := expr.end
	for _, x := range k.kids {
		if x.start >= expr.end && (x.kind == "type_conversion" || x.kind == "format_specifier") {
			break
		}
	}
	return string(c.src[expr.start:end])
}

// lineStartsAt reports whether n is the first token on its line.
func (c *checker) lineStartsAt(n *node) bool {
	for i := n.start - 1; i >= 0; i-- {
		switch c.src[i] {
		case ' ', '\t', '\f':
			continue
		case '\n', '\r':
			return true
		}
		return false
	}
	return true
}

// indentation checks CPython's tokenizer rules for the indentation of
// every statement line: tabs and spaces consistent (TabError) and at most
// MaxIndentLevels levels.
func (c *checker) indentation(root *node) {
	type level struct{ col, alt int }
	stack := []level{{0, 0}}
	lines := map[int]bool{}
	blockFirst := map[int]bool{} // line starts of a block's first statement
	var starts []int
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if n.kind == "block" {
			if ks := n.namedKids(); len(ks) > 0 && c.lineStartsAt(ks[0]) {
				blockFirst[ks[0].start-(ks[0].col-1)] = true
			}
		}
		if n.kind == "block" || n.kind == "module" {
			for _, k := range n.namedKids() {
				if !lines[k.line] && c.lineStartsAt(k) {
					lines[k.line] = true
					starts = append(starts, k.start-(k.col-1))
				}
			}
		}
		if n.kind == "block" || n.kind == "module" {
			// Statements on one line are separated by semicolons.
			var prev *node
			semi := false
			for _, k := range n.kids {
				if !k.named && k.kind == ";" {
					semi = true
					continue
				}
				if !k.named || k.kind == "comment" || k.kind == "line_continuation" {
					continue
				}
				if prev != nil && prev.eline == k.line && !semi && !strings.HasSuffix(strings.TrimSpace(prev.text(c.src)), ":") {
					c.pe.add(k.line, k.col, 0, 0, "invalid syntax: two statements on one line need a ';' between them")
				}
				prev, semi = k, false
			}
		}
		switch n.kind {
		case "elif_clause", "else_clause", "except_clause", "except_group_clause", "finally_clause":
			if !lines[n.line] && c.lineStartsAt(n) {
				lines[n.line] = true
				starts = append(starts, n.start-(n.col-1))
			}
			if p := n.parent; p != nil && n.col != p.col && c.lineStartsAt(n) {
				c.pe.add(n.line, n.col, 0, 0, "unindent does not match any outer indentation level")
			}
		case "block":
			// The first statement of a block on its own line is indented
			// deeper than the statement that owns the block.
			ks := n.namedKids()
			stmts := 0
			for _, k := range ks {
				if k.kind != "comment" {
					stmts++
				}
			}
			if stmts == 0 && n.parent != nil {
				c.pe.add(n.line, n.col, 0, 0, fmt.Sprintf("expected an indented block after the statement on line %d", n.parent.line))
			}
			if len(ks) > 0 && n.parent != nil {
				owner := n.parent
				if ks[0].line != owner.line && ks[0].col <= owner.col && c.lineStartsAt(ks[0]) {
					c.pe.add(ks[0].line, ks[0].col, 0, 0, "expected an indented block")
				}
			}
		}
		for _, k := range n.kids {
			if k.named {
				walk(k, depth+1)
			}
		}
	}
	walk(root, 0)
	sort.Ints(starts)
	for _, off := range starts {
		col, alt, i := 0, 0, off
		for ; i < len(c.src) && (c.src[i] == ' ' || c.src[i] == '\t' || c.src[i] == '\f'); i++ {
			switch c.src[i] {
			case ' ':
				col++
				alt++
			case '\t':
				col = (col/8 + 1) * 8
				alt++
			case '\f':
				col, alt = 0, 0
			}
		}
		line, lc := lineCol(c.src, i)
		top := stack[len(stack)-1]
		switch {
		case col == top.col:
			if alt != top.alt {
				c.pe.add(line, lc, 0, 0, "inconsistent use of tabs and spaces in indentation")
				return
			}
		case col > top.col:
			if !blockFirst[off] {
				c.pe.add(line, lc, 0, 0, "unexpected indent")
				return
			}
			if alt <= top.alt {
				c.pe.add(line, lc, 0, 0, "inconsistent use of tabs and spaces in indentation")
				return
			}
			if len(stack) >= MaxIndentLevels {
				c.pe.add(line, lc, 0, 0, "too many levels of indentation")
				return
			}
			stack = append(stack, level{col, alt})
		default:
			for len(stack) > 1 && col < stack[len(stack)-1].col {
				stack = stack[:len(stack)-1]
			}
			if col != stack[len(stack)-1].col {
				c.pe.add(line, lc, 0, 0, "unindent does not match any outer indentation level")
				return
			}
			if alt != stack[len(stack)-1].alt {
				c.pe.add(line, lc, 0, 0, "inconsistent use of tabs and spaces in indentation")
				return
			}
		}
	}
}

// logicalLines reports a statement that goes on to the next line outside
// brackets and without a backslash. CPython's tokenizer ends the logical
// line there; tree-sitter's grammar skips a newline its parser does not
// expect, so `workers = 2 +` followed by `3` parses as one statement.
func (c *checker) logicalLines(root *node) {
	type item struct{ n, stmt *node }
	stack := []item{{root, root}}
	level := 0
	var prev, prevStmt *node
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if len(n.kids) > 0 && n.kind != "string" {
			for i := len(n.kids) - 1; i >= 0; i-- {
				k := n.kids[i]
				st := it.stmt
				switch n.kind {
				case "module", "block", "decorated_definition":
					st = k
				}
				stack = append(stack, item{k, st})
			}
			continue
		}
		switch {
		case n.kind == "comment" || n.start == n.end:
			continue
		case n.kind == "line_continuation":
			prev = n
			continue
		}
		if prev != nil && prev.kind != "line_continuation" && level == 0 && n.line > prev.eline && it.stmt == prevStmt && !continued(c.src[prev.end:n.start]) {
			c.pe.add(prev.eline, prev.ecol, 0, 0, "invalid syntax: the statement goes on to the next line outside brackets and without a backslash")
			return
		}
		if !n.named {
			switch n.kind {
			case "(", "[", "{":
				level++
			case ")", "]", "}":
				if level > 0 {
					level--
				}
			}
		}
		prev, prevStmt = n, it.stmt
	}
}

// continued reports whether the text between two tokens holds a
// backslash that joins lines (outside a comment).
func continued(gap []byte) bool {
	comment := false
	for i, b := range gap {
		switch {
		case b == '\n':
			comment = false
		case comment:
		case b == '#':
			comment = true
		case b == '\\' && i+1 < len(gap) && (gap[i+1] == '\n' || gap[i+1] == '\r'):
			return true
		}
	}
	return false
}

// commas reports a ',' that follows no element: `f(,)`, `[1,,2]`,
// `def f(,)`. The grammar lets tree-sitter parse these as empty lists.
func (c *checker) commas(n *node) {
	var prev *node
	for _, k := range n.kids {
		if k.kind == "comment" || k.kind == "line_continuation" {
			continue
		}
		if !k.named && k.kind == "," && (prev == nil || !prev.named) {
			c.errAt(k, "invalid syntax at ','")
			return
		}
		prev = k
	}
	// A trailing comma: import, from-import without parentheses,
	// global, nonlocal and with items do not take one.
	switch n.kind {
	case "import_statement", "import_from_statement", "global_statement", "nonlocal_statement", "with_clause":
		if prev != nil && !prev.named && prev.kind == "," {
			c.errAt(prev, "trailing comma not allowed without surrounding parentheses")
		}
	}
}

// exceptStar reports an ERROR node that is the `*` of `except *E:`.
func (c *checker) exceptStar(n *node) bool {
	p := n.parent
	if p == nil || p.kind != "except_clause" || len(n.kids) == 0 || n.kids[0].kind != "*" {
		return false
	}
	for _, k := range p.kids {
		if k == n {
			return false
		}
		if !k.named && k.kind == "except" {
			return true
		}
	}
	return false
}

// refuseNotModelled is the error for a file that uses Python the checks
// do not cover (c.notModelled).
func (c *checker) refuseNotModelled() error {
	what := "a construct whose compile-time rules are not checked"
	switch {
	case c.notModelledWhat != "":
		what = c.notModelledWhat
	case c.notModelled.kind == "ERROR" || c.notModelled.kind == "list_splat":
		what = "'except *E' with a space (tree-sitter's grammar reads only 'except*')"
	}
	c.errAt(c.notModelled, "not modelled: %s; deploykit refuses the file rather than guess", what)
	c.pe.NotModelled = true
	return c.pe.done()
}

// indentWidth is the column CPython's tokenizer gives leading white space
// (a form feed resets it to 0).
func indentWidth(ws []byte) int {
	col := 0
	for _, b := range ws {
		switch b {
		case ' ':
			col++
		case '\t':
			col = (col/8 + 1) * 8
		case '\f':
			col = 0
		default:
			return col
		}
	}
	return col
}

// translateNewlines turns a lone carriage return into a newline, as
// CPython's tokenizer does (universal newlines; "\r\n" stays). The length,
// and so every offset, is unchanged.
func translateNewlines(src []byte) []byte {
	i := bytes.IndexByte(src, '\r')
	if i < 0 {
		return src
	}
	out := append([]byte(nil), src...)
	for ; i < len(out); i++ {
		if out[i] == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// cpythonGrammar runs CPython 3.11's tokenizer and grammar
// (syntax_tokenize.go, syntax_grammar.go) and its string-literal rules
// (syntax_strings.go) over the source and returns the first error, or
// nil when CPython's parser accepts the file. A \N{name} escape, which
// needs Unicode's name table, is recorded as not modelled.
func (c *checker) cpythonGrammar() *SyntaxError {
	toks, contIndent, terr := pyTokenizeLines(c.src)
	if terr != nil {
		return &SyntaxError{Line: terr.line, Column: terr.col, Msg: terr.msg}
	}
	for _, t := range toks {
		if t.kind == tkNewline || t.kind == tkOp && t.val == ";" {
			c.ends = append(c.ends, t)
		}
	}
	p, ok, at, tooDeep := pyRecognize(toks)
	switch {
	case tooDeep:
		return &SyntaxError{Line: at.line, Column: at.col, Msg: "too complex: Python's parser stack overflows (more than 6000 rule levels)"}
	case !ok:
		return &SyntaxError{Line: at.line, Column: at.col, Msg: "invalid syntax at " + pyTokenSummary(at)}
	}
	if t, msg, nm := p.checkMatches(); msg != "" {
		return &SyntaxError{Line: t.line, Column: t.col, Msg: msg}
	} else if nm != "" && c.notModelled == nil {
		c.notModelled = &node{line: t.line, col: t.col}
		c.notModelledWhat = nm
	}
	if t := p.matchBindingDeclared(); t != nil && c.notModelled == nil {
		// symtable.go does not see a match statement's captures.
		c.notModelled = &node{line: t.line, col: t.col}
		c.notModelledWhat = "a global or nonlocal declaration of a name a match pattern binds"
	}
	if contIndent && c.notModelled == nil {
		c.notModelled = &node{line: 1, col: 1}
		c.notModelledWhat = "a backslash inside a line's indentation (tree-sitter reads the line differently)"
	}
	if t, e := checkStringTokens(toks); e != nil {
		if e.msg != "" {
			return &SyntaxError{Line: t.line, Column: t.col, Msg: e.msg}
		}
		if c.notModelled == nil {
			c.notModelled = &node{line: t.line, col: t.col, eline: t.line, ecol: t.col}
			c.notModelledWhat = e.notModelled
		}
	}
	return nil
}

var compoundKinds = map[string]bool{"if_statement": true, "for_statement": true, "while_statement": true,
	"try_statement": true, "with_statement": true, "function_definition": true, "class_definition": true,
	"decorated_definition": true, "match_statement": true, "case_clause": true, "comment": true}

// misreadStatement returns a simple statement of tree-sitter's tree that
// holds one of CPython's statement ends (a NEWLINE or a ';' token):
// tree-sitter's scanner skips a newline its grammar does not expect, so
// `A,` and `A %= 0` on two lines can become one statement, and the
// compile-time checks would judge a statement CPython never sees.
func (c *checker) misreadStatement(root *node) *node {
	before := func(l1, c1, l2, c2 int) bool { return l1 < l2 || l1 == l2 && c1 < c2 }
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range n.kids {
			if !k.named {
				continue
			}
			if k.kind == "block" || compoundKinds[k.kind] {
				stack = append(stack, k)
				continue
			}
			if n.kind != "module" && n.kind != "block" {
				continue
			}
			// The first end token at or after the statement's start.
			i := sort.Search(len(c.ends), func(i int) bool {
				return !before(c.ends[i].line, c.ends[i].col, k.line, k.col)
			})
			if i < len(c.ends) && before(c.ends[i].line, c.ends[i].col, k.eline, k.ecol) {
				return k
			}
		}
	}
	return nil
}

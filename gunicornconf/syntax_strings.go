package gunicornconf

import (
	"fmt"
	"strings"
)

// String literals as CPython 3.11's parser actions read them
// (Parser/string_parser.c and Objects/unicodeobject.c's
// _PyUnicode_DecodeUnicodeEscapeInternal, Objects/bytesobject.c's
// _PyBytes_DecodeEscape): adjacent literals must not mix bytes and str;
// escapes must be complete (\x two hex digits, \u four, \U eight and at
// most U+10FFFF, \N{name}); a bytes literal holds ASCII only; an
// f-string's replacement fields are scanned as fstring_find_expr does and
// each expression is parsed as "(expr)" with the recognizer.

// strLitError is a problem in one literal: msg for an error CPython
// raises, notModelled for what deploykit cannot decide (a \N{name}
// needs the Unicode name database).
type strLitError struct {
	msg         string
	notModelled string
}

// checkStringTokens checks every run of adjacent string literals.
func checkStringTokens(toks []pyToken) (pyToken, *strLitError) {
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != tkString {
			continue
		}
		j := i
		bytesSeen, strSeen := false, false
		for ; j < len(toks) && toks[j].kind == tkString; j++ {
			if isBytesLiteral(toks[j].val) {
				bytesSeen = true
			} else {
				strSeen = true
			}
			if e := checkStringLiteral(toks[j].val); e != nil {
				return toks[j], e
			}
		}
		if bytesSeen && strSeen {
			return toks[i], &strLitError{msg: "cannot mix bytes and nonbytes literals"}
		}
		i = j - 1
	}
	return pyToken{}, nil
}

func literalPrefix(lit string) string {
	return strings.ToLower(lit[:strings.IndexAny(lit, `'"`)])
}

func isBytesLiteral(lit string) bool { return strings.ContainsRune(literalPrefix(lit), 'b') }

// checkStringLiteral checks one literal token (prefix, quotes, body).
func checkStringLiteral(lit string) *strLitError {
	prefix := literalPrefix(lit)
	q := len(prefix)
	size := 1
	if len(lit) >= q+6 && lit[q+1] == lit[q] && lit[q+2] == lit[q] {
		size = 3
	}
	body := lit[q+size : len(lit)-size]
	raw := strings.ContainsRune(prefix, 'r')
	switch {
	case strings.ContainsRune(prefix, 'b'):
		for i := 0; i < len(body); i++ {
			if body[i] >= 0x80 {
				return &strLitError{msg: "bytes can only contain ASCII literal characters"}
			}
		}
		if raw {
			return nil
		}
		for i := 0; i < len(body); i++ {
			if body[i] != '\\' || i+1 >= len(body) {
				continue
			}
			i++
			if body[i] == 'x' && !hexRun(body, i+1, 2) {
				return &strLitError{msg: fmt.Sprintf("(value error) invalid \\x escape at position %d", i-1)}
			}
		}
		return nil
	case strings.ContainsRune(prefix, 'f'):
		i := 0
		return fstringParse(body, &i, raw, 0)
	case raw:
		return nil
	}
	return decodeEscapes(body)
}

// hexRun reports whether s has n hex digits from i.
func hexRun(s string, i, n int) bool {
	if i+n > len(s) {
		return false
	}
	for k := i; k < i+n; k++ {
		if !isHexDigit(s[k]) {
			return false
		}
	}
	return true
}

// decodeEscapes checks the escapes of a str literal (or of a piece of an
// f-string) as unicode_escape decoding does. Unknown escapes are only a
// warning.
func decodeEscapes(s string) *strLitError {
	var nm *strLitError
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++
		if i >= len(s) || s[i] >= 0x80 {
			// decode_unicode_with_escapes makes a lone or
			// non-ASCII-escaping backslash a literal one.
			continue
		}
		bad := func(what string) *strLitError {
			return &strLitError{msg: "(unicode error) 'unicodeescape' codec can't decode bytes: " + what}
		}
		switch s[i] {
		case 'x':
			if !hexRun(s, i+1, 2) {
				return bad("truncated \\xXX escape")
			}
			i += 2
		case 'u':
			if !hexRun(s, i+1, 4) {
				return bad("truncated \\uXXXX escape")
			}
			i += 4
		case 'U':
			if !hexRun(s, i+1, 8) {
				return bad("truncated \\UXXXXXXXX escape")
			}
			var v uint64
			fmt.Sscanf(s[i+1:i+9], "%x", &v)
			if v > 0x10FFFF {
				return bad("illegal Unicode character")
			}
			i += 8
		case 'N':
			if i+1 >= len(s) || s[i+1] != '{' {
				return bad("malformed \\N character escape")
			}
			end := strings.IndexByte(s[i+2:], '}')
			if end <= 0 {
				return bad("malformed \\N character escape")
			}
			if nm == nil {
				nm = &strLitError{notModelled: fmt.Sprintf(`\N{%s} escapes (deploykit has no Unicode name table)`, s[i+2:i+2+end])}
			}
			i += 2 + end
		}
	}
	return nm
}

// fstringParse is fstring_find_literal_and_expr in a loop (fstring_parse)
// from s[*i]: literal text, then replacement fields; lvl is the nesting of
// format specs.
func fstringParse(s string, i *int, raw bool, lvl int) *strLitError {
	var nm *strLitError
	for {
		start := *i
		doubled := false
	literal:
		for *i < len(s) {
			ch := s[*i]
			*i++
			if !raw && ch == '\\' && *i < len(s) {
				ch = s[*i]
				*i++
				if ch == 'N' {
					// \N{name}: its braces are not a field.
					if *i < len(s) {
						c := s[*i]
						*i++
						if c == '{' {
							for *i < len(s) {
								c := s[*i]
								*i++
								if c == '}' {
									break
								}
							}
						}
					}
					continue
				}
			}
			if ch == '{' || ch == '}' {
				if lvl == 0 {
					if *i < len(s) && s[*i] == ch {
						*i++
						doubled = true
						break literal
					}
					if ch == '}' {
						return &strLitError{msg: "f-string: single '}' is not allowed"}
					}
				}
				*i--
				break
			}
		}
		if !raw {
			end := *i
			if doubled {
				end--
			}
			if e := decodeEscapes(s[start:end]); e != nil {
				if e.msg != "" {
					return e
				}
				if nm == nil {
					nm = e
				}
			}
		}
		if doubled {
			continue
		}
		if *i >= len(s) || s[*i] == '}' {
			break
		}
		if e := fstringExpr(s, i, raw, lvl); e != nil {
			if e.msg != "" {
				return e
			}
			if nm == nil {
				nm = e
			}
		}
	}
	if lvl != 0 && (*i >= len(s) || s[*i] != '}') {
		return &strLitError{msg: "f-string: expecting '}'"}
	}
	return nm
}

// fstringExpr is fstring_find_expr: one replacement field from the '{'
// at s[*i].
func fstringExpr(s string, i *int, raw bool, lvl int) *strLitError {
	if lvl >= 2 {
		return &strLitError{msg: "f-string: expressions nested too deeply"}
	}
	*i++
	exprStart := *i
	var quote byte
	triple := false
	var parens []byte
scan:
	for ; *i < len(s); *i++ {
		ch := s[*i]
		if ch == '\\' {
			return &strLitError{msg: "f-string expression part cannot include a backslash"}
		}
		if quote != 0 {
			if ch == quote {
				if triple {
					if *i+2 < len(s) && s[*i+1] == ch && s[*i+2] == ch {
						*i += 2
						quote, triple = 0, false
					}
				} else {
					quote = 0
				}
			}
			continue
		}
		switch ch {
		case '\'', '"':
			if *i+2 < len(s) && s[*i+1] == ch && s[*i+2] == ch {
				triple = true
				*i += 2
			} else {
				triple = false
			}
			quote = ch
		case '[', '{', '(':
			if len(parens) >= MaxBracketNesting {
				return &strLitError{msg: "f-string: too many nested parenthesis"}
			}
			parens = append(parens, ch)
		case '#':
			return &strLitError{msg: "f-string expression part cannot include '#'"}
		case ']', '}', ')':
			if len(parens) == 0 {
				if ch == '}' {
					break scan
				}
				return &strLitError{msg: fmt.Sprintf("f-string: unmatched '%c'", ch)}
			}
			open := parens[len(parens)-1]
			parens = parens[:len(parens)-1]
			if !(open == '(' && ch == ')' || open == '[' && ch == ']' || open == '{' && ch == '}') {
				return &strLitError{msg: fmt.Sprintf("f-string: closing parenthesis '%c' does not match opening parenthesis '%c'", ch, open)}
			}
		case '!', ':', '=', '<', '>':
			if len(parens) > 0 {
				continue
			}
			if *i+1 < len(s) && s[*i+1] == '=' && ch != ':' {
				*i++
				continue
			}
			if ch == '<' || ch == '>' {
				continue
			}
			break scan
		}
	}
	exprEnd := *i
	if quote != 0 {
		return &strLitError{msg: "f-string: unterminated string"}
	}
	if len(parens) > 0 {
		return &strLitError{msg: fmt.Sprintf("f-string: unmatched '%c'", parens[len(parens)-1])}
	}
	if *i >= len(s) {
		return &strLitError{msg: "f-string: expecting '}'"}
	}
	expr := s[exprStart:exprEnd]
	if strings.Trim(expr, " \t\n\f") == "" {
		if c := s[exprEnd]; c == '!' || c == ':' || c == '=' {
			return &strLitError{msg: fmt.Sprintf("f-string: expression required before '%c'", c)}
		}
		return &strLitError{msg: "f-string: empty expression not allowed"}
	}
	nm := fstringCompileExpr(expr)
	if nm != nil && nm.msg != "" {
		return nm
	}
	if s[*i] == '=' {
		*i++
		for *i < len(s) && strings.IndexByte(" \t\n\r\f\v", s[*i]) >= 0 {
			*i++
		}
		if *i >= len(s) {
			return &strLitError{msg: "f-string: expecting '}'"}
		}
	}
	if s[*i] == '!' {
		*i++
		if *i >= len(s) {
			return &strLitError{msg: "f-string: expecting '}'"}
		}
		conv := s[*i]
		*i++
		if conv != 's' && conv != 'r' && conv != 'a' {
			return &strLitError{msg: "f-string: invalid conversion character: expected 's', 'r', or 'a'"}
		}
	}
	if *i >= len(s) {
		return &strLitError{msg: "f-string: expecting '}'"}
	}
	if s[*i] == ':' {
		*i++
		if *i >= len(s) {
			return &strLitError{msg: "f-string: expecting '}'"}
		}
		if e := fstringParse(s, i, raw, lvl+1); e != nil {
			if e.msg != "" {
				return e
			}
			if nm == nil {
				nm = e
			}
		}
	}
	if *i >= len(s) || s[*i] != '}' {
		return &strLitError{msg: "f-string: expecting '}'"}
	}
	*i++
	return nm
}

// fstringCompileExpr is fstring_compile_expr: the expression, in
// parentheses, must be star_expressions (Py_fstring_input), and its own
// string literals must be valid.
func fstringCompileExpr(expr string) *strLitError {
	toks, terr := pyTokenize([]byte("(" + expr + ")"))
	if terr != nil {
		return &strLitError{msg: "f-string: " + terr.msg}
	}
	p := &pyParser{toks: toks}
	if !p.starExpressions() || p.tooDeep {
		return &strLitError{msg: "f-string: invalid syntax"}
	}
	if _, e := checkStringTokens(toks); e != nil {
		return e
	}
	return nil
}

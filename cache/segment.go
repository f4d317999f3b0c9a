package cache

import "strings"

// This file reproduces how minimatch 3 (as bundled by the GitHub runner's
// hashFiles, with the options dot, nobrace, noext, nonegate, nocomment)
// turns one path segment of a pattern into something that matches one path
// segment: either a literal string or a small program equivalent to the
// JavaScript regular expression minimatch would build, evaluated over UTF-16
// code units like JavaScript does. The code is written from the documented
// behaviour of that parser, quirks included (an unclosed '[' is literal, an
// invalid class is re-read as literal text, an empty sub-pattern renders as
// the text "undefined", '(?=.)' refuses names that start with a newline).

type tokKind uint8

const (
	tokLit        tokKind = iota // one UTF-16 unit
	tokAny                       // [^/]
	tokStar                      // [^/]*?
	tokClass                     // [...]
	tokAssertNext                // (?=.) : a unit follows and it is not a line terminator
)

type token struct {
	kind  tokKind
	u     uint16
	class *charClass
}

type charClass struct {
	negate bool
	ranges [][2]uint16
}

func (c *charClass) matches(u uint16) bool {
	in := false
	for _, r := range c.ranges {
		if u >= r[0] && u <= r[1] {
			in = true
			break
		}
	}
	return in != c.negate
}

// segMatcher matches one path segment.
type segMatcher struct {
	globstar bool
	magic    bool
	literal  string // when !magic && !globstar
	toks     []token
	noDotSeg bool // refuse the segments "." and ".."
	never    bool // the regular expression would not compile: matches nothing
	// fast is set for the common shape "prefix*suffix" (one star, literals
	// around it), matched without the general simulation.
	fast             bool
	fastPre, fastSuf string
}

// reSpecials are the characters minimatch escapes in a regular expression.
func reSpecial(c uint16) bool {
	switch c {
	case '(', ')', '.', '*', '{', '}', '+', '?', '[', ']', '^', '$', '\\', '!':
		return true
	}
	return false
}

type parseOut struct {
	toks     []token
	hasMagic bool
	never    bool
}

var undefinedUnits = []uint16{'u', 'n', 'd', 'e', 'f', 'i', 'n', 'e', 'd'}

// compileSegment compiles one segment of a minimatch pattern (already split
// on '/').
func compileSegment(seg string) segMatcher {
	if seg == "**" {
		return segMatcher{globstar: true}
	}
	if seg == "" {
		return segMatcher{literal: ""}
	}
	p := units(seg, nil)
	out := mmParse(p, false)
	if !out.hasMagic {
		return segMatcher{literal: globUnescape(p)}
	}
	m := segMatcher{magic: true, never: out.never}
	// addPatternStart: the expression starts with '[' (a star, a question
	// mark or a class) and the pattern does not start with '.'.
	if len(out.toks) > 0 && p[0] != '.' {
		switch out.toks[0].kind {
		case tokAny, tokStar, tokClass:
			m.noDotSeg = true
		}
	}
	if len(out.toks) > 0 {
		m.toks = append([]token{{kind: tokAssertNext}}, out.toks...)
	}
	m.fast, m.fastPre, m.fastSuf = simpleStar(out.toks)
	return m
}

// simpleStar recognises literal* STAR literal* token lists.
func simpleStar(toks []token) (ok bool, pre, suf string) {
	star := -1
	for i, t := range toks {
		switch t.kind {
		case tokLit:
		case tokStar:
			if star >= 0 {
				return false, "", ""
			}
			star = i
		default:
			return false, "", ""
		}
	}
	if star < 0 {
		return false, "", ""
	}
	u := func(ts []token) string {
		b := make([]uint16, len(ts))
		for i, t := range ts {
			b[i] = t.u
		}
		return fromUnits(b)
	}
	return true, u(toks[:star]), u(toks[star+1:])
}

// globUnescape is minimatch's s.replace(/\\(.)/g, '$1').
func globUnescape(p []uint16) string {
	out := make([]uint16, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) && !isLineTerminator(p[i+1]) {
			out = append(out, p[i+1])
			i++
			continue
		}
		out = append(out, p[i])
	}
	return fromUnits(out)
}

func litToks(toks []token, s []uint16) []token {
	for _, c := range s {
		toks = append(toks, token{kind: tokLit, u: c})
	}
	return toks
}

// mmParse follows minimatch's parse(pattern, isSub) for the option set the
// runner uses.
func mmParse(p []uint16, sub bool) parseOut {
	var (
		toks         []token
		hasMagic     bool
		never        bool
		escaping     bool
		inClass      bool
		classStart   = -1
		reClassStart = -1
		classRe      []uint16
	)
	subParse := func(cs []uint16) parseOut {
		// parse('') returns '' and parse('**') returns GLOBSTAR; minimatch
		// then reads sp[0] and sp[1], which are undefined.
		if len(cs) == 0 || (len(cs) == 2 && cs[0] == '*' && cs[1] == '*') {
			return parseOut{toks: litToks(nil, undefinedUnits)}
		}
		return mmParse(cs, true)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if escaping && reSpecial(c) {
			if inClass {
				classRe = append(classRe, '\\', c)
			} else {
				toks = append(toks, token{kind: tokLit, u: c})
			}
			escaping = false
			continue
		}
		switch c {
		case '\\':
			escaping = true
			continue
		case '?', '*', '+', '@', '!':
			if inClass {
				if c == '!' && i == classStart+1 {
					c = '^'
				}
				classRe = append(classRe, c)
				continue
			}
			switch c {
			case '*':
				toks = append(toks, token{kind: tokStar})
				hasMagic = true
			case '?':
				toks = append(toks, token{kind: tokAny})
				hasMagic = true
			default:
				toks = append(toks, token{kind: tokLit, u: c})
			}
			continue
		case '(':
			if inClass {
				classRe = append(classRe, '(')
			} else {
				toks = append(toks, token{kind: tokLit, u: '('})
			}
			continue
		case ')':
			if inClass {
				classRe = append(classRe, '\\', ')')
			} else {
				toks = append(toks, token{kind: tokLit, u: ')'})
			}
			continue
		case '|':
			if inClass {
				classRe = append(classRe, '\\', '|')
			} else {
				toks = append(toks, token{kind: tokLit, u: '|'})
			}
			escaping = false
			continue
		case '[':
			if inClass {
				classRe = append(classRe, '\\', '[')
				continue
			}
			inClass = true
			classStart = i
			reClassStart = len(toks)
			classRe = classRe[:0]
			continue
		case ']':
			if i == classStart+1 || !inClass {
				if inClass {
					classRe = append(classRe, '\\', ']')
				} else {
					toks = append(toks, token{kind: tokLit, u: ']'})
				}
				escaping = false
				continue
			}
			cs := p[classStart+1 : i]
			if !jsRegexpValid(append(append([]uint16{'['}, cs...), ']')) {
				sp := subParse(cs)
				toks = toks[:reClassStart]
				toks = append(toks, token{kind: tokLit, u: '['})
				toks = append(toks, sp.toks...)
				toks = append(toks, token{kind: tokLit, u: ']'})
				hasMagic = hasMagic || sp.hasMagic
				never = never || sp.never
				inClass = false
				continue
			}
			hasMagic = true
			inClass = false
			cls, ok := compileClassRe(classRe)
			if !ok {
				never = true
				cls = &charClass{}
			}
			toks = append(toks, token{kind: tokClass, class: cls})
			continue
		default:
			if escaping {
				escaping = false
			}
			if inClass {
				classRe = append(classRe, c)
			} else {
				toks = append(toks, token{kind: tokLit, u: c})
			}
		}
	}
	if inClass {
		sp := subParse(p[classStart+1:])
		toks = toks[:reClassStart]
		toks = append(toks, token{kind: tokLit, u: '['})
		toks = append(toks, sp.toks...)
		hasMagic = hasMagic || sp.hasMagic
		never = never || sp.never
	}
	if escaping {
		toks = append(toks, token{kind: tokLit, u: '\\'})
	}
	if sub && hasMagic && len(toks) > 0 {
		// A sub-pattern's '(?=.)' lands in the middle of the outer
		// expression, where it still demands a following unit. Its
		// pattern-start guard there can never fire (no '^', no '/').
		toks = append([]token{{kind: tokAssertNext}}, toks...)
	}
	return parseOut{toks: toks, hasMagic: hasMagic, never: never}
}

// compileClassRe interprets the body of a JavaScript character class as
// minimatch wrote it (escapes are identity escapes of reSpecials). ok is
// false when a range is out of order, which makes the whole expression fail
// to compile.
func compileClassRe(re []uint16) (*charClass, bool) {
	cls := &charClass{}
	i := 0
	if len(re) > 0 && re[0] == '^' {
		cls.negate = true
		i = 1
	}
	atom := func() (uint16, bool) {
		if i >= len(re) {
			return 0, false
		}
		c := re[i]
		if c == '\\' {
			if i+1 >= len(re) {
				i++
				return '\\', true
			}
			c = re[i+1]
			i += 2
			return c, true
		}
		i++
		return c, true
	}
	for i < len(re) {
		lo, _ := atom()
		if i+1 < len(re) && re[i] == '-' {
			i++ // the dash
			hi, _ := atom()
			if hi < lo {
				return nil, false
			}
			cls.ranges = append(cls.ranges, [2]uint16{lo, hi})
			continue
		}
		cls.ranges = append(cls.ranges, [2]uint16{lo, lo})
	}
	return cls, true
}

// match reports whether the segment s matches.
func (m *segMatcher) match(s string, buf *[]uint16) bool {
	if m.globstar {
		return true
	}
	if !m.magic {
		return s == m.literal
	}
	if m.never {
		return false
	}
	if m.noDotSeg && (s == "." || s == "..") {
		return false
	}
	if m.fast {
		// (?=.): a first unit that is not a line terminator.
		if s == "" || s[0] == '\n' || s[0] == '\r' || strings.HasPrefix(s, "\u2028") || strings.HasPrefix(s, "\u2029") {
			return false
		}
		return len(s) >= len(m.fastPre)+len(m.fastSuf) && strings.HasPrefix(s, m.fastPre) && strings.HasSuffix(s, m.fastSuf)
	}
	u := units(s, (*buf)[:0])
	*buf = u
	return runTokens(m.toks, u)
}

// runTokens decides whether toks match all of u, simulating the
// expression as a set of reachable positions.
func runTokens(toks []token, u []uint16) bool {
	n := len(u)
	var small [2][65]bool
	var cur, next []bool
	if n < 64 {
		cur, next = small[0][:n+1], small[1][:n+1]
	} else {
		cur, next = make([]bool, n+1), make([]bool, n+1)
	}
	cur[0] = true
	for _, t := range toks {
		for i := range next {
			next[i] = false
		}
		any := false
		switch t.kind {
		case tokAssertNext:
			for p := 0; p <= n; p++ {
				if cur[p] && p < n && !isLineTerminator(u[p]) {
					next[p] = true
					any = true
				}
			}
		case tokStar:
			for p := 0; p <= n; p++ {
				if cur[p] {
					for q := p; q <= n; q++ {
						next[q] = true
					}
					any = true
					break
				}
			}
		default:
			for p := 0; p < n; p++ {
				if !cur[p] {
					continue
				}
				c := u[p]
				ok := false
				switch t.kind {
				case tokLit:
					ok = c == t.u
				case tokAny:
					ok = c != '/'
				case tokClass:
					ok = t.class.matches(c)
				}
				if ok {
					next[p+1] = true
					any = true
				}
			}
		}
		if !any {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}

package gunicornconf

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// match statements (PEP 634): the grammar of python.gram's match_stmt,
// building a small pattern tree, and the checks Python/compile.c makes
// when it compiles the patterns (compiler_match_inner, compiler_pattern_*):
// an irrefutable case before the last, alternatives binding different
// names, a name bound twice, more than one star in a sequence, repeated
// keyword attributes, duplicate literal mapping keys, f-strings as
// values, and __debug__ as a capture.

type patKind uint8

const (
	patCapture patKind = iota
	patWildcard
	patValue   // a.b
	patLiteral // numbers, strings, None, True, False
	patSeq
	patStar // *name or *_ inside a sequence
	patMapping
	patClass
	patOr
	patAs
)

type pat struct {
	kind   patKind
	name   string // capture, star, as target, mapping rest ("" for none)
	at     pyToken
	kids   []*pat // sequence elements, or alternatives, class positional args, mapping values; as: [inner]
	keys   []pyTokenSpan
	kwargs []string // class keyword names (their patterns follow the positional ones in kids)
	fstr   bool     // a literal made of an f-string
}

// pyTokenSpan is a run of tokens [from, to) of a literal (mapping key).
type pyTokenSpan struct{ from, to int }

type pyCase struct {
	pattern *pat
	guard   bool
}

type pyMatch struct {
	at    pyToken
	cases []pyCase
}

// match_stmt: "match" subject_expr ':' NEWLINE INDENT case_block+ DEDENT
// subject_expr: star_named_expression ',' star_named_expressions? | named_expression
func (p *pyParser) matchStmt() bool {
	start := p.peek()
	at := *start
	if !p.kw("match") {
		return false
	}
	if !p.try(func() bool {
		return p.try(p.starNamedExpression) && p.op(",") && (p.try(p.starNamedExpressions) || true)
	}) &&
		!p.try(p.namedExpression) {
		return false
	}
	if !p.op(":") || !p.kind(tkNewline) || !p.kind(tkIndent) {
		return false
	}
	var cases []pyCase
	for {
		var c pyCase
		if !p.try(func() bool { return p.caseBlock(&c) }) {
			break
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 || !p.kind(tkDedent) {
		return false
	}
	for _, m := range p.matches {
		if m.at.start == at.start {
			return true
		}
	}
	p.matches = append(p.matches, pyMatch{at: at, cases: cases})
	return true
}

// case_block: "case" patterns guard? ':' block
func (p *pyParser) caseBlock(c *pyCase) bool {
	if !p.kw("case") {
		return false
	}
	if c.pattern = p.patterns(); c.pattern == nil {
		return false
	}
	c.guard = p.try(func() bool { return p.kw("if") && p.try(p.namedExpression) })
	return p.op(":") && p.block()
}

// tryPat runs f and puts the position back when it returns nil.
func (p *pyParser) tryPat(f func() *pat) *pat {
	at := p.pos
	r := f()
	if r == nil {
		p.pos = at
	}
	return r
}

// patterns: open_sequence_pattern | pattern
func (p *pyParser) patterns() *pat {
	if r := p.tryPat(p.openSequencePattern); r != nil {
		return r
	}
	return p.tryPat(p.pattern)
}

// pattern: as_pattern | or_pattern
// as_pattern: or_pattern 'as' pattern_capture_target
func (p *pyParser) pattern() *pat {
	if r := p.tryPat(func() *pat {
		or := p.tryPat(p.orPattern)
		if or == nil || !p.kw("as") {
			return nil
		}
		t := *p.peek()
		if !p.captureTarget() {
			return nil
		}
		return &pat{kind: patAs, name: t.val, at: t, kids: []*pat{or}}
	}); r != nil {
		return r
	}
	return p.tryPat(p.orPattern)
}

// or_pattern: '|'.closed_pattern+
func (p *pyParser) orPattern() *pat {
	first := p.tryPat(p.closedPattern)
	if first == nil {
		return nil
	}
	alts := []*pat{first}
	for {
		at := p.pos
		if !p.op("|") {
			break
		}
		k := p.tryPat(p.closedPattern)
		if k == nil {
			p.pos = at
			break
		}
		alts = append(alts, k)
	}
	if len(alts) == 1 {
		return first
	}
	return &pat{kind: patOr, at: first.at, kids: alts}
}

// pattern_capture_target: !"_" NAME !('.' | '(' | '=')
func (p *pyParser) captureTarget() bool {
	return !p.isKw("_") && p.try(func() bool { return p.name() && !p.isOp(".") && !p.isOp("(") && !p.isOp("=") })
}

func (p *pyParser) number(imaginary bool) bool {
	t := p.peek()
	if t.kind != tkNumber {
		return false
	}
	last := t.val[len(t.val)-1]
	if (last == 'j' || last == 'J') != imaginary {
		return false
	}
	p.pos++
	return true
}

// literal_pattern / literal_expr:
//
//	| signed_number !('+' | '-') | complex_number | strings | 'None' | 'True' | 'False'
func (p *pyParser) literalPattern() *pat {
	t := *p.peek()
	lit := func() *pat { return &pat{kind: patLiteral, at: t, keys: []pyTokenSpan{{0, 0}}} }
	from := p.pos
	mark := func(r *pat) *pat {
		r.keys[0] = pyTokenSpan{from, p.pos}
		return r
	}
	if p.try(func() bool { p.op("-"); return p.kind(tkNumber) && !p.isOp("+") && !p.isOp("-") }) {
		return mark(lit())
	}
	if p.try(func() bool { p.op("-"); return p.number(false) && (p.op("+") || p.op("-")) && p.number(true) }) {
		return mark(lit())
	}
	if p.peek().kind == tkString {
		r := lit()
		for p.peek().kind == tkString {
			if strings.ContainsAny(literalPrefix(p.peek().val), "f") {
				r.fstr = true
			}
			p.pos++
		}
		return mark(r)
	}
	if p.kw("None") || p.kw("True") || p.kw("False") {
		return mark(lit())
	}
	return nil
}

// name_or_attr: attr | NAME ; attr: name_or_attr '.' NAME
func (p *pyParser) nameOrAttr() (dotted bool, ok bool) {
	if !p.name() {
		return false, false
	}
	for {
		at := p.pos
		if !p.op(".") || !p.name() {
			p.pos = at
			return dotted, true
		}
		dotted = true
	}
}

// closed_pattern:
//
//	| literal_pattern | capture_pattern | wildcard_pattern | value_pattern
//	| group_pattern | sequence_pattern | mapping_pattern | class_pattern
func (p *pyParser) closedPattern() *pat {
	t := *p.peek()
	if r := p.tryPat(p.literalPattern); r != nil {
		return r
	}
	if p.captureTarget() {
		return &pat{kind: patCapture, name: t.val, at: t}
	}
	if p.kw("_") {
		return &pat{kind: patWildcard, at: t}
	}
	// value_pattern: attr !('.' | '(' | '=')
	if p.try(func() bool {
		d, ok := p.nameOrAttr()
		return ok && d && !p.isOp(".") && !p.isOp("(") && !p.isOp("=")
	}) {
		return &pat{kind: patValue, at: t}
	}
	// group_pattern: '(' pattern ')'
	if r := p.tryPat(func() *pat {
		if !p.op("(") {
			return nil
		}
		r := p.tryPat(p.pattern)
		if r == nil || !p.op(")") {
			return nil
		}
		return r
	}); r != nil {
		return r
	}
	// sequence_pattern: '[' maybe_sequence_pattern? ']' | '(' open_sequence_pattern? ')'
	for _, br := range [][2]string{{"[", "]"}, {"(", ")"}} {
		br := br
		if r := p.tryPat(func() *pat {
			if !p.op(br[0]) {
				return nil
			}
			var r *pat
			if br[0] == "[" {
				r = p.tryPat(p.maybeSequencePattern)
			} else {
				r = p.tryPat(p.openSequencePattern)
			}
			if !p.op(br[1]) {
				return nil
			}
			if r == nil {
				r = &pat{kind: patSeq}
			}
			r.at = t
			return r
		}); r != nil {
			return r
		}
	}
	if r := p.tryPat(p.mappingPattern); r != nil {
		return r
	}
	return p.tryPat(p.classPattern)
}

// open_sequence_pattern: maybe_star_pattern ',' maybe_sequence_pattern?
func (p *pyParser) openSequencePattern() *pat {
	first := p.tryPat(p.maybeStarPattern)
	if first == nil || !p.op(",") {
		return nil
	}
	r := &pat{kind: patSeq, at: first.at, kids: []*pat{first}}
	if rest := p.tryPat(p.maybeSequencePattern); rest != nil {
		r.kids = append(r.kids, rest.kids...)
	}
	return r
}

// maybe_sequence_pattern: ','.maybe_star_pattern+ ','?
func (p *pyParser) maybeSequencePattern() *pat {
	first := p.tryPat(p.maybeStarPattern)
	if first == nil {
		return nil
	}
	r := &pat{kind: patSeq, at: first.at, kids: []*pat{first}}
	for {
		at := p.pos
		if !p.op(",") {
			break
		}
		k := p.tryPat(p.maybeStarPattern)
		if k == nil {
			p.pos = at
			break
		}
		r.kids = append(r.kids, k)
	}
	p.op(",")
	return r
}

// maybe_star_pattern: star_pattern | pattern
// star_pattern: '*' pattern_capture_target | '*' wildcard_pattern
func (p *pyParser) maybeStarPattern() *pat {
	t := *p.peek()
	if r := p.tryPat(func() *pat {
		if !p.op("*") {
			return nil
		}
		n := *p.peek()
		if p.captureTarget() {
			return &pat{kind: patStar, name: n.val, at: t}
		}
		if p.kw("_") {
			return &pat{kind: patStar, at: t}
		}
		return nil
	}); r != nil {
		return r
	}
	return p.tryPat(p.pattern)
}

// mapping_pattern:
//
//	| '{' '}'
//	| '{' double_star_pattern ','? '}'
//	| '{' items_pattern ',' double_star_pattern ','? '}'
//	| '{' items_pattern ','? '}'
func (p *pyParser) mappingPattern() *pat {
	t := *p.peek()
	if !p.op("{") {
		return nil
	}
	r := &pat{kind: patMapping, at: t}
	doubleStar := func() bool {
		if !p.op("**") {
			return false
		}
		n := *p.peek()
		if !p.captureTarget() {
			return false
		}
		r.name = n.val
		return true
	}
	// key_value_pattern: (literal_expr | attr) ':' pattern
	item := func() bool {
		from := p.pos
		lit := p.tryPat(p.literalPattern)
		if lit == nil && !p.try(func() bool { d, ok := p.nameOrAttr(); return ok && d }) {
			return false
		}
		span := pyTokenSpan{from, p.pos}
		if lit == nil {
			span = pyTokenSpan{} // an attribute: compared at run time
		} else if lit.fstr {
			r.fstr = true
		}
		if !p.op(":") {
			return false
		}
		v := p.tryPat(p.pattern)
		if v == nil {
			return false
		}
		r.keys = append(r.keys, span)
		r.kids = append(r.kids, v)
		return true
	}
	if p.op("}") {
		return r
	}
	if p.try(func() bool { return doubleStar() && p.optComma() && p.op("}") }) {
		return r
	}
	if !item() {
		return nil
	}
	for {
		at := p.pos
		if !p.op(",") || !p.try(item) {
			p.pos = at
			break
		}
	}
	if p.try(func() bool { return p.op(",") && doubleStar() && p.optComma() && p.op("}") }) {
		return r
	}
	if p.optComma() && p.op("}") {
		return r
	}
	return nil
}

// class_pattern:
//
//	| name_or_attr '(' ')'
//	| name_or_attr '(' positional_patterns ','? ')'
//	| name_or_attr '(' keyword_patterns ','? ')'
//	| name_or_attr '(' positional_patterns ',' keyword_patterns ','? ')'
func (p *pyParser) classPattern() *pat {
	t := *p.peek()
	if _, ok := p.nameOrAttr(); !ok || !p.op("(") {
		return nil
	}
	r := &pat{kind: patClass, at: t}
	if p.op(")") {
		return r
	}
	var kwvals []*pat
	keyword := func() bool {
		n := *p.peek()
		if !p.name() || !p.op("=") {
			return false
		}
		v := p.tryPat(p.pattern)
		if v == nil {
			return false
		}
		r.kwargs = append(r.kwargs, n.val)
		kwvals = append(kwvals, v)
		return true
	}
	positional := func() bool {
		v := p.tryPat(p.pattern)
		if v == nil {
			return false
		}
		r.kids = append(r.kids, v)
		return true
	}
	list := func(f func() bool) bool {
		if !p.try(f) {
			return false
		}
		for {
			at := p.pos
			if !p.op(",") || !p.try(f) {
				p.pos = at
				return true
			}
		}
	}
	// Positional patterns, then keyword patterns after a comma; a
	// keyword pattern before a positional one is a syntax error.
	if !p.lookahead(func() bool { return p.name() && p.op("=") }) {
		if !list(positional) {
			return nil
		}
		if !p.try(func() bool { return p.op(",") && list(keyword) }) {
			if !p.optComma() || !p.op(")") {
				return nil
			}
			return r
		}
	} else if !list(keyword) {
		return nil
	}
	if !p.optComma() || !p.op(")") {
		return nil
	}
	r.kids = append(r.kids, kwvals...)
	return r
}

// checkMatches makes compile.c's checks of every match statement; the
// first error, or a not-modelled reason.
func (p *pyParser) checkMatches() (pyToken, string, string) {
	for _, m := range p.matches {
		n := len(m.cases)
		hasDefault := n > 1 && m.cases[n-1].pattern.kind == patWildcard && !m.cases[n-1].guard
		for i, c := range m.cases {
			if hasDefault && i == n-1 {
				break
			}
			var stores []string
			if at, msg, nm := p.compilePattern(c.pattern, c.guard || i == n-1, &stores); msg != "" || nm != "" {
				return at, msg, nm
			}
		}
	}
	return pyToken{}, "", ""
}

func (p *pyParser) storeName(name string, at pyToken, stores *[]string) string {
	if name == "__debug__" {
		return "cannot assign to __debug__"
	}
	for _, s := range *stores {
		if s == name {
			return fmt.Sprintf("multiple assignments to name '%s' in pattern", name)
		}
	}
	*stores = append(*stores, name)
	return ""
}

// compilePattern follows compiler_pattern: allow is pc->allow_irrefutable.
func (p *pyParser) compilePattern(x *pat, allow bool, stores *[]string) (pyToken, string, string) {
	fail := func(msg string) (pyToken, string, string) { return x.at, msg, "" }
	switch x.kind {
	case patCapture:
		if !allow {
			return fail(fmt.Sprintf("name capture '%s' makes remaining patterns unreachable", x.name))
		}
		if msg := p.storeName(x.name, x.at, stores); msg != "" {
			return fail(msg)
		}
	case patWildcard:
		if !allow {
			return fail("wildcard makes remaining patterns unreachable")
		}
	case patLiteral:
		if x.fstr {
			return fail("patterns may only match literals and attribute lookups")
		}
	case patAs:
		if at, msg, nm := p.compilePattern(x.kids[0], allow, stores); msg != "" || nm != "" {
			return at, msg, nm
		}
		if msg := p.storeName(x.name, x.at, stores); msg != "" {
			return fail(msg)
		}
	case patStar:
		if x.name != "" {
			if msg := p.storeName(x.name, x.at, stores); msg != "" {
				return fail(msg)
			}
		}
	case patSeq:
		stars := 0
		for _, k := range x.kids {
			if k.kind == patStar {
				stars++
			}
		}
		if stars > 1 {
			return fail("multiple starred names in sequence pattern")
		}
		for _, k := range x.kids {
			if at, msg, nm := p.compilePattern(k, true, stores); msg != "" || nm != "" {
				return at, msg, nm
			}
		}
	case patMapping:
		if x.fstr {
			return fail("patterns may only match literals and attribute lookups")
		}
		seen := map[string]bool{}
		for _, span := range x.keys {
			if span.to == 0 {
				continue
			}
			key, ok := p.constantKey(span)
			if !ok {
				return x.at, "", "mapping patterns with keys whose values deploykit does not compute"
			}
			if seen[key] {
				return fail("mapping pattern checks duplicate key")
			}
			seen[key] = true
		}
		for _, k := range x.kids {
			if at, msg, nm := p.compilePattern(k, true, stores); msg != "" || nm != "" {
				return at, msg, nm
			}
		}
		if x.name != "" {
			if msg := p.storeName(x.name, x.at, stores); msg != "" {
				return fail(msg)
			}
		}
	case patClass:
		for i, a := range x.kwargs {
			if a == "__debug__" {
				return fail("cannot assign to __debug__")
			}
			for _, b := range x.kwargs[:i] {
				if a == b {
					return fail(fmt.Sprintf("attribute name repeated in class pattern: %s", a))
				}
			}
		}
		for _, k := range x.kids {
			if at, msg, nm := p.compilePattern(k, true, stores); msg != "" || nm != "" {
				return at, msg, nm
			}
		}
	case patOr:
		var control []string
		for i, alt := range x.kids {
			var alts []string
			if at, msg, nm := p.compilePattern(alt, allow && i == len(x.kids)-1, &alts); msg != "" || nm != "" {
				return at, msg, nm
			}
			if i == 0 {
				control = alts
				continue
			}
			if len(alts) != len(control) {
				return fail("alternative patterns bind different names")
			}
			for _, nm := range control {
				found := false
				for _, a := range alts {
					found = found || a == nm
				}
				if !found {
					return fail("alternative patterns bind different names")
				}
			}
		}
		for _, nm := range control {
			if msg := p.storeName(nm, x.at, stores); msg != "" {
				return fail(msg)
			}
		}
	}
	return pyToken{}, "", ""
}

// constantKey is the value of a literal mapping key, as the key of a
// Python set would compare it (1 == 1.0 == True), for the literals whose
// value is plain: integers, floats, None, True, False, and strings
// without escapes.
func (p *pyParser) constantKey(span pyTokenSpan) (string, bool) {
	toks := p.toks[span.from:span.to]
	if len(toks) == 0 {
		return "", false
	}
	switch t := toks[0]; {
	case t.kind == tkName && t.val == "None":
		return "None", true
	case t.kind == tkName && t.val == "True":
		return "n:1", true
	case t.kind == tkName && t.val == "False":
		return "n:0", true
	case t.kind == tkString:
		var b strings.Builder
		bytesLit := false
		for _, s := range toks {
			prefix := literalPrefix(s.val)
			if strings.ContainsRune(prefix, 'b') {
				bytesLit = true
			}
			q := len(prefix)
			size := 1
			if len(s.val) >= q+6 && s.val[q+1] == s.val[q] && s.val[q+2] == s.val[q] {
				size = 3
			}
			body := s.val[q+size : len(s.val)-size]
			if strings.ContainsAny(body, "\\\r") {
				return "", false
			}
			b.WriteString(body)
		}
		if bytesLit {
			return "b:" + b.String(), true
		}
		return "s:" + b.String(), true
	}
	neg := false
	if toks[0].kind == tkOp && toks[0].val == "-" {
		neg = true
		toks = toks[1:]
	}
	if len(toks) != 1 || toks[0].kind != tkNumber {
		return "", false // complex literals
	}
	v := strings.ReplaceAll(strings.ToLower(toks[0].val), "_", "")
	if strings.HasSuffix(v, "j") {
		return "", false
	}
	n := new(big.Int)
	ok := false
	switch {
	case strings.HasPrefix(v, "0x"):
		_, ok = n.SetString(v[2:], 16)
	case strings.HasPrefix(v, "0o"):
		_, ok = n.SetString(v[2:], 8)
	case strings.HasPrefix(v, "0b"):
		_, ok = n.SetString(v[2:], 2)
	case !strings.ContainsAny(v, ".e"):
		_, ok = n.SetString(v, 10)
	default:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", false
		}
		if neg {
			f = -f
		}
		if f == float64(int64(f)) && f > -1e15 && f < 1e15 {
			return "n:" + strconv.FormatInt(int64(f), 10), true
		}
		return "f:" + strconv.FormatFloat(f, 'g', -1, 64), true
	}
	if !ok {
		return "", false
	}
	if neg {
		n.Neg(n)
	}
	return "n:" + n.String(), true
}

// matchBindingDeclared returns the global or nonlocal statement that
// names a capture of some match pattern, if any.
func (p *pyParser) matchBindingDeclared() *pyToken {
	if len(p.matches) == 0 {
		return nil
	}
	names := map[string]bool{}
	var walk func(x *pat)
	walk = func(x *pat) {
		switch x.kind {
		case patCapture, patAs, patStar, patMapping:
			if x.name != "" {
				names[x.name] = true
			}
		}
		for _, k := range x.kids {
			walk(k)
		}
	}
	for _, m := range p.matches {
		for _, c := range m.cases {
			walk(c.pattern)
		}
	}
	for i, t := range p.toks {
		if t.kind != tkName || t.val != "global" && t.val != "nonlocal" {
			continue
		}
		for j := i + 1; j < len(p.toks) && p.toks[j].kind != tkNewline && !(p.toks[j].kind == tkOp && p.toks[j].val == ";"); j++ {
			if p.toks[j].kind == tkName && names[p.toks[j].val] {
				return &p.toks[i]
			}
		}
	}
	return nil
}

package dockerfile

import (
	"fmt"
	"strconv"
	"strings"
)

// This file reads the version language of Python packaging, as far as
// InferSpec needs it: PEP 440 versions and specifier sets, Poetry's
// constraint syntax (^, ~, *, ||) and PEP 508 environment markers.

// pyVersion is a PEP 440 version reduced to what ordering needs.
type pyVersion struct {
	epoch   int
	release []int
	// pre is the pre-release phase (1 a, 2 b, 3 rc; 0 none) and number.
	pre, preN int
	post      int // -1 none
	dev       int // -1 none
}

// maxVersionLen bounds a version string; anything longer is not a version.
const maxVersionLen = 64

func parsePyVersion(s string) (pyVersion, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "v")
	v := pyVersion{post: -1, dev: -1}
	if s == "" || len(s) > maxVersionLen {
		return v, false
	}
	if i := strings.IndexByte(s, '!'); i > 0 {
		e, err := strconv.Atoi(s[:i])
		if err != nil {
			return v, false
		}
		v.epoch, s = e, s[i+1:]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 { // local version: ignored
		s = s[:i]
	}
	// Release.
	i := 0
	for {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j-i > 9 {
			return v, false
		}
		n, _ := strconv.Atoi(s[i:j])
		v.release = append(v.release, n)
		i = j
		if i < len(s) && s[i] == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	rest := strings.TrimLeft(s[i:], ".-_")
	for rest != "" {
		var phase string
		for _, p := range []string{"rc", "alpha", "beta", "preview", "pre", "post", "dev", "a", "b", "c"} {
			if strings.HasPrefix(rest, p) {
				phase = p
				break
			}
		}
		if phase == "" {
			return v, false
		}
		rest = strings.TrimLeft(rest[len(phase):], ".-_")
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' && j < 9 {
			j++
		}
		n, _ := strconv.Atoi(rest[:j])
		rest = strings.TrimLeft(rest[j:], ".-_")
		switch phase {
		case "a", "alpha":
			v.pre, v.preN = 1, n
		case "b", "beta":
			v.pre, v.preN = 2, n
		case "rc", "c", "pre", "preview":
			v.pre, v.preN = 3, n
		case "post":
			v.post = n
		case "dev":
			v.dev = n
		}
	}
	return v, true
}

func (v pyVersion) String() string {
	parts := make([]string, len(v.release))
	for i, n := range v.release {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

func (v pyVersion) part(i int) int {
	if i < len(v.release) {
		return v.release[i]
	}
	return 0
}

// compare orders two versions as PEP 440 does (dev < pre < final < post).
func (v pyVersion) compare(w pyVersion) int {
	if v.epoch != w.epoch {
		return cmpInt(v.epoch, w.epoch)
	}
	for i := 0; i < max(len(v.release), len(w.release)); i++ {
		if c := cmpInt(v.part(i), w.part(i)); c != 0 {
			return c
		}
	}
	// Pre-release key: a dev-only release sorts before its pre-releases.
	key := func(x pyVersion) (int, int) {
		switch {
		case x.pre > 0:
			return x.pre, x.preN
		case x.dev >= 0 && x.post < 0:
			return -1, 0
		}
		return 4, 0
	}
	vp, vn := key(v)
	wp, wn := key(w)
	if c := cmpInt(vp, wp); c != 0 {
		return c
	}
	if c := cmpInt(vn, wn); c != 0 {
		return c
	}
	if c := cmpInt(v.post, w.post); c != 0 {
		return c
	}
	vd, wd := v.dev, w.dev
	if vd < 0 {
		vd = 1 << 30
	}
	if wd < 0 {
		wd = 1 << 30
	}
	return cmpInt(vd, wd)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pySpecifier is one clause of a specifier set: ">=3.10", "==3.12.*".
type pySpecifier struct {
	op       string
	version  pyVersion
	raw      string // the version as written
	wildcard bool
}

// specifierSet is a conjunction of clauses; an empty set allows everything.
type specifierSet []pySpecifier

// constraint is a disjunction of specifier sets (Poetry's "||"; PEP 440
// sets are a single alternative).
type constraint []specifierSet

var specOps = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// parseSpecifierSet reads a PEP 440 specifier set ("&gt;=3.10,<3.13").
func parseSpecifierSet(s string) (specifierSet, error) {
	var out specifierSet
	for clause := range strings.SplitSeq(s, ",") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		sp, err := parseSpecifier(clause)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func parseSpecifier(clause string) (pySpecifier, error) {
	for _, op := range specOps {
		if strings.HasPrefix(clause, op) {
			raw := strings.TrimSpace(clause[len(op):])
			sp := pySpecifier{op: op, raw: raw}
			if strings.HasSuffix(raw, ".*") && (op == "==" || op == "!=") {
				sp.wildcard = true
				raw = strings.TrimSuffix(raw, ".*")
			}
			v, ok := parsePyVersion(raw)
			if !ok {
				return sp, fmt.Errorf("%q is not a version", raw)
			}
			sp.version = v
			return sp, nil
		}
	}
	return pySpecifier{}, fmt.Errorf("%q has no comparison operator (==, >=, <, ~=, ...)", clause)
}

func (sp pySpecifier) allows(v pyVersion) bool {
	c := v.compare(sp.version)
	switch sp.op {
	case "==", "===":
		if sp.wildcard {
			return prefixMatch(v, sp.version)
		}
		return c == 0
	case "!=":
		if sp.wildcard {
			return !prefixMatch(v, sp.version)
		}
		return c != 0
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case "<":
		// PEP 440: <V excludes pre-releases of V itself.
		if c < 0 && sp.version.pre == 0 && sp.version.dev < 0 && (v.pre > 0 || v.dev >= 0) && prefixMatch(v, pyVersion{epoch: sp.version.epoch, release: sp.version.release}) {
			return false
		}
		return c < 0
	case "~=":
		if c < 0 || len(sp.version.release) < 2 {
			return false
		}
		prefix := pyVersion{release: sp.version.release[:len(sp.version.release)-1]}
		return prefixMatch(v, prefix)
	}
	return false
}

func prefixMatch(v, prefix pyVersion) bool {
	for i, n := range prefix.release {
		if v.part(i) != n {
			return false
		}
	}
	return v.epoch == prefix.epoch
}

func (s specifierSet) allows(v pyVersion) bool {
	for _, sp := range s {
		if !sp.allows(v) {
			return false
		}
	}
	return true
}

func (c constraint) String() string {
	var alts []string
	for _, s := range c {
		var cl []string
		for _, sp := range s {
			raw := sp.raw
			cl = append(cl, sp.op+raw)
		}
		alts = append(alts, strings.Join(cl, ","))
	}
	return strings.Join(alts, " || ")
}

// parsePoetryConstraint reads Poetry's constraint language: "^3.11",
// "~3.9", ">=3.9,<3.13", ">=3.9 <3.13", "3.11.*", "3.11", "*", and
// alternatives joined by "||".
func parsePoetryConstraint(s string) (constraint, error) {
	var out constraint
	for alt := range strings.SplitSeq(s, "||") {
		alt = strings.TrimSpace(alt)
		var set specifierSet
		fields := strings.FieldsFunc(alt, func(r rune) bool { return r == ',' || r == ' ' })
		// Re-join an operator written apart from its version (">= 3.9").
		var clauses []string
		for i := 0; i < len(fields); i++ {
			f := fields[i]
			if isOperatorOnly(f) && i+1 < len(fields) {
				f += fields[i+1]
				i++
			}
			clauses = append(clauses, f)
		}
		for _, cl := range clauses {
			sps, err := poetryClause(cl)
			if err != nil {
				return nil, err
			}
			set = append(set, sps...)
		}
		out = append(out, set)
	}
	return out, nil
}

func isOperatorOnly(f string) bool {
	for _, op := range append([]string{"^", "~"}, specOps...) {
		if f == op {
			return true
		}
	}
	return false
}

func poetryClause(cl string) ([]pySpecifier, error) {
	switch {
	case cl == "*" || cl == "":
		return nil, nil
	case strings.HasPrefix(cl, "^"):
		v, ok := parsePyVersion(cl[1:])
		if !ok {
			return nil, fmt.Errorf("%q is not a version", cl[1:])
		}
		// ^X.Y.Z: >=X.Y.Z, < next version of the leftmost non-zero part.
		upper := make([]int, 0, len(v.release))
		for i, n := range v.release {
			if n != 0 || i == len(v.release)-1 {
				upper = append(upper, n+1)
				break
			}
			upper = append(upper, 0)
		}
		return []pySpecifier{
			{op: ">=", version: v, raw: cl[1:]},
			{op: "<", version: pyVersion{release: upper}, raw: pyVersion{release: upper}.String()},
		}, nil
	case strings.HasPrefix(cl, "~") && !strings.HasPrefix(cl, "~="):
		v, ok := parsePyVersion(cl[1:])
		if !ok {
			return nil, fmt.Errorf("%q is not a version", cl[1:])
		}
		// ~X.Y[.Z]: >=X.Y[.Z], <X.(Y+1); ~X: >=X, <X+1.
		var upper []int
		if len(v.release) == 1 {
			upper = []int{v.release[0] + 1}
		} else {
			upper = []int{v.release[0], v.release[1] + 1}
		}
		return []pySpecifier{
			{op: ">=", version: v, raw: cl[1:]},
			{op: "<", version: pyVersion{release: upper}, raw: pyVersion{release: upper}.String()},
		}, nil
	}
	for _, op := range specOps {
		if strings.HasPrefix(cl, op) {
			sp, err := parseSpecifier(cl)
			return []pySpecifier{sp}, err
		}
	}
	// A bare version: X.Y.* when it names fewer than three parts.
	raw := strings.TrimSuffix(cl, ".*")
	v, ok := parsePyVersion(raw)
	if !ok {
		return nil, fmt.Errorf("%q is not a version or constraint", cl)
	}
	if len(v.release) < 3 || strings.HasSuffix(cl, ".*") {
		return []pySpecifier{{op: "==", version: v, raw: raw + ".*", wildcard: true}}, nil
	}
	return []pySpecifier{{op: "==", version: v, raw: raw}}, nil
}

// allowsPythonMinor reports whether constraint c allows the newest patch
// release of CPython minor ("3.12"), which is what python:3.12-slim
// carries. "<=3.12" and ">3.12" are read as their authors mean them (up to
// and including all of 3.12; from 3.13 on).
func (c constraint) allowsPythonMinor(minor string) bool {
	v, ok := parsePyVersion(minor)
	if !ok {
		return false
	}
	latest := pyVersion{release: []int{v.part(0), v.part(1), 999}, post: -1, dev: -1}
	if len(c) == 0 {
		return true
	}
	for _, set := range c {
		ok := true
		for _, sp := range set {
			if (sp.op == "==" || sp.op == "===") && !sp.wildcard {
				// An exact pin names a patch release of one minor.
				if sp.version.part(0) != v.part(0) || sp.version.part(1) != v.part(1) {
					ok = false
					break
				}
				continue
			}
			if len(sp.version.release) == 2 && (sp.op == "<=" || sp.op == ">") {
				next := pyVersion{release: []int{sp.version.part(0), sp.version.part(1) + 1}, post: -1, dev: -1}
				adj := sp
				adj.version = next
				if sp.op == "<=" {
					adj.op = "<"
				} else {
					adj.op = ">="
				}
				sp = adj
			}
			if !sp.allows(latest) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// allowsVersion reports whether some alternative of c allows v.
func (c constraint) allowsVersion(v pyVersion) bool {
	if len(c) == 0 {
		return true
	}
	for _, set := range c {
		if set.allows(v) {
			return true
		}
	}
	return false
}

// exactVersion returns the version a constraint pins with a single "==V"
// (no wildcard), or "".
func (c constraint) exactVersion() string {
	if len(c) != 1 || len(c[0]) != 1 {
		return ""
	}
	sp := c[0][0]
	if (sp.op == "==" || sp.op == "===") && !sp.wildcard {
		return sp.raw
	}
	return ""
}

// exactPython returns the X.Y.Z a constraint pins with "==X.Y.Z", or "".
func (c constraint) exactPython() string {
	if len(c) != 1 {
		return ""
	}
	for _, sp := range c[0] {
		if (sp.op == "==" || sp.op == "===") && !sp.wildcard && len(sp.version.release) == 3 {
			return sp.version.String()
		}
	}
	return ""
}

// markerEnv is the target environment markers are evaluated in: CPython
// on Debian Linux, x86_64. python "" means not decided yet, in which case
// every comparison with python_version is taken as true.
type markerEnv struct {
	python string // "3.12"
	extras []string
}

// maxMarkerLen bounds a marker expression.
const maxMarkerLen = 4096

// evalMarker evaluates a PEP 508 marker. A marker it cannot parse counts
// as true: deploykit would rather install a library too many than one too
// few.
func evalMarker(marker string, env markerEnv) bool {
	marker = strings.TrimSpace(marker)
	if marker == "" {
		return true
	}
	if len(marker) > maxMarkerLen {
		return true
	}
	p := &markerParser{toks: tokenizeMarker(marker), env: env}
	v, ok := p.or(0)
	if !ok || p.i != len(p.toks) {
		return true
	}
	return v
}

type markerParser struct {
	toks []string
	i    int
	env  markerEnv
}

const maxMarkerDepth = 32

func (p *markerParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *markerParser) or(depth int) (bool, bool) {
	v, ok := p.and(depth)
	for ok && p.peek() == "or" {
		p.i++
		w, ok2 := p.and(depth)
		v, ok = v || w, ok2
	}
	return v, ok
}

func (p *markerParser) and(depth int) (bool, bool) {
	v, ok := p.atom(depth)
	for ok && p.peek() == "and" {
		p.i++
		w, ok2 := p.atom(depth)
		v, ok = v && w, ok2
	}
	return v, ok
}

func (p *markerParser) atom(depth int) (bool, bool) {
	if depth > maxMarkerDepth {
		return false, false
	}
	if p.peek() == "(" {
		p.i++
		v, ok := p.or(depth + 1)
		if !ok || p.peek() != ")" {
			return false, false
		}
		p.i++
		return v, true
	}
	if p.i+2 >= len(p.toks) {
		return false, false
	}
	lhs := p.peek()
	p.i++
	op := p.peek()
	p.i++
	if op == "not" && p.peek() == "in" {
		op = "not in"
		p.i++
	}
	rhs := p.peek()
	if rhs == "" {
		return false, false
	}
	p.i++
	return p.compare(lhs, op, rhs)
}

func (p *markerParser) value(tok string) (val string, isVar, isPython bool) {
	if len(tok) >= 2 && (tok[0] == '"' || tok[0] == '\'') {
		return tok[1 : len(tok)-1], false, false
	}
	py := p.env.python
	switch tok {
	case "python_version":
		return py, true, true
	case "python_full_version", "implementation_version":
		if py == "" {
			return "", true, true
		}
		return py + ".99", true, true
	case "os_name":
		return "posix", true, false
	case "sys_platform":
		return "linux", true, false
	case "platform_system":
		return "Linux", true, false
	case "platform_machine":
		return "x86_64", true, false
	case "platform_python_implementation":
		return "CPython", true, false
	case "implementation_name":
		return "cpython", true, false
	case "platform_release", "platform_version":
		return "", true, false
	case "extra":
		return "\x00extra", true, false
	}
	return tok, true, false
}

func (p *markerParser) compare(l, op, r string) (bool, bool) {
	lv, _, lpy := p.value(l)
	rv, _, rpy := p.value(r)
	if (lpy && lv == "") || (rpy && rv == "") {
		return true, true // Python not decided yet.
	}
	if lv == "\x00extra" || rv == "\x00extra" {
		want := rv
		if rv == "\x00extra" {
			want = lv
		}
		has := false
		for _, e := range p.env.extras {
			if normalizeName(e) == normalizeName(want) {
				has = true
			}
		}
		switch op {
		case "==":
			return has, true
		case "!=":
			return !has, true
		}
		return false, true
	}
	switch op {
	case "in":
		return strings.Contains(rv, lv), true
	case "not in":
		return !strings.Contains(rv, lv), true
	}
	if a, ok := parsePyVersion(lv); ok {
		if sp, err := parseSpecifier(op + rv); err == nil {
			return sp.allows(a), true
		}
	}
	switch op {
	case "==", "===":
		return lv == rv, true
	case "!=":
		return lv != rv, true
	case "<":
		return lv < rv, true
	case "<=":
		return lv <= rv, true
	case ">":
		return lv > rv, true
	case ">=":
		return lv >= rv, true
	}
	return false, false
}

func tokenizeMarker(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return append(toks, s[i:])
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		case strings.IndexByte("<>=!~", c) >= 0:
			j := i
			for j < len(s) && strings.IndexByte("<>=!~", s[j]) >= 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r()<>=!~\"'", s[j]) < 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

// normalizeName is PEP 503's name normalisation: lower case, runs of
// "-", "_" and "." become one "-".
func normalizeName(n string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(n)) {
		if r == '-' || r == '_' || r == '.' {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(r)
	}
	return b.String()
}

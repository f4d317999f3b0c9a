package cache

import (
	"fmt"
	"strings"
)

// matchKind mirrors @actions/glob's MatchKind bit set.
type matchKind uint8

const (
	matchNone      matchKind = 0
	matchDirectory matchKind = 1
	matchFile      matchKind = 2
	matchAll       matchKind = 3
)

// PatternError reports a hashFiles pattern the runner rejects; the whole
// hashFiles call then fails.
type PatternError struct {
	// Line is the 1-based line of the pattern in the joined pattern text
	// (arguments joined with newlines), 0 when unknown.
	Line int
	// Pattern is the offending line, after trimming.
	Pattern string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *PatternError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: invalid pattern %q: %s", e.Line, e.Pattern, e.Reason)
	}
	return fmt.Sprintf("invalid pattern %q: %s", e.Pattern, e.Reason)
}

// globPattern is one compiled line of a hashFiles call (or the implicit
// "<pattern>/**" that @actions/glob adds after it).
type globPattern struct {
	source       string // the line as written (for messages)
	negate       bool
	implicit     bool
	trailingSep  bool
	lastGlobstar bool     // the last path segment is exactly "**"
	segments     []string // path segments; segments[0] is the root "/"
	searchPath   string
	mm           []segMatcher // minimatch set[0], split on '/'
}

// splitLines splits the joined pattern text into trimmed pattern lines,
// dropping empty lines and comments, as @actions/glob does on Linux.
func splitLines(text string) (lines []string, numbers []int) {
	for i, line := range strings.Split(text, "\n") {
		line = jsTrim(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
		numbers = append(numbers, i+1)
	}
	return lines, numbers
}

// normalizeSeparators collapses runs of '/'.
func normalizeSeparators(p string) string {
	if !strings.Contains(p, "//") {
		return p
	}
	var b strings.Builder
	prev := false
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			if prev {
				continue
			}
			prev = true
		} else {
			prev = false
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// safeTrimTrailingSeparator normalises and drops one trailing '/', except
// for the root.
func safeTrimTrailingSeparator(p string) string {
	if p == "" {
		return ""
	}
	p = normalizeSeparators(p)
	if !strings.HasSuffix(p, "/") || p == "/" {
		return p
	}
	return p[:len(p)-1]
}

// pathSegments is @actions/glob's Path(string).segments on Linux.
func pathSegments(p string) []string {
	p = safeTrimTrailingSeparator(p)
	if !strings.HasPrefix(p, "/") {
		return strings.Split(p, "/")
	}
	if p == "/" {
		return []string{"/"}
	}
	return append([]string{"/"}, strings.Split(p[1:], "/")...)
}

// pathString is @actions/glob's Path(segments).toString().
func pathString(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	r := segs[0]
	skip := strings.HasSuffix(r, "/")
	for _, s := range segs[1:] {
		if skip {
			skip = false
		} else {
			r += "/"
		}
		r += s
	}
	return r
}

// getLiteral unescapes a pattern segment into a literal path segment, or
// returns "" when the segment contains a glob. It works on UTF-16 units
// like the original (a class of one astral character is two units and so
// not a literal).
func getLiteral(segment string) string {
	s := units(segment, nil)
	var lit []uint16
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			lit = append(lit, s[i])
			continue
		}
		if c == '*' || c == '?' {
			return ""
		}
		if c == '[' && i+1 < len(s) {
			var set []uint16
			closed := -1
			for i2 := i + 1; i2 < len(s); i2++ {
				c2 := s[i2]
				if c2 == '\\' && i2+1 < len(s) {
					i2++
					set = append(set, s[i2])
					continue
				}
				if c2 == ']' {
					closed = i2
					break
				}
				set = append(set, c2)
			}
			if closed >= 0 {
				if len(set) > 1 {
					return ""
				}
				if len(set) == 1 {
					lit = append(lit, set...)
					i = closed
					continue
				}
			}
		}
		lit = append(lit, c)
	}
	return fromUnits(lit)
}

// globEscape escapes a directory path so it can prefix a pattern.
func globEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	// '[' becomes "[[]" when a ']' follows within the same path segment
	// with at least one character in between.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '[' {
			esc := false
			for j := i + 1; j < len(s) && s[j] != '/'; j++ {
				if s[j] == ']' && j > i+1 {
					esc = true
					break
				}
			}
			if esc {
				b.WriteString("[[]")
				continue
			}
		}
		b.WriteByte(s[i])
	}
	s = b.String()
	s = strings.ReplaceAll(s, "?", "[?]")
	s = strings.ReplaceAll(s, "*", "[*]")
	return s
}

// compilePattern builds one pattern the way @actions/glob's Pattern
// constructor does on Linux. cwd and home must be absolute.
func compilePattern(line, cwd, home string) (*globPattern, error) {
	pattern := jsTrim(line)
	negate := false
	for strings.HasPrefix(pattern, "!") {
		negate = !negate
		pattern = jsTrim(pattern[1:])
	}
	abs, err := fixupPattern(pattern, line, cwd, home)
	if err != nil {
		return nil, err
	}
	return buildPattern(line, abs, negate, false), nil
}

func fixupPattern(pattern, line, cwd, home string) (string, error) {
	if pattern == "" {
		return "", &PatternError{Pattern: line, Reason: "pattern cannot be empty"}
	}
	for i, seg := range pathSegments(pattern) {
		l := getLiteral(seg)
		if (l == "." && i != 0) || l == ".." {
			return "", &PatternError{Pattern: line, Reason: "relative pathing '.' and '..' is not allowed"}
		}
	}
	pattern = normalizeSeparators(pattern)
	switch {
	case pattern == "." || strings.HasPrefix(pattern, "./"):
		pattern = globEscape(cwd) + pattern[1:]
	case pattern == "~" || strings.HasPrefix(pattern, "~/"):
		pattern = globEscape(home) + pattern[1:]
	case strings.HasPrefix(pattern, "/"):
	default:
		root := globEscape(cwd)
		if !strings.HasSuffix(root, "/") {
			root += "/"
		}
		pattern = root + pattern
	}
	return normalizeSeparators(pattern), nil
}

func buildPattern(source, abs string, negate, implicit bool) *globPattern {
	p := &globPattern{source: source, negate: negate, implicit: implicit}
	p.segments = pathSegments(abs)
	p.trailingSep = strings.HasSuffix(normalizeSeparators(abs), "/")
	abs = safeTrimTrailingSeparator(abs)
	p.lastGlobstar = p.segments[len(p.segments)-1] == "**"
	var search []string
	for _, s := range p.segments {
		l := getLiteral(s)
		if l == "" {
			break
		}
		search = append(search, l)
	}
	p.searchPath = pathString(search)
	// Minimatch trims the pattern again and splits it on runs of '/'.
	mmText := jsTrim(abs)
	for _, part := range splitSlashes(mmText) {
		p.mm = append(p.mm, compileSegment(part))
	}
	return p
}

// implicitDescendants returns the "<pattern>/**" companion, or nil when
// the pattern already ends in "**" without a trailing slash. The
// companion is re-validated like any pattern, so it can fail.
func (p *globPattern) implicitDescendants() (*globPattern, error) {
	if !p.trailingSep && p.lastGlobstar {
		return nil, nil
	}
	segs := append(append([]string(nil), p.segments...), "**")
	abs := jsTrim(pathString(segs))
	for i, seg := range pathSegments(abs) {
		l := getLiteral(seg)
		if (l == "." && i != 0) || l == ".." {
			return nil, &PatternError{Pattern: p.source, Reason: "relative pathing '.' and '..' is not allowed"}
		}
	}
	return buildPattern(p.source, normalizeSeparators(abs), p.negate, true), nil
}

// splitSlashes is JavaScript's s.split(/\/+/).
func splitSlashes(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		if s[i] == '/' {
			out = append(out, s[start:i])
			for i < len(s) && s[i] == '/' {
				i++
			}
			start = i
			continue
		}
		i++
	}
	return append(out, s[start:])
}

// matchOne is minimatch's matchOne over already-split segments.
func matchOne(file []string, pat []segMatcher, partial bool, buf *[]uint16) bool {
	fi, pi := 0, 0
	fl, pl := len(file), len(pat)
	for ; fi < fl && pi < pl; fi, pi = fi+1, pi+1 {
		p := &pat[pi]
		if p.globstar {
			pr := pi + 1
			if pr == pl {
				for ; fi < fl; fi++ {
					if file[fi] == "." || file[fi] == ".." {
						return false
					}
				}
				return true
			}
			for fr := fi; fr < fl; fr++ {
				if matchOne(file[fr:], pat[pr:], partial, buf) {
					return true
				}
				if file[fr] == "." || file[fr] == ".." {
					return false
				}
			}
			// Ran out of file while pattern remains.
			return partial
		}
		if !p.match(file[fi], buf) {
			return false
		}
	}
	switch {
	case fi == fl && pi == pl:
		return true
	case fi == fl:
		return partial
	default:
		return fi == fl-1 && file[fi] == ""
	}
}

// match is Pattern.match: itemSegs is the item path split on '/'
// (["", "a", "b"] for "/a/b"; ["", ""] for "/").
func (p *globPattern) match(itemSegs []string, isRoot bool, buf *[]uint16) matchKind {
	file := itemSegs
	if p.lastGlobstar && !p.implicit && !isRoot {
		// "/a/b" becomes "/a/b/": one more, empty, segment.
		file = append(itemSegs[:len(itemSegs):len(itemSegs)], "")
	}
	if matchOne(file, p.mm, false, buf) {
		if p.trailingSep {
			return matchDirectory
		}
		return matchAll
	}
	return matchNone
}

// partialMatch is Pattern.partialMatch.
func (p *globPattern) partialMatch(itemSegs []string, isRoot bool, buf *[]uint16) bool {
	if isRoot {
		return strings.HasPrefix(p.searchPath, "/")
	}
	return matchOne(itemSegs, p.mm, true, buf)
}

// patternSet is the ordered list the globber folds over (each pattern
// followed by its implicit companion).
type patternSet struct {
	patterns []*globPattern
}

// compilePatterns compiles every line of text, in order, adding the
// implicit descendants (hashFiles' globber options).
func compilePatterns(text, cwd, home string) (*patternSet, error) {
	return compilePatternsWith(text, cwd, home, true)
}

// compilePatternsWith compiles every line of text, in order, with or
// without @actions/glob's implicitDescendants.
func compilePatternsWith(text, cwd, home string, implicit bool) (*patternSet, error) {
	set := &patternSet{}
	lines, numbers := splitLines(text)
	for i, line := range lines {
		p, err := compilePattern(line, cwd, home)
		if err != nil {
			if pe, ok := err.(*PatternError); ok {
				pe.Line = numbers[i]
			}
			return nil, err
		}
		set.patterns = append(set.patterns, p)
	}
	if !implicit {
		return set, nil
	}
	var all []*globPattern
	for i, p := range set.patterns {
		all = append(all, p)
		imp, err := p.implicitDescendants()
		if err != nil {
			if pe, ok := err.(*PatternError); ok {
				pe.Line = numbers[i]
			}
			return nil, err
		}
		if imp != nil {
			all = append(all, imp)
		}
	}
	set.patterns = all
	return set, nil
}

// match folds every pattern in order: includes OR, excludes clear.
// buf is scratch space for UTF-16 conversion (one per goroutine).
func (s *patternSet) match(itemSegs []string, isRoot bool, buf *[]uint16) matchKind {
	var r matchKind
	for _, p := range s.patterns {
		if p.negate {
			r &^= p.match(itemSegs, isRoot, buf)
		} else {
			r |= p.match(itemSegs, isRoot, buf)
		}
	}
	return r
}

func (s *patternSet) partialMatch(itemSegs []string, isRoot bool, buf *[]uint16) bool {
	for _, p := range s.patterns {
		if !p.negate && p.partialMatch(itemSegs, isRoot, buf) {
			return true
		}
	}
	return false
}

// searchPaths de-duplicates the search paths of the non-negated patterns
// and drops any that has an ancestor among them, in first-appearance order.
func (s *patternSet) searchPaths() []string {
	cand := map[string]bool{}
	for _, p := range s.patterns {
		if !p.negate {
			cand[p.searchPath] = true
		}
	}
	included := map[string]bool{}
	var out []string
	for _, p := range s.patterns {
		if p.negate || included[p.searchPath] {
			continue
		}
		found := false
		key := p.searchPath
		parent := dirnameJS(key)
		for parent != key {
			if cand[parent] {
				found = true
				break
			}
			key = parent
			parent = dirnameJS(key)
		}
		if !found {
			out = append(out, p.searchPath)
			included[p.searchPath] = true
		}
	}
	return out
}

// dirnameJS is Node's path.dirname after a safe trailing trim (POSIX).
func dirnameJS(p string) string {
	p = safeTrimTrailingSeparator(p)
	if p == "" {
		return "."
	}
	if p == "/" {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	switch {
	case i < 0:
		return "."
	case i == 0:
		return "/"
	}
	// Node's dirname also strips repeated slashes before the base.
	d := p[:i]
	for len(d) > 1 && strings.HasSuffix(d, "/") {
		d = d[:len(d)-1]
	}
	return d
}

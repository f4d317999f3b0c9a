package dockerfile

import "strings"

// versionBefore compares dotted numeric versions ("1.10" > "1.9");
// non-numeric suffixes are ignored.
func versionBefore(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x = numPrefix(as[i])
		}
		if i < len(bs) {
			y = numPrefix(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// numPrefix is the decimal number s starts with (0 when none).
func numPrefix(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1<<20 {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// badImportPath returns the first segment of a "pkg.module:attr" path that
// is not a Python identifier, or "".
func badImportPath(app string) string {
	mod, attr, hasAttr := strings.Cut(app, ":")
	for seg := range strings.SplitSeq(mod, ".") {
		if !pyIdentifier(seg) {
			return seg
		}
	}
	if hasAttr {
		// gunicorn also accepts "module:factory()" and "module:create_app(x)".
		name, _, _ := strings.Cut(attr, "(")
		if !pyIdentifier(name) {
			return attr
		}
	}
	return ""
}

// pyIdentifier reports whether s is an ASCII Python identifier that is not
// a keyword.
func pyIdentifier(s string) bool {
	if s == "" || pyKeyword[s] {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// pyKeyword holds Python 3's hard keywords (docs.python.org/3/reference/lexical_analysis.html#keywords).
var pyKeyword = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}

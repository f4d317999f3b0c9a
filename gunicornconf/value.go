package gunicornconf

import (
	"sort"
	"strconv"
	"strings"
)

// Kind is the Python type of a statically known Value.
type Kind int

// The kinds of Value. KindUnknown means "not statically known": the value
// depends on the host, the environment, or code deploykit does not run.
const (
	KindUnknown Kind = iota
	KindNone
	KindBool
	KindInt
	KindFloat
	KindString
	KindBytes
	KindList
	KindTuple
	KindDict
	KindCallable
	KindModule
)

var kindNames = [...]string{"unknown", "None", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict", "function", "module"}

// String returns the Python type name ("int", "str", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Value is what a module-level name of gunicorn.conf.py evaluates to, as
// far as it is statically known. The zero Value is unknown with no reason.
type Value struct {
	Kind  Kind
	Bool  bool
	Int   int64
	Float float64
	// Str holds str and bytes values, and the dotted path of a module or
	// imported object (KindModule, and KindUnknown references).
	Str   string
	Items []Value // list, tuple, dict values
	Keys  []Value // dict keys, parallel to Items
	// Arity is the number of positional parameters of a function
	// (gunicorn's util.get_arity); VarArgs reports *args.
	Arity   int
	VarArgs bool
	// Reason says why a KindUnknown value is not statically known.
	Reason string
	// HostDependent reports that the value is computed from the host it
	// runs on (cpu_count(), sched_getaffinity, /proc, /sys).
	HostDependent bool
	// Env lists the environment variables the value reads.
	Env []string
	// Fallback is, for an unknown value read from the environment
	// (os.environ.get(K, D), os.environ.get(K) or D), the value it takes
	// when the variable is unset; nil when there is none.
	Fallback *Value
	// ref is the dotted path of an imported object (for resolving calls).
	ref string
}

// Known reports whether the value is statically known.
func (v Value) Known() bool { return v.Kind != KindUnknown }

func unknown(reason string) Value { return Value{Kind: KindUnknown, Reason: reason} }

// taint returns an unknown value carrying the host and environment
// dependencies of the operands.
func taint(reason string, from ...Value) Value {
	u := unknown("")
	for _, f := range from {
		u.HostDependent = u.HostDependent || f.HostDependent
		u.Env = mergeEnv(u.Env, f.Env)
		if f.Kind == KindUnknown && f.Reason != "" && u.Reason == "" {
			u.Reason = f.Reason
		}
	}
	if u.Reason == "" {
		u.Reason = reason
	}
	return u
}

func mergeEnv(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// truthy returns Python truthiness for a known value.
func (v Value) truthy() (bool, bool) {
	switch v.Kind {
	case KindNone:
		return false, true
	case KindBool:
		return v.Bool, true
	case KindInt:
		return v.Int != 0, true
	case KindFloat:
		return v.Float != 0, true
	case KindString, KindBytes:
		return v.Str != "", true
	case KindList, KindTuple, KindDict:
		return len(v.Items) > 0, true
	case KindCallable, KindModule:
		return true, true
	}
	return false, false
}

// Python renders the value as a Python literal (repr), or "<not
// statically known>" for unknown values.
func (v Value) Python() string {
	switch v.Kind {
	case KindNone:
		return "None"
	case KindBool:
		if v.Bool {
			return "True"
		}
		return "False"
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindFloat:
		s := strconv.FormatFloat(v.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
		return s
	case KindString:
		return pyQuote(v.Str)
	case KindBytes:
		return "b" + pyQuote(v.Str)
	case KindList, KindTuple:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = it.Python()
		}
		if v.Kind == KindTuple {
			if len(parts) == 1 {
				return "(" + parts[0] + ",)"
			}
			return "(" + strings.Join(parts, ", ") + ")"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case KindDict:
		parts := make([]string, len(v.Items))
		for i := range v.Items {
			parts[i] = v.Keys[i].Python() + ": " + v.Items[i].Python()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case KindCallable:
		return "<function of " + strconv.Itoa(v.Arity) + " positional parameters>"
	case KindModule:
		return "<module " + v.Str + ">"
	}
	return "<not statically known>"
}

// pyQuote quotes s the way Python's repr does for simple strings.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			h := strconv.FormatInt(int64(r), 16)
			if len(h) < 2 {
				h = "0" + h
			}
			b.WriteString(h)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

package gunicornconf

// Constant folding: what the evaluator knows about Python values and
// operations. Anything it does not model becomes "not statically known"
// with a reason.

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

func isBuiltin(name string) bool {
	switch name {
	case "int", "str", "float", "bool", "min", "max", "abs", "len", "round", "list", "tuple", "dict", "print", "open", "range", "sum", "repr":
		return true
	}
	return false
}

func number(text string) Value {
	s := strings.ReplaceAll(text, "_", "")
	if strings.HasSuffix(s, "j") || strings.HasSuffix(s, "J") {
		return unknown("complex number")
	}
	ls := strings.ToLower(s)
	if strings.HasPrefix(ls, "0x") || strings.HasPrefix(ls, "0o") || strings.HasPrefix(ls, "0b") {
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return unknown("integer literal out of range")
		}
		return Value{Kind: KindInt, Int: n}
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return unknown("float literal out of range")
		}
		return Value{Kind: KindFloat, Float: f}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return unknown("integer literal out of range")
	}
	return Value{Kind: KindInt, Int: n}
}

func attribute(v Value, name string) Value {
	switch {
	case v.Kind == KindModule:
		return Value{Kind: KindUnknown, Reason: v.Str + "." + name, ref: v.Str + "." + name}
	case v.ref != "":
		return Value{Kind: KindUnknown, Reason: v.ref + "." + name, ref: v.ref + "." + name, HostDependent: v.HostDependent, Env: v.Env}
	}
	return taint("attribute ."+name+" is not evaluated", v)
}

// hostCalls are functions whose result depends on the machine gunicorn
// runs on.
var hostCalls = map[string]string{
	"multiprocessing.cpu_count": "multiprocessing.cpu_count() counts the host's CPUs and ignores cgroup CPU quotas and memory",
	"os.cpu_count":              "os.cpu_count() counts the host's CPUs and ignores cgroup CPU quotas and memory",
	"os.sched_getaffinity":      "os.sched_getaffinity() depends on the host's CPU affinity",
	"os.process_cpu_count":      "os.process_cpu_count() depends on the host's CPU affinity",
	"psutil.cpu_count":          "psutil.cpu_count() counts the host's CPUs",
	"psutil.virtual_memory":     "psutil.virtual_memory() reads the host's memory",
	"os.sysconf":                "os.sysconf() reads host limits",
	"socket.gethostname":        "socket.gethostname() depends on the host",
}

func callValue(fn Value, args []callArg) Value {
	path := fn.ref
	argVals := make([]Value, len(args))
	for i, a := range args {
		argVals[i] = a.value
	}
	if reason, ok := hostCalls[path]; ok {
		u := taint(reason, argVals...)
		u.Reason = reason
		u.HostDependent = true
		return u
	}
	switch path {
	case "os.environ.get", "os.getenv":
		if len(args) >= 1 && args[0].value.Kind == KindString {
			name := args[0].value.Str
			u := unknown("reads $" + name + " when gunicorn starts")
			if len(args) > 1 {
				u.Reason += " (default " + args[1].value.Python() + ")"
				u.HostDependent = args[1].value.HostDependent
				u.Env = args[1].value.Env
				if args[1].value.Known() {
					fb := args[1].value
					u.Fallback = &fb
				}
			}
			u.Env = mergeEnv(u.Env, []string{name})
			return u
		}
	case "builtins.int":
		if len(args) >= 1 {
			return toInt(args)
		}
		return Value{Kind: KindInt}
	case "builtins.float":
		if len(args) == 1 {
			a := args[0].value
			switch a.Kind {
			case KindInt:
				return Value{Kind: KindFloat, Float: float64(a.Int)}
			case KindFloat:
				return a
			case KindString:
				if f, err := strconv.ParseFloat(strings.TrimSpace(a.Str), 64); err == nil {
					return Value{Kind: KindFloat, Float: f}
				}
			}
		}
	case "builtins.str":
		if len(args) == 1 && args[0].value.Known() {
			a := args[0].value
			if a.Kind == KindString {
				return a
			}
			if a.Kind == KindInt || a.Kind == KindFloat || a.Kind == KindBool || a.Kind == KindNone {
				return Value{Kind: KindString, Str: a.Python()}
			}
		}
	case "builtins.bool":
		if len(args) == 1 {
			if t, ok := args[0].value.truthy(); ok && args[0].value.Known() {
				return Value{Kind: KindBool, Bool: t}
			}
		}
	case "builtins.min", "builtins.max", "builtins.abs", "builtins.len", "builtins.round":
		return numericBuiltin(strings.TrimPrefix(path, "builtins."), argVals)
	}
	name := path
	if name == "" {
		name = "a callable"
	}
	return taint("call to "+strings.TrimPrefix(name, "builtins.")+"() is not evaluated", append(argVals, fn)...)
}

func toInt(args []callArg) Value {
	a := args[0].value
	base := int64(10)
	if len(args) > 1 {
		if args[1].value.Kind != KindInt {
			return taint("int() with a base that is not statically known", a, args[1].value)
		}
		base = args[1].value.Int
	}
	switch a.Kind {
	case KindInt:
		return a
	case KindBool:
		if a.Bool {
			return Value{Kind: KindInt, Int: 1}
		}
		return Value{Kind: KindInt}
	case KindFloat:
		if math.IsNaN(a.Float) || math.IsInf(a.Float, 0) || math.Abs(a.Float) > 9e18 {
			return unknown("int() of a float out of range")
		}
		return Value{Kind: KindInt, Int: int64(a.Float)}
	case KindString:
		if n, ok := pyInt(a.Str, base); ok {
			return Value{Kind: KindInt, Int: n}
		}
		return unknown("int(" + a.Python() + ") raises ValueError")
	}
	u := taint("int() of a value that is not statically known", a)
	if a.Fallback != nil {
		if fb := toInt([]callArg{{value: *a.Fallback}}); fb.Known() {
			u.Fallback = &fb
		}
	}
	return u
}

// pyInt parses s the way Python's int(s, base) does (base 0: prefixes, no
// leading zeros in decimal).
func pyInt(s string, base int64) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	s = strings.ReplaceAll(s, "_", "")
	ls := strings.ToLower(s)
	if base == 0 {
		switch {
		case strings.HasPrefix(ls, "0x"):
			base, s = 16, s[2:]
		case strings.HasPrefix(ls, "0o"):
			base, s = 8, s[2:]
		case strings.HasPrefix(ls, "0b"):
			base, s = 2, s[2:]
		default:
			if len(s) > 1 && s[0] == '0' && strings.Trim(s, "0") != "" {
				return 0, false
			}
			base = 10
		}
	} else if base < 2 || base > 36 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, int(base), 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func numericBuiltin(name string, args []Value) Value {
	for _, a := range args {
		if !a.Known() {
			u := taint(name+"() of a value that is not statically known", args...)
			if name == "min" {
				// min(4, cpu_count()*2+1) is capped by its known arguments:
				// the result does not grow with the host.
				for _, b := range args {
					if b.Kind == KindInt {
						u.HostDependent = false
						u.Reason = "at most " + b.Python() + " (" + u.Reason + ")"
						break
					}
				}
			}
			return u
		}
	}
	if name == "len" && len(args) == 1 {
		switch args[0].Kind {
		case KindString, KindBytes:
			return Value{Kind: KindInt, Int: int64(len([]rune(args[0].Str)))}
		case KindList, KindTuple, KindDict:
			return Value{Kind: KindInt, Int: int64(len(args[0].Items))}
		}
		return unknown("len() of an unsized value")
	}
	if len(args) == 1 && (args[0].Kind == KindList || args[0].Kind == KindTuple) && (name == "min" || name == "max") {
		args = args[0].Items
	}
	if len(args) == 0 {
		return unknown(name + "() without arguments")
	}
	nums := make([]float64, len(args))
	allInt := true
	for i, a := range args {
		switch a.Kind {
		case KindInt:
			nums[i] = float64(a.Int)
		case KindBool:
			if a.Bool {
				nums[i] = 1
			}
		case KindFloat:
			nums[i] = a.Float
			allInt = false
		default:
			return unknown(name + "() of a non-number")
		}
	}
	var r float64
	switch name {
	case "abs":
		r = math.Abs(nums[0])
	case "round":
		r = math.RoundToEven(nums[0])
		allInt = true
	case "min", "max":
		best := 0
		for i := range nums {
			if name == "min" && nums[i] < nums[best] || name == "max" && nums[i] > nums[best] {
				best = i
			}
		}
		return args[best]
	}
	if allInt {
		return Value{Kind: KindInt, Int: int64(r)}
	}
	return Value{Kind: KindFloat, Float: r}
}

func subscript(v, idx Value) Value {
	if v.ref == "os.environ" {
		if idx.Kind == KindString {
			return Value{Kind: KindUnknown, Reason: "reads $" + idx.Str + " when gunicorn starts", Env: []string{idx.Str}}
		}
		return taint("reads the environment", idx)
	}
	if !v.Known() || !idx.Known() {
		return taint("subscript of a value that is not statically known", v, idx)
	}
	switch v.Kind {
	case KindList, KindTuple, KindString:
		if idx.Kind != KindInt {
			return unknown("slice or non-integer index")
		}
		n := int64(len(v.Items))
		if v.Kind == KindString {
			n = int64(len([]rune(v.Str)))
		}
		i := idx.Int
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return unknown("index out of range (IndexError)")
		}
		if v.Kind == KindString {
			return Value{Kind: KindString, Str: string([]rune(v.Str)[i])}
		}
		return v.Items[i]
	case KindDict:
		for i, k := range v.Keys {
			if eq, ok := equal(k, idx); ok && eq {
				return v.Items[i]
			}
		}
		return unknown("key not in dict (KeyError)")
	}
	return unknown("subscript is not evaluated")
}

func numeric(v Value) (float64, int64, bool, bool) {
	switch v.Kind {
	case KindInt:
		return float64(v.Int), v.Int, true, true
	case KindBool:
		if v.Bool {
			return 1, 1, true, true
		}
		return 0, 0, true, true
	case KindFloat:
		return v.Float, 0, false, true
	}
	return 0, 0, false, false
}

func binary(op string, a, b Value) Value {
	if !a.Known() || !b.Known() {
		if b.HostDependent && !a.HostDependent {
			// float($WORKERS_PER_CORE) * cpu_count(): the host is the
			// reason worth naming, so it goes first.
			return taint("arithmetic on a value that is not statically known", b, a)
		}
		return taint("arithmetic on a value that is not statically known", a, b)
	}
	af, ai, aInt, aNum := numeric(a)
	bf, bi, bInt, bNum := numeric(b)
	if aNum && bNum {
		if aInt && bInt {
			return intOp(op, ai, bi)
		}
		return floatOp(op, af, bf)
	}
	switch {
	case op == "+" && a.Kind == b.Kind && (a.Kind == KindString || a.Kind == KindBytes):
		return Value{Kind: a.Kind, Str: a.Str + b.Str}
	case op == "+" && a.Kind == b.Kind && (a.Kind == KindList || a.Kind == KindTuple):
		return Value{Kind: a.Kind, Items: append(append([]Value(nil), a.Items...), b.Items...)}
	case op == "*" && (a.Kind == KindString || a.Kind == KindList) && bInt,
		op == "*" && (b.Kind == KindString || b.Kind == KindList) && aInt:
		s, n := a, bi
		if aInt {
			s, n = b, ai
		}
		if n < 0 {
			n = 0
		}
		if n > 1000 || (s.Kind == KindString && int64(len(s.Str))*n > 1<<16) || int64(len(s.Items))*n > 1<<12 {
			return unknown("repetition too large to evaluate")
		}
		if s.Kind == KindString {
			return Value{Kind: KindString, Str: strings.Repeat(s.Str, int(n))}
		}
		var items []Value
		for i := int64(0); i < n; i++ {
			items = append(items, s.Items...)
		}
		return Value{Kind: KindList, Items: items}
	case op == "%" && a.Kind == KindString:
		return unknown("%-formatting is not evaluated")
	}
	return unknown("unsupported operand types for " + op + ": " + a.Kind.String() + " and " + b.Kind.String() + " (TypeError)")
}

func intOp(op string, a, b int64) Value {
	const lim = 1 << 53
	big := func(x int64) bool { return x > lim || x < -lim }
	if big(a) || big(b) {
		return unknown("integer too large to evaluate")
	}
	switch op {
	case "+":
		return Value{Kind: KindInt, Int: a + b}
	case "-":
		return Value{Kind: KindInt, Int: a - b}
	case "*":
		if a != 0 && (big(a*b) || (a*b)/a != b) {
			return unknown("integer too large to evaluate")
		}
		return Value{Kind: KindInt, Int: a * b}
	case "/":
		if b == 0 {
			return unknown("division by zero (ZeroDivisionError)")
		}
		return Value{Kind: KindFloat, Float: float64(a) / float64(b)}
	case "//", "%":
		if b == 0 {
			return unknown("division by zero (ZeroDivisionError)")
		}
		q := a / b
		if (a%b != 0) && ((a < 0) != (b < 0)) {
			q--
		}
		if op == "//" {
			return Value{Kind: KindInt, Int: q}
		}
		return Value{Kind: KindInt, Int: a - q*b}
	case "**":
		if b < 0 {
			return Value{Kind: KindFloat, Float: math.Pow(float64(a), float64(b))}
		}
		r := math.Pow(float64(a), float64(b))
		if r > lim || r < -lim {
			return unknown("integer too large to evaluate")
		}
		return Value{Kind: KindInt, Int: int64(r)}
	case "|":
		return Value{Kind: KindInt, Int: a | b}
	case "&":
		return Value{Kind: KindInt, Int: a & b}
	case "^":
		return Value{Kind: KindInt, Int: a ^ b}
	case "<<":
		if b < 0 || b > 52 {
			return unknown("shift out of range")
		}
		return Value{Kind: KindInt, Int: a << uint(b)}
	case ">>":
		if b < 0 {
			return unknown("negative shift count (ValueError)")
		}
		if b > 62 {
			b = 62
		}
		return Value{Kind: KindInt, Int: a >> uint(b)}
	}
	return unknown("operator " + op + " is not evaluated")
}

func floatOp(op string, a, b float64) Value {
	switch op {
	case "+":
		return Value{Kind: KindFloat, Float: a + b}
	case "-":
		return Value{Kind: KindFloat, Float: a - b}
	case "*":
		return Value{Kind: KindFloat, Float: a * b}
	case "/":
		if b == 0 {
			return unknown("division by zero (ZeroDivisionError)")
		}
		return Value{Kind: KindFloat, Float: a / b}
	case "//":
		if b == 0 {
			return unknown("division by zero (ZeroDivisionError)")
		}
		return Value{Kind: KindFloat, Float: math.Floor(a / b)}
	case "**":
		return Value{Kind: KindFloat, Float: math.Pow(a, b)}
	}
	return unknown("operator " + op + " on floats is not evaluated")
}

func equal(a, b Value) (bool, bool) {
	if !a.Known() || !b.Known() {
		return false, false
	}
	af, _, _, aNum := numeric(a)
	bf, _, _, bNum := numeric(b)
	if aNum && bNum {
		return af == bf, true
	}
	if a.Kind != b.Kind {
		return false, true
	}
	switch a.Kind {
	case KindNone:
		return true, true
	case KindString, KindBytes:
		return a.Str == b.Str, true
	case KindList, KindTuple:
		if len(a.Items) != len(b.Items) {
			return false, true
		}
		for i := range a.Items {
			eq, ok := equal(a.Items[i], b.Items[i])
			if !ok {
				return false, false
			}
			if !eq {
				return false, true
			}
		}
		return true, true
	}
	return false, false
}

func compare(op string, a, b Value) Value {
	if !a.Known() || !b.Known() {
		return taint("comparison with a value that is not statically known", a, b)
	}
	switch op {
	case "==", "!=":
		eq, ok := equal(a, b)
		if !ok {
			return unknown("comparison is not evaluated")
		}
		return Value{Kind: KindBool, Bool: eq == (op == "==")}
	case "is", "is not":
		if a.Kind == KindNone || b.Kind == KindNone {
			same := a.Kind == b.Kind
			return Value{Kind: KindBool, Bool: same == (op == "is")}
		}
		return unknown("identity comparison is not evaluated")
	case "<", ">", "<=", ">=":
		af, _, _, aNum := numeric(a)
		bf, _, _, bNum := numeric(b)
		var c int
		switch {
		case aNum && bNum:
			c = cmpFloat(af, bf)
		case a.Kind == KindString && b.Kind == KindString:
			c = strings.Compare(a.Str, b.Str)
		default:
			return unknown("ordering comparison is not evaluated")
		}
		r := map[string]bool{"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
		return Value{Kind: KindBool, Bool: r}
	}
	return unknown("membership test is not evaluated")
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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

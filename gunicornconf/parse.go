package gunicornconf

import (
	"math"
	"strconv"
	"strings"
)

// Assignment is one module-level binding of gunicorn.conf.py: an
// assignment, a def, or an import.
type Assignment struct {
	Name         string
	Line, Column int
	// Expr is the source text of the right-hand side ("def name(...)" for
	// functions).
	Expr  string
	Value Value
	// Conditional reports a binding inside an if/try/for/with block: it
	// may or may not happen, so its value is not statically known.
	Conditional bool
}

// Import is one imported module or name.
type Import struct {
	// Module is the dotted module; Name the imported name for "from M
	// import N" ("" for "import M").
	Module, Name string
	// As is the name bound in the module namespace.
	As   string
	Line int
}

// File is a parsed gunicorn.conf.py: what gunicorn would find in the
// module's namespace after running it, as far as it is statically known.
type File struct {
	Path        string
	Assignments []Assignment // in source order; later ones win
	Imports     []Import
	// Calls are the calls of imported functions the module makes when it
	// is loaded (module level, including inside if/try blocks; not inside
	// function bodies), in source order.
	Calls []Call
}

// Call is a call of an imported function, e.g. threading.Thread.
type Call struct {
	// Path is the dotted path of the callee after resolving imports
	// ("threading.Thread" for `from threading import Thread; Thread()`).
	Path         string
	Line, Column int
}

// Binding returns the last binding of name, and whether there is one.
func (f *File) Binding(name string) (Assignment, bool) {
	for i := len(f.Assignments) - 1; i >= 0; i-- {
		if f.Assignments[i].Name == name {
			return f.Assignments[i], true
		}
	}
	return Assignment{}, false
}

// Names returns every bound name once, in order of first binding.
func (f *File) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range f.Assignments {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a.Name)
		}
	}
	return out
}

// Parse reads a gunicorn.conf.py. It evaluates module-level assignments of
// literals and simple expressions (arithmetic, string and list operations,
// references to earlier names, int()/str()/min()/max()), records imports
// and the arity of functions (hooks), and marks everything else as not
// statically known with a reason: calls such as multiprocessing.cpu_count()
// and os.environ.get() are never guessed. A file that is not valid Python,
// as far as the lexer can tell, returns a *ParseError.
func Parse(path string, src []byte) (*File, error) {
	lines, err := lexLines(path, string(src))
	if err != nil {
		return nil, err
	}
	p := &parser{file: &File{Path: path}, env: map[string]Value{}}
	for i := 0; i < len(lines); i++ {
		ll := lines[i]
		// Body lines of a compound statement: indented lines that follow.
		j := i + 1
		for j < len(lines) && lines[j].indent > ll.indent {
			j++
		}
		body := lines[i+1 : j]
		if ll.indent > 0 && i == 0 {
			return nil, &ParseError{File: path, Line: ll.line, Column: ll.indent + 1, Msg: "unexpected indent"}
		}
		p.statement(ll, body)
		i = j - 1
	}
	return p.file, nil
}

type parser struct {
	file *File
	env  map[string]Value
}

func (p *parser) bind(a Assignment) {
	p.file.Assignments = append(p.file.Assignments, a)
	p.env[a.Name] = a.Value
}

var compoundKeywords = map[string]bool{"if": true, "elif": true, "else": true, "for": true, "while": true, "try": true, "except": true, "finally": true, "with": true, "async": true, "match": true}

func (p *parser) statement(ll logicalLine, body []logicalLine) {
	toks := ll.toks
	first := toks[0]
	if first.kind == tName {
		switch first.text {
		case "def":
			p.def(ll, body, false, "")
			return
		case "class":
			if len(toks) > 1 && toks[1].kind == tName {
				p.bind(Assignment{Name: toks[1].text, Line: first.line, Column: toks[1].col, Expr: "class " + toks[1].text, Value: unknown("class definitions are not evaluated")})
			}
			return
		case "import", "from":
			p.imports(toks, false)
			return
		case "del":
			for _, t := range toks[1:] {
				if t.kind == tName {
					delete(p.env, t.text)
				}
			}
			return
		case "pass", "global", "nonlocal", "assert", "raise", "return":
			return
		}
		if first.text == "match" && !isAssignmentLine(toks) || compoundKeywords[first.text] && first.text != "match" {
			p.conditional(ll, body, first.text)
			return
		}
	}
	if first.kind == tOp && first.text == "@" {
		// A decorated function: the decorator may replace it.
		for _, b := range body {
			if b.toks[0].kind == tName && b.toks[0].text == "def" && len(b.toks) > 1 {
				p.bind(Assignment{Name: b.toks[1].text, Line: b.line, Column: b.toks[1].col, Expr: "@decorated def", Value: unknown("decorated function: the decorator may replace it")})
			}
		}
		return
	}
	for _, stmt := range splitTop(toks, ";") {
		if len(stmt) > 0 {
			p.simple(ll, stmt, false, "")
		}
	}
}

// isAssignmentLine reports whether "match" is used as a plain name.
func isAssignmentLine(toks []token) bool {
	return len(toks) > 1 && toks[1].kind == tOp && (toks[1].text == "=" || strings.HasSuffix(toks[1].text, "=") && toks[1].text != "==")
}

// conditional records the bindings inside a compound statement as not
// statically known.
func (p *parser) conditional(ll logicalLine, body []logicalLine, kw string) {
	reason := "assigned inside a `" + kw + "` block (line " + strconv.Itoa(ll.line) + ")"
	// A body on the same line: "if x: workers = 2".
	if colon := lastTopColon(ll.toks); colon >= 0 && colon < len(ll.toks)-1 {
		for _, stmt := range splitTop(ll.toks[colon+1:], ";") {
			if len(stmt) > 0 {
				p.simple(ll, stmt, true, reason)
			}
		}
	}
	if kw == "for" || kw == "with" {
		// Loop and context variables.
		for _, t := range targetNames(ll.toks[1:]) {
			p.bind(Assignment{Name: t.text, Line: t.line, Column: t.col, Expr: kw, Value: unknown(reason), Conditional: true})
		}
	}
	for _, b := range body {
		t0 := b.toks[0]
		if t0.kind != tName {
			p.simpleAll(b, reason)
			continue
		}
		switch t0.text {
		case "def":
			p.def(b, nil, true, reason)
		case "import", "from":
			p.imports(b.toks, true)
		case "class":
			if len(b.toks) > 1 {
				p.bind(Assignment{Name: b.toks[1].text, Line: b.line, Column: b.toks[1].col, Expr: "class", Value: unknown(reason), Conditional: true})
			}
		default:
			if compoundKeywords[t0.text] {
				if colon := lastTopColon(b.toks); colon >= 0 && colon < len(b.toks)-1 {
					for _, stmt := range splitTop(b.toks[colon+1:], ";") {
						if len(stmt) > 0 {
							p.simple(b, stmt, true, reason)
						}
					}
				}
				continue
			}
			p.simpleAll(b, reason)
		}
	}
}

func (p *parser) simpleAll(b logicalLine, reason string) {
	for _, stmt := range splitTop(b.toks, ";") {
		if len(stmt) > 0 {
			p.simple(b, stmt, true, reason)
		}
	}
}

// targetNames returns the names before " in " (for) or after " as " (with).
func targetNames(toks []token) []token {
	var out []token
	for i, t := range toks {
		if t.kind == tName && (t.text == "in") {
			for _, n := range toks[:i] {
				if n.kind == tName {
					out = append(out, n)
				}
			}
			return out
		}
		if t.kind == tName && t.text == "as" && i+1 < len(toks) && toks[i+1].kind == tName {
			out = append(out, toks[i+1])
		}
	}
	return out
}

func lastTopColon(toks []token) int {
	depth := 0
	for i, t := range toks {
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ":":
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func (p *parser) def(ll logicalLine, _ []logicalLine, conditional bool, reason string) {
	toks := ll.toks
	if len(toks) < 2 || toks[1].kind != tName {
		return
	}
	name := toks[1]
	v := Value{Kind: KindCallable}
	if len(toks) > 2 && toks[2].text == "(" {
		end := matchClose(toks, 2)
		v.Arity, v.VarArgs = arity(toks[3:end])
	}
	if conditional {
		v = unknown(reason)
	}
	p.bind(Assignment{Name: name.text, Line: name.line, Column: name.col, Expr: "def " + name.text + "(...)", Value: v, Conditional: conditional})
}

// arity counts positional parameters the way gunicorn's util.get_arity
// does: positional-only and positional-or-keyword parameters, with or
// without defaults; *args, keyword-only parameters and **kwargs do not
// count.
func arity(params []token) (int, bool) {
	n := 0
	varargs := false
	for _, group := range splitTop(params, ",") {
		if len(group) == 0 {
			continue
		}
		switch group[0].text {
		case "/":
			continue
		case "*":
			if len(group) > 1 {
				varargs = true
			}
			return n, varargs
		case "**":
			return n, varargs
		}
		n++
	}
	return n, varargs
}

func matchClose(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		if toks[i].kind != tOp {
			continue
		}
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// splitTop splits tokens on sep at bracket depth 0.
func splitTop(toks []token, sep string) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		default:
			if depth == 0 && t.text == sep {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

func (p *parser) imports(toks []token, conditional bool) {
	line := toks[0].line
	bindMod := func(name string, col int, v Value, expr string) {
		if conditional {
			v = unknown("imported inside a block")
		}
		p.bind(Assignment{Name: name, Line: line, Column: col, Expr: expr, Value: v, Conditional: conditional})
	}
	if toks[0].text == "import" {
		for _, part := range splitTop(toks[1:], ",") {
			mod, as, col := dottedAs(part)
			if mod == "" {
				continue
			}
			p.file.Imports = append(p.file.Imports, Import{Module: mod, As: as, Line: line})
			if as != "" {
				bindMod(as, col, Value{Kind: KindModule, Str: mod}, "import "+mod)
			} else {
				top := strings.SplitN(mod, ".", 2)[0]
				bindMod(top, col, Value{Kind: KindModule, Str: top}, "import "+mod)
			}
		}
		return
	}
	// from M import a [as b], ...
	i := 1
	var mod strings.Builder
	for ; i < len(toks) && !(toks[i].kind == tName && toks[i].text == "import"); i++ {
		mod.WriteString(toks[i].text)
	}
	if i >= len(toks) {
		return
	}
	rest := toks[i+1:]
	if len(rest) > 0 && rest[0].text == "(" {
		rest = rest[1 : len(rest)-1]
	}
	for _, part := range splitTop(rest, ",") {
		name, as, col := dottedAs(part)
		if name == "" {
			continue
		}
		p.file.Imports = append(p.file.Imports, Import{Module: mod.String(), Name: name, As: as, Line: line})
		if name == "*" {
			continue
		}
		bound := name
		if as != "" {
			bound = as
		}
		path := mod.String() + "." + name
		bindMod(bound, col, Value{Kind: KindUnknown, Reason: "imported from " + mod.String(), ref: path}, "from "+mod.String()+" import "+name)
	}
}

func dottedAs(part []token) (name, as string, col int) {
	var b strings.Builder
	for i := 0; i < len(part); i++ {
		t := part[i]
		if t.kind == tName && t.text == "as" && i+1 < len(part) {
			return b.String(), part[i+1].text, part[i+1].col
		}
		if b.Len() == 0 {
			col = t.col
		}
		b.WriteString(t.text)
	}
	return b.String(), "", col
}

var augOps = map[string]string{"+=": "+", "-=": "-", "*=": "*", "/=": "/", "//=": "//", "%=": "%", "**=": "**", "|=": "|", "&=": "&", "^=": "^", "<<=": "<<", ">>=": ">>", "@=": "@"}

// simple handles a simple statement: assignment, augmented or annotated
// assignment, or an expression statement (ignored).
func (p *parser) simple(ll logicalLine, toks []token, conditional bool, reason string) {
	src := func(ts []token) string { return tokensText(ll, ts) }
	// Augmented assignment.
	if len(toks) >= 3 && toks[0].kind == tName && toks[1].kind == tOp {
		if op, ok := augOps[toks[1].text]; ok {
			prev, had := p.env[toks[0].text]
			if !had {
				prev = unknown("name " + toks[0].text + " is not defined")
			}
			v := binary(op, prev, p.eval(toks[2:]))
			if conditional {
				v = taint(reason, v)
				v.Reason = reason
			}
			p.bind(Assignment{Name: toks[0].text, Line: toks[0].line, Column: toks[0].col, Expr: src(toks), Value: v, Conditional: conditional})
			return
		}
	}
	// Annotated assignment: NAME ':' type ['=' expr].
	if len(toks) >= 2 && toks[0].kind == tName && toks[1].text == ":" {
		parts := splitTop(toks, "=")
		if len(parts) < 2 {
			return
		}
		toks = append(append([]token{toks[0]}, token{kind: tOp, text: "="}), parts[len(parts)-1]...)
	}
	parts := splitTop(toks, "=")
	if len(parts) < 2 {
		p.eval(toks) // an expression statement: evaluated for its calls
		return
	}
	rhs := parts[len(parts)-1]
	v := p.eval(rhs)
	if conditional {
		v = taint(reason, v)
		v.Reason = reason
	}
	for _, target := range parts[:len(parts)-1] {
		p.assignTarget(target, v, src(rhs), conditional)
	}
}

func (p *parser) assignTarget(target []token, v Value, expr string, conditional bool) {
	if len(target) == 0 {
		return
	}
	if len(target) == 1 && target[0].kind == tName {
		p.bind(Assignment{Name: target[0].text, Line: target[0].line, Column: target[0].col, Expr: expr, Value: v, Conditional: conditional})
		return
	}
	// Tuple unpacking: a, b = 1, 2 / (a, b) = ... / [a, b] = ...
	inner := target
	if (inner[0].text == "(" || inner[0].text == "[") && matchClose(inner, 0) == len(inner)-1 {
		inner = inner[1 : len(inner)-1]
	}
	elems := splitTop(inner, ",")
	if len(elems) > 1 && len(elems[len(elems)-1]) == 0 {
		elems = elems[:len(elems)-1]
	}
	if len(elems) < 2 && !(len(elems) == 1 && len(inner) < len(target)) {
		return // attribute or subscript target: not a module-level name
	}
	for i, e := range elems {
		ev := taint("unpacked from a value that is not statically known", v)
		if (v.Kind == KindTuple || v.Kind == KindList) && len(v.Items) == len(elems) {
			ev = v.Items[i]
		}
		p.assignTarget(e, ev, expr, conditional)
	}
}

func tokensText(ll logicalLine, ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && needsSpace(ts[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func needsSpace(a, b token) bool {
	if a.kind == tOp && strings.Contains("([{.", a.text) {
		return false
	}
	if b.kind == tOp && strings.Contains(")]},.:(", b.text) {
		return b.text == "(" && a.kind == tOp && a.text != ")" && a.text != "]"
	}
	return true
}

// --- expressions -----------------------------------------------------------

func (p *parser) eval(toks []token) (v Value) {
	if len(toks) == 0 {
		return unknown("empty expression")
	}
	e := &exprParser{p: p, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			v = unknown("expression is not statically known")
		}
	}()
	v = e.tuple()
	if e.i < len(e.toks) {
		return taint("expression is not statically known", v)
	}
	return v
}

// bailout aborts evaluation of an expression deploykit does not model; it
// never escapes eval.
type bailout struct{}

type exprParser struct {
	p     *parser
	toks  []token
	i     int
	depth int
}

func (e *exprParser) peek() token {
	if e.i < len(e.toks) {
		return e.toks[e.i]
	}
	return token{kind: tOp, text: "<end>"}
}

func (e *exprParser) next() token {
	t := e.peek()
	if e.i >= len(e.toks) {
		panic(bailout{})
	}
	e.i++
	return t
}

func (e *exprParser) is(text string) bool {
	t := e.peek()
	return (t.kind == tOp || t.kind == tName) && t.text == text && e.i < len(e.toks)
}

func (e *exprParser) expect(text string) {
	if !e.is(text) {
		panic(bailout{})
	}
	e.i++
}

// tuple parses "a, b, c" (a bare tuple) or a single expression.
func (e *exprParser) tuple() Value {
	first := e.expr()
	if !e.is(",") {
		return first
	}
	items := []Value{first}
	for e.is(",") {
		e.i++
		if e.i >= len(e.toks) || e.is(")") || e.is("]") || e.is("=") {
			break
		}
		items = append(items, e.expr())
	}
	return seq(KindTuple, items)
}

func seq(k Kind, items []Value) Value {
	for _, it := range items {
		if !it.Known() {
			return taint("contains a value that is not statically known", items...)
		}
	}
	return Value{Kind: k, Items: items}
}

func (e *exprParser) expr() Value {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > 200 {
		panic(bailout{})
	}
	if e.is("lambda") {
		e.i++
		start := e.i
		for e.i < len(e.toks) && !e.is(":") {
			e.i++
		}
		n, va := arity(e.toks[start:e.i])
		e.expect(":")
		e.expr() // body: not evaluated
		return Value{Kind: KindCallable, Arity: n, VarArgs: va}
	}
	v := e.or()
	if e.is("if") {
		e.i++
		cond := e.or()
		e.expect("else")
		alt := e.expr()
		if t, ok := cond.truthy(); ok && cond.Known() {
			if t {
				return v
			}
			return alt
		}
		return taint("conditional expression on a value that is not statically known", cond, v, alt)
	}
	return v
}

func (e *exprParser) or() Value {
	v := e.and()
	for e.is("or") {
		e.i++
		w := e.and()
		if t, ok := v.truthy(); ok && v.Known() {
			if !t {
				v = w
			}
			continue
		}
		fb := v.Fallback
		if fb == nil && len(v.Env) > 0 && w.Known() {
			fb = &w
		}
		v = taint("`or` on a value that is not statically known", v, w)
		if fb != nil && w.Known() {
			v.Fallback = fb
			v.Reason += " (" + fb.Python() + " when unset or empty)"
		}
	}
	return v
}

func (e *exprParser) and() Value {
	v := e.not()
	for e.is("and") {
		e.i++
		w := e.not()
		if t, ok := v.truthy(); ok && v.Known() {
			if t {
				v = w
			}
			continue
		}
		v = taint("`and` on a value that is not statically known", v, w)
	}
	return v
}

func (e *exprParser) not() Value {
	if e.is("not") {
		e.i++
		v := e.not()
		if t, ok := v.truthy(); ok && v.Known() {
			return Value{Kind: KindBool, Bool: !t}
		}
		return taint("`not` on a value that is not statically known", v)
	}
	return e.comparison()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true, "in": true, "is": true}

func (e *exprParser) comparison() Value {
	v := e.bitor()
	for {
		t := e.peek()
		if e.i >= len(e.toks) || !compareOps[t.text] && !(t.text == "not" && e.i+1 < len(e.toks) && e.toks[e.i+1].text == "in") {
			return v
		}
		op := e.next().text
		if op == "not" {
			e.next()
			op = "not in"
		} else if op == "is" && e.is("not") {
			e.i++
			op = "is not"
		}
		w := e.bitor()
		v = compare(op, v, w)
	}
}

func (e *exprParser) bitor() Value {
	v := e.arith()
	for e.is("|") || e.is("&") || e.is("^") || e.is("<<") || e.is(">>") {
		op := e.next().text
		v = binary(op, v, e.arith())
	}
	return v
}

func (e *exprParser) arith() Value {
	v := e.term()
	for e.is("+") || e.is("-") {
		op := e.next().text
		v = binary(op, v, e.term())
	}
	return v
}

func (e *exprParser) term() Value {
	v := e.unary()
	for e.is("*") || e.is("/") || e.is("//") || e.is("%") || e.is("@") {
		op := e.next().text
		v = binary(op, v, e.unary())
	}
	return v
}

func (e *exprParser) unary() Value {
	if e.is("-") || e.is("+") || e.is("~") {
		op := e.next().text
		v := e.unary()
		switch {
		case v.Kind == KindInt || v.Kind == KindBool:
			n := v.Int
			if v.Kind == KindBool && v.Bool {
				n = 1
			}
			switch op {
			case "-":
				if n == math.MinInt64 {
					return unknown("integer overflow")
				}
				return Value{Kind: KindInt, Int: -n}
			case "+":
				return Value{Kind: KindInt, Int: n}
			default:
				return Value{Kind: KindInt, Int: ^n}
			}
		case v.Kind == KindFloat && op != "~":
			if op == "-" {
				return Value{Kind: KindFloat, Float: -v.Float}
			}
			return v
		}
		return taint("unary "+op+" on a value that is not statically known", v)
	}
	return e.power()
}

func (e *exprParser) power() Value {
	v := e.postfix()
	if e.is("**") {
		e.i++
		w := e.unary()
		return binary("**", v, w)
	}
	return v
}

func (e *exprParser) postfix() Value {
	v := e.atom()
	for {
		switch {
		case e.is("."):
			e.i++
			name := e.next()
			if name.kind != tName {
				panic(bailout{})
			}
			v = attribute(v, name.text)
		case e.is("("):
			open := e.i
			end := matchClose(e.toks, open)
			if end >= len(e.toks) {
				panic(bailout{})
			}
			args := e.callArgs(e.toks[open+1 : end])
			e.i = end + 1
			if v.ref != "" && !strings.HasPrefix(v.ref, "builtins.") {
				e.p.file.Calls = append(e.p.file.Calls, Call{Path: v.ref, Line: e.toks[open].line, Column: e.toks[open].col})
			}
			v = e.call(v, args)
		case e.is("["):
			open := e.i
			end := matchClose(e.toks, open)
			if end >= len(e.toks) {
				panic(bailout{})
			}
			idx := e.p.eval(e.toks[open+1 : end])
			e.i = end + 1
			v = subscript(v, idx)
		default:
			return v
		}
	}
}

type callArg struct {
	name  string // keyword name, "" for positional
	value Value
	star  bool
}

func (e *exprParser) callArgs(toks []token) []callArg {
	var out []callArg
	for _, part := range splitTop(toks, ",") {
		if len(part) == 0 {
			continue
		}
		if part[0].text == "*" || part[0].text == "**" {
			out = append(out, callArg{star: true, value: unknown("star argument")})
			continue
		}
		if len(part) > 2 && part[0].kind == tName && part[1].text == "=" {
			out = append(out, callArg{name: part[0].text, value: e.p.eval(part[2:])})
			continue
		}
		// Generator expressions and walrus: eval marks them unknown.
		out = append(out, callArg{value: e.p.eval(part)})
	}
	return out
}

func (e *exprParser) atom() Value {
	t := e.next()
	switch t.kind {
	case tNumber:
		return number(t.text)
	case tString:
		v := stringValue(t)
		for e.peek().kind == tString && e.i < len(e.toks) {
			w := stringValue(e.next())
			if v.Kind == w.Kind && v.Known() {
				v.Str += w.Str
			} else {
				v = taint("string is not statically known", v, w)
			}
		}
		return v
	case tName:
		switch t.text {
		case "True":
			return Value{Kind: KindBool, Bool: true}
		case "False":
			return Value{Kind: KindBool, Bool: false}
		case "None":
			return Value{Kind: KindNone}
		case "await", "yield", "lambda", "not", "if", "else", "for", "in", "is", "and", "or":
			panic(bailout{})
		}
		if v, ok := e.p.env[t.text]; ok {
			return v
		}
		if isBuiltin(t.text) {
			return Value{Kind: KindUnknown, Reason: "builtin " + t.text, ref: "builtins." + t.text}
		}
		return unknown("name " + t.text + " is not defined at this point")
	case tOp:
		switch t.text {
		case "(":
			if e.is(")") {
				e.i++
				return Value{Kind: KindTuple}
			}
			end := matchClose(e.toks, e.i-1)
			inner := e.toks[e.i:end]
			e.i = end + 1
			if len(inner) > 0 && hasTopKeyword(inner, "for") {
				return unknown("generator expression")
			}
			sub := &exprParser{p: e.p, toks: inner, depth: e.depth}
			v := sub.tuple()
			if sub.i < len(inner) {
				panic(bailout{})
			}
			if len(inner) > 0 && inner[len(inner)-1].text == "," && v.Kind != KindTuple {
				return seq(KindTuple, []Value{v})
			}
			return v
		case "[":
			end := matchClose(e.toks, e.i-1)
			inner := e.toks[e.i:end]
			e.i = end + 1
			if hasTopKeyword(inner, "for") {
				return unknown("list comprehension")
			}
			var items []Value
			for _, part := range splitTop(inner, ",") {
				if len(part) == 0 {
					continue
				}
				if part[0].text == "*" {
					return unknown("starred list item")
				}
				items = append(items, e.p.eval(part))
			}
			return seq(KindList, items)
		case "{":
			end := matchClose(e.toks, e.i-1)
			inner := e.toks[e.i:end]
			e.i = end + 1
			if hasTopKeyword(inner, "for") {
				return unknown("comprehension")
			}
			var keys, vals []Value
			for _, part := range splitTop(inner, ",") {
				if len(part) == 0 {
					continue
				}
				kv := splitTop(part, ":")
				if len(kv) != 2 {
					return unknown("set or dict unpacking is not evaluated")
				}
				keys = append(keys, e.p.eval(kv[0]))
				vals = append(vals, e.p.eval(kv[1]))
			}
			all := append(append([]Value(nil), keys...), vals...)
			for _, x := range all {
				if !x.Known() {
					return taint("dict contains a value that is not statically known", all...)
				}
			}
			return Value{Kind: KindDict, Keys: keys, Items: vals}
		}
	}
	panic(bailout{})
}

func hasTopKeyword(toks []token, kw string) bool {
	depth := 0
	for _, t := range toks {
		if t.kind == tOp {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth == 0 && t.kind == tName && t.text == kw {
			return true
		}
	}
	return false
}

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

func stringValue(t token) Value {
	switch {
	case strings.ContainsRune(t.prefix, 'f'):
		if !strings.ContainsAny(t.str, "{}") {
			return Value{Kind: KindString, Str: t.str}
		}
		return unknown("f-string")
	case strings.ContainsRune(t.prefix, 'b'):
		return Value{Kind: KindBytes, Str: t.str}
	}
	return Value{Kind: KindString, Str: t.str}
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

func (e *exprParser) call(fn Value, args []callArg) Value {
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
			return taint(name+"() of a value that is not statically known", args...)
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

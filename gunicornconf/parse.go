package gunicornconf

import (
	"strconv"
	"strings"
)

// Assignment is one module-level binding of gunicorn.conf.py: an
// assignment, a def, or an import.
type Assignment struct {
	Name         string
	Line, Column int
	// EndLine and EndColumn end the bound name (exclusive), so that a
	// rename is a text edit over exactly the name.
	EndLine, EndColumn int
	// Expr is the source text of the right-hand side ("def name(...)" for
	// functions).
	Expr  string
	Value Value
	// Conditional reports a binding inside an if/try/for/while/with/match
	// block: it may or may not happen, so its value is not statically
	// known.
	Conditional bool

	valueColumn int // annotations: where the annotation starts
}

// Import is one imported module or name.
type Import struct {
	// Module is the dotted module; Name the imported name for "from M
	// import N" ("" for "import M").
	Module, Name string
	// As is the name bound in the module namespace.
	As           string
	Line, Column int
}

// NameUse is a read of a name at a position.
type NameUse struct {
	Name         string
	Line, Column int
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
	// Annotations are annotation-only statements (`workers: 2`): they bind
	// nothing, so the setting keeps its default. Expr is the annotation.
	Annotations []Assignment
	// Undefined are reads of names that nothing binds before them, in code
	// that always runs when gunicorn loads the file: a NameError, and
	// gunicorn refuses to start.
	Undefined []NameUse
	// StarImport reports a `from M import *`, which may bind any name.
	StarImport bool

	reads map[string]int // module-level reads per name
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

// Parse reads a gunicorn.conf.py without running it. The grammar is
// tree-sitter's Python grammar plus the checks CPython 3.11's tokenizer
// and compiler make, so a file Parse accepts is one CPython compiles and
// the other way round; a file that is not valid Python 3 returns a
// *ParseError listing every syntax error with its line and column.
//
// The evaluator then runs the module-level statements in its head:
// assignments of literals and simple expressions (arithmetic, string and
// list operations, references to earlier names, int()/str()/min()/max())
// are folded, imports and the arity of functions (hooks) are recorded,
// and everything else is marked not statically known with a reason:
// calls such as multiprocessing.cpu_count() and os.environ.get() are
// never guessed, and bindings inside if/try/for/while/with/match blocks
// may or may not happen. Code inside function and class bodies is not
// module level and binds nothing.
func Parse(path string, src []byte) (*File, error) {
	root, src, err := syntaxTree(path, src)
	if err != nil {
		return nil, err
	}
	// Most module-level statements bind one name: size the bindings for
	// them once instead of growing a slice of ~250-byte records.
	stmts := 0
	for _, k := range root.kids {
		if k.named && k.kind != "comment" {
			stmts++
		}
	}
	p := &parser{file: &File{Path: path, reads: make(map[string]int, stmts), Assignments: make([]Assignment, 0, stmts)},
		env: make(map[string]Value, stmts), src: src}
	p.futureAnnotations = hasFutureAnnotations(root, src)
	p.block(root, false, "")
	return p.file, nil
}

func hasFutureAnnotations(root *node, src []byte) bool {
	for _, st := range root.namedKids() {
		if st.kind == "future_import_statement" && strings.Contains(st.text(src), "annotations") {
			return true
		}
	}
	return false
}

type parser struct {
	file              *File
	env               map[string]Value
	src               []byte
	futureAnnotations bool
	// cond is set while evaluating code that may not run.
	cond bool
}

func (p *parser) bind(a Assignment) {
	p.file.Assignments = append(p.file.Assignments, a)
	p.env[a.Name] = a.Value
}

func (p *parser) bindNode(n *node, v Value, expr string, conditional bool) {
	p.bind(Assignment{Name: n.text(p.src), Line: n.line, Column: n.col, EndLine: n.eline, EndColumn: n.ecol,
		Expr: expr, Value: v, Conditional: conditional})
}

// block runs the statements of a module or block.
func (p *parser) block(b *node, conditional bool, reason string) {
	for _, st := range b.namedKids() {
		p.statement(st, conditional, reason)
	}
}

func blockReason(kw string, n *node) string {
	return "assigned inside a `" + kw + "` block (line " + strconv.Itoa(n.line) + ")"
}

func (p *parser) statement(st *node, conditional bool, reason string) {
	saved := p.cond
	p.cond = conditional
	defer func() { p.cond = saved }()
	switch st.kind {
	case "expression_statement":
		for _, k := range st.namedKids() {
			switch k.kind {
			case "assignment":
				p.assignment(k, conditional, reason)
			case "augmented_assignment":
				p.augmented(k, conditional, reason)
			default:
				p.eval(k) // evaluated for its calls and names
			}
		}
	case "function_definition":
		p.def(st, conditional, reason, false)
	case "decorated_definition":
		for _, k := range st.namedKids() {
			if k.kind == "decorator" {
				p.eval(k)
			}
		}
		if d := st.child("definition"); d != nil {
			if d.kind == "function_definition" {
				p.def(d, conditional, reason, true)
			} else if nm := d.child("name"); nm != nil {
				p.bindNode(nm, unknown("decorated class definitions are not evaluated"), "class "+nm.text(p.src), conditional)
			}
		}
	case "class_definition":
		if nm := st.child("name"); nm != nil {
			v := unknown("class definitions are not evaluated")
			if conditional {
				v = unknown(reason)
			}
			p.bindNode(nm, v, "class "+nm.text(p.src), conditional)
		}
	case "import_statement", "import_from_statement", "future_import_statement":
		p.imports(st, conditional, reason)
	case "delete_statement":
		for _, k := range st.namedKids() {
			p.unbind(k)
		}
	case "if_statement":
		p.evalCond(st.child("condition"))
		r := blockReason("if", st)
		for _, k := range st.namedKids() {
			switch k.kind {
			case "block":
				p.block(k, true, r)
			case "elif_clause":
				p.evalCondIn(k.child("condition"))
				if b := k.child("consequence"); b != nil {
					p.block(b, true, blockReason("elif", k))
				}
			case "else_clause":
				if b := k.child("body"); b != nil {
					p.block(b, true, blockReason("else", k))
				}
			}
		}
	case "for_statement", "while_statement", "with_statement", "try_statement", "match_statement":
		kw := strings.TrimSuffix(st.kind, "_statement")
		r := blockReason(kw, st)
		if st.kind == "for_statement" {
			p.evalCond(st.child("right"))
			if l := st.child("left"); l != nil {
				p.bindTargets(l, unknown(r), kw, true)
			}
		}
		if st.kind == "while_statement" {
			p.evalCond(st.child("condition"))
		}
		if st.kind == "match_statement" {
			p.evalCond(st.child("subject"))
		}
		p.compound(st, r)
	}
}

// evalCond evaluates a condition or iterable that always runs (for its
// calls and undefined names).
func (p *parser) evalCond(n *node) {
	if n != nil {
		p.eval(n)
	}
}

// evalCondIn evaluates an elif condition, which may not run.
func (p *parser) evalCondIn(n *node) {
	if n == nil {
		return
	}
	saved := p.cond
	p.cond = true
	p.eval(n)
	p.cond = saved
}

// compound runs every block nested in a loop, with, try or match
// statement as conditional, and binds with-targets and except aliases.
func (p *parser) compound(st *node, reason string) {
	for _, k := range st.namedKids() {
		switch k.kind {
		case "block":
			p.block(k, true, reason)
		case "with_clause":
			for _, item := range k.namedKids() {
				if v := item.child("value"); v != nil {
					if v.kind == "as_pattern" {
						nk := v.namedKids()
						if len(nk) > 0 {
							p.evalCond(nk[0])
						}
						if al := v.child("alias"); al != nil {
							for _, t := range al.namedKids() {
								p.bindTargets(t, unknown(reason), "with", true)
							}
						}
					} else {
						p.evalCond(v)
					}
				}
			}
		case "except_clause", "except_group_clause", "else_clause", "finally_clause", "elif_clause", "case_clause":
			if al := k.child("alias"); al != nil && al.kind == "identifier" {
				p.bindNode(al, unknown(reason), "except", true)
			}
			for _, b := range k.namedKids() {
				if b.kind == "block" {
					p.block(b, true, reason)
				}
			}
			if b := k.child("body"); b != nil && b.kind == "block" {
				p.block(b, true, reason)
			}
			if b := k.child("consequence"); b != nil && b.kind == "block" {
				p.block(b, true, reason)
			}
		}
	}
}

func (p *parser) unbind(t *node) {
	switch t.kind {
	case "identifier":
		delete(p.env, t.text(p.src))
	case "expression_list", "tuple", "list", "parenthesized_expression", "pattern_list", "tuple_pattern", "list_pattern":
		for _, k := range t.namedKids() {
			p.unbind(k)
		}
	}
}

func (p *parser) def(d *node, conditional bool, reason string, decorated bool) {
	nm := d.child("name")
	if nm == nil {
		return
	}
	// Default values and annotations run when the def runs.
	if ps := d.child("parameters"); ps != nil {
		for _, prm := range ps.namedKids() {
			if v := prm.child("value"); v != nil {
				p.eval(v)
			}
		}
	}
	v := Value{Kind: KindCallable}
	v.Arity, v.VarArgs = arity(d.child("parameters"))
	switch {
	case conditional:
		v = unknown(reason)
	case decorated:
		v = unknown("decorated function: the decorator may replace it")
	}
	expr := "def " + nm.text(p.src) + "(...)"
	if decorated {
		expr = "@decorated " + expr
	}
	p.bindNode(nm, v, expr, conditional)
}

// arity counts positional parameters the way gunicorn's util.get_arity
// does: positional-only and positional-or-keyword parameters, with or
// without defaults; *args, keyword-only parameters and **kwargs do not
// count.
func arity(params *node) (int, bool) {
	if params == nil {
		return 0, false
	}
	n := 0
	for _, k := range params.namedKids() {
		switch k.kind {
		case "identifier", "default_parameter", "typed_default_parameter":
			n++
		case "typed_parameter":
			inner := k.namedKids()
			if len(inner) > 0 {
				switch inner[0].kind {
				case "list_splat_pattern":
					return n, true
				case "dictionary_splat_pattern":
					return n, false
				}
			}
			n++
		case "list_splat_pattern":
			return n, true
		case "keyword_separator", "dictionary_splat_pattern":
			return n, false
		}
	}
	return n, false
}

// python2Modules are modules Python 3 removed or renamed (PEP 3108): an
// import of one fails with ModuleNotFoundError, and gunicorn refuses to
// load the file.
var python2Modules = map[string]string{
	"ConfigParser": "configparser", "StringIO": "io", "cStringIO": "io", "urllib2": "urllib.request",
	"urlparse": "urllib.parse", "httplib": "http.client", "Queue": "queue", "cPickle": "pickle",
	"commands": "subprocess", "HTMLParser": "html.parser", "Cookie": "http.cookies",
	"cookielib": "http.cookiejar", "SocketServer": "socketserver", "SimpleHTTPServer": "http.server",
	"BaseHTTPServer": "http.server", "CGIHTTPServer": "http.server", "__builtin__": "builtins",
	"xmlrpclib": "xmlrpc.client", "SimpleXMLRPCServer": "xmlrpc.server", "thread": "_thread",
	"dummy_thread": "_dummy_thread", "Tkinter": "tkinter", "exceptions": "builtins", "sets": "set()",
	"md5": "hashlib", "sha": "hashlib", "copy_reg": "copyreg", "repr": "reprlib", "UserDict": "collections",
	"UserList": "collections", "UserString": "collections", "anydbm": "dbm", "whichdb": "dbm",
	"dumbdbm": "dbm.dumb", "gdbm": "dbm.gnu", "dbhash": "dbm.bsd", "robotparser": "urllib.robotparser",
	"htmlentitydefs": "html.entities", "popen2": "subprocess", "new": "types", "mimetools": "email",
	"rfc822": "email", "markupbase": "_markupbase", "urllib.urlencode": "urllib.parse.urlencode",
}

// Python2Module reports whether module (dotted) exists only in Python 2,
// and what replaced it.
func Python2Module(module string) (replacement string, ok bool) {
	top := strings.SplitN(module, ".", 2)[0]
	r, ok := python2Modules[top]
	return r, ok
}

func (p *parser) imports(st *node, conditional bool, reason string) {
	bindAs := func(nm *node, v Value, expr string) {
		if conditional {
			v = unknown(reason)
		}
		p.bindNode(nm, v, expr, conditional)
	}
	switch st.kind {
	case "import_statement":
		for _, k := range st.namedKids() {
			mod, as := k, (*node)(nil)
			if k.kind == "aliased_import" {
				mod, as = k.child("name"), k.child("alias")
			}
			if mod == nil {
				continue
			}
			m := dotted(mod, p.src)
			imp := Import{Module: m, Line: mod.line, Column: mod.col}
			if as != nil {
				imp.As = as.text(p.src)
				bindAs(as, Value{Kind: KindModule, Str: m}, "import "+m)
			} else {
				top := strings.SplitN(m, ".", 2)[0]
				first := mod
				if len(mod.namedKids()) > 0 {
					first = mod.namedKids()[0]
				}
				bindAs(first, Value{Kind: KindModule, Str: top}, "import "+m)
			}
			p.file.Imports = append(p.file.Imports, imp)
		}
	case "future_import_statement", "import_from_statement":
		m := "__future__"
		if mn := st.child("module_name"); mn != nil {
			m = dotted(mn, p.src)
		}
		for _, k := range st.namedKids() {
			if k.field == "module_name" {
				continue
			}
			if k.kind == "wildcard_import" {
				p.file.StarImport = true
				p.file.Imports = append(p.file.Imports, Import{Module: m, Name: "*", Line: k.line, Column: k.col})
				continue
			}
			nm, as := k, (*node)(nil)
			if k.kind == "aliased_import" {
				nm, as = k.child("name"), k.child("alias")
			}
			if nm == nil || (nm.kind != "dotted_name" && nm.kind != "identifier") {
				continue
			}
			name := dotted(nm, p.src)
			imp := Import{Module: m, Name: name, Line: nm.line, Column: nm.col}
			bound := nm
			if as != nil {
				imp.As = as.text(p.src)
				bound = as
			}
			p.file.Imports = append(p.file.Imports, imp)
			if m == "__future__" {
				continue
			}
			path := strings.TrimLeft(m, ".") + "." + name
			bindAs(bound, Value{Kind: KindUnknown, Reason: "imported from " + m, ref: path}, "from "+m+" import "+name)
		}
	}
}

func dotted(n *node, src []byte) string {
	return strings.Join(strings.Fields(n.text(src)), "")
}

// assignment handles `a = b = v`, `a: T = v` and the annotation-only
// `a: T`.
func (p *parser) assignment(n *node, conditional bool, reason string) {
	var targets []*node
	cur := n
	for {
		if l := cur.child("left"); l != nil {
			targets = append(targets, l)
		}
		r := cur.child("right")
		if typ := cur.child("type"); typ != nil && !p.futureAnnotations {
			p.eval(typ)
		}
		if r == nil {
			if typ := cur.child("type"); typ != nil && len(targets) == 1 {
				l := targets[0]
				p.file.Annotations = append(p.file.Annotations, Assignment{Name: l.text(p.src), Line: l.line, Column: l.col,
					EndLine: l.eline, EndColumn: l.ecol, Expr: typ.text(p.src), Conditional: conditional, valueColumn: typ.col})
			}
			return
		}
		if r.kind == "assignment" {
			cur = r
			continue
		}
		v := p.eval(r)
		if conditional {
			host := v.HostDependent && v.Reason != ""
			why := v.Reason
			v = taint(reason, v)
			v.Reason = reason
			if host {
				// Say where the host dependence comes from, not only
				// that the binding is conditional.
				v.Reason = why + "; " + reason
			}
		}
		expr := oneLine(r.text(p.src))
		for _, t := range targets {
			p.bindTargets(t, v, expr, conditional)
		}
		return
	}
}

// oneLine collapses the whitespace of a multi-line expression.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func (p *parser) augmented(n *node, conditional bool, reason string) {
	l, r, op := n.child("left"), n.child("right"), n.child("operator")
	if l == nil || r == nil || op == nil {
		return
	}
	rv := p.eval(r)
	if l.kind != "identifier" {
		p.eval(l)
		return
	}
	name := l.text(p.src)
	p.file.reads[name]++
	prev, had := p.env[name]
	if !had {
		prev = unknown("name " + name + " is not defined")
		p.undefined(l)
	}
	v := binary(strings.TrimSuffix(op.text(p.src), "="), prev, rv)
	if conditional {
		v = taint(reason, v)
		v.Reason = reason
	}
	p.bindNode(l, v, oneLine(n.text(p.src)), conditional)
}

// bindTargets binds the names of an assignment target, unpacking tuples
// whose value is statically known.
func (p *parser) bindTargets(t *node, v Value, expr string, conditional bool) {
	switch t.kind {
	case "identifier":
		p.bindNode(t, v, expr, conditional)
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list":
		elems := t.namedKids()
		star := false
		for _, e := range elems {
			if e.kind == "list_splat_pattern" || e.kind == "list_splat" {
				star = true
			}
		}
		for i, e := range elems {
			ev := taint("unpacked from a value that is not statically known", v)
			if !star && (v.Kind == KindTuple || v.Kind == KindList) && len(v.Items) == len(elems) {
				ev = v.Items[i]
			} else if v.Known() {
				ev = unknown("unpacking is not evaluated")
			}
			p.bindTargets(e, ev, expr, conditional)
		}
	case "list_splat_pattern", "list_splat", "parenthesized_expression":
		for _, k := range t.namedKids() {
			p.bindTargets(k, taint("unpacked from a value that is not statically known", v), expr, conditional)
		}
	default:
		// attribute or subscript: not a module-level name; evaluate the
		// object for its names.
		if o := t.child("object"); o != nil {
			p.eval(o)
		}
		if o := t.child("value"); o != nil {
			p.eval(o)
		}
	}
}

// undefined records a read of a name nothing has bound, in code that
// always runs.
func (p *parser) undefined(n *node) {
	if p.cond || p.file.StarImport {
		return
	}
	p.file.Undefined = append(p.file.Undefined, NameUse{Name: n.text(p.src), Line: n.line, Column: n.col})
}

// moduleGlobals are the names a module executed by gunicorn's
// load_config_from_filename (importlib's exec_module) has without binding
// them, besides the builtins.
var moduleGlobals = map[string]bool{
	"__name__": true, "__file__": true, "__doc__": true, "__loader__": true, "__spec__": true,
	"__package__": true, "__builtins__": true, "__cached__": true, "__annotations__": true,
}

// pyBuiltins is dir(builtins) of CPython 3.11.
var pyBuiltins = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup
	BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError
	ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError
	Exception ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit
	IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError
	KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError None NotADirectoryError NotImplemented
	NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
	RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration
	SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True TypeError UnboundLocalError
	UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError
	Warning ZeroDivisionError __build_class__ __debug__ __doc__ __import__ __loader__ __name__ __package__ __spec__
	abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex
	copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals
	hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min
	next object oct open ord pow print property quit range repr reversed round set setattr slice sorted
	staticmethod str sum super tuple type vars zip`) {
		m[s] = true
	}
	return m
}()

// --- expressions -----------------------------------------------------------

type callArg struct {
	name  string // keyword name, "" for positional
	value Value
	star  bool
}

// eval folds an expression node. Recursion is bounded by the tree depth
// syntaxTree accepted.
func (p *parser) eval(n *node) Value {
	switch n.kind {
	case "integer", "float":
		return number(n.text(p.src))
	case "string":
		return p.stringValue(n)
	case "concatenated_string":
		var v Value
		for i, k := range n.namedKids() {
			w := p.eval(k)
			if i == 0 {
				v = w
				continue
			}
			if v.Known() && w.Known() && v.Kind == w.Kind {
				v.Str += w.Str
			} else {
				v = taint("string is not statically known", v, w)
			}
		}
		return v
	case "true":
		return Value{Kind: KindBool, Bool: true}
	case "false":
		return Value{Kind: KindBool, Bool: false}
	case "none":
		return Value{Kind: KindNone}
	case "ellipsis":
		return unknown("Ellipsis")
	case "identifier":
		return p.name(n)
	case "parenthesized_expression":
		ks := n.namedKids()
		if len(ks) == 1 {
			return p.eval(ks[0])
		}
		return unknown("expression is not statically known")
	case "tuple", "expression_list":
		return p.sequence(n, KindTuple)
	case "list":
		return p.sequence(n, KindList)
	case "set":
		p.evalAll(n)
		return unknown("set literals are not evaluated")
	case "dictionary":
		return p.dict(n)
	case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		// The first iterable runs in the enclosing scope.
		for _, k := range n.namedKids() {
			if k.kind == "for_in_clause" {
				if r := k.child("right"); r != nil {
					p.eval(r)
				}
				break
			}
		}
		return unknown(strings.ReplaceAll(n.kind, "_", " "))
	case "binary_operator":
		l, r := p.eval(n.child("left")), p.eval(n.child("right"))
		op := n.child("operator")
		if op == nil {
			return taint("expression is not statically known", l, r)
		}
		return binary(op.text(p.src), l, r)
	case "unary_operator":
		return p.unary(n)
	case "not_operator":
		v := p.eval(n.child("argument"))
		if t, ok := v.truthy(); ok && v.Known() {
			return Value{Kind: KindBool, Bool: !t}
		}
		return taint("`not` on a value that is not statically known", v)
	case "boolean_operator":
		return p.boolean(n)
	case "comparison_operator":
		return p.comparison(n)
	case "conditional_expression":
		ks := n.namedKids()
		if len(ks) != 3 {
			return unknown("conditional expression")
		}
		cond := p.eval(ks[1])
		if t, ok := cond.truthy(); ok && cond.Known() {
			if t {
				return p.eval(ks[0])
			}
			return p.eval(ks[2])
		}
		saved := p.cond
		p.cond = true
		v, alt := p.eval(ks[0]), p.eval(ks[2])
		p.cond = saved
		return taint("conditional expression on a value that is not statically known", cond, v, alt)
	case "lambda":
		var params *node
		if ps := n.child("parameters"); ps != nil {
			params = ps
			for _, prm := range ps.namedKids() {
				if v := prm.child("value"); v != nil {
					p.eval(v)
				}
			}
		}
		a, va := arity(params)
		return Value{Kind: KindCallable, Arity: a, VarArgs: va}
	case "named_expression":
		v := p.eval(n.child("value"))
		if nm := n.child("name"); nm != nil {
			cv := v
			if p.cond {
				cv = unknown("assigned by := in code that may not run")
			}
			p.bindNode(nm, cv, oneLine(n.child("value").text(p.src)), p.cond)
		}
		return v
	case "attribute":
		o := p.eval(n.child("object"))
		a := n.child("attribute")
		if a == nil {
			return taint("attribute is not evaluated", o)
		}
		return attribute(o, a.text(p.src))
	case "subscript":
		v := p.eval(n.child("value"))
		var idx []Value
		for _, k := range n.kids {
			if k.field == "subscript" {
				if k.kind == "slice" {
					p.evalAll(k)
					idx = append(idx, unknown("slice"))
					continue
				}
				idx = append(idx, p.eval(k))
			}
		}
		if len(idx) != 1 {
			return taint("subscript is not evaluated", append(idx, v)...)
		}
		if idx[0].Reason == "slice" {
			return taint("slices are not evaluated", v)
		}
		return subscript(v, idx[0])
	case "call":
		return p.call(n)
	case "await", "yield", "list_splat", "dictionary_splat", "keyword_argument":
		p.evalAll(n)
		return unknown(strings.ReplaceAll(n.kind, "_", " ") + " is not evaluated")
	case "decorator":
		p.evalAll(n)
		return unknown("decorator")
	}
	p.evalAll(n)
	return unknown("expression is not statically known")
}

func (p *parser) evalAll(n *node) {
	for _, k := range n.namedKids() {
		p.eval(k)
	}
}

func (p *parser) name(n *node) Value {
	s := n.text(p.src)
	p.file.reads[s]++
	if v, ok := p.env[s]; ok {
		return v
	}
	if isBuiltin(s) {
		return Value{Kind: KindUnknown, Reason: "builtin " + s, ref: "builtins." + s}
	}
	if !pyBuiltins[s] && !moduleGlobals[s] {
		p.undefined(n)
		return unknown("name " + s + " is not defined at this point (NameError)")
	}
	return unknown("builtin " + s + " is not evaluated")
}

func (p *parser) sequence(n *node, k Kind) Value {
	var items []Value
	for _, e := range n.namedKids() {
		if e.kind == "list_splat" || e.kind == "parenthesized_list_splat" {
			p.evalAll(e)
			return unknown("starred item")
		}
		items = append(items, p.eval(e))
	}
	return seq(k, items)
}

func seq(k Kind, items []Value) Value {
	for _, it := range items {
		if !it.Known() {
			return taint("contains a value that is not statically known", items...)
		}
	}
	return Value{Kind: k, Items: items}
}

func (p *parser) dict(n *node) Value {
	var keys, vals []Value
	for _, pr := range n.namedKids() {
		if pr.kind != "pair" {
			p.evalAll(pr)
			return unknown("dict unpacking is not evaluated")
		}
		keys = append(keys, p.eval(pr.child("key")))
		vals = append(vals, p.eval(pr.child("value")))
	}
	all := append(append([]Value(nil), keys...), vals...)
	for _, x := range all {
		if !x.Known() {
			return taint("dict contains a value that is not statically known", all...)
		}
	}
	return Value{Kind: KindDict, Keys: keys, Items: vals}
}

// stringValue decodes a string literal; f-strings with replacement fields
// are not statically known.
func (p *parser) stringValue(n *node) Value {
	t := n.text(p.src)
	q := strings.IndexAny(t, `'"`)
	if q < 0 {
		return unknown("string")
	}
	prefix := strings.ToLower(t[:q])
	body := t[q:]
	nq := 1
	if len(body) >= 6 && body[1] == body[0] && body[2] == body[0] {
		nq = 3
	}
	if len(body) < 2*nq {
		return unknown("string")
	}
	body = body[nq : len(body)-nq]
	if strings.ContainsRune(prefix, 'f') {
		for _, k := range n.kids {
			if k.kind == "interpolation" {
				saved := p.cond
				if e := k.child("expression"); e != nil {
					p.eval(e)
				}
				p.cond = saved
				return unknown("f-string")
			}
		}
		body = strings.ReplaceAll(strings.ReplaceAll(body, "{{", "{"), "}}", "}")
	}
	if !strings.ContainsRune(prefix, 'r') {
		var b strings.Builder
		for i := 0; i < len(body); {
			if body[i] == '\\' && i+1 < len(body) {
				s, size := decodeEscape(body[i:])
				b.WriteString(s)
				i += size
				continue
			}
			b.WriteByte(body[i])
			i++
		}
		body = b.String()
	}
	if strings.ContainsRune(prefix, 'b') {
		return Value{Kind: KindBytes, Str: body}
	}
	return Value{Kind: KindString, Str: body}
}

func (p *parser) unary(n *node) Value {
	op := ""
	if o := n.child("operator"); o != nil {
		op = o.text(p.src)
	}
	v := p.eval(n.child("argument"))
	switch {
	case v.Kind == KindInt || v.Kind == KindBool:
		x := v.Int
		if v.Kind == KindBool {
			x = 0
			if v.Bool {
				x = 1
			}
		}
		switch op {
		case "-":
			if x == -x && x != 0 {
				return unknown("integer overflow")
			}
			return Value{Kind: KindInt, Int: -x}
		case "+":
			return Value{Kind: KindInt, Int: x}
		case "~":
			return Value{Kind: KindInt, Int: ^x}
		}
	case v.Kind == KindFloat && op != "~":
		if op == "-" {
			return Value{Kind: KindFloat, Float: -v.Float}
		}
		return v
	}
	return taint("unary "+op+" on a value that is not statically known", v)
}

func (p *parser) boolean(n *node) Value {
	op := n.child("operator")
	l := p.eval(n.child("left"))
	isOr := op != nil && op.text(p.src) == "or"
	if t, ok := l.truthy(); ok && l.Known() {
		if t == isOr {
			return l
		}
		return p.eval(n.child("right"))
	}
	saved := p.cond
	p.cond = true
	w := p.eval(n.child("right"))
	p.cond = saved
	if !isOr {
		return taint("`and` on a value that is not statically known", l, w)
	}
	fb := l.Fallback
	if fb == nil && len(l.Env) > 0 && w.Known() {
		fb = &w
	}
	v := taint("`or` on a value that is not statically known", l, w)
	if fb != nil && w.Known() {
		v.Fallback = fb
		v.Reason += " (" + fb.Python() + " when unset or empty)"
	}
	return v
}

func (p *parser) comparison(n *node) Value {
	var operands []Value
	var ops []string
	pendingNot, pendingIs := false, false
	for _, k := range n.kids {
		if k.named {
			if k.kind == "comment" {
				continue
			}
			operands = append(operands, p.eval(k))
			continue
		}
		t := k.kind
		switch {
		case t == "not" && pendingIs:
			ops[len(ops)-1] = "is not"
			pendingIs = false
		case t == "not":
			pendingNot = true
		case t == "in" && pendingNot:
			ops = append(ops, "not in")
			pendingNot = false
		case t == "is":
			ops = append(ops, "is")
			pendingIs = true
		default:
			ops = append(ops, t)
			pendingIs = false
		}
	}
	if len(ops) != len(operands)-1 || len(ops) == 0 {
		return taint("comparison is not evaluated", operands...)
	}
	result := Value{Kind: KindBool, Bool: true}
	for i, op := range ops {
		r := compare(op, operands[i], operands[i+1])
		if !r.Known() {
			return taint("comparison with a value that is not statically known", operands...)
		}
		if !r.Bool {
			return r
		}
		result = r
	}
	return result
}

func (p *parser) call(n *node) Value {
	fnNode := n.child("function")
	fn := p.eval(fnNode)
	var args []callArg
	if a := n.child("arguments"); a != nil {
		if a.kind == "generator_expression" {
			args = append(args, callArg{value: p.eval(a)})
		} else {
			for _, k := range a.namedKids() {
				switch k.kind {
				case "keyword_argument":
					nm := k.child("name")
					v := p.eval(k.child("value"))
					if nm != nil {
						args = append(args, callArg{name: nm.text(p.src), value: v})
					}
				case "list_splat", "dictionary_splat", "parenthesized_list_splat":
					p.evalAll(k)
					args = append(args, callArg{star: true, value: unknown("star argument")})
				default:
					args = append(args, callArg{value: p.eval(k)})
				}
			}
		}
	}
	if fn.ref != "" && !strings.HasPrefix(fn.ref, "builtins.") {
		p.file.Calls = append(p.file.Calls, Call{Path: fn.ref, Line: n.line, Column: n.col})
	}
	for _, a := range args {
		if a.star {
			return taint("call with star arguments is not evaluated", fn)
		}
	}
	return callValue(fn, args)
}

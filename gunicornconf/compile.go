package gunicornconf

import "strings"

// scope is where a node sits, for the checks CPython's compiler makes
// after parsing ('return' outside function, 'break' outside loop, ...).
type scope struct {
	function, async, loop, comprehension, class bool
	// starHandler: inside an except* handler of this function (return
	// is refused); starHandlerLoop: and no loop between (break and
	// continue are refused). compile.c unwinds the frame blocks and
	// stops at the EXCEPTION_GROUP_HANDLER: "'break', 'continue' and
	// 'return' cannot appear in an except* block".
	starHandler, starHandlerLoop bool
	// depth counts enclosing function scopes.
	depth int
}

// futureFeatures are the names `from __future__ import` accepts in 3.11.
var futureFeatures = map[string]bool{
	"nested_scopes": true, "generators": true, "division": true, "absolute_import": true,
	"with_statement": true, "print_function": true, "unicode_literals": true,
	"barry_as_FLUFL": true, "generator_stop": true, "annotations": true,
}

// compile walks the tree and reports what CPython's compiler rejects.
// Recursion is bounded by MaxExpressionDepth (flatTree refused deeper
// trees).
func (c *checker) compile(n *node, sc scope, _ *node) {
	switch n.kind {
	case "module":
		c.futureImports(n)
	case "function_definition":
		c.forbiddenName(n.child("name"))
		c.parameters(n.child("parameters"), "function definition")
		inner := scope{function: true, async: n.hasToken("async"), depth: sc.depth + 1}
		if inner.async {
			c.asyncGenerator(n)
		}
		for _, k := range n.kids {
			if k.field == "body" {
				c.compile(k, inner, n)
			} else if k.named {
				c.compile(k, sc, n)
			}
		}
		return
	case "lambda":
		if p := n.child("parameters"); p != nil {
			c.parameters(p, "lambda")
		}
		inner := scope{function: true, depth: sc.depth + 1}
		for _, k := range n.kids {
			if k.field == "body" {
				c.compile(k, inner, n)
			} else if k.named {
				c.compile(k, sc, n)
			}
		}
		return
	case "class_definition":
		c.forbiddenName(n.child("name"))
		inner := scope{class: true, depth: sc.depth}
		for _, k := range n.kids {
			if k.field == "body" {
				c.compile(k, inner, n)
			} else if k.named {
				c.compile(k, sc, n)
			}
		}
		return
	case "for_statement", "while_statement":
		if n.hasToken("async") && !(sc.function && sc.async) {
			c.errAt(n, "'async for' outside async function")
		}
		if l := n.child("left"); l != nil {
			c.target(l, "for")
		}
		inner := sc
		inner.loop = true
		inner.starHandlerLoop = false
		for _, k := range n.kids {
			switch {
			case k.field == "body":
				c.compile(k, inner, n)
			case k.named:
				c.compile(k, sc, n)
			}
		}
		return
	case "with_statement":
		if n.hasToken("async") && !(sc.function && sc.async) {
			c.errAt(n, "'async with' outside async function")
		}
	case "with_item":
		if v := n.child("value"); v != nil && v.kind == "as_pattern" {
			if t := v.child("alias"); t != nil {
				for _, k := range t.namedKids() {
					c.target(k, "with")
				}
			}
		}
	case "return_statement":
		switch {
		case sc.starHandler:
			c.errAt(n, "'break', 'continue' and 'return' cannot appear in an except* block")
		case !sc.function:
			c.errAt(n, "'return' outside function")
		}
	case "yield":
		switch {
		case sc.comprehension:
			c.errAt(n, "'yield' inside comprehension")
		case !sc.function:
			c.errAt(n, "'yield' outside function")
		case sc.async && n.hasToken("from"):
			c.errAt(n, "'yield from' inside async function")
		}
	case "await":
		switch {
		case !sc.function:
			c.errAt(n, "'await' outside function")
		case !sc.async && !sc.comprehension:
			c.errAt(n, "'await' outside async function")
		}
	case "break_statement", "continue_statement":
		switch {
		case sc.starHandlerLoop:
			c.errAt(n, "'break', 'continue' and 'return' cannot appear in an except* block")
		case !sc.loop && n.kind == "break_statement":
			c.errAt(n, "'break' outside loop")
		case !sc.loop:
			c.errAt(n, "'continue' not properly in loop")
		}
	case "nonlocal_statement":
		switch {
		case !sc.function && !sc.class:
			c.errAt(n, "nonlocal declaration not allowed at module level")
		}
		// Whether an enclosing function binds the name is the symbol
		// table's check (symtable.go).
	case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		// A comprehension is a function scope of its own (Python 3.11);
		// its first iterable is evaluated in the enclosing scope.
		inner := scope{function: true, comprehension: true, depth: sc.depth}
		if n.kind != "generator_expression" && !sc.comprehension && !(sc.function && sc.async) && c.comprehensionIsAsync(n) {
			c.errAt(n, "asynchronous comprehension outside of an asynchronous function")
		}
		first := true
		for _, k := range n.namedKids() {
			if k.kind != "for_in_clause" {
				c.compile(k, inner, n)
				continue
			}
			if l := k.child("left"); l != nil {
				c.target(l, "comprehension")
			}
			for _, x := range k.kids {
				if x.field == "right" && x.kind == "," && !x.named {
					if n.kind == "generator_expression" && n.parent != nil && n.parent.kind == "call" {
						c.errAt(n, "Generator expression must be parenthesized")
					} else {
						c.errAt(x, "invalid syntax: a comprehension's iterable tuple needs parentheses")
					}
					break
				}
			}
			for _, x := range k.kids {
				switch {
				case !x.named:
				case x.field == "right" && first:
					c.compile(x, sc, k)
				default:
					c.compile(x, inner, k)
				}
			}
			first = false
		}
		return
	case "assignment":
		c.assignment(n)
	case "augmented_assignment":
		if l := n.child("left"); l != nil {
			// `(f) += 1` is single_target's '(' single_target ')'.
			for (l.kind == "parenthesized_expression" || l.kind == "tuple_pattern" || l.kind == "tuple") &&
				len(l.namedKids()) == 1 && !l.hasToken(",") {
				l = l.namedKids()[0]
			}
			switch l.kind {
			case "identifier", "attribute", "subscript":
				c.target(l, "augmented")
			default:
				// Refused by the grammar (single_target augassign).
			}
		}
		if r := n.child("right"); r != nil {
			c.notStarred(r)
			if r.kind == "assignment" || r.kind == "augmented_assignment" {
				c.errAt(r, "invalid syntax: an augmented assignment takes one target and one value")
			}
		}
	case "delete_statement":
		for _, k := range n.namedKids() {
			c.delTarget(k)
		}
	case "expression_statement":
		for _, k := range n.namedKids() {
			switch k.kind {
			case "list_splat":
				// `*a` alone is an error; `*a,` and `*a, b` are tuples
				// (tree-sitter puts their commas in the statement).
				if !n.hasToken(",") {
					c.errAt(k, "can't use starred expression here")
				}
			case "named_expression":
				c.errAt(k, "invalid syntax: an assignment expression (:=) needs parentheses here")
			}
		}
	case "named_expression":
		c.forbiddenName(n.child("name"))
		if p := n.parent; p != nil {
			switch p.kind {
			case "assignment", "augmented_assignment", "keyword_argument", "default_parameter", "typed_default_parameter", "return_statement", "expression_list", "pair", "slice", "lambda":
				c.errAt(n, "invalid syntax: an assignment expression (:=) needs parentheses here")
			}
		}
	case "argument_list":
		c.arguments(n)
	case "call":
		if a := n.child("arguments"); a != nil && a.kind == "generator_expression" {
			// f(x for x in y) is fine; the generator is the only argument.
			_ = a
		}
	case "list_splat":
		// *x stands only in a tuple, list or set display, a call's
		// arguments or a subscript; a bare statement or right-hand side
		// gets its own message (expression_statement, assignment).
		top := n
		for top.parent != nil && starOperand[top.parent.kind] && len(top.parent.kids) > 0 && top.parent.kids[0] == top {
			top = top.parent
		}
		if p := top.parent; p != nil && (p.kind == "except_clause" || (p.kind == "as_pattern" && p.parent != nil && p.parent.kind == "except_clause")) {
			// `except *E:` (with a space) is except*, which is not
			// modelled.
			if c.notModelled == nil {
				c.notModelled = n
			}
		} else if p != nil {
			// The operand of * is a whole bitwise_or or expression
			// (python.gram star_named_expression, starred_expression):
			// `*b*b` is *(b*b), where tree-sitter reads (*b)*b. The
			// context is that of the outermost operator the star starts.
			if top != n {
				p = top.parent
				switch {
				case p == nil:
					return
				case p.kind == "expression_statement" && !p.hasToken(","),
					p.kind == "assignment" && top.field == "right":
					c.errAt(n, "can't use starred expression here")
					return
				}
			}
			switch p.kind {
			case "tuple":
				if !p.hasToken(",") {
					c.errAt(n, "cannot use starred expression here")
				}
			case "list", "set", "expression_list", "argument_list", "subscript", "pattern_list", "expression_statement", "assignment", "delete_statement", "match_statement":
			case "type":
				// `A: B[*x[0]]`: tree-sitter's generic_type for a
				// subscript in an annotation, where a star is valid.
				if p.parent == nil || p.parent.kind != "type_parameter" {
					c.errAt(n, "can't use starred expression here")
				}
			case "list_comprehension", "set_comprehension", "generator_expression":
				c.errAt(n, "iterable unpacking cannot be used in comprehension")
			default:
				c.errAt(n, "can't use starred expression here")
			}
		}
	case "as_pattern":
		// `x as y` outside with items, except clauses, case patterns and
		// imports is refused by CPython's grammar (syntax_grammar.go);
		// tree-sitter reads it in more places, `with (0 as a,):` in a
		// tuple.
	case "constrained_type", "splat_type":
		// `T: bound` (3.12 type parameters) and a star in an annotation
		// other than *args' are refused by CPython's grammar
		// (syntax_grammar.go); tree-sitter's shapes of valid 3.11
		// annotations (`A: B[*x.y]`) are not second-guessed here.
	case "except_group_clause":
		inner := sc
		inner.starHandler, inner.starHandlerLoop = true, true
		for _, k := range n.kids {
			if k.named {
				c.compile(k, inner, n)
			}
		}
		return
	case "match_statement":
		// Checked by syntax_match.go on CPython's grammar.
	case "try_statement":
		var clauses []*node
		for _, k := range n.kids {
			if k.kind == "except_clause" {
				clauses = append(clauses, k)
			}
		}
		for i, k := range clauses {
			bare := true
			for _, x := range k.namedKids() {
				if x.kind != "block" {
					bare = false
				}
			}
			if bare && i < len(clauses)-1 {
				c.errAt(k, "default 'except:' must be last")
			}
		}
	case "except_clause":
		if n.hasToken(",") {
			c.errAt(n, "multiple exception types must be parenthesized")
		}
	case "wildcard_import":
		if sc.function {
			c.errAt(n, "import * only allowed at module level")
		}
	case "concatenated_string":
		var bytesLit, strLit bool
		for _, k := range n.namedKids() {
			if k.kind != "string" {
				continue
			}
			t := k.text(c.src)
			q := strings.IndexAny(t, `'"`)
			if q >= 0 && strings.ContainsAny(t[:q], "bB") {
				bytesLit = true
			} else {
				strLit = true
			}
		}
		if bytesLit && strLit {
			c.errAt(n, "cannot mix bytes and nonbytes literals")
		}
	case "keyword_argument":
		if nm := n.child("name"); nm != nil && nm.text(c.src) == "__debug__" {
			c.errAt(nm, "cannot assign to __debug__")
		}
	case "import_statement", "import_from_statement", "future_import_statement":
		if c.isFutureImport(n) && n.line > c.futureLine {
			c.errAt(n, "from __future__ imports must occur at the beginning of the file")
		}
		// compile.c forbidden_name: the name an import binds (the alias,
		// or the first part of the dotted name).
		for _, k := range n.kids {
			if k.field != "name" {
				continue
			}
			bound := k
			if k.kind == "aliased_import" {
				bound = k.child("alias")
			} else if len(k.namedKids()) > 0 {
				bound = k.namedKids()[0]
			}
			c.forbiddenName(bound)
		}
	case "as_pattern_target":
		if p := n.parent; p != nil && p.parent != nil && (p.parent.kind == "except_clause" || p.parent.kind == "except_group_clause") {
			for _, k := range n.namedKids() {
				c.forbiddenName(k)
			}
		}
	}
	for _, k := range n.kids {
		if k.named {
			c.compile(k, sc, n)
		}
	}
}

// futureImports is Python/future.c's future_parse: after the docstring,
// a run of `from __future__ import` statements (a relative one such as
// `from .__future__ import x` counts: only the module name is compared)
// names known features. c.futureLine is the line of the last of them;
// every later future import, at any depth, is an error
// (compile.c compiler_from_import), checked in compile.
func (c *checker) futureImports(mod *node) {
	c.futureLine = -1
	var stmts []*node
	for _, st := range mod.namedKids() {
		if st.kind != "comment" {
			stmts = append(stmts, st)
		}
	}
	i := 0
	if len(stmts) > 0 && c.isDocstring(stmts[0]) {
		i = 1
	}
	done, prevLine := false, 0
	for ; i < len(stmts); i++ {
		st := stmts[i]
		if done && st.line > prevLine {
			return
		}
		prevLine = st.line
		if !c.isFutureImport(st) {
			done = true
			continue
		}
		if done {
			c.errAt(st, "from __future__ imports must occur at the beginning of the file")
			return
		}
		for _, nm := range st.kids {
			if nm.field != "name" {
				continue
			}
			name := nm
			if nm.kind == "aliased_import" {
				name = nm.child("name")
			}
			if name == nil {
				continue
			}
			f := name.text(c.src)
			switch {
			case f == "braces":
				c.errAt(name, "not a chance")
			case !futureFeatures[f]:
				c.errAt(name, "future feature %s is not defined", f)
			}
		}
		c.futureLine = st.line
	}
}

// isFutureImport reports an import from a module named __future__, at
// any level of relative import.
func (c *checker) isFutureImport(st *node) bool {
	switch st.kind {
	case "future_import_statement":
		return true
	case "import_from_statement":
		m := st.child("module_name")
		return m != nil && strings.TrimLeft(strings.Join(strings.Fields(m.text(c.src)), ""), ".") == "__future__"
	}
	return false
}

// isDocstring is _PyAST_GetDocString: the first statement is an
// expression that is a str constant (parenthesised or concatenated; not
// bytes, not an f-string).
func (c *checker) isDocstring(st *node) bool {
	if st.kind != "expression_statement" || len(st.namedKids()) != 1 {
		return false
	}
	e := st.namedKids()[0]
	for e.kind == "parenthesized_expression" && len(e.namedKids()) == 1 {
		e = e.namedKids()[0]
	}
	parts := []*node{e}
	if e.kind == "concatenated_string" {
		parts = e.namedKids()
	} else if e.kind != "string" {
		return false
	}
	for _, p := range parts {
		if p.kind != "string" {
			return false
		}
		t := p.text(c.src)
		q := strings.IndexAny(t, `'"`)
		if q < 0 || strings.ContainsAny(t[:q], "bBfF") {
			return false
		}
	}
	return true
}

// assignment checks targets and annotations of `a = b = c`, `a: T = v`
// and `a: T`.
func (c *checker) assignment(n *node) {
	l := n.child("left")
	if l == nil {
		return
	}
	if n.child("type") != nil {
		// `(a): int` annotates a too (simple=0); the parentheses are
		// single_target's '(' single_target ')'.
		for (l.kind == "parenthesized_expression" || l.kind == "tuple_pattern" || l.kind == "tuple") &&
			len(l.namedKids()) == 1 && !l.hasToken(",") {
			l = l.namedKids()[0]
		}
		if l.kind == "subscript" && n.child("right") == nil {
			// compile.c check_ann_subscr: without a value the subscript
			// is evaluated element by element, and a star outside a
			// display is "can't use starred expression here".
			for _, k := range l.kids {
				if k.field == "subscript" {
					c.annSubscript(k)
				}
			}
		}
		switch l.kind {
		case "identifier", "attribute", "subscript":
			c.target(l, "annotate")
		default:
			// A tuple, list or other expression: refused by the grammar
			// (assignment's annotated alternatives).
		}
	} else {
		c.target(l, "assign")
	}
	if r := n.child("right"); r != nil && r.kind == "augmented_assignment" {
		c.errAt(r, "invalid syntax: an augmented assignment cannot be chained")
	}
	if r := n.child("right"); r != nil && r.kind != "assignment" {
		c.notStarred(r)
	} else if r != nil && (n.child("type") != nil || r.child("type") != nil) {
		c.errAt(r, "invalid syntax: an annotated assignment takes one target")
	}
}

// notStarred reports a bare starred expression as the whole value.
func (c *checker) notStarred(r *node) {
	if r.kind == "list_splat" {
		c.errAt(r, "can't use starred expression here")
	}
}

// target checks an assignment target.
func (c *checker) target(t *node, ctx string) {
	c.targetIn(t, ctx, true)
}

func (c *checker) targetIn(t *node, ctx string, top bool) {
	switch t.kind {
	case "identifier":
		if t.text(c.src) == "__debug__" {
			c.errAt(t, "cannot assign to __debug__")
		}
	case "attribute":
		// An augmented assignment loads the attribute first: compile.c
		// checks the name only in a Store context.
		if a := t.child("attribute"); a != nil && a.text(c.src) == "__debug__" && ctx != "augmented" {
			c.errAt(a, "cannot assign to __debug__")
		}
	case "subscript":
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list":
		stars := 0
		for _, k := range t.namedKids() {
			if k.kind == "list_splat_pattern" || k.kind == "list_splat" {
				stars++
			}
			c.targetIn(k, ctx, false)
		}
		if stars > 1 {
			c.errAt(t, "multiple starred expressions in assignment")
		}
	case "list_splat_pattern", "list_splat":
		if top {
			c.errAt(t, "starred assignment target must be in a list or tuple")
		}
		for _, k := range t.namedKids() {
			c.targetIn(k, ctx, false)
		}
	case "parenthesized_expression":
		for _, k := range t.namedKids() {
			c.targetIn(k, ctx, top)
		}
	default:
		// Not a target: CPython's grammar refuses it (star_targets),
		// and so does syntax_grammar.go; tree-sitter's shape of a valid
		// target is not second-guessed here.
	}
}

func (c *checker) delTarget(t *node) {
	switch t.kind {
	case "identifier":
		if t.text(c.src) == "__debug__" {
			c.errAt(t, "cannot delete __debug__")
		}
	case "attribute", "subscript":
	case "expression_list", "tuple", "list", "parenthesized_expression", "pattern_list", "tuple_pattern", "list_pattern":
		for _, k := range t.namedKids() {
			c.delTarget(k)
		}
	default:
		// Not a del target: refused by the grammar (del_targets).
	}
}

// arguments checks the order of call arguments and repeated keywords.
func (c *checker) arguments(a *node) {
	seenKw, seenKwSplat := false, false
	kws := map[string]bool{}
	args := a.namedKids()
	for _, k := range args {
		switch k.kind {
		case "keyword_argument":
			seenKw = true
			if nm := k.child("name"); nm != nil {
				s := nm.text(c.src)
				if kws[s] {
					c.errAt(k, "keyword argument repeated: %s", s)
				}
				kws[s] = true
			}
		case "dictionary_splat":
			seenKwSplat = true
		case "list_splat":
			if seenKwSplat {
				c.errAt(k, "iterable argument unpacking follows keyword argument unpacking")
			}
		case "generator_expression":
			// Inside an argument list it carries its own parentheses.
		case "parenthesized_list_splat":
		default:
			switch {
			case seenKwSplat:
				c.errAt(k, "positional argument follows keyword argument unpacking")
			case seenKw:
				c.errAt(k, "positional argument follows keyword argument")
			}
		}
	}
}

// parameters checks a def's or lambda's parameter list: duplicate names,
// a parameter without a default after one with a default, a bare * with
// nothing after it.
func (c *checker) parameters(p *node, what string) {
	if p == nil {
		return
	}
	names := map[string]bool{}
	seenDefault, seenStar, afterStar, kwSplat := false, false, 0, false
	var bareStar *node
	add := func(nm *node) {
		if nm == nil {
			return
		}
		s := nm.text(c.src)
		if names[s] {
			c.errAt(nm, "duplicate argument '%s' in %s", s, what)
		}
		names[s] = true
		if s == "__debug__" {
			c.errAt(nm, "cannot assign to __debug__")
		}
	}
	for _, k := range p.namedKids() {
		if kwSplat {
			c.errAt(k, "arguments cannot follow var-keyword argument")
		}
		switch k.kind {
		case "identifier":
			add(k)
			if seenStar {
				afterStar++
			} else if seenDefault {
				c.errAt(k, "non-default argument follows default argument")
			}
		case "typed_parameter":
			inner := k.namedKids()
			if len(inner) > 0 {
				switch inner[0].kind {
				case "identifier":
					add(inner[0])
					if seenStar {
						afterStar++
					} else if seenDefault {
						c.errAt(k, "non-default argument follows default argument")
					}
				case "list_splat_pattern":
					if seenStar {
						c.errAt(k, "* argument may appear only once")
					}
					seenStar = true
					add(firstIdent(inner[0]))
				case "dictionary_splat_pattern":
					kwSplat = true
					add(firstIdent(inner[0]))
				}
			}
		case "default_parameter", "typed_default_parameter":
			add(k.child("name"))
			if seenStar {
				afterStar++
			} else {
				seenDefault = true
			}
		case "list_splat_pattern":
			if seenStar {
				c.errAt(k, "* argument may appear only once")
			}
			seenStar = true
			add(firstIdent(k))
		case "keyword_separator":
			if seenStar {
				c.errAt(k, "* argument may appear only once")
			}
			seenStar = true
			bareStar = k
		case "dictionary_splat_pattern":
			kwSplat = true
			add(firstIdent(k))
		case "positional_separator":
			if len(names) == 0 {
				c.errAt(k, "at least one argument must precede /")
			}
			if seenStar {
				c.errAt(k, "/ must be ahead of *")
			}
		case "tuple_pattern":
			c.errAt(k, "invalid syntax: tuple parameters were removed in Python 3")
		}
	}
	if bareStar != nil && afterStar == 0 {
		c.errAt(bareStar, "named arguments must follow bare *")
	}
}

func firstIdent(n *node) *node {
	for _, k := range n.namedKids() {
		if k.kind == "identifier" {
			return k
		}
	}
	return nil
}

func isComprehension(n *node) bool {
	switch n.kind {
	case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		return true
	}
	return false
}

// comprehensionIsAsync reports whether CPython compiles comprehension n as
// a coroutine: it has an `async for`, or an await in its own scope, or a
// list, set or dict comprehension in its own scope that is one.
func (c *checker) comprehensionIsAsync(n *node) bool {
	var stack []*node
	push := func(n *node, skipFirstIterable bool) bool {
		first := true
		for _, k := range n.namedKids() {
			if k.kind != "for_in_clause" {
				stack = append(stack, k)
				continue
			}
			if k.hasToken("async") && skipFirstIterable {
				return true
			}
			for _, x := range k.kids {
				switch {
				case !x.named:
				case x.field == "right" && first:
					if !skipFirstIterable {
						stack = append(stack, x)
					}
				default:
					if skipFirstIterable {
						stack = append(stack, x)
					}
				}
			}
			first = false
		}
		return false
	}
	if push(n, true) {
		return true
	}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case x.kind == "await":
			return true
		case x.kind == "lambda":
			continue
		case isComprehension(x):
			if x.kind != "generator_expression" && c.comprehensionIsAsync(x) {
				return true
			}
			// Only its first iterable belongs to this scope.
			push(x, false)
			continue
		}
		for _, k := range x.kids {
			if k.named {
				stack = append(stack, k)
			}
		}
	}
	return false
}

// asyncGenerator reports `return value` in an async def that yields.
func (c *checker) asyncGenerator(def *node) {
	body := def.child("body")
	if body == nil {
		return
	}
	var yields bool
	var returns []*node
	stack := []*node{body}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x.kind {
		case "function_definition", "lambda", "class_definition":
			continue
		case "yield":
			yields = true
		case "return_statement":
			if len(x.namedKids()) > 0 {
				returns = append(returns, x)
			}
		}
		for _, k := range x.kids {
			if k.named {
				stack = append(stack, k)
			}
		}
	}
	if yields {
		for _, r := range returns {
			c.errAt(r, "'return' with value in async generator")
		}
	}
}

// starOperand holds the operator nodes a star's operand may span.
var starOperand = map[string]bool{"binary_operator": true, "comparison_operator": true, "boolean_operator": true,
	"call": true, "attribute": true, "subscript": true,
	"conditional_expression": true}

// forbiddenName is compile.c's forbidden_name for a name the statement
// binds: __debug__ cannot be assigned.
func (c *checker) forbiddenName(nm *node) {
	if nm != nil && nm.kind == "identifier" && nm.text(c.src) == "__debug__" {
		c.errAt(nm, "cannot assign to __debug__")
	}
}

// annSubscript is check_ann_subscr for one element of a subscript:
// tuples are entered, a starred element is an error.
func (c *checker) annSubscript(k *node) {
	for k.kind == "parenthesized_expression" && len(k.namedKids()) == 1 {
		k = k.namedKids()[0]
	}
	switch k.kind {
	case "tuple", "expression_list":
		for _, e := range k.namedKids() {
			c.annSubscript(e)
		}
		return
	}
	for x := k; ; x = x.kids[0] {
		if x.kind == "list_splat" {
			c.errAt(x, "can't use starred expression here")
			return
		}
		if !starOperand[x.kind] || len(x.kids) == 0 {
			return
		}
	}
}

package gunicornconf

// The checks CPython 3.11's symbol table makes (Python/symtable.c): names
// declared global or nonlocal after they were used, assigned, annotated
// or taken as a parameter; nonlocal names without a binding in an
// enclosing function; assignment expressions inside comprehensions. The
// pass builds the scopes (module, function, lambda, class, comprehension),
// records what each statement does to each name in source order, and then
// resolves nonlocal names the way symtable.c's analyze_block does.

type symFlag uint16

const (
	symLocal    symFlag = 1 << iota // bound by assignment, def, class, for, with, except, del, :=
	symParam                        // a parameter
	symImport                       // bound by import
	symUse                          // read
	symAnnot                        // annotated (`x: T`)
	symGlobal                       // declared global
	symNonlocal                     // declared nonlocal
	symCompIter                     // a comprehension's iteration variable
	symWalrus                       // bound by := inside this comprehension
)

type scopeKind uint8

const (
	moduleScope scopeKind = iota
	functionScope
	classScope
	comprehensionScope
)

type symScope struct {
	kind     scopeKind
	parent   *symScope
	flags    map[string]symFlag
	order    []string         // names in first-seen order
	decl     map[string]*node // the first global/nonlocal declaration of a name
	children []*symScope
}

func newSymScope(kind scopeKind, parent *symScope) *symScope {
	s := &symScope{kind: kind, parent: parent, flags: map[string]symFlag{}, decl: map[string]*node{}}
	if parent != nil {
		parent.children = append(parent.children, s)
	}
	return s
}

func (s *symScope) add(name string, f symFlag) symFlag {
	old, seen := s.flags[name]
	if !seen {
		s.order = append(s.order, name)
	}
	s.flags[name] = old | f
	return old
}

type symtable struct {
	c                 *checker
	futureAnnotations bool
	root              *symScope
}

// symbols runs the symbol-table checks on a tree that passed the others.
func (c *checker) symbols(root *node) {
	st := &symtable{c: c, futureAnnotations: futureAnnotationsIn(root, c.src)}
	st.root = newSymScope(moduleScope, nil)
	st.block(root, st.root)
	st.analyze(st.root, nil)
}

func futureAnnotationsIn(root *node, src []byte) bool {
	for _, st := range root.namedKids() {
		if st.kind != "future_import_statement" {
			continue
		}
		for _, nm := range st.namedKids() {
			if nm.kind == "aliased_import" {
				nm = nm.child("name")
			}
			if nm != nil && nm.text(src) == "annotations" {
				return true
			}
		}
	}
	return false
}

func (st *symtable) name(n *node) string { return n.text(st.c.src) }

// block visits the children of n in scope s.
func (st *symtable) block(n *node, s *symScope) {
	for _, k := range n.kids {
		if k.named {
			st.visit(k, s)
		}
	}
}

// visit records what n does to names in scope s (loads unless a caller
// says otherwise).
func (st *symtable) visit(n *node, s *symScope) {
	switch n.kind {
	case "comment", "line_continuation":
		return
	case "identifier":
		s.add(st.name(n), symUse)
		return
	case "attribute":
		if o := n.child("object"); o != nil {
			st.visit(o, s)
		}
		return
	case "keyword_argument":
		if v := n.child("value"); v != nil {
			st.visit(v, s)
		}
		return
	case "decorated_definition":
		st.block(n, s)
		return
	case "function_definition":
		st.function(n, s)
		return
	case "lambda":
		st.function(n, s)
		return
	case "class_definition":
		if nm := n.child("name"); nm != nil {
			s.add(st.name(nm), symLocal)
		}
		for _, k := range n.kids {
			if k.named && k.field != "name" && k.field != "body" {
				st.visit(k, s)
			}
		}
		cs := newSymScope(classScope, s)
		if b := n.child("body"); b != nil {
			st.block(b, cs)
		}
		return
	case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		st.comprehension(n, s)
		return
	case "global_statement", "nonlocal_statement":
		st.declare(n, s)
		return
	case "assignment":
		st.assignment(n, s)
		return
	case "augmented_assignment":
		if l := n.child("left"); l != nil {
			st.store(l, s, symLocal)
		}
		if r := n.child("right"); r != nil {
			st.visit(r, s)
		}
		return
	case "for_statement":
		for _, k := range n.kids {
			switch {
			case k.field == "left":
				st.store(k, s, symLocal)
			case k.named:
				st.visit(k, s)
			}
		}
		return
	case "as_pattern":
		// with a as b, except E as e
		for _, k := range n.kids {
			switch {
			case k.field == "alias":
				for _, t := range k.namedKids() {
					st.store(t, s, symLocal)
				}
			case k.named:
				st.visit(k, s)
			}
		}
		return
	case "delete_statement":
		for _, k := range n.namedKids() {
			st.store(k, s, symLocal)
		}
		return
	case "named_expression":
		st.walrus(n, s)
		return
	case "import_statement", "import_from_statement", "future_import_statement":
		for _, k := range n.kids {
			if k.field != "name" {
				continue
			}
			switch k.kind {
			case "aliased_import":
				if a := k.child("alias"); a != nil {
					s.add(st.name(a), symImport)
				}
			case "dotted_name":
				if ids := k.namedKids(); len(ids) > 0 {
					s.add(st.name(ids[0]), symImport)
				}
			}
		}
		return
	case "wildcard_import":
		return
	case "type":
		if st.futureAnnotations {
			return
		}
	}
	st.block(n, s)
}

// store records the names a target binds; attributes and subscripts read
// their object instead.
func (st *symtable) store(t *node, s *symScope, f symFlag) {
	switch t.kind {
	case "identifier":
		s.add(st.name(t), f)
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list",
		"parenthesized_expression", "list_splat_pattern", "list_splat":
		for _, k := range t.namedKids() {
			st.store(k, s, f)
		}
	default:
		st.visit(t, s)
	}
}

// function handles def and lambda: the name, defaults, annotations and
// decorators belong to s; parameters and the body to a new scope.
func (st *symtable) function(n *node, s *symScope) {
	if nm := n.child("name"); nm != nil && n.kind == "function_definition" {
		s.add(st.name(nm), symLocal)
	}
	fs := newSymScope(functionScope, s)
	for _, k := range n.kids {
		switch {
		case k.field == "parameters":
			st.parameters(k, s, fs)
		case k.field == "return_type":
			if !st.futureAnnotations {
				st.visit(k, s)
			}
		case k.field == "body":
			if k.kind == "block" {
				st.block(k, fs)
			} else {
				st.visit(k, fs)
			}
		case k.named && k.field != "name":
			st.visit(k, s)
		}
	}
}

func (st *symtable) parameters(p *node, outer, fs *symScope) {
	for _, k := range p.namedKids() {
		switch k.kind {
		case "identifier":
			fs.add(st.name(k), symParam)
		case "list_splat_pattern", "dictionary_splat_pattern":
			if id := firstIdent(k); id != nil {
				fs.add(st.name(id), symParam)
			}
		case "default_parameter", "typed_default_parameter", "typed_parameter":
			for _, x := range k.kids {
				switch {
				case x.field == "name":
					fs.add(st.name(x), symParam)
				case x.field == "value":
					st.visit(x, outer)
				case x.field == "type" || x.kind == "type":
					if !st.futureAnnotations {
						st.visit(x, outer)
					}
				case x.kind == "identifier" && k.kind == "typed_parameter":
					fs.add(st.name(x), symParam)
				case x.kind == "list_splat_pattern" || x.kind == "dictionary_splat_pattern":
					if id := firstIdent(x); id != nil {
						fs.add(st.name(id), symParam)
					}
				}
			}
		}
	}
}

// declare handles `global a, b` and `nonlocal a, b`.
func (st *symtable) declare(n *node, s *symScope) {
	what, flag := "global", symGlobal
	if n.kind == "nonlocal_statement" {
		what, flag = "nonlocal", symNonlocal
	}
	for _, id := range n.namedKids() {
		if id.kind != "identifier" {
			continue
		}
		nm := st.name(id)
		cur := s.flags[nm]
		switch {
		case cur&symParam != 0:
			st.c.errAt(id, "name '%s' is parameter and %s", nm, what)
		case cur&symUse != 0:
			st.c.errAt(id, "name '%s' is used prior to %s declaration", nm, what)
		case cur&symAnnot != 0:
			st.c.errAt(id, "name '%s' is annotated and %s", nm, what)
		case cur&symLocal != 0:
			st.c.errAt(id, "name '%s' is assigned to before %s declaration", nm, what)
		}
		if _, ok := s.decl[nm]; !ok {
			s.decl[nm] = id
		}
		s.add(nm, flag)
	}
}

func (st *symtable) assignment(n *node, s *symScope) {
	l := n.child("left")
	typ := n.child("type")
	if typ != nil && l != nil {
		if l.kind == "identifier" {
			nm := st.name(l)
			if s.flags[nm]&(symGlobal|symNonlocal) != 0 && s.kind != moduleScope {
				what := "global"
				if s.flags[nm]&symNonlocal != 0 {
					what = "nonlocal"
				}
				st.c.errAt(l, "annotated name '%s' can't be %s", nm, what)
			}
			s.add(nm, symAnnot|symLocal)
		} else if n.child("right") != nil {
			st.store(l, s, symLocal)
		} else {
			st.visit(l, s)
		}
	} else if l != nil {
		st.store(l, s, symLocal)
	}
	for _, k := range n.kids {
		switch {
		case k.field == "left" || !k.named:
		case k.field == "type":
			if !st.futureAnnotations {
				st.visit(k, s)
			}
		case k.field == "right" && k.kind == "assignment":
			st.assignment(k, s)
		default:
			st.visit(k, s)
		}
	}
}

// comprehension: the first iterable is evaluated in s, the rest in the
// comprehension's own scope, in CPython's order (each generator's target,
// iterable and conditions, then the element).
func (st *symtable) comprehension(n *node, s *symScope) {
	cs := newSymScope(comprehensionScope, s)
	first := true
	var body []*node
	for _, k := range n.namedKids() {
		switch k.kind {
		case "for_in_clause":
			for _, x := range k.kids {
				switch {
				case x.field == "left":
					st.compTarget(x, cs)
				case x.field == "right" && x.named:
					if first {
						st.visit(x, s)
					} else {
						st.visit(x, cs)
					}
				case x.named:
					st.visit(x, cs)
				}
			}
			first = false
		case "if_clause":
			st.block(k, cs)
		default:
			body = append(body, k)
		}
	}
	for _, b := range body {
		st.visit(b, cs)
	}
}

func (st *symtable) compTarget(t *node, cs *symScope) {
	switch t.kind {
	case "identifier":
		nm := st.name(t)
		if cs.flags[nm]&symWalrus != 0 {
			st.c.errAt(t, "comprehension inner loop cannot rebind assignment expression target '%s'", nm)
		}
		cs.add(nm, symLocal|symCompIter)
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list",
		"parenthesized_expression", "list_splat_pattern", "list_splat":
		for _, k := range t.namedKids() {
			st.compTarget(k, cs)
		}
	default:
		st.visit(t, cs)
	}
}

// walrus binds `name := value`: inside a comprehension, in the nearest
// enclosing function or module scope.
func (st *symtable) walrus(n *node, s *symScope) {
	if v := n.child("value"); v != nil {
		st.visit(v, s)
	}
	t := n.child("name")
	if t == nil {
		return
	}
	nm := st.name(t)
	for p := n.parent; p != nil; p = p.parent {
		if p.kind == "for_in_clause" {
			if r := p.child("right"); r != nil && r.start <= n.start && n.end <= r.end {
				st.c.errAt(n, "assignment expression cannot be used in a comprehension iterable expression")
				return
			}
		}
	}
	if s.kind != comprehensionScope {
		s.add(nm, symLocal)
		return
	}
	for x := s; x != nil; x = x.parent {
		switch x.kind {
		case comprehensionScope:
			if x.flags[nm]&symCompIter != 0 {
				st.c.errAt(n, "assignment expression cannot rebind comprehension iteration variable '%s'", nm)
				return
			}
			x.add(nm, symWalrus)
			continue
		case classScope:
			st.c.errAt(n, "assignment expression within a comprehension cannot be used in a class body")
			return
		case functionScope:
			x.add(nm, symLocal)
		}
		// At the module the comprehension declares the name global; the
		// module's own table does not change.
		return
	}
}

// analyze resolves nonlocal names as symtable.c's analyze_block does:
// bound holds the names local to enclosing function scopes (nil at the
// module).
func (st *symtable) analyze(s *symScope, bound map[string]bool) {
	local := map[string]bool{}
	var classBound map[string]bool
	if s.kind == classScope {
		classBound = copySet(bound)
		if classBound == nil {
			classBound = map[string]bool{}
		}
		classBound["__class__"] = true
	}
	mine := copySet(bound)
	for _, nm := range s.order {
		f := s.flags[nm]
		switch {
		case f&symGlobal != 0 && f&symNonlocal != 0:
			st.c.errAt(s.declNode(nm), "name '%s' is nonlocal and global", nm)
		case f&symNonlocal != 0:
			switch {
			case bound == nil:
				st.c.errAt(s.declNode(nm), "nonlocal declaration not allowed at module level")
			case !bound[nm]:
				st.c.errAt(s.declNode(nm), "no binding for nonlocal '%s' found", nm)
			}
		case f&symGlobal != 0:
			if mine != nil {
				delete(mine, nm)
			}
		case f&(symLocal|symParam|symImport) != 0:
			local[nm] = true
		}
	}
	var child map[string]bool
	switch s.kind {
	case classScope:
		child = classBound
	case moduleScope:
		child = map[string]bool{}
	default:
		child = mine
		if child == nil {
			child = map[string]bool{}
		}
		for nm := range local {
			child[nm] = true
		}
	}
	for _, k := range s.children {
		st.analyze(k, copySet(child))
	}
}

func (s *symScope) declNode(nm string) *node { return s.decl[nm] }

func copySet(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

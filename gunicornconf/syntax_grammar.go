package gunicornconf

// A recognizer for CPython 3.11's grammar (Grammar/python.gram, the
// rules without the invalid_* ones, which only choose the message of an
// input that has already failed): it decides whether a token stream of
// syntax_tokenize.go is a Python 3.11 file. tree-sitter's grammar is
// wider than CPython's (it parses `print x`, `raise X, Y`, `def f(a, /,
// b, /)`, `except E as a.b`, `f(x for x in y,)` ...), so Parse accepts a
// file only when this recognizer accepts it too; the evaluator still
// walks tree-sitter's tree. Rules are methods named after the grammar's;
// left-recursive rules are loops, and the rules CPython memoizes (plus
// those the backtracking of targets re-enters) are memoized by position,
// so the time is linear.

import "strings"

// The hard keywords of Python 3.11 (Lib/keyword.py kwlist).
var pyHardKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// pyMaxRuleDepth is pegen's MAXSTACK (6000): deeper, CPython 3.11 stops
// with "too complex to parse". Only the memoized rules count here (pegen
// counts every rule), so the recognizer never refuses before CPython
// does; the tree depth limit (MaxExpressionDepth) comes first for
// everything but chains of lambdas.
const pyMaxRuleDepth = 6000

const (
	mExpression = iota
	mDisjunction
	mBitwiseOr
	mStarTarget
	mTargetWithStarAtom
	mTPrimary
	mDelTarget
	mStarExpression
	mPrimary
	mBlock
	mCount
)

type pyParser struct {
	toks      []pyToken
	pos       int
	far       int // the furthest token looked at: where CPython reports "invalid syntax"
	depth     int
	tooDeep   bool
	memo      [mCount][]int32
	memoBlock []int32   // one allocation for all of memo
	matches   []pyMatch // match statements recognised, by position
}

// pyRecognize reports whether toks (ending in tkEnd) form a file; when
// not, the token CPython would blame.
func pyRecognize(toks []pyToken) (p *pyParser, ok bool, at pyToken, tooDeep bool) {
	p = &pyParser{toks: toks}
	ok = p.file()
	far := min(p.far, len(toks)-1)
	return p, ok && !p.tooDeep, toks[far], p.tooDeep
}

func (p *pyParser) peek() *pyToken {
	if p.pos > p.far {
		p.far = p.pos
	}
	return &p.toks[p.pos]
}

func (p *pyParser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tkOp && t.val == s
}

func (p *pyParser) isKw(s string) bool {
	t := p.peek()
	return t.kind == tkName && t.val == s
}

func (p *pyParser) op(s string) bool {
	if p.isOp(s) {
		p.pos++
		return true
	}
	return false
}

func (p *pyParser) kw(s string) bool {
	if p.isKw(s) {
		p.pos++
		return true
	}
	return false
}

func (p *pyParser) kind(k pyTokKind) bool {
	if p.peek().kind == k {
		p.pos++
		return true
	}
	return false
}

// name is NAME: an identifier that is not a hard keyword.
func (p *pyParser) name() bool {
	t := p.peek()
	if t.kind == tkName && !pyHardKeywords[t.val] {
		p.pos++
		return true
	}
	return false
}

// enter counts rule depth as pegen's p->level does.
func (p *pyParser) enter() bool {
	p.depth++
	if p.depth > pyMaxRuleDepth {
		p.tooDeep = true
		return false
	}
	return true
}

func (p *pyParser) leave() { p.depth-- }

// memoized runs rule f at the current position once.
func (p *pyParser) memoized(id int, f func() bool) bool {
	if p.memo[id] == nil {
		if p.memoBlock == nil {
			p.memoBlock = make([]int32, mCount*len(p.toks))
		}
		p.memo[id] = p.memoBlock[id*len(p.toks) : (id+1)*len(p.toks)]
	}
	at := p.pos
	switch v := p.memo[id][at]; {
	case v == -1:
		return false
	case v > 0:
		p.pos = int(v) - 1
		return true
	}
	if !p.enter() {
		return false
	}
	ok := f()
	p.leave()
	if p.tooDeep {
		return false
	}
	if ok {
		p.memo[id][at] = int32(p.pos + 1)
	} else {
		p.pos = at
		p.memo[id][at] = -1
	}
	return ok
}

// try runs f and puts the position back when it fails.
func (p *pyParser) try(f func() bool) bool {
	at := p.pos
	ok := f()
	if !ok || p.tooDeep {
		p.pos = at
		return false
	}
	return true
}

// lookahead reports whether f would match here, consuming nothing.
func (p *pyParser) lookahead(f func() bool) bool {
	at := p.pos
	ok := p.try(f)
	p.pos = at
	return ok
}

// gather is ','.elem+ : one element, then more after commas.
func (p *pyParser) gather(elem func() bool) bool {
	if !p.try(elem) {
		return false
	}
	for {
		at := p.pos
		if !p.op(",") || !p.try(elem) {
			p.pos = at
			return true
		}
	}
}

func (p *pyParser) optComma() bool { p.op(","); return true }

// file: [statements] ENDMARKER
func (p *pyParser) file() bool {
	for p.peek().kind != tkEnd {
		if !p.statement() {
			return false
		}
	}
	return true
}

// statement: compound_stmt | simple_stmts
func (p *pyParser) statement() bool {
	return p.try(p.compoundStmt) || p.try(p.simpleStmts)
}

// statements: statement+
func (p *pyParser) statements() bool {
	if !p.statement() {
		return false
	}
	for p.statement() {
	}
	return true
}

// simple_stmts: ';'.simple_stmt+ [';'] NEWLINE
func (p *pyParser) simpleStmts() bool {
	if !p.try(p.simpleStmt) {
		return false
	}
	for {
		at := p.pos
		if !p.op(";") {
			break
		}
		if !p.try(p.simpleStmt) {
			p.pos = at
			break
		}
	}
	p.op(";")
	return p.kind(tkNewline)
}

func (p *pyParser) simpleStmt() bool {
	t := p.peek()
	if t.kind == tkName {
		switch t.val {
		case "return":
			p.pos++
			p.try(p.starExpressions)
			return true
		case "import":
			return p.try(p.importName)
		case "from":
			return p.try(p.importFrom)
		case "raise":
			p.pos++
			if p.try(p.expression) {
				at := p.pos
				if p.kw("from") && !p.try(p.expression) {
					p.pos = at
				}
			}
			return true
		case "pass", "break", "continue":
			p.pos++
			return true
		case "del":
			p.pos++
			return p.try(p.delTargets) && (p.isOp(";") || p.peek().kind == tkNewline)
		case "yield":
			return p.try(p.yieldExpr)
		case "assert":
			p.pos++
			if !p.try(p.expression) {
				return false
			}
			at := p.pos
			if p.op(",") && !p.try(p.expression) {
				p.pos = at
			}
			return true
		case "global", "nonlocal":
			p.pos++
			return p.gather(p.name)
		}
	}
	return p.try(p.assignment) || p.try(p.starExpressions)
}

// assignment:
//
//	| NAME ':' expression ['=' annotated_rhs ]
//	| ('(' single_target ')' | single_subscript_attribute_target) ':' expression ['=' annotated_rhs ]
//	| (star_targets '=' )+ (yield_expr | star_expressions) !'='
//	| single_target augassign ~ (yield_expr | star_expressions)
func (p *pyParser) assignment() bool {
	annotated := func() bool {
		if !p.op(":") || !p.try(p.expression) {
			return false
		}
		at := p.pos
		if p.op("=") && !p.try(p.annotatedRHS) {
			p.pos = at
		}
		return true
	}
	if p.try(func() bool { return p.name() && annotated() }) {
		return true
	}
	if p.try(func() bool {
		return (p.try(func() bool { return p.op("(") && p.try(p.singleTarget) && p.op(")") }) ||
			p.try(p.singleSubscriptAttributeTarget)) && annotated()
	}) {
		return true
	}
	if p.try(func() bool {
		n := 0
		for p.try(func() bool { return p.try(p.starTargets) && p.op("=") }) {
			n++
		}
		return n > 0 && p.try(p.annotatedRHS) && !p.isOp("=")
	}) {
		return true
	}
	return p.try(func() bool { return p.try(p.singleTarget) && p.augassign() && p.try(p.annotatedRHS) })
}

var pyAugAssign = map[string]bool{"+=": true, "-=": true, "*=": true, "@=": true, "/=": true, "%=": true, "&=": true,
	"|=": true, "^=": true, "<<=": true, ">>=": true, "**=": true, "//=": true}

func (p *pyParser) augassign() bool {
	t := p.peek()
	if t.kind == tkOp && pyAugAssign[t.val] {
		p.pos++
		return true
	}
	return false
}

// annotated_rhs: yield_expr | star_expressions
func (p *pyParser) annotatedRHS() bool { return p.try(p.yieldExpr) || p.try(p.starExpressions) }

// import_name: 'import' dotted_as_names
func (p *pyParser) importName() bool {
	return p.kw("import") && p.gather(func() bool {
		if !p.dottedName() {
			return false
		}
		at := p.pos
		if p.kw("as") && !p.name() {
			p.pos = at
		}
		return true
	})
}

// dotted_name: dotted_name '.' NAME | NAME
func (p *pyParser) dottedName() bool {
	if !p.name() {
		return false
	}
	for {
		at := p.pos
		if !p.op(".") || !p.name() {
			p.pos = at
			return true
		}
	}
}

// import_from:
//
//	| 'from' ('.' | '...')* dotted_name 'import' import_from_targets
//	| 'from' ('.' | '...')+ 'import' import_from_targets
func (p *pyParser) importFrom() bool {
	if !p.kw("from") {
		return false
	}
	dots := 0
	for p.op(".") || p.op("...") {
		dots++
	}
	if !p.try(p.dottedName) && dots == 0 {
		return false
	}
	if !p.kw("import") {
		return false
	}
	asName := func() bool {
		if !p.name() {
			return false
		}
		at := p.pos
		if p.kw("as") && !p.name() {
			p.pos = at
		}
		return true
	}
	// import_from_targets: '(' import_from_as_names [','] ')' | import_from_as_names !',' | '*'
	return p.try(func() bool { return p.op("(") && p.gather(asName) && p.optComma() && p.op(")") }) ||
		p.try(func() bool { return p.gather(asName) && !p.isOp(",") }) ||
		p.op("*")
}

// compound_stmt
func (p *pyParser) compoundStmt() bool {
	t := p.peek()
	if t.kind == tkOp && t.val == "@" {
		return p.try(p.functionDef) || p.try(p.classDef)
	}
	if t.kind != tkName {
		return false
	}
	switch t.val {
	case "def":
		return p.try(p.functionDef)
	case "async":
		return p.try(p.functionDef) || p.try(p.withStmt) || p.try(p.forStmt)
	case "if":
		return p.try(p.ifStmt)
	case "class":
		return p.try(p.classDef)
	case "with":
		return p.try(p.withStmt)
	case "for":
		return p.try(p.forStmt)
	case "try":
		return p.try(p.tryStmt)
	case "while":
		return p.try(p.whileStmt)
	case "match":
		return p.try(p.matchStmt)
	}
	return false
}

// decorators: ('@' named_expression NEWLINE )+
func (p *pyParser) decorators() {
	for p.try(func() bool { return p.op("@") && p.try(p.namedExpression) && p.kind(tkNewline) }) {
	}
}

// function_def: decorators function_def_raw | function_def_raw
// function_def_raw: [ASYNC] 'def' NAME '(' [params] ')' ['->' expression ] ':' block
func (p *pyParser) functionDef() bool {
	p.decorators()
	p.kw("async")
	if !p.kw("def") || !p.name() || !p.op("(") {
		return false
	}
	p.try(func() bool { return p.parameters(false) })
	if !p.op(")") {
		return false
	}
	at := p.pos
	if p.op("->") && !p.try(p.expression) {
		p.pos = at
	}
	return p.op(":") && p.block()
}

// class_def: decorators class_def_raw | class_def_raw
// class_def_raw: 'class' NAME ['(' [arguments] ')' ] ':' block
func (p *pyParser) classDef() bool {
	p.decorators()
	if !p.kw("class") || !p.name() {
		return false
	}
	p.try(func() bool { return p.op("(") && (p.try(p.arguments) || true) && p.op(")") })
	return p.op(":") && p.block()
}

// block: NEWLINE INDENT statements DEDENT | simple_stmts
func (p *pyParser) block() bool {
	return p.memoized(mBlock, func() bool {
		return p.try(func() bool { return p.kind(tkNewline) && p.kind(tkIndent) && p.statements() && p.kind(tkDedent) }) ||
			p.try(p.simpleStmts)
	})
}

// parameters (and lambda_parameters when lambda is set): the five
// alternatives of the grammar.
func (p *pyParser) parameters(lambda bool) bool {
	closer := ")"
	if lambda {
		closer = ":"
	}
	param := func() bool {
		if !p.name() {
			return false
		}
		if !lambda {
			at := p.pos
			if p.op(":") && !p.try(p.expression) {
				p.pos = at
			}
		}
		return true
	}
	def := func() bool { return p.op("=") && p.try(p.expression) }
	end := func() bool { return p.op(",") || p.isOp(closer) }
	noDefault := func() bool { return p.try(func() bool { return param() && end() }) }
	withDefault := func() bool { return p.try(func() bool { return param() && def() && end() }) }
	maybeDefault := func() bool {
		return p.try(func() bool { return param() && (p.try(def) || true) && end() })
	}
	many := func(f func() bool) int {
		n := 0
		for f() {
			n++
		}
		return n
	}
	slashEnd := func() bool { return p.op("/") && (p.op(",") || p.isOp(closer)) }
	kwds := func() bool { return p.try(func() bool { return p.op("**") && noDefault() }) }
	starEtc := func() bool {
		return p.try(func() bool { return p.op("*") && noDefault() && many(maybeDefault) >= 0 && (kwds() || true) }) ||
			(!lambda && p.try(func() bool {
				// param_no_default_star_annotation: NAME ':' star_expression (',' | &')')
				return p.op("*") && p.name() && p.op(":") && p.try(p.starExpression) && end() &&
					many(maybeDefault) >= 0 && (kwds() || true)
			})) ||
			p.try(func() bool { return p.op("*") && p.op(",") && many(maybeDefault) > 0 && (kwds() || true) }) ||
			kwds()
	}
	return p.try(func() bool {
		// slash_no_default param_no_default* param_with_default* [star_etc]
		return many(noDefault) > 0 && slashEnd() && many(noDefault) >= 0 && many(withDefault) >= 0 && (starEtc() || true)
	}) || p.try(func() bool {
		// slash_with_default param_with_default* [star_etc]
		return many(noDefault) >= 0 && many(withDefault) > 0 && slashEnd() && many(withDefault) >= 0 && (starEtc() || true)
	}) || p.try(func() bool {
		return many(noDefault) > 0 && many(withDefault) >= 0 && (starEtc() || true)
	}) || p.try(func() bool {
		return many(withDefault) > 0 && (starEtc() || true)
	}) || starEtc()
}

// if_stmt / elif_stmt: 'if' named_expression ':' block (elif_stmt | [else_block])
func (p *pyParser) ifStmt() bool {
	if !p.kw("if") && !p.kw("elif") {
		return false
	}
	if !p.try(p.namedExpression) || !p.op(":") || !p.block() {
		return false
	}
	if p.isKw("elif") {
		return p.try(p.ifStmt)
	}
	p.try(p.elseBlock)
	return true
}

// else_block: 'else' &&':' block
func (p *pyParser) elseBlock() bool { return p.kw("else") && p.op(":") && p.block() }

// while_stmt: 'while' named_expression ':' block [else_block]
func (p *pyParser) whileStmt() bool {
	if !p.kw("while") || !p.try(p.namedExpression) || !p.op(":") || !p.block() {
		return false
	}
	p.try(p.elseBlock)
	return true
}

// for_stmt: [ASYNC] 'for' star_targets 'in' ~ star_expressions ':' block [else_block]
func (p *pyParser) forStmt() bool {
	p.kw("async")
	if !p.kw("for") || !p.try(p.starTargets) || !p.kw("in") || !p.try(p.starExpressions) || !p.op(":") || !p.block() {
		return false
	}
	p.try(p.elseBlock)
	return true
}

// with_stmt:
//
//	| [ASYNC] 'with' '(' ','.with_item+ ','? ')' ':' block
//	| [ASYNC] 'with' ','.with_item+ ':' block
func (p *pyParser) withStmt() bool {
	p.kw("async")
	if !p.kw("with") {
		return false
	}
	return p.try(func() bool {
		return p.op("(") && p.gather(p.withItem) && p.optComma() && p.op(")") && p.op(":") && p.block()
	}) || p.try(func() bool { return p.gather(p.withItem) && p.op(":") && p.block() })
}

// with_item: expression 'as' star_target &(',' | ')' | ':') | expression
func (p *pyParser) withItem() bool {
	return p.try(func() bool {
		return p.try(p.expression) && p.kw("as") && p.try(p.starTarget) && (p.isOp(",") || p.isOp(")") || p.isOp(":"))
	}) || p.try(p.expression)
}

// try_stmt:
//
//	| 'try' &&':' block finally_block
//	| 'try' &&':' block except_block+ [else_block] [finally_block]
//	| 'try' &&':' block except_star_block+ [else_block] [finally_block]
func (p *pyParser) tryStmt() bool {
	if !p.kw("try") || !p.op(":") || !p.block() {
		return false
	}
	finally := func() bool { return p.kw("finally") && p.op(":") && p.block() }
	if p.try(finally) {
		return true
	}
	except := func(star bool) func() bool {
		return func() bool {
			if !p.kw("except") {
				return false
			}
			if star {
				if !p.op("*") {
					return false
				}
			} else if p.op(":") {
				return p.block()
			}
			if !p.try(p.expression) {
				return false
			}
			at := p.pos
			if p.kw("as") && !p.name() {
				p.pos = at
			}
			return p.op(":") && p.block()
		}
	}
	for _, star := range []bool{false, true} {
		n := 0
		for p.try(except(star)) {
			n++
		}
		if n > 0 {
			p.try(p.elseBlock)
			p.try(finally)
			return true
		}
	}
	return false
}

// expression:
//
//	| disjunction 'if' disjunction 'else' expression
//	| disjunction
//	| lambdef
func (p *pyParser) expression() bool {
	return p.memoized(mExpression, func() bool {
		if p.try(p.disjunction) {
			at := p.pos
			if !(p.kw("if") && p.try(p.disjunction) && p.kw("else") && p.try(p.expression)) {
				p.pos = at
			}
			return true
		}
		return p.try(p.lambdef)
	})
}

// yield_expr: 'yield' 'from' expression | 'yield' [star_expressions]
func (p *pyParser) yieldExpr() bool {
	if !p.kw("yield") {
		return false
	}
	if p.try(func() bool { return p.kw("from") && p.try(p.expression) }) {
		return true
	}
	p.try(p.starExpressions)
	return true
}

// star_expressions: star_expression (',' star_expression )* [',']
func (p *pyParser) starExpressions() bool {
	if !p.try(p.starExpression) {
		return false
	}
	for {
		at := p.pos
		if !p.op(",") {
			return true
		}
		if !p.try(p.starExpression) {
			p.pos = at
			p.op(",")
			return true
		}
	}
}

// star_expression: '*' bitwise_or | expression
func (p *pyParser) starExpression() bool {
	return p.memoized(mStarExpression, func() bool {
		return p.try(func() bool { return p.op("*") && p.try(p.bitwiseOr) }) || p.try(p.expression)
	})
}

// star_named_expressions: ','.star_named_expression+ [',']
func (p *pyParser) starNamedExpressions() bool {
	return p.gather(p.starNamedExpression) && p.optComma()
}

// star_named_expression: '*' bitwise_or | named_expression
func (p *pyParser) starNamedExpression() bool {
	return p.try(func() bool { return p.op("*") && p.try(p.bitwiseOr) }) || p.try(p.namedExpression)
}

// assignment_expression: NAME ':=' ~ expression
func (p *pyParser) assignmentExpression() bool {
	return p.name() && p.op(":=") && p.try(p.expression)
}

// named_expression: assignment_expression | expression !':='
func (p *pyParser) namedExpression() bool {
	return p.try(p.assignmentExpression) || p.try(func() bool { return p.try(p.expression) && !p.isOp(":=") })
}

// disjunction: conjunction ('or' conjunction )+ | conjunction
// conjunction: inversion ('and' inversion )+ | inversion
func (p *pyParser) disjunction() bool {
	return p.memoized(mDisjunction, func() bool { return p.chain(p.conjunction, "or") })
}

func (p *pyParser) conjunction() bool { return p.chain(p.inversion, "and") }

func (p *pyParser) chain(elem func() bool, word string) bool {
	if !p.try(elem) {
		return false
	}
	for {
		at := p.pos
		if !p.kw(word) || !p.try(elem) {
			p.pos = at
			return true
		}
	}
}

// inversion: 'not' inversion | comparison
func (p *pyParser) inversion() bool {
	return p.try(func() bool { return p.kw("not") && p.try(p.inversion) }) || p.try(p.comparison)
}

// comparison: bitwise_or compare_op_bitwise_or_pair+ | bitwise_or
func (p *pyParser) comparison() bool {
	if !p.try(p.bitwiseOr) {
		return false
	}
	for p.try(p.comparePair) {
	}
	return true
}

func (p *pyParser) comparePair() bool {
	for _, ops := range [][2]string{{"==", ""}, {"!=", ""}, {"<=", ""}, {"<", ""}, {">=", ""}, {">", ""},
		{"not", "in"}, {"in", ""}, {"is", "not"}, {"is", ""}} {
		at := p.pos
		ok := false
		if ops[0][0] >= 'a' {
			ok = p.kw(ops[0]) && (ops[1] == "" || p.kw(ops[1]))
		} else {
			ok = p.op(ops[0])
		}
		if ok && p.try(p.bitwiseOr) {
			return true
		}
		p.pos = at
	}
	return false
}

// bitwise_or .. term: left-recursive binary operators, as loops.
func (p *pyParser) bitwiseOr() bool {
	return p.memoized(mBitwiseOr, func() bool { return p.binary(p.bitwiseXor, "|") })
}
func (p *pyParser) bitwiseXor() bool { return p.binary(p.bitwiseAnd, "^") }
func (p *pyParser) bitwiseAnd() bool { return p.binary(p.shiftExpr, "&") }
func (p *pyParser) shiftExpr() bool  { return p.binary(p.sum, "<<", ">>") }
func (p *pyParser) sum() bool        { return p.binary(p.term, "+", "-") }
func (p *pyParser) term() bool       { return p.binary(p.factor, "*", "/", "//", "%", "@") }

func (p *pyParser) binary(elem func() bool, ops ...string) bool {
	if !p.try(elem) {
		return false
	}
	for {
		at := p.pos
		matched := false
		for _, o := range ops {
			if p.op(o) {
				matched = true
				break
			}
		}
		if !matched || !p.try(elem) {
			p.pos = at
			return true
		}
	}
}

// factor: '+' factor | '-' factor | '~' factor | power
func (p *pyParser) factor() bool {
	if p.isOp("+") || p.isOp("-") || p.isOp("~") {
		if p.try(func() bool { p.pos++; return p.try(p.factor) }) {
			return true
		}
	}
	return p.try(p.power)
}

// power: await_primary '**' factor | await_primary
// await_primary: AWAIT primary | primary
func (p *pyParser) power() bool {
	if !p.try(func() bool { p.kw("await"); return p.try(p.primary) }) {
		return false
	}
	at := p.pos
	if !p.op("**") || !p.try(p.factor) {
		p.pos = at
	}
	return true
}

// primary:
//
//	| primary '.' NAME | primary genexp | primary '(' [arguments] ')'
//	| primary '[' slices ']' | atom
func (p *pyParser) primary() bool {
	return p.memoized(mPrimary, func() bool {
		if !p.try(p.atom) {
			return false
		}
		for p.try(p.primarySuffix) {
		}
		return true
	})
}

func (p *pyParser) primarySuffix() bool {
	return p.try(func() bool { return p.op(".") && p.name() }) ||
		p.try(p.genexp) ||
		p.try(func() bool { return p.op("(") && (p.try(p.arguments) || true) && p.op(")") }) ||
		p.try(func() bool { return p.op("[") && p.try(p.slices) && p.op("]") })
}

// slices: slice !',' | ','.(slice | starred_expression)+ [',']
func (p *pyParser) slices() bool {
	return p.try(func() bool { return p.try(p.slice) && !p.isOp(",") }) ||
		p.try(func() bool {
			return p.gather(func() bool { return p.try(p.slice) || p.try(p.starredExpression) }) && p.optComma()
		})
}

// slice: [expression] ':' [expression] [':' [expression] ] | named_expression
func (p *pyParser) slice() bool {
	return p.try(func() bool {
		p.try(p.expression)
		if !p.op(":") {
			return false
		}
		p.try(p.expression)
		if p.op(":") {
			p.try(p.expression)
		}
		return true
	}) || p.try(p.namedExpression)
}

// atom
func (p *pyParser) atom() bool {
	t := p.peek()
	switch t.kind {
	case tkName:
		if t.val == "True" || t.val == "False" || t.val == "None" || !pyHardKeywords[t.val] {
			p.pos++
			return true
		}
		return false
	case tkString:
		for p.kind(tkString) {
		}
		return true
	case tkNumber:
		p.pos++
		return true
	case tkOp:
		switch t.val {
		case "(":
			return p.try(p.tuple) || p.try(p.group) || p.try(p.genexp)
		case "[":
			return p.try(func() bool { return p.op("[") && (p.try(p.starNamedExpressions) || true) && p.op("]") }) ||
				p.try(func() bool { return p.op("[") && p.try(p.namedExpression) && p.forIfClauses() && p.op("]") })
		case "{":
			return p.try(func() bool {
				return p.op("{") && (p.try(func() bool { return p.gather(p.doubleStarredKVPair) && p.optComma() }) || true) && p.op("}")
			}) ||
				p.try(func() bool { return p.op("{") && p.try(p.starNamedExpressions) && p.op("}") }) ||
				p.try(func() bool { return p.op("{") && p.try(p.kvpair) && p.forIfClauses() && p.op("}") }) ||
				p.try(func() bool { return p.op("{") && p.try(p.namedExpression) && p.forIfClauses() && p.op("}") })
		case "...":
			p.pos++
			return true
		}
	}
	return false
}

// tuple: '(' [star_named_expression ',' [star_named_expressions] ] ')'
func (p *pyParser) tuple() bool {
	if !p.op("(") {
		return false
	}
	p.try(func() bool {
		return p.try(p.starNamedExpression) && p.op(",") && (p.try(p.starNamedExpressions) || true)
	})
	return p.op(")")
}

// group: '(' (yield_expr | named_expression) ')'
func (p *pyParser) group() bool {
	return p.op("(") && (p.try(p.yieldExpr) || p.try(p.namedExpression)) && p.op(")")
}

// genexp: '(' ( assignment_expression | expression !':=') for_if_clauses ')'
func (p *pyParser) genexp() bool {
	return p.op("(") && (p.try(p.assignmentExpression) || p.try(func() bool { return p.try(p.expression) && !p.isOp(":=") })) &&
		p.forIfClauses() && p.op(")")
}

// double_starred_kvpair: '**' bitwise_or | kvpair
func (p *pyParser) doubleStarredKVPair() bool {
	return p.try(func() bool { return p.op("**") && p.try(p.bitwiseOr) }) || p.try(p.kvpair)
}

// kvpair: expression ':' expression
func (p *pyParser) kvpair() bool { return p.try(p.expression) && p.op(":") && p.try(p.expression) }

// for_if_clauses: for_if_clause+
// for_if_clause: [ASYNC] 'for' star_targets 'in' ~ disjunction ('if' disjunction )*
func (p *pyParser) forIfClauses() bool {
	n := 0
	for p.try(func() bool {
		p.kw("async")
		if !p.kw("for") || !p.try(p.starTargets) || !p.kw("in") || !p.try(p.disjunction) {
			return false
		}
		for p.try(func() bool { return p.kw("if") && p.try(p.disjunction) }) {
		}
		return true
	}) {
		n++
	}
	return n > 0
}

// lambdef: 'lambda' [lambda_params] ':' expression
func (p *pyParser) lambdef() bool {
	if !p.kw("lambda") {
		return false
	}
	p.try(func() bool { return p.parameters(true) })
	return p.op(":") && p.try(p.expression)
}

// arguments: args [','] &')'
// args:
//
//	| ','.(starred_expression | ( assignment_expression | expression !':=') !'=')+ [',' kwargs ]
//	| kwargs
func (p *pyParser) arguments() bool {
	positional := func() bool {
		return p.try(p.starredExpression) ||
			p.try(func() bool {
				return (p.try(p.assignmentExpression) || p.try(func() bool { return p.try(p.expression) && !p.isOp(":=") })) &&
					!p.isOp("=")
			})
	}
	args := func() bool {
		return p.try(func() bool {
			if !p.gather(positional) {
				return false
			}
			p.try(func() bool { return p.op(",") && p.try(p.kwargs) })
			return true
		}) || p.try(p.kwargs)
	}
	return p.try(args) && p.optComma() && p.isOp(")")
}

// kwargs:
//
//	| ','.kwarg_or_starred+ ',' ','.kwarg_or_double_starred+
//	| ','.kwarg_or_starred+
//	| ','.kwarg_or_double_starred+
func (p *pyParser) kwargs() bool {
	kw := func() bool { return p.name() && p.op("=") && p.try(p.expression) }
	starred := func() bool { return p.try(kw) || p.try(p.starredExpression) }
	double := func() bool {
		return p.try(kw) || p.try(func() bool { return p.op("**") && p.try(p.expression) })
	}
	return p.try(func() bool { return p.gather(starred) && p.op(",") && p.gather(double) }) ||
		p.gather(starred) || p.gather(double)
}

// starred_expression: '*' expression
func (p *pyParser) starredExpression() bool { return p.op("*") && p.try(p.expression) }

// star_targets: star_target !',' | star_target (',' star_target )* [',']
func (p *pyParser) starTargets() bool {
	if !p.try(p.starTarget) {
		return false
	}
	for {
		at := p.pos
		if !p.op(",") {
			return true
		}
		if !p.try(p.starTarget) {
			p.pos = at
			p.op(",")
			return true
		}
	}
}

// star_targets_tuple_seq: star_target (',' star_target )+ [','] | star_target ','
func (p *pyParser) starTargetsTupleSeq() bool {
	if !p.try(p.starTarget) || !p.op(",") {
		return false
	}
	for p.try(p.starTarget) {
		if !p.op(",") {
			return true
		}
	}
	return true
}

// star_target: '*' (!'*' star_target) | target_with_star_atom
func (p *pyParser) starTarget() bool {
	return p.memoized(mStarTarget, func() bool {
		return p.try(func() bool { return p.op("*") && !p.isOp("*") && p.try(p.starTarget) }) ||
			p.try(p.targetWithStarAtom)
	})
}

// target_with_star_atom:
//
//	| t_primary '.' NAME !t_lookahead
//	| t_primary '[' slices ']' !t_lookahead
//	| star_atom
func (p *pyParser) targetWithStarAtom() bool {
	return p.memoized(mTargetWithStarAtom, func() bool {
		return p.try(p.subscriptAttributeTarget) || p.try(p.starAtom)
	})
}

// single_subscript_attribute_target:
//
//	| t_primary '.' NAME !t_lookahead | t_primary '[' slices ']' !t_lookahead
func (p *pyParser) singleSubscriptAttributeTarget() bool { return p.subscriptAttributeTarget() }

func (p *pyParser) subscriptAttributeTarget() bool {
	return p.try(func() bool { return p.try(p.tPrimary) && p.op(".") && p.name() && !p.tLookahead() }) ||
		p.try(func() bool { return p.try(p.tPrimary) && p.op("[") && p.try(p.slices) && p.op("]") && !p.tLookahead() })
}

// star_atom:
//
//	| NAME | '(' target_with_star_atom ')' | '(' [star_targets_tuple_seq] ')'
//	| '[' [star_targets_list_seq] ']'
func (p *pyParser) starAtom() bool {
	return p.name() ||
		p.try(func() bool { return p.op("(") && p.try(p.targetWithStarAtom) && p.op(")") }) ||
		p.try(func() bool { return p.op("(") && (p.try(p.starTargetsTupleSeq) || true) && p.op(")") }) ||
		p.try(func() bool {
			return p.op("[") && (p.try(func() bool { return p.gather(p.starTarget) && p.optComma() }) || true) && p.op("]")
		})
}

// single_target: single_subscript_attribute_target | NAME | '(' single_target ')'
func (p *pyParser) singleTarget() bool {
	return p.try(p.singleSubscriptAttributeTarget) || p.name() ||
		p.try(func() bool { return p.op("(") && p.try(p.singleTarget) && p.op(")") })
}

func (p *pyParser) tLookahead() bool { return p.isOp("(") || p.isOp("[") || p.isOp(".") }

// t_primary:
//
//	| t_primary '.' NAME &t_lookahead
//	| t_primary '[' slices ']' &t_lookahead
//	| t_primary genexp &t_lookahead
//	| t_primary '(' [arguments] ')' &t_lookahead
//	| atom &t_lookahead
func (p *pyParser) tPrimary() bool {
	return p.memoized(mTPrimary, func() bool {
		if !p.try(func() bool { return p.try(p.atom) && p.tLookahead() }) {
			return false
		}
		for p.try(func() bool {
			return p.try(func() bool { return p.op(".") && p.name() && p.tLookahead() }) ||
				p.try(func() bool { return p.op("[") && p.try(p.slices) && p.op("]") && p.tLookahead() }) ||
				p.try(func() bool { return p.try(p.genexp) && p.tLookahead() }) ||
				p.try(func() bool { return p.op("(") && (p.try(p.arguments) || true) && p.op(")") && p.tLookahead() })
		}) {
		}
		return true
	})
}

// del_targets: ','.del_target+ [',']
func (p *pyParser) delTargets() bool { return p.gather(p.delTarget) && p.optComma() }

// del_target:
//
//	| t_primary '.' NAME !t_lookahead | t_primary '[' slices ']' !t_lookahead | del_t_atom
//
// del_t_atom: NAME | '(' del_target ')' | '(' [del_targets] ')' | '[' [del_targets] ']'
func (p *pyParser) delTarget() bool {
	return p.memoized(mDelTarget, func() bool {
		return p.try(p.subscriptAttributeTarget) || p.name() ||
			p.try(func() bool { return p.op("(") && p.try(p.delTarget) && p.op(")") }) ||
			p.try(func() bool { return p.op("(") && (p.try(p.delTargets) || true) && p.op(")") }) ||
			p.try(func() bool { return p.op("[") && (p.try(p.delTargets) || true) && p.op("]") })
	})
}

// pyTokenSummary names a token in an error message.
func pyTokenSummary(t pyToken) string {
	switch t.kind {
	case tkEnd:
		return "the end of the file"
	case tkNewline:
		return "the end of the line"
	case tkIndent:
		return "an indent"
	case tkDedent:
		return "a dedent"
	}
	v := t.val
	if len(v) > 20 {
		v = v[:20] + "..."
	}
	return "'" + strings.TrimSpace(v) + "'"
}

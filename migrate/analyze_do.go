package migrate

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// A DO block runs PL/pgSQL. Its body is parsed with PostgreSQL's own
// PL/pgSQL parser (pg_query's ParsePlPgSqlToJSON). When it holds only
// static SQL, the statements are analysed as if they were top-level
// statements of one transaction (a DO block is one statement: every lock
// its statements take is held until it ends, or until COMMIT in a
// transaction block), placed on their own lines of the file, and each
// finding says it comes from the DO block. Anything else stays DKM090
// (fail closed): EXECUTE (dynamic SQL), loops, COMMIT/ROLLBACK, cursors,
// CALL, GET DIAGNOSTICS, CASE, RETURN values, and expressions (IF and
// ELSIF conditions, PERFORM, assignments, RAISE parameters, DECLARE
// defaults, SELECT ... INTO) that call a function not known here as
// built-in, or a language other than plpgsql.
//
// Statements in IF branches and exception handlers are analysed as if
// they run (a hazard is reported even when the branch may be skipped);
// objects they create are treated afterwards as existing before the
// file, so later statements on them are not excused as "new".

// doKnownFuncs are built-in functions a DO block's expressions may call
// without being reported: no side effects on relations (pg_sleep is slow
// work, which DKM050 weighs).
var doKnownFuncs = map[string]bool{
	"count": true, "sum": true, "min": true, "max": true, "avg": true, "pg_sleep": true,
	"current_schema": true, "current_database": true, "current_user": true, "format": true,
	"to_regclass": true, "to_regtype": true, "quote_ident": true, "quote_literal": true,
	"has_table_privilege": true, "pg_has_role": true, "version": true,
}

// doBlock analyses a DO statement.
func (a *analyzer) doBlock(ds *pg_query.DoStmt, e *effect) {
	body, lang := "", "plpgsql"
	for _, arg := range ds.Args {
		d := arg.GetDefElem()
		switch d.GetDefname() {
		case "as":
			body = d.Arg.GetString_().GetSval()
		case "language":
			lang = strings.ToLower(d.Arg.GetString_().GetSval())
		}
	}
	if lang != "plpgsql" {
		a.notModelled(e, "", lockNone, "DO block in LANGUAGE "+lang)
		return
	}
	fn, why := parseDoBody(body)
	if why != "" {
		a.notModelled(e, "", lockNone, "DO block ("+why+")")
		return
	}
	var stmts []doStmt
	if why := collectDo(fn, &stmts); why != "" {
		what := "DO block with " + why
		a.notModelled(e, "", lockNone, what)
		return
	}
	outer := a.cur
	bodyOff := -1
	if a.pf.src != nil && outer.end <= len(a.pf.src) && outer.start < outer.end {
		if i := strings.Index(string(a.pf.src[outer.start:outer.end]), body); i >= 0 && body != "" {
			bodyOff = outer.start + i
		}
	}
	// The DO block is one statement: its statements share one transaction
	// even outside a BEGIN block.
	wasInBlock := a.inBlock
	if !wasInBlock {
		a.inBlock = true
		a.held = a.held[:0]
	}
	first := len(a.findings)
	var conditional []string
	for i := range stmts {
		st := &stmts[i]
		ps := a.doStatement(outer, body, bodyOff, st)
		a.cur = ps
		a.skipHeld = a.skipHeld[:0]
		before := a.createdSnapshot()
		a.analyseStatement(ps)
		if st.conditional {
			conditional = append(conditional, a.createdSince(before)...)
		}
	}
	a.cur = outer
	if !wasInBlock {
		a.inBlock = false
	}
	for i := first; i < len(a.findings); i++ {
		a.findings[i].Message = "in the DO block: " + a.findings[i].Message
	}
	// Objects created in a branch that may not run are not known to be
	// new: treat them as existing before the file.
	for _, name := range conditional {
		if idx, ok := strings.CutPrefix(name, "index "); ok {
			a.cat.indexFile[idx] = -1
			continue
		}
		if t := a.cat.tables[name]; t != nil {
			t.file = -1
		}
		delete(a.newTypes, name)
	}
}

// doStmt is one SQL statement of a DO block: its text, its line in the
// body (1 = the line the body starts on) and whether it runs only when an
// IF branch or exception handler is taken.
type doStmt struct {
	sql         string
	lineno      int
	conditional bool
	node        *pg_query.Node
}

// parseDoBody parses a DO body as the body of a PL/pgSQL function and
// returns the function's JSON tree, or why it cannot be read.
func parseDoBody(body string) (map[string]any, string) {
	tag := "$dk$"
	for n := 0; strings.Contains(body, tag); n++ {
		tag = "$dk" + strings.Repeat("x", n+1) + "$"
	}
	out, err := pg_query.ParsePlPgSqlToJSON("CREATE FUNCTION deploykit_do() RETURNS void LANGUAGE plpgsql AS " + tag + body + tag)
	if err != nil {
		return nil, "its body does not parse as PL/pgSQL: " + err.Error()
	}
	var fns []map[string]any
	if err := json.Unmarshal([]byte(out), &fns); err != nil || len(fns) != 1 {
		return nil, "its PL/pgSQL parse tree is not understood"
	}
	fn, _ := fns[0]["PLpgSQL_function"].(map[string]any)
	if fn == nil {
		return nil, "its PL/pgSQL parse tree is not understood"
	}
	return fn, ""
}

func obj(v any, key string) map[string]any {
	m, _ := v.(map[string]any)
	r, _ := m[key].(map[string]any)
	return r
}

func list(v any, key string) []any {
	m, _ := v.(map[string]any)
	r, _ := m[key].([]any)
	return r
}

func exprQuery(v any) string {
	q, _ := obj(v, "PLpgSQL_expr")["query"].(string)
	return q
}

func lineOf(m map[string]any) int {
	f, _ := m["lineno"].(float64)
	return int(f)
}

// collectDo walks the function tree and appends its SQL statements in
// execution order; it returns why the block is not modelled, "" when
// every statement is static SQL or a known-safe PL/pgSQL statement.
func collectDo(fn map[string]any, out *[]doStmt) string {
	for _, d := range list(fn, "datums") {
		if v := obj(d, "PLpgSQL_var"); v != nil {
			if q := exprQuery(v["default_val"]); q != "" {
				if why := checkExpr(q); why != "" {
					return why
				}
			}
		}
	}
	act, _ := fn["action"].(map[string]any)
	return collectStmts([]any{act}, false, out)
}

func collectStmts(stmts []any, conditional bool, out *[]doStmt) string {
	for _, raw := range stmts {
		m, _ := raw.(map[string]any)
		if len(m) != 1 {
			return "a PL/pgSQL statement that is not understood"
		}
		for kind, v := range m {
			st, _ := v.(map[string]any)
			if why := collectStmt(kind, st, conditional, out); why != "" {
				return why
			}
		}
	}
	return ""
}

func collectStmt(kind string, st map[string]any, conditional bool, out *[]doStmt) string {
	switch kind {
	case "PLpgSQL_stmt_block":
		// With an exception handler, a statement of the block may fail
		// and be rolled back (the drizzle-kit "EXCEPTION WHEN
		// duplicate_object" pattern): what it creates may have existed.
		excs := list(obj(st["exceptions"], "PLpgSQL_exception_block"), "exc_list")
		if why := collectStmts(list(st, "body"), conditional || len(excs) > 0, out); why != "" {
			return why
		}
		for _, ex := range excs {
			if why := collectStmts(list(obj(ex, "PLpgSQL_exception"), "action"), true, out); why != "" {
				return why
			}
		}
	case "PLpgSQL_stmt_execsql":
		q := exprQuery(st["sqlstmt"])
		if into, _ := st["into"].(bool); into {
			if why := checkSQL(q); why != "" {
				return why
			}
		}
		return addSQL(q, lineOf(st), conditional, out)
	case "PLpgSQL_stmt_perform":
		q := exprQuery(st["expr"])
		if why := checkSQL(q); why != "" {
			return why
		}
		return addSQL(q, lineOf(st), conditional, out)
	case "PLpgSQL_stmt_if":
		if why := checkExpr(exprQuery(st["cond"])); why != "" {
			return why
		}
		if why := collectStmts(list(st, "then_body"), true, out); why != "" {
			return why
		}
		for _, ei := range list(st, "elsif_list") {
			e := obj(ei, "PLpgSQL_if_elsif")
			if why := checkExpr(exprQuery(e["cond"])); why != "" {
				return why
			}
			if why := collectStmts(list(e, "stmts"), true, out); why != "" {
				return why
			}
		}
		return collectStmts(list(st, "else_body"), true, out)
	case "PLpgSQL_stmt_assign":
		q := exprQuery(st["expr"])
		i := strings.Index(q, ":=")
		if i < 0 {
			return "an assignment that is not understood"
		}
		return checkExpr(q[i+2:])
	case "PLpgSQL_stmt_raise":
		for _, p := range list(st, "params") {
			if why := checkExpr(exprQuery(p)); why != "" {
				return why
			}
		}
		for _, o := range list(st, "options") {
			if why := checkExpr(exprQuery(obj(o, "PLpgSQL_raise_option")["expr"])); why != "" {
				return why
			}
		}
	case "PLpgSQL_stmt_return":
		if len(st) != 0 {
			return "RETURN of a value"
		}
	case "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors":
		return "dynamic SQL (EXECUTE)"
	case "PLpgSQL_stmt_loop", "PLpgSQL_stmt_while", "PLpgSQL_stmt_fori", "PLpgSQL_stmt_fors", "PLpgSQL_stmt_forc", "PLpgSQL_stmt_foreach_a":
		return "a loop"
	case "PLpgSQL_stmt_commit", "PLpgSQL_stmt_rollback":
		return "COMMIT or ROLLBACK"
	default:
		return strings.ToUpper(strings.TrimPrefix(kind, "PLpgSQL_stmt_")) + " (not modelled in DO blocks)"
	}
	return ""
}

// addSQL parses one static SQL statement of the block.
func addSQL(q string, line int, conditional bool, out *[]doStmt) string {
	res, err := pg_query.Parse(q)
	if err != nil || len(res.Stmts) != 1 {
		return "a statement that does not parse alone (" + strings.Fields(q + " ?")[0] + ")"
	}
	n := res.Stmts[0].Stmt
	switch n.GetNode().(type) {
	case *pg_query.Node_TransactionStmt, *pg_query.Node_DoStmt:
		return "a " + statementVerb(q) + " statement"
	}
	*out = append(*out, doStmt{sql: q, lineno: line, conditional: conditional, node: n})
	return ""
}

// checkExpr reports the first function an expression calls that is not
// known here as side-effect free; "" when there is none. The expression is
// parsed as the target of a SELECT, as PL/pgSQL does.
func checkExpr(q string) string {
	if strings.TrimSpace(q) == "" {
		return ""
	}
	return checkSQL("SELECT " + q)
}

// checkSQL is checkExpr for a whole statement (PERFORM, SELECT ... INTO).
func checkSQL(q string) string {
	res, err := pg_query.Parse(q)
	if err != nil || len(res.Stmts) != 1 {
		return "an expression that does not parse"
	}
	var names []string
	collectFuncCalls(reflect.ValueOf(res.Stmts[0].Stmt), 0, &names)
	sort.Strings(names)
	for _, n := range names {
		if !doKnownFuncs[n] && !stableFuncs[n] {
			return "a call of " + n + "() (not known here)"
		}
	}
	return ""
}

var funcCallType = reflect.TypeOf((*pg_query.FuncCall)(nil))

func collectFuncCalls(v reflect.Value, depth int, out *[]string) {
	if depth > 200 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type() == funcCallType {
			*out = append(*out, funcName(v.Interface().(*pg_query.FuncCall)))
		}
		collectFuncCalls(v.Elem(), depth+1, out)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				collectFuncCalls(v.Field(i), depth+1, out)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			collectFuncCalls(v.Index(i), depth+1, out)
		}
	}
}

// doStatement makes the parsed statement of a DO block's SQL statement,
// placed on its line of the file (the DO statement's position when the
// body cannot be found verbatim, e.g. a single-quoted body with doubled quotes).
func (a *analyzer) doStatement(outer *parsedStmt, body string, bodyOff int, st *doStmt) *parsedStmt {
	ps := &parsedStmt{Statement: outer.Statement, node: st.node, ignore: outer.ignore, opIndex: outer.opIndex}
	ps.SQL = st.sql
	ps.Transactional = transactional(st.node)
	ps.endLine, ps.endCol = 0, 0
	if bodyOff < 0 || st.lineno < 1 {
		return ps
	}
	lines := strings.SplitAfter(body, "\n")
	if st.lineno > len(lines) {
		return ps
	}
	off := bodyOff
	for _, l := range lines[:st.lineno-1] {
		off += len(l)
	}
	text := lines[st.lineno-1]
	word := strings.Fields(st.sql + " ")
	if len(word) > 0 {
		if i := strings.Index(strings.ToLower(text), strings.ToLower(word[0])); i >= 0 {
			off += i
		}
	}
	p := a.posAt(off)
	ps.Line, ps.Column = p.Line, p.Column
	return ps
}

// createdSnapshot lists the tables, types and indexes ("index NAME") the
// file has created so far.
func (a *analyzer) createdSnapshot() map[string]bool {
	m := map[string]bool{}
	for name, f := range a.cat.indexFile {
		if f == a.file {
			m["index "+name] = true
		}
	}
	for name, t := range a.cat.tables {
		if t.file == a.file {
			m[name] = true
		}
	}
	for name := range a.newTypes {
		m[name] = true
	}
	return m
}

func (a *analyzer) createdSince(before map[string]bool) []string {
	var out []string
	for name := range a.createdSnapshot() {
		if !before[name] {
			out = append(out, name)
		}
	}
	return out
}

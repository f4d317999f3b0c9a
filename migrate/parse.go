package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// SyntaxError is a positioned parse error in a SQL file. Bad input never
// panics: every parser error comes back as a *SyntaxError.
type SyntaxError struct {
	// Path is the file's path as given.
	Path string
	// Line and Column (1-based, column in bytes) locate the error;
	// Column is 0 when unknown.
	Line, Column int
	// Msg is PostgreSQL's message, e.g. `syntax error at or near "TABLEE"`.
	Msg string
}

// Error formats the error as "path:line:col: msg".
func (e *SyntaxError) Error() string {
	p := e.Path
	if p == "" {
		p = "-"
	}
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p, e.Line, e.Msg)
}

// parsedStmt is one statement with its parse tree and the comments that
// precede it.
type parsedStmt struct {
	Statement
	node *pg_query.Node
	// start and end are byte offsets of the statement text in the source.
	start, end int
	// ignore lists the rules suppressed by "-- deploykit:ignore" comments
	// before (or on the same line as) the statement; "*" suppresses all.
	ignore []string
	// opIndex counts the Django operations described before the statement
	// (0-based index of its operation), -1 outside Django output.
	opIndex int
	// endLine and endCol are the position just after the statement text
	// (before its semicolon).
	endLine, endCol int
}

// opaqueOp is a Django operation without SQL (RunPython).
type opaqueOp struct {
	line, col, opIndex int
	operation          string
}

// parsedFile is the result of parsing one file.
type parsedFile struct {
	path  string
	stmts []parsedStmt
	// ignoreAll lists rules suppressed for the whole file by
	// "-- deploykit:ignore-file RULE".
	ignoreAll []string
	// opaque lists RunPython operations seen in sqlmigrate comments.
	opaque []opaqueOp
	// extensionOps lists Django CreateExtension operations (and its
	// subclasses) seen in sqlmigrate comments, with or without SQL.
	extensionOps []opaqueOp
	// noTransaction is set by a "-- deploykit:no-transaction" comment: the
	// file is not run in one transaction even when Options.Atomic says so
	// (the non-atomic marker the CREATE INDEX CONCURRENTLY fix inserts).
	noTransaction bool
	// src is the file's content, for the positions of text edits.
	src []byte
}

// SplitStatements splits a SQL file into statements with the PostgreSQL
// parser, keeping each statement's line and column, the Django operation
// named by sqlmigrate's comments, and whether it may run inside a
// transaction block. A parse error is returned as a *SyntaxError.
func SplitStatements(path string, src []byte) ([]Statement, error) {
	pf, err := parseFile(path, src)
	if err != nil {
		return nil, err
	}
	out := make([]Statement, len(pf.stmts))
	for i := range pf.stmts {
		out[i] = pf.stmts[i].Statement
	}
	return out, nil
}

// MaxSQLFileSize is the largest SQL file the analyser reads (16 MiB): a
// migration is far smaller, and the bound keeps a bad input from holding
// the whole parse tree of a huge dump in memory.
const MaxSQLFileSize = 16 << 20

// parseFile parses src with pg_query and attaches positions and comments.
func parseFile(path string, src []byte) (*parsedFile, error) {
	if len(src) > MaxSQLFileSize {
		return nil, &SyntaxError{Path: path, Line: 1, Msg: fmt.Sprintf("file is %d bytes, more than the %d the analyser reads (want a migration, not a dump)", len(src), MaxSQLFileSize)}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		l, c := lineCol(src, i)
		return nil, &SyntaxError{Path: path, Line: l, Column: c, Msg: "NUL byte in SQL text (want a text file)"}
	}
	if !utf8.Valid(src) {
		i := firstInvalidUTF8(src)
		l, c := lineCol(src, i)
		return nil, &SyntaxError{Path: path, Line: l, Column: c, Msg: "invalid UTF-8 (want UTF-8 SQL text)"}
	}
	text := string(src)
	tree, err := pg_query.Parse(text)
	if err != nil {
		return nil, syntaxError(path, src, err)
	}
	pf := &parsedFile{path: path, stmts: make([]parsedStmt, 0, len(tree.Stmts)), src: src}
	cur := cursor{src: src, line: 1, col: 1}
	operation := ""
	opIndex := -1
	prevEndLine := -1
	var prev *parsedStmt
	for _, raw := range tree.Stmts {
		loc := int(raw.StmtLocation)
		end := loc + int(raw.StmtLen)
		if raw.StmtLen == 0 || end > len(src) {
			end = len(src)
		}
		if end < cur.off {
			end = cur.off
		}
		// The gap from the cursor to the first token holds whitespace,
		// semicolons and comments.
		start, comments := skipGap(src, cur.off, end)
		var ignore []string
		var desc []string
		descStart := -1
		for _, c := range comments {
			cl, _ := cur.peekLineCol(c.off)
			text := strings.TrimSpace(c.text)
			if text == noTransactionMarker {
				pf.noTransaction = true
				continue
			}
			if rules, file, ok := ignoreDirective(text); ok {
				switch {
				case file:
					pf.ignoreAll = append(pf.ignoreAll, rules...)
				case prev != nil && cl == prevEndLine:
					prev.ignore = append(prev.ignore, rules...)
				default:
					ignore = append(ignore, rules...)
				}
				continue
			}
			if c.line {
				if descStart < 0 {
					descStart = c.off
				}
				desc = append(desc, text)
			}
		}
		for _, op := range djangoOperations(desc) {
			opIndex++
			operation = op
			switch operationClass(op) {
			case "RunPython":
				l, col := cur.peekLineCol(descStart)
				pf.opaque = append(pf.opaque, opaqueOp{line: l, col: col, opIndex: opIndex, operation: op})
			case "CreateExtension":
				l, col := cur.peekLineCol(descStart)
				pf.extensionOps = append(pf.extensionOps, opaqueOp{line: l, col: col, opIndex: opIndex, operation: op})
			}
		}
		cur.advance(start)
		ps := parsedStmt{node: raw.Stmt, start: start, end: trimRightSpace(src, start, end), ignore: ignore}
		ps.Line, ps.Column = cur.line, cur.col
		ps.SQL = text[ps.start:ps.end] // shares the file's one string copy
		ps.Operation = operation
		ps.opIndex = opIndex
		ps.Transactional = transactional(raw.Stmt)
		cur.advance(ps.end)
		ps.endLine, ps.endCol = cur.line, cur.col
		prevEndLine = cur.line
		pf.stmts = append(pf.stmts, ps)
		// pf.stmts was allocated with room for every statement, so the
		// pointer stays valid across appends.
		prev = &pf.stmts[len(pf.stmts)-1]
	}
	// Comments after the last statement may still carry directives for it,
	// and describe operations without SQL.
	_, comments := skipGap(src, cur.off, len(src))
	var desc []string
	descStart := -1
	for _, c := range comments {
		cl, _ := cur.peekLineCol(c.off)
		if strings.TrimSpace(c.text) == noTransactionMarker {
			pf.noTransaction = true
			continue
		}
		if rules, file, ok := ignoreDirective(strings.TrimSpace(c.text)); ok {
			if file {
				pf.ignoreAll = append(pf.ignoreAll, rules...)
			} else if prev != nil && cl == prevEndLine {
				prev.ignore = append(prev.ignore, rules...)
			}
			continue
		}
		if c.line {
			if descStart < 0 {
				descStart = c.off
			}
			desc = append(desc, strings.TrimSpace(c.text))
		}
	}
	for _, op := range djangoOperations(desc) {
		opIndex++
		switch operationClass(op) {
		case "RunPython":
			l, col := cur.peekLineCol(descStart)
			pf.opaque = append(pf.opaque, opaqueOp{line: l, col: col, opIndex: opIndex, operation: op})
		case "CreateExtension":
			l, col := cur.peekLineCol(descStart)
			pf.extensionOps = append(pf.extensionOps, opaqueOp{line: l, col: col, opIndex: opIndex, operation: op})
		}
	}
	return pf, nil
}

// syntaxError converts a pg_query error into a positioned *SyntaxError.
func syntaxError(path string, src []byte, err error) error {
	var pe *pgparser.Error
	if !errors.As(err, &pe) {
		return &SyntaxError{Path: path, Line: 1, Msg: err.Error()}
	}
	// Cursorpos is 1-based and counts characters; 0 means unknown.
	off := len(src)
	if pe.Cursorpos > 0 {
		off = charToByte(src, pe.Cursorpos-1)
	}
	l, c := lineCol(src, off)
	msg := pe.Message
	if strings.Contains(msg, "at end of input") {
		msg += " (expected the statement to continue)"
	}
	return &SyntaxError{Path: path, Line: l, Column: c, Msg: msg}
}

// cursor walks the source forward, keeping line and column (in bytes, as
// go/token and report.Position count them), so positions cost O(file) in
// total.
type cursor struct {
	src       []byte
	off       int
	line, col int
}

func (c *cursor) advance(to int) {
	if to > len(c.src) {
		to = len(c.src)
	}
	for c.off < to {
		b := c.src[c.off]
		if b == '\n' {
			c.line++
			c.col = 1
		} else {
			c.col++
		}
		c.off++
	}
}

func (c cursor) peekLineCol(to int) (int, int) {
	c.advance(to)
	return c.line, c.col
}

func lineCol(src []byte, off int) (int, int) {
	c := cursor{src: src, line: 1, col: 1}
	c.advance(off)
	return c.line, c.col
}

func charToByte(src []byte, chars int) int {
	off := 0
	for n := 0; n < chars && off < len(src); n++ {
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off
}

func firstInvalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(src)
}

func trimRightSpace(src []byte, start, end int) int {
	for end > start {
		switch src[end-1] {
		case ' ', '\t', '\n', '\r', '\f', '\v', ';':
			end--
			continue
		}
		break
	}
	return end
}

// comment is one SQL comment found between statements.
type comment struct {
	off  int
	text string // without the -- or /* */ markers
	line bool   // a -- line comment
}

// skipGap skips whitespace, semicolons and comments from off, returning the
// offset of the first token and the comments passed.
func skipGap(src []byte, off, limit int) (int, []comment) {
	var out []comment
	for off < limit {
		switch b := src[off]; {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v' || b == ';':
			off++
		case b == '-' && off+1 < limit && src[off+1] == '-':
			e := off + 2
			for e < limit && src[e] != '\n' {
				e++
			}
			out = append(out, comment{off: off, text: string(src[off+2 : e]), line: true})
			off = e
		case b == '/' && off+1 < limit && src[off+1] == '*':
			// PostgreSQL block comments nest.
			depth, e := 1, off+2
			for e < limit && depth > 0 {
				if src[e] == '/' && e+1 < limit && src[e+1] == '*' {
					depth++
					e += 2
				} else if src[e] == '*' && e+1 < limit && src[e+1] == '/' {
					depth--
					e += 2
				} else {
					e++
				}
			}
			inner := src[off+2 : e]
			if depth == 0 {
				inner = src[off+2 : e-2]
			}
			out = append(out, comment{off: off, text: string(inner)})
			off = e
		default:
			return off, out
		}
	}
	return off, out
}

// noTransactionMarker, as a comment anywhere in a file, says the file is
// not run inside one transaction (overriding Options.Atomic), as a Django
// migration with atomic = False is not.
const noTransactionMarker = "deploykit:no-transaction"

// ignoreDirective recognises "deploykit:ignore RULE[,RULE...]" (all rules
// when none is named) and "deploykit:ignore-file RULE...".
func ignoreDirective(text string) (rules []string, file, ok bool) {
	const prefix = "deploykit:ignore"
	if !strings.HasPrefix(text, prefix) {
		return nil, false, false
	}
	rest := text[len(prefix):]
	if strings.HasPrefix(rest, "-file") {
		file = true
		rest = rest[len("-file"):]
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ',' {
		return nil, false, false
	}
	rules = strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(rules) == 0 {
		rules = []string{"*"}
	}
	return rules, file, true
}

// transactional reports whether PostgreSQL accepts the statement inside a
// transaction block (PreventInTransactionBlock callers).
func transactional(n *pg_query.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_IndexStmt:
		return !s.IndexStmt.Concurrent
	case *pg_query.Node_DropStmt:
		return !s.DropStmt.Concurrent
	case *pg_query.Node_ReindexStmt:
		if hasOption(s.ReindexStmt.Params, "concurrently") {
			return false
		}
		// REINDEX SYSTEM and DATABASE refuse transaction blocks too.
		k := s.ReindexStmt.Kind
		return k != pg_query.ReindexObjectType_REINDEX_OBJECT_SYSTEM && k != pg_query.ReindexObjectType_REINDEX_OBJECT_DATABASE && k != pg_query.ReindexObjectType_REINDEX_OBJECT_SCHEMA
	case *pg_query.Node_VacuumStmt:
		return !s.VacuumStmt.IsVacuumcmd
	case *pg_query.Node_CreatedbStmt, *pg_query.Node_DropdbStmt, *pg_query.Node_AlterSystemStmt,
		*pg_query.Node_CreateTableSpaceStmt, *pg_query.Node_DropTableSpaceStmt, *pg_query.Node_TransactionStmt:
		return false
	case *pg_query.Node_AlterTableStmt:
		for _, c := range s.AlterTableStmt.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg_query.AlterTableType_AT_DetachPartition {
				if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
					return false
				}
			}
		}
	}
	return true
}

// hasOption reports whether a DefElem list names opt (e.g. CONCURRENTLY in
// REINDEX's parenthesised options).
func hasOption(opts []*pg_query.Node, opt string) bool {
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, opt) {
			if d.Arg == nil {
				return true
			}
			if b := d.Arg.GetBoolean(); b != nil {
				return b.Boolval
			}
			if s := d.Arg.GetString_(); s != nil {
				v := strings.ToLower(s.Sval)
				return v != "false" && v != "off" && v != "0"
			}
			return true
		}
	}
	return false
}

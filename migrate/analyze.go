package migrate

import (
	"errors"
	"runtime"
	"slices"
	"sort"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// File is one SQL source for AnalyzeFiles.
type File struct {
	// Path names the file in findings and errors.
	Path string
	// SQL is the file's content.
	SQL []byte
	// Extra holds findings found outside the SQL text (for example
	// RunPython without reverse_code, reported by DjangoSQL); they are
	// merged into the report, subject to the file's suppressions.
	Extra []Finding
	// OperationLines, when set, are the source lines of the Django
	// operations the SQL was rendered from (DjangoMigration.OperationLines):
	// findings are then placed on the line of their operation in Path
	// instead of the line of the statement in SQL.
	OperationLines []int
}

// AnalyzeSQL analyses one SQL file on its own: every table it does not
// create is assumed to exist, with data, and to be in use by the running
// application. A parse error is returned as a *SyntaxError.
func AnalyzeSQL(path string, src []byte, opts Options) (*FileReport, error) {
	reps, err := AnalyzeFiles([]File{{Path: path, SQL: src}}, opts)
	if err != nil {
		return nil, err
	}
	return reps[0], nil
}

// AnalyzeFiles analyses files as one ordered set, such as the migrations
// of a Django project in the order they apply. Files are parsed in
// parallel; the analysis then walks them in order, so what an earlier file
// establishes (a column's type, a validated CHECK (col IS NOT NULL)) informs
// later files. Objects count as new only inside the file that creates them:
// by the time a later migration runs they may hold data.
//
// The result has one report per file, in order. When some files fail to
// parse, their reports are nil and the error joins one *SyntaxError per
// failed file (use errors.As); the other files are still analysed.
func AnalyzeFiles(files []File, opts Options) ([]*FileReport, error) {
	parsed := make([]*parsedFile, len(files))
	errs := make([]error, len(files))
	ready := make([]chan struct{}, len(files))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > len(files) {
		workers = len(files)
	}
	// Parsing runs ahead of the in-order analysis by at most ahead files,
	// and each parse tree is dropped once its file is analysed, so memory
	// stays bounded by the window, not the whole set.
	ahead := 4 * workers
	if ahead < 1 {
		ahead = 1
	}
	window := make(chan struct{}, ahead)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i], errs[i] = parseFile(files[i].Path, files[i].SQL)
				close(ready[i])
			}
		}()
	}
	go func() {
		for i := range files {
			window <- struct{}{}
			next <- i
		}
		close(next)
	}()
	cat := newCatalog()
	reports := make([]*FileReport, len(files))
	for i := range files {
		<-ready[i]
		if errs[i] == nil {
			a := analyzer{opts: opts, cat: cat, file: i, pf: parsed[i], opLines: files[i].OperationLines}
			a.major, a.minor = opts.version()
			reports[i] = a.run(files[i].Extra)
		}
		parsed[i] = nil
		<-window
	}
	wg.Wait()
	return reports, errors.Join(errs...)
}

// version splits PGVersion into major and minor (-1 when unknown).
func (o Options) version() (major, minor int) {
	switch v := o.PGVersion; {
	case v <= 0:
		return 14, -1
	case v >= 10000:
		return v / 10000, v % 100
	default:
		return v, -1
	}
}

// catalog is what the analysis knows about the schema, across files.
type catalog struct {
	tables map[string]*tableInfo
	// indexes maps an index name to its table.
	indexes map[string]string
	// indexFile records the file that created an index.
	indexFile map[string]int
	// indexCols records the plain columns of indexes created by CREATE
	// INDEX (for ADD CONSTRAINT ... PRIMARY KEY USING INDEX).
	indexCols map[string][]string
}

type tableInfo struct {
	// file is the index of the file that created the table, -1 when it
	// existed before the analysed set.
	file int
	cols map[string]*columnInfo
	cons map[string]*constraintInfo
	// defaultPartition is the DEFAULT partition created for this table in
	// the analysed set, "" when none is known.
	defaultPartition string
	// partKey is the partition key of a partitioned table created in the
	// analysed set, nil otherwise.
	partKey *partKey
}

type columnInfo struct {
	typ       colType
	typeKnown bool
	// collation is the column's declared COLLATE, "" for the default.
	collation string
	notNull   bool
	// notNullCheck: a validated CHECK (col IS NOT NULL) exists.
	notNullCheck bool
	// addedFile/addedTxn: where ADD COLUMN added it (-1 for columns of
	// CREATE TABLE or unknown columns).
	addedFile, addedTxn int
	// addedToExisting: the column was added to a table that already existed
	// at that point, with NOT NULL and a default.
	addedNotNullDefault bool
}

type constraintInfo struct {
	notValid   bool
	file, txn  int
	notNullCol string
	foreign    string // referenced table of a FOREIGN KEY
	// check is the expression of a CHECK constraint (for ATTACH PARTITION).
	check *pg_query.Node
	lock  lockMode
}

func newCatalog() *catalog {
	return &catalog{tables: map[string]*tableInfo{}, indexes: map[string]string{}, indexFile: map[string]int{}, indexCols: map[string][]string{}}
}

// table returns the table, creating an entry for a pre-existing one.
func (c *catalog) table(name string) *tableInfo {
	t := c.tables[name]
	if t == nil {
		t = &tableInfo{file: -1, cols: map[string]*columnInfo{}, cons: map[string]*constraintInfo{}}
		c.tables[name] = t
	}
	return t
}

func (t *tableInfo) column(name string) *columnInfo {
	col := t.cols[name]
	if col == nil {
		col = &columnInfo{addedFile: -1, addedTxn: -1}
		t.cols[name] = col
	}
	return col
}

// heldLock is a lock taken earlier in the current transaction.
type heldLock struct {
	rel  string
	mode lockMode
	line int
}

// analyzer walks one file.
type analyzer struct {
	opts         Options
	major, minor int
	cat          *catalog
	file         int
	pf           *parsedFile
	findings     []Finding
	opLines      []int
	cur          *parsedStmt
	// transaction state
	inBlock bool
	txn     int
	held    []heldLock
	// skipHeld names a relation whose held lock is already reported by a
	// more specific rule for the current statement.
	skipHeld            []string
	lockTimeout         bool
	lockTimeoutReported bool
	// begin is the BEGIN that opened the current transaction block, nil
	// when the block comes from Options.Atomic or there is none.
	begin *parsedStmt
	// newTypes, newTypeTxn and newSchemas record types (enums, domains)
	// and schemas created in this file, and the transaction of the type.
	newTypes   map[string]bool
	newTypeTxn map[string]int
	newSchemas map[string]bool
	enumAdds   []enumAdd
	// extensionOpsWithSQL are the Django operations (opIndex) whose CREATE
	// EXTENSION statement was seen.
	extensionOpsWithSQL map[int]bool
}

func (a *analyzer) run(extra []Finding) *FileReport {
	if a.opts.Atomic && !a.pf.noTransaction {
		a.inBlock = true
		a.txn++
	}
	for i := range a.pf.stmts {
		ps := &a.pf.stmts[i]
		a.cur = ps
		a.skipHeld = a.skipHeld[:0]
		if ts := ps.node.GetTransactionStmt(); ts != nil {
			a.transaction(ts)
			continue
		}
		if !a.inBlock {
			a.txn++
			a.held = a.held[:0]
		}
		a.analyseStatement(ps)
	}
	if a.inBlock && a.begin != nil {
		a.cur = a.begin
		a.add(RuleBeginWithoutCommit, "", "", lockNone, false, false,
			"this BEGIN is never committed: the file ends inside the transaction, so psql rolls it back at exit, and a runner that keeps the session open holds every lock taken since",
			"End the transaction with COMMIT; (or remove the BEGIN and let the runner wrap the file).")
	}
	a.extensionOpsWithoutSQL()
	for _, op := range a.pf.opaque {
		a.cur = &parsedStmt{Statement: Statement{Line: op.line, Column: op.col, Operation: op.operation}, opIndex: op.opIndex}
		a.add(RuleRunPythonOpaque, "", "", lockNone, false, false,
			"RunPython runs Python code whose queries are not analysed; it runs inside the migration transaction unless the migration has atomic = False",
			"Keep data migrations separate from schema changes, batch large updates, and give RunPython a reverse_code.")
	}
	for _, f := range extra {
		f.Pos.File = a.pf.path
		if !a.suppressed(f.Rule, nil) {
			a.findings = append(a.findings, f)
		}
	}
	sort.SliceStable(a.findings, func(i, j int) bool {
		if a.findings[i].Pos.Line != a.findings[j].Pos.Line {
			return a.findings[i].Pos.Line < a.findings[j].Pos.Line
		}
		return a.findings[i].Pos.Column < a.findings[j].Pos.Column
	})
	rep := &FileReport{Path: a.pf.path, Findings: a.findings, Statements: make([]Statement, len(a.pf.stmts))}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	for i := range a.pf.stmts {
		rep.Statements[i] = a.pf.stmts[i].Statement
	}
	rep.Verdict = VerdictFor(rep.Findings)
	return rep
}

// analyseStatement analyses one statement that is not transaction control,
// a.cur being ps: the rules, the locks it holds until COMMIT when in a
// transaction block, and slow work while earlier locks are held.
func (a *analyzer) analyseStatement(ps *parsedStmt) {
	if !ps.Transactional && a.inBlock {
		a.add(RuleNonTransactional, "", "", lockNone, false, false,
			"this statement cannot run inside a transaction block: PostgreSQL rejects it and the migration fails",
			"Run it outside the transaction. Django: set atomic = False on the migration class. Plain SQL: place it after COMMIT.")
	}
	var e effect
	if len(a.enumAdds) > 0 {
		a.enumUse()
	}
	if classify(ps.node) == classNotModelled {
		a.unmodelledStatement(ps.node, &e)
	} else {
		a.statement(ps.node, &e)
	}
	if e.slow {
		a.checkHeld(&e)
	}
	if !a.lockTimeout && !a.lockTimeoutReported {
		for _, l := range e.locks {
			if l.mode.blocksWrites() {
				a.lockTimeoutReported = true
				a.add(RuleLockTimeout, "", l.rel, l.mode, false, false,
					"no lock_timeout is set before this "+l.mode.String()+" lock on "+l.rel+": if it waits behind a long query, every later query on the table queues behind it",
					"SET lock_timeout = '2s'; (deploykit's migrate apply does this for you) and retry on timeout.")
				break
			}
		}
	}
	if a.inBlock {
		for _, l := range e.locks {
			a.hold(l)
		}
	}
}

func (a *analyzer) transaction(ts *pg_query.TransactionStmt) {
	switch ts.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		if !a.inBlock {
			a.inBlock = true
			a.txn++
			a.held = a.held[:0]
			a.begin = a.cur
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg_query.TransactionStmtKind_TRANS_STMT_PREPARE:
		a.inBlock = false
		a.begin = nil
		a.held = a.held[:0]
		if ts.Chain {
			a.inBlock = true
			a.txn++
		}
	}
}

func (a *analyzer) hold(l relLock) {
	for i := range a.held {
		if a.held[i].rel == l.rel {
			if l.mode > a.held[i].mode {
				a.held[i].mode = l.mode
				a.held[i].line = a.cur.Line
			}
			return
		}
	}
	a.held = append(a.held, heldLock{rel: l.rel, mode: l.mode, line: a.cur.Line})
}

// checkHeld reports locks held from earlier statements of the transaction
// that block traffic while the current slow statement runs.
func (a *analyzer) checkHeld(e *effect) {
	var worst lockMode
	var desc []byte
	var rel string
	for _, h := range a.held {
		if !h.mode.blocksWrites() || slices.Contains(a.skipHeld, h.rel) {
			continue
		}
		covered := false
		for _, l := range e.locks {
			if l.rel == h.rel && l.mode >= h.mode {
				covered = true
			}
		}
		if covered {
			continue
		}
		if len(desc) > 0 {
			desc = append(desc, ", "...)
		}
		desc = append(desc, h.mode.String()+" on "+h.rel+" (line "+itoa(h.line)+")"...)
		if h.mode > worst {
			worst, rel = h.mode, h.rel
		}
	}
	if worst == lockNone {
		return
	}
	sev := SeverityWarning
	what := "writes"
	if worst.blocksReads() {
		sev = SeverityError
		what = "reads and writes"
	}
	a.add(RuleLockHeld, sev, rel, worst, false, true,
		"this statement scans or rewrites "+e.slowRel+" while the transaction still holds "+string(desc)+
			"; locks are released only at COMMIT, so "+what+" on those tables are blocked for as long as this statement runs",
		"Commit before the slow statement: put it in a separate migration (Django) or split the transaction, so the earlier lock is released first.")
}

// add records a finding for the current statement unless suppressed and
// returns it (nil when suppressed); the pointer is valid until the next add.
func (a *analyzer) add(rule string, sev Severity, rel string, mode lockMode, rewrite, scan bool, msg, fix string) *Finding {
	r := ruleByID(rule)
	if a.suppressed(rule, a.cur.ignore) {
		return nil
	}
	if sev == "" && r != nil {
		sev = r.Severity
	}
	pos := Position{File: a.pf.path, Line: a.cur.Line, Column: a.cur.Column}
	end := Position{File: a.pf.path, Line: a.cur.endLine, Column: a.cur.endCol}
	if i := a.cur.opIndex; i >= 0 && i < len(a.opLines) {
		pos = Position{File: a.pf.path, Line: a.opLines[i]}
		end = Position{}
	}
	if end.Line == 0 || end.Line < pos.Line {
		end = Position{}
	}
	d := Diagnostic{Pos: pos, End: end, Rule: rule, URL: RuleURL(rule), Severity: sev, Message: msg}
	if fix != "" {
		d.SuggestedFixes = []SuggestedFix{{Message: fix}}
	}
	a.findings = append(a.findings, Finding{
		Diagnostic: d,
		Statement:  a.cur.SQL, Operation: a.cur.Operation,
		Lock: mode.String(), Relation: rel, Rewrite: rewrite, Scan: scan,
	})
	return &a.findings[len(a.findings)-1]
}

// editable reports whether text edits can be made for the current
// statement: its findings are placed in the SQL itself, not on a Django
// operation's line in a .py file.
func (a *analyzer) editable() bool {
	return a.pf.src != nil && len(a.opLines) == 0 && a.cur.end <= len(a.pf.src) && a.cur.start < a.cur.end
}

// posAt converts a byte offset of the file to a Position.
func (a *analyzer) posAt(off int) Position {
	l, c := lineCol(a.pf.src, off)
	return Position{File: a.pf.path, Line: l, Column: c}
}

// suppressed reports whether rule is silenced by the statement's or the
// file's deploykit:ignore directives (by ID, by name, or all).
func (a *analyzer) suppressed(rule string, local []string) bool {
	r := ruleByID(rule)
	match := func(list []string) bool {
		for _, s := range list {
			if s == "*" || s == rule || (r != nil && s == r.Name) {
				return true
			}
		}
		return false
	}
	return match(local) || match(a.pf.ignoreAll)
}

// isNew reports whether rel was created earlier in the current file.
func (a *analyzer) isNew(rel string) bool {
	t := a.cat.tables[rel]
	return t != nil && t.file == a.file
}

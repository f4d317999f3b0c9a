package migrate

import (
	"regexp"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// relName names a relation as findings show it: "table" or
// "schema.table" outside the public schema.
func relName(rv *pg_query.RangeVar) string {
	if rv == nil {
		return ""
	}
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return rv.Schemaname + "." + rv.Relname
	}
	return rv.Relname
}

// listName turns a DROP object name list (["public","t"]) into a name.
func listName(n *pg_query.Node) string {
	var items []*pg_query.Node
	if l := n.GetList(); l != nil {
		items = l.Items
	} else {
		items = []*pg_query.Node{n}
	}
	var parts []string
	for _, it := range items {
		if s := it.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	if len(parts) > 1 && parts[len(parts)-2] == "public" {
		parts = parts[len(parts)-1:]
	}
	return strings.Join(parts, ".")
}

// lock records a lock on rel unless the relation is new in this file.
func (a *analyzer) lock(e *effect, rel string, mode lockMode) {
	if rel != "" && !a.isNew(rel) {
		e.lock(rel, mode)
	}
}

// statement dispatches on the statement kind.
func (a *analyzer) statement(n *pg_query.Node, e *effect) {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_CreateStmt:
		a.createTable(s.CreateStmt, e)
	case *pg_query.Node_AlterTableStmt:
		a.alterTable(s.AlterTableStmt, e)
	case *pg_query.Node_IndexStmt:
		a.createIndex(s.IndexStmt, e)
	case *pg_query.Node_DropStmt:
		a.drop(s.DropStmt, e)
	case *pg_query.Node_RenameStmt:
		a.rename(s.RenameStmt, e)
	case *pg_query.Node_TruncateStmt:
		for _, r := range s.TruncateStmt.Relations {
			rel := relName(r.GetRangeVar())
			if rel == "" || a.isNew(rel) {
				continue
			}
			a.lock(e, rel, lockAccessExclusive)
			a.add(RuleTruncate, "", rel, lockAccessExclusive, false, false,
				"TRUNCATE deletes every row of "+rel+" under ACCESS EXCLUSIVE while the application is using it",
				"If the data must go, DELETE in batches outside the migration transaction; otherwise remove the statement.")
		}
	case *pg_query.Node_VacuumStmt:
		a.vacuum(s.VacuumStmt, e)
	case *pg_query.Node_ClusterStmt:
		rel := relName(s.ClusterStmt.Relation)
		if rel != "" && a.isNew(rel) {
			return
		}
		a.lock(e, rel, lockAccessExclusive)
		e.markSlow(rel)
		a.add(RuleCluster, "", rel, lockAccessExclusive, true, true,
			"CLUSTER rewrites "+orAll(rel)+" in index order under ACCESS EXCLUSIVE, blocking reads and writes for the whole rewrite",
			"Use pg_repack (online), or run CLUSTER in a maintenance window.")
	case *pg_query.Node_ReindexStmt:
		a.reindex(s.ReindexStmt, e)
	case *pg_query.Node_UpdateStmt:
		a.dml(relName(s.UpdateStmt.Relation), s.UpdateStmt.WhereClause == nil, "UPDATE", e)
	case *pg_query.Node_DeleteStmt:
		a.dml(relName(s.DeleteStmt.Relation), s.DeleteStmt.WhereClause == nil, "DELETE", e)
	case *pg_query.Node_InsertStmt:
		a.lock(e, relName(s.InsertStmt.Relation), lockRowExclusive)
	case *pg_query.Node_VariableSetStmt:
		v := s.VariableSetStmt
		if strings.EqualFold(v.Name, "lock_timeout") {
			a.lockTimeout = v.Kind == pg_query.VariableSetKind_VAR_SET_VALUE && !zeroSetting(v.Args)
		}
	case *pg_query.Node_CreateTableAsStmt:
		if into := s.CreateTableAsStmt.Into; into != nil {
			t := a.cat.table(relName(into.Rel))
			t.file = a.file
		}
	case *pg_query.Node_ViewStmt:
		rel := relName(s.ViewStmt.View)
		if s.ViewStmt.Replace && !a.isNew(rel) {
			// CREATE OR REPLACE VIEW of an existing view takes ACCESS
			// EXCLUSIVE on it (CREATE VIEW docs; view.c DefineVirtualRelation).
			a.notModelled(e, rel, lockAccessExclusive, "CREATE OR REPLACE VIEW")
			return
		}
		t := a.cat.table(rel)
		t.file = a.file
	case *pg_query.Node_RefreshMatViewStmt:
		a.refreshMatView(s.RefreshMatViewStmt, e)
	case *pg_query.Node_CreateTrigStmt:
		a.lock(e, relName(s.CreateTrigStmt.Relation), lockShareRowExclusive)
	case *pg_query.Node_SelectStmt:
		a.selectWork(s.SelectStmt, e)
	case *pg_query.Node_MergeStmt:
		a.lock(e, relName(s.MergeStmt.Relation), lockRowExclusive)
		if rel := relName(s.MergeStmt.Relation); rel != "" && !a.isNew(rel) {
			e.markSlow(rel)
		}
	case *pg_query.Node_CopyStmt:
		if s.CopyStmt.IsFrom {
			a.lock(e, relName(s.CopyStmt.Relation), lockRowExclusive)
		} else if rel := relName(s.CopyStmt.Relation); rel != "" && !a.isNew(rel) {
			e.markSlow(rel)
		}
	case *pg_query.Node_ExplainStmt:
		// EXPLAIN ANALYZE runs the statement; plain EXPLAIN only plans it.
		if hasOption(s.ExplainStmt.Options, "analyze") && s.ExplainStmt.Query != nil {
			if classify(s.ExplainStmt.Query) == classNotModelled {
				a.unmodelledStatement(s.ExplainStmt.Query, e)
			} else {
				a.statement(s.ExplainStmt.Query, e)
			}
		}
	case *pg_query.Node_LockStmt:
		a.lockTable(s.LockStmt, e)
	case *pg_query.Node_AlterDomainStmt:
		a.alterDomain(s.AlterDomainStmt, e)
	case *pg_query.Node_AlterEnumStmt:
		a.enumValue(s.AlterEnumStmt)
	case *pg_query.Node_CreateEnumStmt:
		typ := listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: s.CreateEnumStmt.TypeName}}})
		a.markNewType(typ)
	case *pg_query.Node_DropdbStmt:
		a.dropDatabase(s.DropdbStmt)
	case *pg_query.Node_AlterOwnerStmt:
		a.alterOwner(s.AlterOwnerStmt, e)
	case *pg_query.Node_CreateExtensionStmt:
		a.createExtension(s.CreateExtensionStmt, e)
	case *pg_query.Node_AlterExtensionStmt:
		a.alterExtension(s.AlterExtensionStmt, e)
	case *pg_query.Node_DoStmt:
		a.doBlock(s.DoStmt, e)
	case *pg_query.Node_CommentStmt:
		a.comment(s.CommentStmt, e)
	case *pg_query.Node_AlterTableMoveAllStmt:
		m := s.AlterTableMoveAllStmt
		kind := strings.ToLower(strings.TrimPrefix(m.Objtype.String(), "OBJECT_"))
		a.setTablespace("", kind, m.NewTablespacename, e)
	case *pg_query.Node_CreateDomainStmt:
		a.markNewType(listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: s.CreateDomainStmt.Domainname}}}))
	case *pg_query.Node_CreateSchemaStmt:
		if a.newSchemas == nil {
			a.newSchemas = map[string]bool{}
		}
		a.newSchemas[s.CreateSchemaStmt.Schemaname] = true
		for _, el := range s.CreateSchemaStmt.SchemaElts {
			if classify(el) == classNotModelled {
				a.unmodelledStatement(el, e)
			} else {
				a.statement(el, e)
			}
		}
	case *pg_query.Node_CreateSeqStmt:
		t := a.cat.table(relName(s.CreateSeqStmt.Sequence))
		t.file = a.file
	}
}

// markNewType records a type created in this file and transaction.
func (a *analyzer) markNewType(typ string) {
	if a.newTypes == nil {
		a.newTypes, a.newTypeTxn = map[string]bool{}, map[string]int{}
	}
	a.newTypes[typ] = true
	a.newTypeTxn[typ] = a.txn
}

func orAll(rel string) string {
	if rel == "" {
		return "every previously clustered table"
	}
	return rel
}

func zeroSetting(args []*pg_query.Node) bool {
	if len(args) != 1 {
		return false
	}
	c := args[0].GetAConst()
	if c == nil {
		return false
	}
	if i := c.GetIval(); i != nil {
		return i.Ival == 0
	}
	if s := c.GetSval(); s != nil {
		v := strings.TrimSpace(s.Sval)
		return v == "0" || v == "0s" || v == "0ms"
	}
	return false
}

func (a *analyzer) dml(rel string, noWhere bool, verb string, e *effect) {
	if rel == "" || a.isNew(rel) {
		return
	}
	a.lock(e, rel, lockRowExclusive)
	e.markSlow(rel)
	if noWhere {
		a.add(RuleBackfill, "", rel, lockRowExclusive, false, true,
			verb+" without WHERE touches every row of "+rel+" inside the migration: each row stays locked until COMMIT, blocking the application's writes to them",
			"Backfill in batches outside the migration transaction, e.g. a RunPython in a migration with atomic = False that updates a few thousand rows per transaction.")
	}
}

func (a *analyzer) createTable(cs *pg_query.CreateStmt, e *effect) {
	rel := relName(cs.Relation)
	t := &tableInfo{file: a.file, cols: map[string]*columnInfo{}, cons: map[string]*constraintInfo{}, partKey: partKeyOf(cs.Partspec)}
	a.cat.tables[rel] = t
	for _, el := range cs.TableElts {
		if cd := el.GetColumnDef(); cd != nil {
			col := t.column(cd.Colname)
			col.typ, col.typeKnown = typeOf(cd.TypeName)
			col.collation = collationOf(cd)
			col.notNull = cd.IsNotNull
			for _, cn := range cd.Constraints {
				c := cn.GetConstraint()
				if c == nil {
					continue
				}
				switch c.Contype {
				case pg_query.ConstrType_CONSTR_NOTNULL, pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_IDENTITY:
					col.notNull = true
				case pg_query.ConstrType_CONSTR_FOREIGN:
					a.lock(e, relName(c.Pktable), lockShareRowExclusive)
				case pg_query.ConstrType_CONSTR_CHECK:
					t.recordCheck(c.Conname, c, nil)
				}
				if c.Conname != "" && (c.Contype == pg_query.ConstrType_CONSTR_UNIQUE || c.Contype == pg_query.ConstrType_CONSTR_PRIMARY) {
					a.cat.indexes[c.Conname] = rel
					a.cat.indexFile[c.Conname] = a.file
				}
			}
		}
		if c := el.GetConstraint(); c != nil {
			a.tableConstraint(rel, t, c, e)
		}
	}
	for _, c := range cs.Constraints {
		if c := c.GetConstraint(); c != nil {
			a.tableConstraint(rel, t, c, e)
		}
	}
	for _, inh := range cs.InhRelations {
		if cs.Partbound == nil {
			continue
		}
		parent := relName(inh.GetRangeVar())
		a.lock(e, parent, lockAccessExclusive)
		pt := a.cat.table(parent)
		if cs.Partbound.IsDefault {
			pt.defaultPartition = rel
			continue
		}
		// CREATE TABLE ... PARTITION OF: when the parent has a DEFAULT
		// partition, its rows are scanned (under ACCESS EXCLUSIVE) to
		// prove none belongs to the new partition (CREATE TABLE docs,
		// PARTITION OF; checked by TestPartitionOfDefaultOnPostgres).
		def := pt.defaultPartition
		switch {
		case def != "" && a.isNew(def):
		case def != "":
			a.lock(e, def, lockAccessExclusive)
			e.markSlow(def)
			a.add(RuleAttachPartition, "", def, lockAccessExclusive, false, true,
				"CREATE TABLE "+rel+" PARTITION OF "+parent+" scans all of the default partition "+def+" under ACCESS EXCLUSIVE to prove none of its rows belongs to the new partition",
				"Add a validated CHECK constraint to "+def+" that excludes the new partition's bound (NOT VALID, then VALIDATE CONSTRAINT in a later transaction) before creating the partition, or detach the default partition first.")
		case pt.file < 0:
			// The parent predates the analysed set: whether it has a
			// default partition is unknown.
			a.add(RuleAttachPartition, SeverityWarning, parent, lockAccessExclusive, false, false,
				"CREATE TABLE "+rel+" PARTITION OF "+parent+" takes ACCESS EXCLUSIVE on "+parent+" and, if "+parent+" has a DEFAULT partition, scans all of it; the analysed migrations do not show whether it has one",
				"If "+parent+" has a default partition, add a validated CHECK constraint to it that excludes the new bound first; otherwise suppress with -- deploykit:ignore "+RuleAttachPartition+".")
		}
	}
}

// tableConstraint records a table constraint of a new table.
func (a *analyzer) tableConstraint(rel string, t *tableInfo, c *pg_query.Constraint, e *effect) {
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_FOREIGN:
		a.lock(e, relName(c.Pktable), lockShareRowExclusive)
	case pg_query.ConstrType_CONSTR_CHECK:
		if col := notNullCheckColumn(c.RawExpr); col != "" && !c.SkipValidation {
			t.column(col).notNullCheck = true
		}
	case pg_query.ConstrType_CONSTR_PRIMARY:
		for _, k := range c.Keys {
			t.column(k.GetString_().GetSval()).notNull = true
		}
	}
	if c.Conname != "" || c.Contype == pg_query.ConstrType_CONSTR_CHECK {
		info := &constraintInfo{notValid: c.SkipValidation, file: a.file, txn: a.txn, notNullCol: notNullCheckColumn(c.RawExpr)}
		if c.Conname != "" {
			t.cons[c.Conname] = info
		}
		t.recordCheck(c.Conname, c, info)
	}
	if c.Conname != "" {
		if c.Contype == pg_query.ConstrType_CONSTR_UNIQUE || c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
			a.cat.indexes[c.Conname] = rel
			a.cat.indexFile[c.Conname] = a.file
		}
	}
}

var reindexPrefix = regexp.MustCompile(`(?i)^\s*reindex\s+(\([^)]*\)\s*)?(table|index)\s+`)

var createIndexPrefix = regexp.MustCompile(`(?i)^\s*create\s+(unique\s+)?index\s+`)

func (a *analyzer) createIndex(ix *pg_query.IndexStmt, e *effect) {
	rel := relName(ix.Relation)
	if ix.Idxname != "" {
		a.cat.indexes[ix.Idxname] = rel
		a.cat.indexFile[ix.Idxname] = a.file
		var cols []string
		for _, p := range ix.IndexParams {
			if el := p.GetIndexElem(); el != nil && el.Name != "" {
				cols = append(cols, el.Name)
			}
		}
		a.cat.indexCols[ix.Idxname] = cols
	}
	if a.isNew(rel) {
		return
	}
	if ix.Concurrent {
		a.lock(e, rel, lockShareUpdateExclusive)
		a.pg14Bug("CREATE INDEX CONCURRENTLY")
		return
	}
	a.lock(e, rel, lockShare)
	e.markSlow(rel)
	sql := a.cur.SQL
	if m := createIndexPrefix.FindStringIndex(sql); m != nil {
		sql = strings.TrimSpace(sql[:m[1]]) + " CONCURRENTLY " + sql[m[1]:]
	}
	fix := sql + ";\n-- outside a transaction block."
	switch operationClass(a.cur.Operation) {
	case "AddIndex":
		fix += "\n# Django: from django.contrib.postgres.operations import AddIndexConcurrently\n# use AddIndexConcurrently(model_name, index) instead of AddIndex, with atomic = False on the migration."
	case "AlterField", "AddField", "CreateModel", "AlterUniqueTogether", "AlterIndexTogether":
		fix += "\n# Django: move the index out of this migration into a migration with atomic = False that runs\n# SeparateDatabaseAndState(state_operations=[...], database_operations=[RunSQL(" + pyString(sql) + ", reverse_sql=...)])."
	}
	kind := "CREATE INDEX"
	if ix.Unique {
		kind = "CREATE UNIQUE INDEX"
	}
	f := a.add(RuleCreateIndex, "", rel, lockShare, false, true,
		kind+" without CONCURRENTLY takes a SHARE lock on "+rel+": INSERT, UPDATE and DELETE block for the whole index build",
		fix)
	if f != nil && a.editable() {
		if edits := a.concurrentlyEdits(); edits != nil {
			f.SuggestedFixes = append([]SuggestedFix{{Message: "Build the index with CREATE INDEX CONCURRENTLY, outside a transaction block", TextEdits: edits}}, f.SuggestedFixes...)
		}
	}
}

// concurrentlyEdits are the text edits that turn the current CREATE INDEX
// into CREATE INDEX CONCURRENTLY and take it out of a transaction: inside
// a BEGIN ... COMMIT block the block is split around the statement (COMMIT
// before, BEGIN after); in a file run in one transaction by its runner
// (Options.Atomic) the non-atomic marker "-- deploykit:no-transaction" is
// inserted at the top.
func (a *analyzer) concurrentlyEdits() []TextEdit {
	src := a.pf.src
	m := createIndexPrefix.FindIndex(src[a.cur.start:a.cur.end])
	if m == nil {
		return nil
	}
	// m[1] is just after "INDEX" and its following spaces; insert before
	// the spaces so "INDEX CONCURRENTLY name" keeps the original spacing.
	at := a.cur.start + m[1]
	for at > a.cur.start && (src[at-1] == ' ' || src[at-1] == '\t' || src[at-1] == '\n' || src[at-1] == '\r') {
		at--
	}
	p := a.posAt(at)
	edits := []TextEdit{{Pos: p, End: p, NewText: " CONCURRENTLY"}}
	switch {
	case a.inBlock && a.begin != nil:
		start := a.posAt(a.cur.start)
		end := a.posAt(a.cur.end)
		edits = append(edits,
			TextEdit{Pos: start, End: start, NewText: "COMMIT;\n"},
			TextEdit{Pos: end, End: end, NewText: ";\nBEGIN"})
	case a.inBlock:
		top := Position{File: a.pf.path, Line: 1, Column: 1}
		edits = append(edits, TextEdit{Pos: top, End: top, NewText: "-- " + noTransactionMarker + "\n"})
	}
	return edits
}

// pg14Bug reports the PostgreSQL 14.0–14.3 concurrent index build bug
// (fixed in 14.4: "CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY could
// miss rows, leading to corrupt indexes").
func (a *analyzer) pg14Bug(what string) {
	if a.major != 14 || a.minor >= 4 {
		return
	}
	sev := SeverityInfo
	msg := what + " can build a corrupt index on PostgreSQL 14.0 to 14.3 (fixed in 14.4); only the major version is known here"
	if a.minor >= 0 {
		sev = SeverityWarning
		msg = what + " can build a corrupt index on PostgreSQL 14." + itoa(a.minor) + " (fixed in 14.4)"
	}
	a.add(RuleConcurrentIndexPG14, sev, "", lockNone, false, false, msg,
		"Upgrade the server to 14.4 or later (Azure applies minor versions automatically), then REINDEX indexes built concurrently on 14.0–14.3.")
}

func (a *analyzer) drop(ds *pg_query.DropStmt, e *effect) {
	switch ds.RemoveType {
	default:
		a.dropOther(ds, e)
	case pg_query.ObjectType_OBJECT_TABLE:
		for _, o := range ds.Objects {
			rel := listName(o)
			if a.isNew(rel) {
				delete(a.cat.tables, rel)
				continue
			}
			a.lock(e, rel, lockAccessExclusive)
			delete(a.cat.tables, rel)
			fix := "Stop using the table first: deploy code without the model, then drop the table in a later release."
			if operationClass(a.cur.Operation) == "DeleteModel" {
				fix = "Two deploys: first SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(...)], database_operations=[]) together with the code that no longer uses the model; then, in a later release, RunSQL(" + pyString("DROP TABLE "+quoteIdent(rel)) + ")."
			}
			a.add(RuleDropTable, "", rel, lockAccessExclusive, false, false,
				"DROP TABLE "+rel+": the application version still running during the deploy queries this table and fails until it is replaced",
				fix)
		}
	case pg_query.ObjectType_OBJECT_INDEX:
		for _, o := range ds.Objects {
			idx := listName(o)
			rel := a.cat.indexes[idx]
			if f, ok := a.cat.indexFile[idx]; (ok && f == a.file) || (rel != "" && a.isNew(rel)) {
				continue
			}
			if rel == "" {
				rel = idx
			}
			if ds.Concurrent {
				a.lock(e, rel, lockShareUpdateExclusive)
				continue
			}
			a.lock(e, rel, lockAccessExclusive)
			a.add(RuleDropIndex, "", rel, lockAccessExclusive, false, false,
				"DROP INDEX "+idx+" without CONCURRENTLY takes ACCESS EXCLUSIVE on "+rel+": while it waits for running queries on the table, every new query on it queues behind it",
				"DROP INDEX CONCURRENTLY "+quoteIdent(idx)+"; outside a transaction block (Django: RemoveIndexConcurrently with atomic = False).")
		}
	}
}

func (a *analyzer) rename(rs *pg_query.RenameStmt, e *effect) {
	rel := relName(rs.Relation)
	switch rs.RenameType {
	case pg_query.ObjectType_OBJECT_COLUMN:
		t := a.cat.table(rel)
		col := t.cols[rs.Subname]
		newCol := a.isNew(rel) || (col != nil && col.addedFile == a.file)
		if col != nil {
			delete(t.cols, rs.Subname)
			t.cols[rs.Newname] = col
		}
		if newCol || rs.RelationType != pg_query.ObjectType_OBJECT_TABLE {
			return
		}
		a.lock(e, rel, lockAccessExclusive)
		a.add(RuleRenameColumn, "", rel, lockAccessExclusive, false, false,
			"renaming "+rel+"."+rs.Subname+" to "+rs.Newname+" breaks the application version still running during the deploy: its queries name the old column",
			"Keep the column name in the database: rename the Django field but add db_column='"+rs.Subname+"' (then RenameField emits no SQL). Or add the new column, write both, backfill, and drop the old one in a later release.")
	case pg_query.ObjectType_OBJECT_TABLE:
		t := a.cat.table(rel)
		wasNew := a.isNew(rel)
		delete(a.cat.tables, rel)
		newRel := rs.Newname
		if rs.Relation != nil && rs.Relation.Schemaname != "" && rs.Relation.Schemaname != "public" {
			newRel = rs.Relation.Schemaname + "." + rs.Newname
		}
		a.cat.tables[newRel] = t
		if wasNew {
			return
		}
		a.lock(e, rel, lockAccessExclusive)
		a.add(RuleRenameTable, "", rel, lockAccessExclusive, false, false,
			"renaming table "+rel+" to "+rs.Newname+" breaks the application version still running during the deploy: its queries name the old table",
			"Keep the table name: set Meta.db_table = '"+rel+"' on the renamed model (RenameModel then emits no SQL), or create a view named "+rel+" until the old code is gone.")
	case pg_query.ObjectType_OBJECT_INDEX:
		if t, ok := a.cat.indexes[rs.Relation.GetRelname()]; ok {
			delete(a.cat.indexes, rs.Relation.GetRelname())
			a.cat.indexes[rs.Newname] = t
			if f, ok := a.cat.indexFile[rs.Relation.GetRelname()]; ok {
				a.cat.indexFile[rs.Newname] = f
			}
		}
	case pg_query.ObjectType_OBJECT_TABCONSTRAINT:
		a.lock(e, rel, lockAccessExclusive)
	case pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW, pg_query.ObjectType_OBJECT_SEQUENCE,
		pg_query.ObjectType_OBJECT_FOREIGN_TABLE, pg_query.ObjectType_OBJECT_TRIGGER, pg_query.ObjectType_OBJECT_RULE,
		pg_query.ObjectType_OBJECT_POLICY:
		// Renaming a relation the running code may name, or an object of
		// a table: ACCESS EXCLUSIVE on the relation (ALTER VIEW / SEQUENCE /
		// TRIGGER ... RENAME); the rules model only tables and columns.
		if rel == "" || a.isNew(rel) {
			return
		}
		a.notModelled(e, rel, lockAccessExclusive, "RENAME of a "+strings.ToLower(strings.TrimPrefix(rs.RenameType.String(), "OBJECT_")))
	}
}

func (a *analyzer) vacuum(vs *pg_query.VacuumStmt, e *effect) {
	if !vs.IsVacuumcmd {
		return
	}
	full := hasOption(vs.Options, "full")
	var rels []string
	for _, r := range vs.Rels {
		if vr := r.GetVacuumRelation(); vr != nil {
			rels = append(rels, relName(vr.Relation))
		}
	}
	if !full {
		for _, rel := range rels {
			a.lock(e, rel, lockShareUpdateExclusive)
		}
		return
	}
	if len(rels) == 0 {
		rels = []string{""}
	}
	for _, rel := range rels {
		if rel != "" && a.isNew(rel) {
			continue
		}
		a.lock(e, rel, lockAccessExclusive)
		name := rel
		if name == "" {
			name = "every table of the database"
		}
		a.add(RuleVacuumFull, "", rel, lockAccessExclusive, true, true,
			"VACUUM FULL rewrites "+name+" under ACCESS EXCLUSIVE, blocking reads and writes for the whole rewrite",
			"Use plain VACUUM (no blocking), or pg_repack for online compaction.")
	}
}

func (a *analyzer) reindex(rs *pg_query.ReindexStmt, e *effect) {
	concurrent := hasOption(rs.Params, "concurrently")
	rel := relName(rs.Relation)
	index := ""
	if rs.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_INDEX {
		index = rel
		if t, ok := a.cat.indexes[rel]; ok {
			rel = t
		}
		if f, ok := a.cat.indexFile[index]; ok && f == a.file {
			return
		}
	}
	if rel != "" && a.isNew(rel) {
		return
	}
	if concurrent {
		if a.major < 12 {
			a.add(RuleUnsupportedOnVersion, "", rel, lockNone, false, false,
				"REINDEX CONCURRENTLY needs PostgreSQL 12 or later; the target is "+itoa(a.major),
				"Build a new index CONCURRENTLY, drop the old one CONCURRENTLY, and rename.")
			return
		}
		a.lock(e, rel, lockShareUpdateExclusive)
		a.pg14Bug("REINDEX CONCURRENTLY")
		return
	}
	a.lock(e, rel, lockShare)
	e.markSlow(rel)
	msg := "REINDEX takes SHARE on " + orName(rel) + " (writes block) and ACCESS EXCLUSIVE on each index rebuilt (reads using it block) for the whole rebuild"
	fix := "REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction block"
	if m := reindexPrefix.FindStringIndex(a.cur.SQL); m != nil && a.major >= 12 {
		fix = a.cur.SQL[:m[1]] + "CONCURRENTLY " + a.cur.SQL[m[1]:] + ";\n-- outside a transaction block."
	}
	a.add(RuleReindex, "", rel, lockShare, false, true, msg, fix)
}

func orName(rel string) string {
	if rel == "" {
		return "the tables"
	}
	return rel
}

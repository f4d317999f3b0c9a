package migrate

import (
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// alterTable analyses ALTER TABLE. Lock levels per subcommand follow the
// ALTER TABLE reference page ("Description": each form's lock level); the
// statement takes the strongest lock of its subcommands.
func (a *analyzer) alterTable(at *pg_query.AlterTableStmt, e *effect) {
	if at.Objtype != pg_query.ObjectType_OBJECT_TABLE {
		a.alterOtherRelation(at, e)
		return
	}
	rel := relName(at.Relation)
	isNew := a.isNew(rel)
	t := a.cat.table(rel)
	for _, c := range at.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.Subtype {
		case pg_query.AlterTableType_AT_AddColumn:
			a.lock(e, rel, lockAccessExclusive)
			a.addColumn(rel, t, isNew, cmd.Def.GetColumnDef(), e)
		case pg_query.AlterTableType_AT_ColumnDefault:
			a.lock(e, rel, lockAccessExclusive)
			col := t.cols[cmd.Name]
			if cmd.Def == nil && col != nil && col.addedFile == a.file && col.addedNotNullDefault {
				a.add(RuleDropDefaultAfterAdd, "", rel, lockAccessExclusive, false, false,
					"the NOT NULL column "+rel+"."+cmd.Name+" was added with a default that is dropped again: the application version still running during the deploy does not set "+cmd.Name+", so its INSERTs into "+rel+" fail with a not-null violation until it is replaced",
					"Keep the database default. Django 5+: declare the field with db_default=... (the default stays in the database). Django < 5: wrap the AddField in SeparateDatabaseAndState with database_operations=[RunSQL("+pyString("ALTER TABLE "+quoteIdent(rel)+" ADD COLUMN ... DEFAULT ... NOT NULL")+")] (no DROP DEFAULT), and drop the default in a later release once no old code runs.")
			}
		case pg_query.AlterTableType_AT_DropNotNull:
			a.lock(e, rel, lockAccessExclusive)
			t.column(cmd.Name).notNull = false
		case pg_query.AlterTableType_AT_SetNotNull:
			a.lock(e, rel, lockAccessExclusive)
			a.setNotNull(rel, t, isNew, cmd.Name, e)
		case pg_query.AlterTableType_AT_DropColumn:
			a.lock(e, rel, lockAccessExclusive)
			col := t.cols[cmd.Name]
			delete(t.cols, cmd.Name)
			if isNew || (col != nil && col.addedFile == a.file) {
				continue
			}
			fix := "Two deploys: first remove the field from the code only, then drop the column in a later release."
			if cls := operationClass(a.cur.Operation); cls == "RemoveField" || cls == "" {
				fix = "Two deploys: first migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(...)], database_operations=[]) with the code that no longer uses the field; in a later release RunSQL(" + pyString("ALTER TABLE "+quoteIdent(rel)+" DROP COLUMN "+quoteIdent(cmd.Name)) + ")."
			}
			a.add(RuleDropColumn, "", rel, lockAccessExclusive, false, false,
				"dropping "+rel+"."+cmd.Name+" breaks the application version still running during the deploy: Django selects every field by name, so its queries on "+rel+" fail until it is replaced",
				fix)
		case pg_query.AlterTableType_AT_AlterColumnType:
			a.lock(e, rel, lockAccessExclusive)
			a.alterType(rel, t, isNew, cmd.Name, cmd.Def.GetColumnDef(), e)
		case pg_query.AlterTableType_AT_AddConstraint:
			a.addConstraint(rel, t, isNew, cmd.Def.GetConstraint(), e)
		case pg_query.AlterTableType_AT_ValidateConstraint:
			a.lock(e, rel, lockShareUpdateExclusive)
			a.validate(rel, t, isNew, cmd.Name, e)
		case pg_query.AlterTableType_AT_DropConstraint:
			a.lock(e, rel, lockAccessExclusive)
			if con := t.cons[cmd.Name]; con != nil && con.notNullCol != "" {
				t.column(con.notNullCol).notNullCheck = false
			}
			delete(t.cons, cmd.Name)
		case pg_query.AlterTableType_AT_SetStatistics, pg_query.AlterTableType_AT_ClusterOn,
			pg_query.AlterTableType_AT_DropCluster, pg_query.AlterTableType_AT_SetOptions,
			pg_query.AlterTableType_AT_ResetOptions, pg_query.AlterTableType_AT_DetachPartitionFinalize:
			// Catalog only, SHARE UPDATE EXCLUSIVE (ALTER TABLE docs).
			a.lock(e, rel, lockShareUpdateExclusive)
		case pg_query.AlterTableType_AT_SetRelOptions, pg_query.AlterTableType_AT_ResetRelOptions:
			a.lock(e, rel, relOptionsLock(cmd.Def))
		case pg_query.AlterTableType_AT_AttachPartition:
			a.partition(rel, cmd, true, e)
		case pg_query.AlterTableType_AT_DetachPartition:
			a.partition(rel, cmd, false, e)
		case pg_query.AlterTableType_AT_SetTableSpace:
			a.setTablespace(rel, "table", cmd.Name, e)
		case pg_query.AlterTableType_AT_SetLogged, pg_query.AlterTableType_AT_SetUnLogged:
			a.setLogged(rel, cmd.Subtype == pg_query.AlterTableType_AT_SetLogged, e)
		case pg_query.AlterTableType_AT_SetStorage, pg_query.AlterTableType_AT_SetCompression,
			pg_query.AlterTableType_AT_AlterConstraint, pg_query.AlterTableType_AT_ChangeOwner,
			pg_query.AlterTableType_AT_DropExpression, pg_query.AlterTableType_AT_ReplicaIdentity,
			pg_query.AlterTableType_AT_EnableRowSecurity, pg_query.AlterTableType_AT_DisableRowSecurity,
			pg_query.AlterTableType_AT_ForceRowSecurity, pg_query.AlterTableType_AT_NoForceRowSecurity,
			pg_query.AlterTableType_AT_AddIdentity, pg_query.AlterTableType_AT_SetIdentity,
			pg_query.AlterTableType_AT_DropIdentity, pg_query.AlterTableType_AT_DropOf,
			pg_query.AlterTableType_AT_GenericOptions:
			// Catalog-only changes under ACCESS EXCLUSIVE: brief, no
			// rewrite or scan (ALTER TABLE docs, each form).
			a.lock(e, rel, lockAccessExclusive)
		case pg_query.AlterTableType_AT_EnableTrig, pg_query.AlterTableType_AT_DisableTrig,
			pg_query.AlterTableType_AT_EnableAlwaysTrig, pg_query.AlterTableType_AT_EnableReplicaTrig,
			pg_query.AlterTableType_AT_EnableTrigAll, pg_query.AlterTableType_AT_DisableTrigAll,
			pg_query.AlterTableType_AT_EnableTrigUser, pg_query.AlterTableType_AT_DisableTrigUser:
			a.lock(e, rel, lockShareRowExclusive)
		default:
			// SET ACCESS METHOD, SET EXPRESSION, INHERIT, OF, ...: fail
			// closed.
			if !isNew {
				a.notModelled(e, rel, lockAccessExclusive, "ALTER TABLE "+alterCmdName(cmd.Subtype))
			}
		}
	}
}

// shareUpdateRelOptions are the storage parameters whose change takes
// only SHARE UPDATE EXCLUSIVE. ALTER TABLE, SET ( storage_parameter ):
// "SHARE UPDATE EXCLUSIVE lock will be taken for fillfactor, toast and
// autovacuum storage parameters, as well as the planner parameter
// parallel_workers"; the vacuum_* options and the B-tree, hash, GiST and
// SP-GiST index fillfactor and deduplicate_items are SHARE UPDATE EXCLUSIVE
// too (reloptions.c). Every other parameter (user_catalog_table, GIN's
// fastupdate, BRIN's pages_per_range, ...) is taken as ACCESS EXCLUSIVE,
// the level reloptions.c uses for them, so an unknown one fails closed.
var shareUpdateRelOptions = map[string]bool{
	"fillfactor": true, "toast_tuple_target": true, "parallel_workers": true,
	"vacuum_index_cleanup": true, "vacuum_truncate": true, "log_autovacuum_min_duration": true,
	"autovacuum_enabled": true, "deduplicate_items": true,
}

// relOptionsLock is the lock ALTER TABLE / INDEX / MATERIALIZED VIEW ...
// SET (...) or RESET (...) takes: the strongest over its parameters.
func relOptionsLock(def *pg_query.Node) lockMode {
	l := def.GetList()
	if l == nil || len(l.Items) == 0 {
		return lockAccessExclusive
	}
	mode := lockShareUpdateExclusive
	for _, it := range l.Items {
		d := it.GetDefElem()
		if d == nil {
			return lockAccessExclusive
		}
		name := strings.ToLower(d.Defname)
		if ns := strings.ToLower(d.Defnamespace); ns != "" && ns != "toast" {
			return lockAccessExclusive
		}
		if !shareUpdateRelOptions[name] && !strings.HasPrefix(name, "autovacuum_") {
			mode = lockAccessExclusive
		}
	}
	return mode
}

// alterCmdName names an ALTER TABLE subcommand for messages:
// AT_SetAccessMethod -> "SetAccessMethod".
func alterCmdName(t pg_query.AlterTableType) string {
	return strings.TrimPrefix(t.String(), "AT_")
}

// alterOtherRelation handles ALTER INDEX / VIEW / MATERIALIZED VIEW /
// SEQUENCE / FOREIGN TABLE. SET TABLESPACE moves the data (ALTER INDEX
// docs); reloptions and statistics are catalog changes under SHARE UPDATE
// EXCLUSIVE; ATTACH PARTITION of an index takes no lock on the table data.
// Everything else is not modelled.
func (a *analyzer) alterOtherRelation(at *pg_query.AlterTableStmt, e *effect) {
	rel := relName(at.Relation)
	kind := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(at.Objtype.String(), "OBJECT_"), "_", " "))
	if at.Objtype == pg_query.ObjectType_OBJECT_INDEX {
		if t, ok := a.cat.indexes[rel]; ok && a.isNew(t) {
			return
		}
		if f, ok := a.cat.indexFile[rel]; ok && f == a.file {
			return
		}
	}
	if a.isNew(rel) {
		return
	}
	for _, c := range at.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.Subtype {
		case pg_query.AlterTableType_AT_SetTableSpace:
			a.setTablespace(rel, kind, cmd.Name, e)
		case pg_query.AlterTableType_AT_SetLogged, pg_query.AlterTableType_AT_SetUnLogged:
			a.setLogged(rel, cmd.Subtype == pg_query.AlterTableType_AT_SetLogged, e)
		case pg_query.AlterTableType_AT_SetRelOptions, pg_query.AlterTableType_AT_ResetRelOptions:
			if at.Objtype == pg_query.ObjectType_OBJECT_VIEW {
				// View options (check_option, security_barrier,
				// security_invoker) take ACCESS EXCLUSIVE (reloptions.c).
				a.lock(e, rel, lockAccessExclusive)
			} else {
				a.lock(e, rel, relOptionsLock(cmd.Def))
			}
		case pg_query.AlterTableType_AT_SetStatistics:
			a.lock(e, rel, lockShareUpdateExclusive)
		case pg_query.AlterTableType_AT_AttachPartition:
			if at.Objtype != pg_query.ObjectType_OBJECT_INDEX {
				a.notModelled(e, rel, lockAccessExclusive, "ALTER "+strings.ToUpper(kind)+" "+alterCmdName(cmd.Subtype))
			}
		default:
			a.notModelled(e, rel, lockAccessExclusive, "ALTER "+strings.ToUpper(kind)+" "+alterCmdName(cmd.Subtype))
		}
	}
}

// addColumn: ALTER TABLE docs, ADD COLUMN and Notes: "When a column is
// added with ADD COLUMN and a non-volatile DEFAULT is specified, the
// default is evaluated at the time of the statement and the result stored
// in the table's metadata ... Adding a column with a volatile DEFAULT or
// changing the type of an existing column will require the entire table
// and its indexes to be rewritten." Identity and stored generated columns
// are computed per row, so they rewrite too.
func (a *analyzer) addColumn(rel string, t *tableInfo, isNew bool, cd *pg_query.ColumnDef, e *effect) {
	if cd == nil {
		return
	}
	col := t.column(cd.Colname)
	col.typ, col.typeKnown = typeOf(cd.TypeName)
	col.collation = collationOf(cd)
	col.addedFile, col.addedTxn = a.file, a.txn
	var (
		notNull    = cd.IsNotNull
		hasDefault = cd.RawDefault != nil
		defVol     volatility
		defFunc    string
		rewriteWhy string
		unique     *pg_query.Constraint
		check      *pg_query.Constraint
		foreign    *pg_query.Constraint
	)
	if hasDefault {
		defVol, defFunc = exprVolatility(cd.RawDefault)
	}
	if isSerialType(cd.TypeName) {
		rewriteWhy = "a serial column fills every existing row from nextval()"
		hasDefault = true
	}
	for _, cn := range cd.Constraints {
		c := cn.GetConstraint()
		if c == nil {
			continue
		}
		switch c.Contype {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			notNull = true
		case pg_query.ConstrType_CONSTR_DEFAULT:
			hasDefault = true
			if v, f := exprVolatility(c.RawExpr); v > defVol {
				defVol, defFunc = v, f
			}
		case pg_query.ConstrType_CONSTR_IDENTITY:
			hasDefault, notNull = true, true
			rewriteWhy = "an identity column fills every existing row from its sequence"
		case pg_query.ConstrType_CONSTR_GENERATED:
			hasDefault = true
			rewriteWhy = "a stored generated column is computed for every existing row"
		case pg_query.ConstrType_CONSTR_PRIMARY:
			notNull = true
			unique = c
		case pg_query.ConstrType_CONSTR_UNIQUE:
			unique = c
		case pg_query.ConstrType_CONSTR_CHECK:
			check = c
			if notNullCheckColumn(c.RawExpr) == cd.Colname {
				col.notNullCheck = true
			}
		case pg_query.ConstrType_CONSTR_FOREIGN:
			foreign = c
		}
	}
	col.notNull = notNull
	col.addedNotNullDefault = notNull && hasDefault && !isNew
	if foreign != nil {
		a.lock(e, relName(foreign.Pktable), lockShareRowExclusive)
	}
	if isNew {
		return
	}
	if rewriteWhy == "" && defVol == volatile {
		rewriteWhy = "the default calls " + defFunc + "(), which is VOLATILE, so it is evaluated for every existing row"
	}
	if rewriteWhy == "" && hasDefault && a.major < 11 {
		rewriteWhy = "before PostgreSQL 11 every ADD COLUMN with a default rewrites the table"
	}
	name := rel + "." + cd.Colname
	rewrite := rewriteWhy != ""
	if rewrite {
		e.markSlow(rel)
		a.add(RuleAddColumnRewrite, "", rel, lockAccessExclusive, true, false,
			"adding "+name+" rewrites the whole table and its indexes under ACCESS EXCLUSIVE, blocking reads and writes: "+rewriteWhy,
			"ALTER TABLE "+quoteIdent(rel)+" ADD COLUMN "+quoteIdent(cd.Colname)+" "+col.typ.String()+" NULL;\n"+
				"-- then set the default for new rows, backfill existing rows in batches outside the migration,\n"+
				"-- and add NOT NULL via CHECK ("+quoteIdent(cd.Colname)+" IS NOT NULL) NOT VALID -> VALIDATE -> SET NOT NULL.")
	} else if defVol == unknownFunction {
		a.add(RuleAddColumnRewrite, SeverityWarning, rel, lockAccessExclusive, false, false,
			"the default of "+name+" calls "+defFunc+"(), whose volatility is unknown here: if it is VOLATILE, the table is rewritten under ACCESS EXCLUSIVE",
			"Check pg_proc.provolatile for "+defFunc+"; if it is 'v', add the column without the default and backfill in batches.")
	}
	if notNull && !hasDefault {
		a.add(RuleAddColumnNotNullNoDefault, "", rel, lockAccessExclusive, false, false,
			"adding NOT NULL column "+name+" without a default fails on a non-empty table, and the running application's INSERTs would not set it",
			"ALTER TABLE "+quoteIdent(rel)+" ADD COLUMN "+quoteIdent(cd.Colname)+" "+col.typ.String()+" DEFAULT <constant> NOT NULL;  -- Django 5+: db_default=")
	}
	if unique != nil {
		e.markSlow(rel)
		idx := unique.Conname
		if idx == "" {
			idx = rel + "_" + cd.Colname + "_key"
		}
		a.add(RuleAddColumnUnique, "", rel, lockAccessExclusive, rewrite, true,
			"the inline UNIQUE/PRIMARY KEY on "+name+" builds an index over the whole table while ACCESS EXCLUSIVE blocks reads and writes",
			"ALTER TABLE "+quoteIdent(rel)+" ADD COLUMN "+quoteIdent(cd.Colname)+" "+col.typ.String()+" NULL;\n"+
				"CREATE UNIQUE INDEX CONCURRENTLY "+quoteIdent(idx)+" ON "+quoteIdent(rel)+" ("+quoteIdent(cd.Colname)+");  -- outside a transaction\n"+
				"ALTER TABLE "+quoteIdent(rel)+" ADD CONSTRAINT "+quoteIdent(idx)+" UNIQUE USING INDEX "+quoteIdent(idx)+";")
	}
	if check != nil && !rewrite {
		e.markSlow(rel)
		con := check.Conname
		if con == "" {
			con = rel + "_" + cd.Colname + "_check"
		}
		a.add(RuleAddColumnCheck, "", rel, lockAccessExclusive, false, true,
			"the inline CHECK on "+name+" is verified against every existing row while ACCESS EXCLUSIVE blocks reads and writes",
			"Add the column without the CHECK, then:\nALTER TABLE "+quoteIdent(rel)+" ADD CONSTRAINT "+quoteIdent(con)+" CHECK (...) NOT VALID;\n-- in a later transaction:\nALTER TABLE "+quoteIdent(rel)+" VALIDATE CONSTRAINT "+quoteIdent(con)+";")
	}
	// parse_utilcmd.c, transformFKConstraints: "If CREATE TABLE or adding
	// a column with NULL default, we can skip validation of FK
	// constraints, and nonetheless mark them valid": a new column without
	// a default is NULL everywhere, so nothing is scanned.
	nonNullDefault := (cd.RawDefault != nil && !isNullConst(cd.RawDefault)) || !defaultIsNull(cd)
	if foreign != nil && !rewrite && nonNullDefault {
		e.markSlow(rel)
		pk := relName(foreign.Pktable)
		con := foreign.Conname
		if con == "" {
			con = rel + "_" + cd.Colname + "_fkey"
		}
		a.add(RuleAddColumnForeignKey, "", rel, lockAccessExclusive, false, true,
			"the inline REFERENCES "+pk+" on "+name+" is validated by reading all of "+rel+" while ACCESS EXCLUSIVE on it (and SHARE ROW EXCLUSIVE on "+pk+") is held until COMMIT",
			"ALTER TABLE "+quoteIdent(rel)+" ADD COLUMN "+quoteIdent(cd.Colname)+" "+col.typ.String()+" NULL;\n"+
				"ALTER TABLE "+quoteIdent(rel)+" ADD CONSTRAINT "+quoteIdent(con)+" FOREIGN KEY ("+quoteIdent(cd.Colname)+") REFERENCES "+quoteIdent(pk)+" NOT VALID;\n"+
				"-- in a later transaction:\nALTER TABLE "+quoteIdent(rel)+" VALIDATE CONSTRAINT "+quoteIdent(con)+";")
	}
}

// setNotNull: ALTER TABLE docs, SET/DROP NOT NULL: "SET NOT NULL may only
// be applied to a column provided none of the records in the table contain
// a NULL value for the column. Ordinarily this is checked during the ALTER
// TABLE by scanning the entire table; however, if a valid CHECK constraint
// is found which proves no NULL can exist, then the table scan is skipped"
// (PostgreSQL 12+).
func (a *analyzer) setNotNull(rel string, t *tableInfo, isNew bool, colName string, e *effect) {
	col := t.column(colName)
	already := col.notNull
	col.notNull = true
	if isNew || already {
		return
	}
	if col.notNullCheck && a.major >= 12 {
		return
	}
	e.markSlow(rel)
	con := rel + "_" + colName + "_not_null"
	if len(con) > 63 {
		con = con[:63]
	}
	msg := "SET NOT NULL on " + rel + "." + colName + " scans the whole table under ACCESS EXCLUSIVE, blocking reads and writes"
	if col.notNullCheck {
		msg += " (PostgreSQL " + itoa(a.major) + " cannot use the existing CHECK to skip the scan; 12+ can)"
	}
	msg += "; and if the running application can still write NULL to " + colName + ", its writes fail"
	a.add(RuleSetNotNull, "", rel, lockAccessExclusive, false, true, msg,
		"ALTER TABLE "+quoteIdent(rel)+" ADD CONSTRAINT "+quoteIdent(con)+" CHECK ("+quoteIdent(colName)+" IS NOT NULL) NOT VALID;\n"+
			"-- in a later transaction (a separate migration):\n"+
			"ALTER TABLE "+quoteIdent(rel)+" VALIDATE CONSTRAINT "+quoteIdent(con)+";\n"+
			"ALTER TABLE "+quoteIdent(rel)+" ALTER COLUMN "+quoteIdent(colName)+" SET NOT NULL;  -- no scan on PostgreSQL 12+\n"+
			"ALTER TABLE "+quoteIdent(rel)+" DROP CONSTRAINT "+quoteIdent(con)+";")
}

// alterType: ALTER TABLE docs, SET DATA TYPE and Notes ("when the old type
// is binary coercible to the new type ... a table rewrite is not needed").
func (a *analyzer) alterType(rel string, t *tableInfo, isNew bool, colName string, cd *pg_query.ColumnDef, e *effect) {
	if cd == nil {
		return
	}
	col := t.column(colName)
	newType, ok := typeOf(cd.TypeName)
	oldType, oldKnown := col.typ, col.typeKnown
	col.typ, col.typeKnown = newType, ok
	oldColl, newColl := col.collation, collationOf(cd)
	col.collation = newColl
	if isNew {
		return
	}
	name := rel + "." + colName
	fix := "Add a new column of the new type, write both from the code, backfill in batches, switch reads, then drop the old column in a later release."
	usingChanges := cd.RawDefault != nil && !usingIsPlainColumn(cd.RawDefault, colName)
	if usingChanges {
		e.markSlow(rel)
		a.add(RuleAlterColumnType, "", rel, lockAccessExclusive, true, false,
			"changing the type of "+name+" with a USING expression rewrites the whole table and its indexes under ACCESS EXCLUSIVE", fix)
		return
	}
	if !oldKnown {
		if widenable(newType) {
			a.add(RuleAlterColumnType, SeverityWarning, rel, lockAccessExclusive, false, false,
				"the previous type of "+name+" is not in the analysed files: changing it to "+newType.String()+" is free only when it widens a binary-coercible type (e.g. varchar(n) to varchar(m>=n) or text); otherwise the table is rewritten under ACCESS EXCLUSIVE",
				"Analyse this migration together with the one that created the column (pass the whole migrations directory), or check the current type with \\d "+rel+".")
			return
		}
		e.markSlow(rel)
		a.add(RuleAlterColumnType, "", rel, lockAccessExclusive, true, false,
			"changing the type of "+name+" to "+newType.String()+" rewrites the whole table and its indexes under ACCESS EXCLUSIVE (only binary-coercible widenings such as varchar growth avoid it)", fix)
		return
	}
	switch classifyTypeChange(oldType, newType, a.major) {
	case typeChangeSafe:
		// tablecmds.c, CheckIndexCompatible: an index on the column is
		// kept only when its collation is unchanged; otherwise it is
		// rebuilt under the statement's ACCESS EXCLUSIVE lock.
		if newColl == "" || newColl == oldColl {
			return
		}
		if idx := a.indexesOn(rel, colName); len(idx) > 0 {
			e.markSlow(rel)
			a.add(RuleAlterColumnType, "", rel, lockAccessExclusive, false, true,
				"changing the collation of "+name+" to "+newColl+" needs no table rewrite, but rebuilds "+strings.Join(idx, ", ")+" under ACCESS EXCLUSIVE, blocking reads and writes for the whole build",
				"Build the new index first: CREATE INDEX CONCURRENTLY ... (col COLLATE \""+newColl+"\") outside a transaction, then change the column in a migration that has no index on it left to rebuild (drop the old index CONCURRENTLY first), or accept the rebuild on a small table.")
		}
		return
	case typeChangeTZ:
		a.add(RuleAlterColumnType, SeverityWarning, rel, lockAccessExclusive, false, false,
			"timestamp to timestamptz on "+name+" skips the rewrite only when the session TimeZone is UTC (PostgreSQL 12+); otherwise the table is rewritten under ACCESS EXCLUSIVE",
			"SET TimeZone = 'UTC'; before the ALTER (Django sets it when USE_TZ = True).")
		return
	}
	e.markSlow(rel)
	msg := "changing " + name + " from " + oldType.String() + " to " + newType.String() + " rewrites the whole table and its indexes under ACCESS EXCLUSIVE, blocking reads and writes"
	if oldType.name == newType.name {
		msg += "; the narrower type also makes the running application's longer values fail"
	}
	a.add(RuleAlterColumnType, "", rel, lockAccessExclusive, true, false, msg, fix)
}

func usingIsPlainColumn(n *pg_query.Node, col string) bool {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	return columnRefName(n) == col
}

func (a *analyzer) addConstraint(rel string, t *tableInfo, isNew bool, c *pg_query.Constraint, e *effect) {
	if c == nil {
		a.lock(e, rel, lockAccessExclusive)
		return
	}
	info := &constraintInfo{notValid: c.SkipValidation, file: a.file, txn: a.txn}
	if c.Conname != "" {
		t.cons[c.Conname] = info
	}
	t.recordCheck(c.Conname, c, info)
	con := c.Conname
	if con == "" {
		con = "<name>"
	}
	q := quoteIdent(rel)
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_CHECK:
		a.lock(e, rel, lockAccessExclusive)
		info.lock = lockAccessExclusive
		info.notNullCol = notNullCheckColumn(c.RawExpr)
		if info.notNullCol != "" && !c.SkipValidation {
			t.column(info.notNullCol).notNullCheck = true
		}
		if isNew || c.SkipValidation {
			return
		}
		e.markSlow(rel)
		a.add(RuleAddCheck, "", rel, lockAccessExclusive, false, true,
			"ADD CONSTRAINT "+con+" CHECK verifies every row of "+rel+" while ACCESS EXCLUSIVE blocks reads and writes",
			a.cur.SQL+" NOT VALID;\n-- in a later transaction (a separate migration):\nALTER TABLE "+q+" VALIDATE CONSTRAINT "+quoteIdent(con)+";")
	case pg_query.ConstrType_CONSTR_FOREIGN:
		pk := relName(c.Pktable)
		info.foreign = pk
		info.lock = lockShareRowExclusive
		a.lock(e, rel, lockShareRowExclusive)
		a.lock(e, pk, lockShareRowExclusive)
		if isNew || c.SkipValidation {
			return
		}
		e.markSlow(rel)
		a.add(RuleAddForeignKey, "", rel, lockShareRowExclusive, false, true,
			"ADD CONSTRAINT "+con+" FOREIGN KEY checks every row of "+rel+" against "+pk+" while SHARE ROW EXCLUSIVE blocks writes to both tables",
			a.cur.SQL+" NOT VALID;\n-- in a later transaction (a separate migration):\nALTER TABLE "+q+" VALIDATE CONSTRAINT "+quoteIdent(con)+";")
	case pg_query.ConstrType_CONSTR_UNIQUE, pg_query.ConstrType_CONSTR_PRIMARY:
		a.lock(e, rel, lockAccessExclusive)
		if c.Conname != "" {
			a.cat.indexes[c.Conname] = rel
			if c.Indexname == "" {
				a.cat.indexFile[c.Conname] = a.file
			}
		}
		if c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
			for _, k := range c.Keys {
				t.column(k.GetString_().GetSval()).notNull = true
			}
		}
		if isNew {
			return
		}
		if c.Indexname != "" {
			// PRIMARY KEY USING INDEX makes the index's columns NOT NULL,
			// scanning the table for each column not already NOT NULL
			// (ALTER TABLE, ADD table_constraint_using_index).
			if c.Contype != pg_query.ConstrType_CONSTR_PRIMARY {
				return
			}
			cols, known := a.cat.indexCols[c.Indexname]
			if !known || len(cols) == 0 {
				// The index was built outside the analysed set (or on
				// expressions): its columns' nullability is unknown.
				e.markSlow(rel)
				a.add(RuleAddPrimaryKey, "", rel, lockAccessExclusive, false, true,
					"PRIMARY KEY USING INDEX "+c.Indexname+" makes the index's columns NOT NULL, scanning all of "+rel+" under ACCESS EXCLUSIVE for each one that is not NOT NULL yet; the analysed migrations do not show which columns "+c.Indexname+" covers",
					"Make the columns NOT NULL first with CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT (later transaction) and SET NOT NULL; then ADD CONSTRAINT ... PRIMARY KEY USING INDEX. If they already are NOT NULL, suppress with -- deploykit:ignore "+RuleAddPrimaryKey+".")
				return
			}
			var nullable []string
			for _, col := range cols {
				if ci := t.column(col); !ci.notNull && !(ci.notNullCheck && a.major >= 12) {
					nullable = append(nullable, col)
				}
				t.column(col).notNull = true
			}
			if len(nullable) == 0 {
				return
			}
			e.markSlow(rel)
			a.add(RuleAddPrimaryKey, "", rel, lockAccessExclusive, false, true,
				"PRIMARY KEY USING INDEX "+c.Indexname+" first makes "+strings.Join(nullable, ", ")+" NOT NULL, scanning all of "+rel+" under ACCESS EXCLUSIVE",
				"Make the columns NOT NULL first with CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT (later transaction) and SET NOT NULL; then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.")
			return
		}
		e.markSlow(rel)
		var cols []string
		for _, k := range c.Keys {
			cols = append(cols, quoteIdent(k.GetString_().GetSval()))
		}
		kind, rule := "UNIQUE", RuleAddUnique
		if c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
			kind, rule = "PRIMARY KEY", RuleAddPrimaryKey
		}
		fix := "CREATE UNIQUE INDEX CONCURRENTLY " + quoteIdent(con) + " ON " + q + " (" + strings.Join(cols, ", ") + ");  -- outside a transaction block\n" +
			"ALTER TABLE " + q + " ADD CONSTRAINT " + quoteIdent(con) + " " + kind + " USING INDEX " + quoteIdent(con) + ";"
		if operationClass(a.cur.Operation) == "AlterField" || operationClass(a.cur.Operation) == "AddConstraint" || operationClass(a.cur.Operation) == "AlterUniqueTogether" {
			fix += "\n# Django: run both statements via SeparateDatabaseAndState(database_operations=[RunSQL(...)], state_operations=[<the original operation>]) in migrations with atomic = False for the index."
		}
		a.add(rule, "", rel, lockAccessExclusive, false, true,
			"ADD CONSTRAINT "+con+" "+kind+" builds its index over all of "+rel+" while ACCESS EXCLUSIVE blocks reads and writes", fix)
	case pg_query.ConstrType_CONSTR_EXCLUSION:
		a.lock(e, rel, lockAccessExclusive)
		if isNew {
			return
		}
		e.markSlow(rel)
		a.add(RuleAddExclusion, "", rel, lockAccessExclusive, false, true,
			"ADD CONSTRAINT "+con+" EXCLUDE builds its index over all of "+rel+" while ACCESS EXCLUSIVE blocks reads and writes; there is no NOT VALID or USING INDEX form",
			"Run it in a maintenance window, or create the constraint on a new table and move the data.")
	default:
		a.lock(e, rel, lockAccessExclusive)
	}
}

// validate: ALTER TABLE docs, VALIDATE CONSTRAINT: "This form validates a
// foreign key or check constraint that was previously created as NOT VALID,
// by scanning the table ... only a SHARE UPDATE EXCLUSIVE lock on the table
// being altered" (and ROW SHARE on a referenced table).
func (a *analyzer) validate(rel string, t *tableInfo, isNew bool, name string, e *effect) {
	con := t.cons[name]
	if con != nil {
		if con.notNullCol != "" {
			t.column(con.notNullCol).notNullCheck = true
		}
		if con.foreign != "" {
			a.lock(e, con.foreign, lockRowShare)
		}
		con.notValid = false
	}
	if isNew {
		return
	}
	e.markSlow(rel)
	if con != nil && con.file == a.file && con.txn == a.txn && a.inBlock {
		a.skipHeld = append(a.skipHeld, rel)
		if con.foreign != "" {
			a.skipHeld = append(a.skipHeld, con.foreign)
		}
		a.add(RuleValidateSameTransaction, "", rel, con.lock, false, true,
			"VALIDATE CONSTRAINT "+name+" runs in the same transaction that added it NOT VALID, so the "+con.lock.String()+" lock from the ADD is held during the whole validation scan of "+rel,
			"Move ALTER TABLE "+quoteIdent(rel)+" VALIDATE CONSTRAINT "+quoteIdent(name)+"; into a later transaction (a separate Django migration).")
	}
}

// isNullConst reports whether n is the NULL literal (DEFAULT NULL).
func isNullConst(n *pg_query.Node) bool {
	if n == nil {
		return true
	}
	if c := n.GetAConst(); c != nil {
		return c.Isnull
	}
	if tc := n.GetTypeCast(); tc != nil {
		return isNullConst(tc.Arg)
	}
	return false
}

// defaultIsNull reports whether every DEFAULT constraint of cd is NULL.
func defaultIsNull(cd *pg_query.ColumnDef) bool {
	for _, cn := range cd.Constraints {
		if c := cn.GetConstraint(); c != nil && c.Contype == pg_query.ConstrType_CONSTR_DEFAULT && !isNullConst(c.RawExpr) {
			return false
		}
	}
	return true
}

// collationOf is the COLLATE of a column definition ("C", last part of a
// qualified name), "" when none is given.
func collationOf(cd *pg_query.ColumnDef) string {
	if cd == nil || cd.CollClause == nil {
		return ""
	}
	names := cd.CollClause.Collname
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

// indexesOn lists the indexes known (from CREATE INDEX in the analysed
// files) to include column col of rel, sorted.
func (a *analyzer) indexesOn(rel, col string) []string {
	var out []string
	for idx, cols := range a.cat.indexCols {
		if a.cat.indexes[idx] != rel {
			continue
		}
		for _, c := range cols {
			if c == col {
				out = append(out, idx)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

package migrate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// This file holds the rules for PostgreSQL's less common locking DDL: SET
// TABLESPACE / LOGGED / UNLOGGED, REFRESH MATERIALIZED VIEW, LOCK TABLE,
// ATTACH / DETACH PARTITION, ALTER DOMAIN, ALTER TYPE ... ADD VALUE, DROP
// DATABASE, DROP SCHEMA ... CASCADE, COMMENT, and SELECT as long work
// while locks are held. Lock levels are those of the command's reference
// page in the PostgreSQL 12–17 documentation; TestLockDDLOnPostgres checks
// each on the test server.

// setTablespace: ALTER TABLE docs, SET TABLESPACE: "This form changes the
// table's tablespace ... and moves the data file(s)"; it takes ACCESS
// EXCLUSIVE and copies every block (a new relfilenode, like a rewrite).
func (a *analyzer) setTablespace(rel, kind, space string, e *effect) {
	if rel != "" && a.isNew(rel) {
		return
	}
	a.lock(e, rel, lockAccessExclusive)
	e.markSlow(rel)
	what := kind + " " + rel
	if rel == "" {
		what = "every " + kind + " in the tablespace"
	}
	a.add(RuleSetTablespace, "", rel, lockAccessExclusive, true, false,
		"SET TABLESPACE "+space+" copies all of "+what+" to the new tablespace under ACCESS EXCLUSIVE, blocking reads and writes for the whole copy",
		"Move the data online with pg_repack --tablespace, or create the new table or index in the target tablespace (CREATE INDEX CONCURRENTLY ... TABLESPACE "+space+", then swap), or accept a maintenance window.")
}

// setLogged: ALTER TABLE docs, SET { LOGGED | UNLOGGED }: "This form
// changes the table from unlogged to logged or vice-versa ... this requires
// rewriting the table" under ACCESS EXCLUSIVE (12–17).
func (a *analyzer) setLogged(rel string, logged bool, e *effect) {
	if a.isNew(rel) {
		return
	}
	a.lock(e, rel, lockAccessExclusive)
	e.markSlow(rel)
	form := "SET UNLOGGED"
	fix := "Keep the table logged: an unlogged table is emptied after a crash and not replicated. If it must change, do it in a maintenance window."
	if logged {
		form = "SET LOGGED"
		fix = "Create a new logged table, copy the rows in batches and swap the names, or accept a maintenance window; SET LOGGED also writes the whole table to WAL."
	}
	a.add(RuleSetLogged, "", rel, lockAccessExclusive, true, false,
		form+" rewrites all of "+rel+" and its indexes under ACCESS EXCLUSIVE, blocking reads and writes for the whole rewrite", fix)
}

// refreshMatView: REFRESH MATERIALIZED VIEW docs: without CONCURRENTLY the
// view is rebuilt into a new heap under ACCESS EXCLUSIVE ("locks out
// SELECTs"); CONCURRENTLY takes EXCLUSIVE, which still allows reads, and
// needs a unique index on the view.
func (a *analyzer) refreshMatView(rs *pg_query.RefreshMatViewStmt, e *effect) {
	rel := relName(rs.Relation)
	if a.isNew(rel) {
		return
	}
	if rs.Concurrent {
		a.lock(e, rel, lockExclusive)
		e.markSlow(rel)
		return
	}
	a.lock(e, rel, lockAccessExclusive)
	e.markSlow(rel)
	if rs.SkipData {
		a.add(RuleRefreshMatView, SeverityWarning, rel, lockAccessExclusive, true, false,
			"REFRESH MATERIALIZED VIEW "+rel+" WITH NO DATA empties the view under ACCESS EXCLUSIVE: every query on it then fails with \"has not been populated\" until the next refresh",
			"Leave the view populated; refresh it with REFRESH MATERIALIZED VIEW CONCURRENTLY "+quoteIdent(rel)+" instead.")
		return
	}
	a.add(RuleRefreshMatView, "", rel, lockAccessExclusive, true, false,
		"REFRESH MATERIALIZED VIEW "+rel+" without CONCURRENTLY re-runs the view's query and replaces its contents under ACCESS EXCLUSIVE, blocking every read of the view until it finishes",
		"REFRESH MATERIALIZED VIEW CONCURRENTLY "+quoteIdent(rel)+";  -- needs a UNIQUE index on the view; reads continue during the refresh")
}

// lockTable: LOCK docs: "LOCK TABLE can only be used in transaction
// blocks"; the mode defaults to ACCESS EXCLUSIVE and is held until the
// transaction ends.
func (a *analyzer) lockTable(ls *pg_query.LockStmt, e *effect) {
	mode := lockMode(ls.Mode)
	if mode <= lockNone || mode > lockAccessExclusive {
		mode = lockAccessExclusive
	}
	for _, r := range ls.Relations {
		rel := relName(r.GetRangeVar())
		if rel == "" || a.isNew(rel) {
			continue
		}
		a.lock(e, rel, mode)
		if !a.inBlock {
			a.add(RuleLockTable, SeverityError, rel, mode, false, false,
				"LOCK TABLE outside a transaction block fails: PostgreSQL refuses it (\"LOCK TABLE can only be used in transaction blocks\")",
				"Put it inside BEGIN ... COMMIT, with only the statements that need the lock.")
			continue
		}
		if !mode.blocksWrites() {
			continue
		}
		blocked := "writes to"
		if mode.blocksReads() {
			blocked = "reads and writes of"
		}
		sev := SeverityWarning
		a.add(RuleLockTable, sev, rel, mode, false, false,
			"LOCK TABLE "+rel+" IN "+mode.String()+" MODE blocks "+blocked+" "+rel+" from here until COMMIT, and queues behind every running query on it while it waits",
			"Take the weakest mode that protects what follows, set lock_timeout first (SET lock_timeout = '2s'), and keep the transaction short; row locks (SELECT ... FOR UPDATE) are often enough.")
	}
}

// partition handles ATTACH and DETACH PARTITION of a partitioned table.
//
// ALTER TABLE docs (12–17), ATTACH PARTITION: the partitioned table gets
// SHARE UPDATE EXCLUSIVE and the partition ACCESS EXCLUSIVE; "the table to
// be attached ... will be scanned to verify that no existing row violates
// the partition constraint", unless a valid CHECK constraint proves it, and
// a default partition is scanned too.
//
// DETACH PARTITION: ACCESS EXCLUSIVE on the partitioned table and the
// partition, unless CONCURRENTLY (PostgreSQL 14+, outside a transaction
// block), which takes SHARE UPDATE EXCLUSIVE.
func (a *analyzer) partition(rel string, cmd *pg_query.AlterTableCmd, attach bool, e *effect) {
	pc := cmd.Def.GetPartitionCmd()
	part := ""
	if pc != nil {
		part = relName(pc.Name)
	}
	if attach {
		a.lock(e, rel, lockShareUpdateExclusive)
		if part == "" || a.isNew(part) {
			return
		}
		a.lock(e, part, lockAccessExclusive)
		pt := a.cat.table(rel)
		if pc.Bound != nil && pc.Bound.IsDefault {
			pt.defaultPartition = part
		} else if by, ok := a.attachProvenByCheck(rel, part, pc.Bound); ok {
			// No scan of the partition: only a brief ACCESS EXCLUSIVE.
			// A default partition of rel is still scanned.
			if def := pt.defaultPartition; def != "" && !a.isNew(def) {
				a.lock(e, def, lockAccessExclusive)
				e.markSlow(def)
				a.add(RuleAttachPartition, "", def, lockAccessExclusive, false, true,
					"ATTACH PARTITION "+part+" skips the scan of "+part+" (its CHECK "+by+" proves the bound) but scans all of the default partition "+def+" of "+rel+" under ACCESS EXCLUSIVE to prove none of its rows belongs to "+part,
					"Add a validated CHECK constraint to "+def+" that excludes the new bound (NOT VALID, then VALIDATE CONSTRAINT in a later transaction) before attaching, or detach the default partition first.")
			}
			return
		}
		e.markSlow(part)
		a.add(RuleAttachPartition, "", part, lockAccessExclusive, false, true,
			"ATTACH PARTITION scans all of "+part+" under ACCESS EXCLUSIVE to prove every row fits the partition bound (and scans a default partition of "+rel+" if there is one), unless a validated CHECK constraint already proves it",
			"First ALTER TABLE "+quoteIdent(part)+" ADD CONSTRAINT <bound_check> CHECK (<key> IS NOT NULL AND <key> >= <from> AND <key> < <to>) NOT VALID (for a LIST bound: <key> IS NOT NULL AND <key> IN (<values>)); then, in a later transaction, VALIDATE CONSTRAINT <bound_check> (SHARE UPDATE EXCLUSIVE only); then ATTACH PARTITION (no scan) and DROP CONSTRAINT <bound_check>. Keep the IS NOT NULL unless the key column is NOT NULL: without it PostgreSQL still scans.")
		return
	}
	concurrent := pc != nil && pc.Concurrent
	if concurrent {
		if a.major < 14 {
			a.add(RuleUnsupportedOnVersion, "", rel, lockNone, false, false,
				"DETACH PARTITION CONCURRENTLY needs PostgreSQL 14 or later; the target is "+itoa(a.major),
				"On PostgreSQL 12 and 13 detach with a short lock_timeout and retries (deploykit's migrate apply does both).")
			return
		}
		a.lock(e, rel, lockShareUpdateExclusive)
		return
	}
	if a.isNew(rel) {
		return
	}
	a.lock(e, rel, lockAccessExclusive)
	if part != "" && !a.isNew(part) {
		a.lock(e, part, lockAccessExclusive)
	}
	fix := "ALTER TABLE " + quoteIdent(rel) + " DETACH PARTITION " + quoteIdent(part) + " CONCURRENTLY;  -- PostgreSQL 14+, outside a transaction block (Django: atomic = False)"
	if a.major < 14 {
		fix = "PostgreSQL " + itoa(a.major) + " has no DETACH ... CONCURRENTLY (14+): set a short lock_timeout and retry (deploykit's migrate apply does), or upgrade."
	}
	a.add(RuleDetachPartition, "", rel, lockAccessExclusive, false, false,
		"DETACH PARTITION "+part+" without CONCURRENTLY takes ACCESS EXCLUSIVE on "+rel+": it waits for every running query on the partitioned table, and all queries on it queue behind it",
		fix)
}

// alterDomain: ALTER DOMAIN docs: ADD CONSTRAINT and SET NOT NULL "will
// fail if ... the domain's columns contain" violating values, so every
// column of the domain in every table is checked; typecmds.c
// (validateDomainCheckConstraint, validateDomainNotNullConstraint) opens
// each such table with ShareLock, blocking its writes during the scan.
// VALIDATE CONSTRAINT scans the same way (12–17). NOT VALID skips the scan.
func (a *analyzer) alterDomain(ds *pg_query.AlterDomainStmt, e *effect) {
	domain := listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: ds.TypeName}}})
	if a.newTypes[domain] {
		return
	}
	var what string
	switch ds.Subtype {
	case "O":
		what = "SET NOT NULL"
	case "C":
		c := ds.Def.GetConstraint()
		if c != nil && c.SkipValidation {
			return
		}
		what = "ADD CONSTRAINT"
		if c != nil && c.Conname != "" {
			what += " " + c.Conname
		}
	case "V":
		what = "VALIDATE CONSTRAINT " + ds.Name
	default:
		// SET/DROP DEFAULT, DROP NOT NULL, DROP CONSTRAINT: catalog only.
		return
	}
	a.add(RuleDomainConstraint, "", "domain "+domain, lockShare, false, true,
		"ALTER DOMAIN "+domain+" "+what+" checks every column of type "+domain+" in every table, holding SHARE on each table (writes block) for the whole scan",
		"Put the rule on the table columns instead: ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later transaction (SHARE UPDATE EXCLUSIVE only). For ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID, VALIDATE later still takes SHARE on each table on PostgreSQL 12-17, so run it at a quiet time.")
}

// enumValue records ALTER TYPE ... ADD VALUE for the same-transaction use
// check: ALTER TYPE docs (12+): "If ALTER TYPE ... ADD VALUE ... is
// executed inside a transaction block, the new value cannot be used until
// after the transaction has been committed" (error "unsafe use of new value"),
// unless the enum type itself was created in that transaction (enum.c,
// check_safe_enum_use). Before 12 it cannot run in a transaction block.
func (a *analyzer) enumValue(es *pg_query.AlterEnumStmt) {
	if es.NewVal == "" || es.OldVal != "" {
		return
	}
	typ := listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: es.TypeName}}})
	if !a.inBlock {
		return
	}
	if a.major < 12 {
		a.add(RuleUnsupportedOnVersion, "", "", lockNone, false, false,
			"ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL 12; the target is "+itoa(a.major),
			"Run it outside the transaction (Django: atomic = False).")
		return
	}
	if a.newTypeTxn[typ] == a.txn {
		return
	}
	a.enumAdds = append(a.enumAdds, enumAdd{typ: typ, literal: "'" + strings.ReplaceAll(es.NewVal, "'", "''") + "'", txn: a.txn, line: a.cur.Line})
}

type enumAdd struct {
	typ, literal string
	txn, line    int
}

// enumUse reports a statement that uses an enum value added earlier in the
// same transaction.
func (a *analyzer) enumUse() {
	for _, ea := range a.enumAdds {
		if ea.txn != a.txn || !a.inBlock || !strings.Contains(a.cur.SQL, ea.literal) {
			continue
		}
		a.add(RuleEnumValueSameTxn, "", "", lockNone, false, false,
			"the enum value "+ea.literal+" of "+ea.typ+" was added on line "+itoa(ea.line)+" in this same transaction: PostgreSQL 12+ rejects its use before COMMIT (\"unsafe use of new value\") and the migration fails",
			"Commit after ALTER TYPE ... ADD VALUE: put the statements that use the value in a later migration (or after COMMIT).")
		return
	}
}

// drop handles DROP DATABASE (DROP DATABASE docs: removes the catalog
// entries and the data directory; "cannot be undone", and not in a
// transaction block).
func (a *analyzer) dropDatabase(ds *pg_query.DropdbStmt) {
	a.add(RuleDropDatabase, "", ds.Dbname, lockNone, false, false,
		"DROP DATABASE "+ds.Dbname+" deletes the whole database irreversibly; a deploy migration should never do it",
		"Remove the statement; drop databases by hand after a backup, never from a migration.")
}

// dropOther handles DROP of everything but tables and indexes. DROP SCHEMA
// docs: "CASCADE: automatically drop objects (tables, functions, etc.) that
// are contained in the schema"; each table is dropped under ACCESS
// EXCLUSIVE. DROP of a view, materialized view, sequence, trigger, rule or
// policy locks the relation ACCESS EXCLUSIVE (their reference pages); any
// other DROP ... CASCADE may drop columns or tables that depend on it.
func (a *analyzer) dropOther(ds *pg_query.DropStmt, e *effect) {
	cascade := ds.Behavior == pg_query.DropBehavior_DROP_CASCADE
	switch ds.RemoveType {
	case pg_query.ObjectType_OBJECT_SCHEMA:
		if !cascade {
			return
		}
		for _, o := range ds.Objects {
			name := o.GetString_().GetSval()
			if name == "" {
				name = listName(o)
			}
			if a.newSchemas[name] {
				continue
			}
			a.add(RuleDropSchemaCascade, "", name, lockAccessExclusive, false, false,
				"DROP SCHEMA "+name+" CASCADE drops every table, view, function and type in it, each table under ACCESS EXCLUSIVE: the running application loses everything it uses there",
				"Drop the objects one by one, after the code that uses them is gone; without CASCADE, DROP SCHEMA fails while the schema still holds objects.")
		}
	case pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW, pg_query.ObjectType_OBJECT_SEQUENCE,
		pg_query.ObjectType_OBJECT_FOREIGN_TABLE:
		for _, o := range ds.Objects {
			rel := listName(o)
			if a.isNew(rel) {
				delete(a.cat.tables, rel)
				continue
			}
			a.notModelled(e, rel, lockAccessExclusive, "DROP "+strings.ToUpper(strings.TrimPrefix(ds.RemoveType.String(), "OBJECT_")))
		}
	case pg_query.ObjectType_OBJECT_TRIGGER, pg_query.ObjectType_OBJECT_RULE, pg_query.ObjectType_OBJECT_POLICY:
		for _, o := range ds.Objects {
			items := o.GetList().GetItems()
			if len(items) < 2 {
				continue
			}
			rel := listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: items[:len(items)-1]}}})
			a.notModelled(e, rel, lockAccessExclusive, "DROP "+strings.TrimPrefix(ds.RemoveType.String(), "OBJECT_"))
		}
	default:
		if cascade {
			a.notModelled(e, "", lockNone, "DROP ... CASCADE")
		}
	}
}

// comment: COMMENT docs do not name the lock; commands/comment.c takes
// SHARE UPDATE EXCLUSIVE on the relation (get_object_address), which does
// not block reads or writes. Django 4.2+ emits COMMENT for db_comment.
func (a *analyzer) comment(cs *pg_query.CommentStmt, e *effect) {
	items := cs.Object.GetList().GetItems()
	var rel string
	switch cs.Objtype {
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW,
		pg_query.ObjectType_OBJECT_INDEX, pg_query.ObjectType_OBJECT_SEQUENCE, pg_query.ObjectType_OBJECT_FOREIGN_TABLE:
		rel = listName(cs.Object)
	case pg_query.ObjectType_OBJECT_COLUMN:
		if len(items) >= 2 {
			rel = listName(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: items[:len(items)-1]}}})
		}
	}
	a.lock(e, rel, lockShareUpdateExclusive)
}

// ownerOnly are the object kinds whose ALTER ... OWNER TO only rewrites the
// object's own catalog row (AlterObjectOwner_internal, schemacmds.c,
// functioncmds.c, typecmds.c for domains): no lock on a table or index.
// Tables, views and sequences take ALTER TABLE's path, and ALTER TYPE of
// a composite type locks the type's relation, so those stay "not
// modelled". ALTER SCHEMA and ALTER DOMAIN (with a table using the
// domain) are checked against pg_locks by TestLockDDLOnPostgres.
var ownerOnly = map[pg_query.ObjectType]bool{
	pg_query.ObjectType_OBJECT_SCHEMA: true, pg_query.ObjectType_OBJECT_FUNCTION: true,
	pg_query.ObjectType_OBJECT_PROCEDURE: true, pg_query.ObjectType_OBJECT_ROUTINE: true,
	pg_query.ObjectType_OBJECT_AGGREGATE: true, pg_query.ObjectType_OBJECT_DATABASE: true,
	pg_query.ObjectType_OBJECT_LANGUAGE: true, pg_query.ObjectType_OBJECT_DOMAIN: true,
	pg_query.ObjectType_OBJECT_COLLATION: true, pg_query.ObjectType_OBJECT_CONVERSION: true,
	pg_query.ObjectType_OBJECT_TSDICTIONARY: true, pg_query.ObjectType_OBJECT_TSCONFIGURATION: true,
	pg_query.ObjectType_OBJECT_TABLESPACE: true,
}

// alterOwner: ALTER SCHEMA/FUNCTION/DOMAIN/... OWNER TO.
func (a *analyzer) alterOwner(as *pg_query.AlterOwnerStmt, e *effect) {
	if ownerOnly[as.ObjectType] {
		return
	}
	rel := ""
	if as.Relation != nil {
		rel = relName(as.Relation)
	}
	a.notModelled(e, rel, lockNone, "ALTER "+strings.TrimPrefix(as.ObjectType.String(), "OBJECT_")+" ... OWNER TO")
}

// selectWork marks a SELECT that reads existing tables (or sleeps) as slow,
// so that DKM050 reports it when it runs while a blocking lock is held:
// "SELECT count(*) FROM t" after an ALTER in the same transaction keeps the
// ALTER's lock for the whole scan.
func (a *analyzer) selectWork(ss *pg_query.SelectStmt, e *effect) {
	if ss == nil {
		return
	}
	if ss.IntoClause != nil {
		t := a.cat.table(relName(ss.IntoClause.Rel))
		t.file = a.file
	}
	mode := lockAccessShare
	if len(ss.LockingClause) > 0 {
		mode = lockRowShare
	}
	for _, f := range ss.FromClause {
		if rv := f.GetRangeVar(); rv != nil {
			rel := relName(rv)
			if rel != "" && !a.isNew(rel) {
				a.lock(e, rel, mode)
				e.markSlow(rel)
			}
		} else if rv := firstRangeVarNode(f); rv != nil {
			rel := relName(rv)
			if !a.isNew(rel) {
				e.markSlow(rel)
			}
		}
	}
	if hasWord(a.cur.SQL, "pg_sleep") {
		e.markSlow("(pg_sleep)")
	}
	a.selectWork(ss.Larg, e)
	a.selectWork(ss.Rarg, e)
}

func firstRangeVarNode(n *pg_query.Node) *pg_query.RangeVar {
	if j := n.GetJoinExpr(); j != nil {
		if rv := j.Larg.GetRangeVar(); rv != nil {
			return rv
		}
		return j.Rarg.GetRangeVar()
	}
	return nil
}

package migrate

import (
	"reflect"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// stmtClass is how the analyser treats a statement kind.
type stmtClass int

const (
	// classNotModelled: no rule knows the statement; when it touches an
	// existing relation (or its effects cannot be seen, as for DO blocks)
	// it is reported as RuleNotModelled. Every statement kind not listed in
	// classify falls here, so the analyser fails closed.
	classNotModelled stmtClass = iota
	// classModelled: a rule (or the catalog tracking) handles it; the
	// handler itself reports the parts it does not model.
	classModelled
	// classLockFree: the statement takes no lock stronger than ROW
	// EXCLUSIVE on any existing relation (it works on new objects, roles,
	// settings or the session only). TestLockFreeOnPostgres checks a sample
	// of each against pg_locks on the real server.
	classLockFree
)

// classify says how the analyser treats the statement n. The default is
// classNotModelled: a statement kind added to PostgreSQL's grammar later is
// reported, never silently safe.
func classify(n *pg_query.Node) stmtClass {
	switch n.GetNode().(type) {
	case *pg_query.Node_CreateStmt, *pg_query.Node_AlterTableStmt, *pg_query.Node_IndexStmt,
		*pg_query.Node_DropStmt, *pg_query.Node_RenameStmt, *pg_query.Node_TruncateStmt,
		*pg_query.Node_VacuumStmt, *pg_query.Node_ClusterStmt, *pg_query.Node_ReindexStmt,
		*pg_query.Node_UpdateStmt, *pg_query.Node_DeleteStmt, *pg_query.Node_InsertStmt,
		*pg_query.Node_MergeStmt, *pg_query.Node_SelectStmt, *pg_query.Node_VariableSetStmt,
		*pg_query.Node_CreateTableAsStmt, *pg_query.Node_ViewStmt, *pg_query.Node_RefreshMatViewStmt,
		*pg_query.Node_CreateTrigStmt, *pg_query.Node_TransactionStmt, *pg_query.Node_LockStmt,
		*pg_query.Node_AlterDomainStmt, *pg_query.Node_AlterEnumStmt, *pg_query.Node_CreateEnumStmt,
		*pg_query.Node_DropdbStmt, *pg_query.Node_DoStmt, *pg_query.Node_CommentStmt,
		*pg_query.Node_AlterTableMoveAllStmt, *pg_query.Node_CreateSeqStmt, *pg_query.Node_ExplainStmt,
		*pg_query.Node_CopyStmt, *pg_query.Node_CreateDomainStmt, *pg_query.Node_CreateSchemaStmt,
		*pg_query.Node_CreateExtensionStmt, *pg_query.Node_AlterExtensionStmt, *pg_query.Node_AlterOwnerStmt:
		return classModelled
	case
		// Session, transaction and cursor control; no relation lock.
		*pg_query.Node_VariableShowStmt, *pg_query.Node_DiscardStmt, *pg_query.Node_ConstraintsSetStmt,
		*pg_query.Node_NotifyStmt, *pg_query.Node_ListenStmt, *pg_query.Node_UnlistenStmt,
		*pg_query.Node_PrepareStmt, *pg_query.Node_DeallocateStmt, *pg_query.Node_DeclareCursorStmt,
		*pg_query.Node_ClosePortalStmt, *pg_query.Node_FetchStmt, *pg_query.Node_LoadStmt,
		*pg_query.Node_CheckPointStmt,
		// New non-relation objects: functions, types, domains, casts, roles,
		// schemas, languages, foreign-data wrappers, subscriptions, ...
		*pg_query.Node_CreateFunctionStmt, *pg_query.Node_DefineStmt,
		*pg_query.Node_CompositeTypeStmt, *pg_query.Node_CreateRangeStmt,
		*pg_query.Node_CreateRoleStmt, *pg_query.Node_AlterRoleStmt,
		*pg_query.Node_AlterRoleSetStmt, *pg_query.Node_DropRoleStmt, *pg_query.Node_CreatedbStmt,
		*pg_query.Node_CreateTableSpaceStmt, *pg_query.Node_DropTableSpaceStmt,
		*pg_query.Node_AlterTableSpaceOptionsStmt, *pg_query.Node_CreateCastStmt,
		*pg_query.Node_CreateConversionStmt, *pg_query.Node_CreateTransformStmt,
		*pg_query.Node_CreateOpClassStmt, *pg_query.Node_CreateOpFamilyStmt, *pg_query.Node_AlterOpFamilyStmt,
		*pg_query.Node_CreateAmStmt, *pg_query.Node_CreatePlangStmt, *pg_query.Node_CreateFdwStmt,
		*pg_query.Node_AlterFdwStmt, *pg_query.Node_CreateForeignServerStmt, *pg_query.Node_AlterForeignServerStmt,
		*pg_query.Node_CreateUserMappingStmt, *pg_query.Node_AlterUserMappingStmt, *pg_query.Node_DropUserMappingStmt,
		*pg_query.Node_CreateForeignTableStmt, *pg_query.Node_ImportForeignSchemaStmt,
		*pg_query.Node_CreateEventTrigStmt, *pg_query.Node_AlterEventTrigStmt,
		*pg_query.Node_CreateSubscriptionStmt, *pg_query.Node_AlterSubscriptionStmt, *pg_query.Node_DropSubscriptionStmt,
		*pg_query.Node_AlterFunctionStmt, *pg_query.Node_AlterOperatorStmt, *pg_query.Node_AlterCollationStmt,
		*pg_query.Node_AlterTsdictionaryStmt, *pg_query.Node_AlterTsconfigurationStmt,
		*pg_query.Node_AlterDatabaseStmt, *pg_query.Node_AlterDatabaseSetStmt,
		*pg_query.Node_AlterDatabaseRefreshCollStmt, *pg_query.Node_AlterSystemStmt,
		*pg_query.Node_AlterExtensionContentsStmt, *pg_query.Node_AlterDefaultPrivilegesStmt,
		*pg_query.Node_GrantRoleStmt,
		// GRANT/REVOKE rewrite the relation's pg_class.relacl in place and
		// take no heavyweight lock on it (checked by TestLockFreeOnPostgres).
		*pg_query.Node_GrantStmt:
		return classLockFree
	}
	return classNotModelled
}

// notModelledLock is the lock a statement kind no rule models takes on its
// relation, from the PostgreSQL reference page of the command, or lockNone
// when it is not known here.
func notModelledLock(n *pg_query.Node) lockMode {
	switch n.GetNode().(type) {
	case *pg_query.Node_CreatePolicyStmt, *pg_query.Node_AlterPolicyStmt, // CREATE POLICY: ACCESS EXCLUSIVE
		*pg_query.Node_RuleStmt,              // CREATE RULE: ACCESS EXCLUSIVE
		*pg_query.Node_AlterObjectSchemaStmt, // ALTER TABLE ... SET SCHEMA: ACCESS EXCLUSIVE
		*pg_query.Node_ReassignOwnedStmt, *pg_query.Node_DropOwnedStmt:
		return lockAccessExclusive
	case *pg_query.Node_AlterSeqStmt: // ALTER SEQUENCE: SHARE ROW EXCLUSIVE (sequence.c)
		return lockShareRowExclusive
	case *pg_query.Node_CreateStatsStmt, *pg_query.Node_AlterStatsStmt, // CREATE STATISTICS: SHARE UPDATE EXCLUSIVE
		*pg_query.Node_CreatePublicationStmt, *pg_query.Node_AlterPublicationStmt, // publication tables: SHARE UPDATE EXCLUSIVE
		*pg_query.Node_SecLabelStmt: // SECURITY LABEL: SHARE UPDATE EXCLUSIVE, like COMMENT
		return lockShareUpdateExclusive
	}
	return lockNone
}

// notModelled reports a statement that no rule models: RuleNotModelled,
// naming the lock it takes on rel when known. A relation created earlier in
// the file is invisible to other sessions and not reported.
func (a *analyzer) notModelled(e *effect, rel string, mode lockMode, what string) {
	if rel != "" && a.isNew(rel) {
		return
	}
	if what == "" {
		what = statementVerb(a.cur.SQL)
	}
	lock := mode.String()
	if lock == "" {
		lock = "an unknown lock (up to ACCESS EXCLUSIVE)"
	}
	var msg string
	if rel == "" {
		msg = "not modelled: " + what + " may take locks on existing relations that the analyser does not see; check it by hand or trace it"
	} else {
		msg = "not modelled: " + what + " takes " + lock + " on " + rel + "; check it by hand or trace it"
		if mode != lockNone {
			a.lock(e, rel, mode)
		} else {
			a.lock(e, rel, lockAccessExclusive)
		}
	}
	a.add(RuleNotModelled, "", rel, mode, false, false, msg,
		"Run it against a copy of the database with `migratecheck trace -db URL FILE` to see the locks it takes and whether it rewrites, or suppress with -- deploykit:ignore DKM090 once checked by hand.")
}

// statementVerb is the statement's first words, upper-cased, for messages:
// "CREATE POLICY", "ALTER SEQUENCE".
func statementVerb(sql string) string {
	f := strings.Fields(sql)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.ToUpper(strings.Join(f, " "))
}

var rangeVarType = reflect.TypeOf((*pg_query.RangeVar)(nil))

// firstRangeVar finds the first table reference anywhere in a parse tree,
// for statements no rule models. It walks the protobuf structs by
// reflection, which is slow but only runs for such statements.
func firstRangeVar(v reflect.Value, depth int) *pg_query.RangeVar {
	if depth > 64 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Type() == rangeVarType {
			return v.Interface().(*pg_query.RangeVar)
		}
		return firstRangeVar(v.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			if rv := firstRangeVar(v.Field(i), depth+1); rv != nil {
				return rv
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if rv := firstRangeVar(v.Index(i), depth+1); rv != nil {
				return rv
			}
		}
	}
	return nil
}

// unmodelledStatement handles a statement kind of classNotModelled.
func (a *analyzer) unmodelledStatement(n *pg_query.Node, e *effect) {
	mode := notModelledLock(n)
	rel := ""
	switch s := n.GetNode().(type) {
	case *pg_query.Node_AlterSeqStmt:
		rel = relName(s.AlterSeqStmt.Sequence)
	case *pg_query.Node_AlterObjectSchemaStmt:
		rel = relName(s.AlterObjectSchemaStmt.Relation)
		if rel == "" {
			// ALTER FUNCTION/TYPE ... SET SCHEMA: no relation is locked,
			// but dependants may break; report without a relation.
			a.notModelled(e, "", lockNone, "")
			return
		}
	default:
		if rv := firstRangeVar(reflect.ValueOf(n), 0); rv != nil {
			rel = relName(rv)
		}
	}
	a.notModelled(e, rel, mode, "")
}

// hasWord reports whether s contains word (ASCII, case-insensitive) as a
// whole word.
func hasWord(s, word string) bool {
	ls := strings.ToLower(s)
	for i := 0; ; {
		j := strings.Index(ls[i:], word)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isIdentByte(ls[j-1])
		after := j+len(word) >= len(ls) || !isIdentByte(ls[j+len(word)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

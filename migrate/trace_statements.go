package migrate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// txControl classifies transaction-control statements in a migration file.
type txControl int

const (
	txNone     txControl = iota
	txBegin              // BEGIN / START TRANSACTION
	txCommit             // COMMIT / END
	txRollback           // ROLLBACK
	txOther              // SAVEPOINT, PREPARE TRANSACTION, ...
)

// liveStatement is one statement of a migration file as the live-database
// code (Trace, Apply) sees it.
type liveStatement struct {
	SQL           string
	Line, Column  int
	Operation     string // Django operation from a "-- Add field ..." comment
	Transactional bool   // false: must run outside a transaction block
	Control       txControl
	NonTxReason   string // why it cannot run in a transaction
	IndexSchema   string // for CREATE INDEX CONCURRENTLY: the index created
	IndexName     string
}

// liveStatements splits src with SplitStatements and adds what the live
// code needs: transaction-control kind, why a statement cannot run in a
// transaction, and the index a CREATE INDEX CONCURRENTLY builds.
func liveStatements(path string, src []byte) ([]liveStatement, error) {
	stmts, err := SplitStatements(path, src)
	if err != nil {
		return nil, err
	}
	out := make([]liveStatement, 0, len(stmts))
	for _, s := range stmts {
		st := liveStatement{SQL: s.SQL, Line: s.Line, Column: s.Column, Operation: s.Operation}
		liveClassify(&st)
		out = append(out, st)
	}
	return out, nil
}

// liveClassify parses one statement and fills the classification fields of
// st.
func liveClassify(st *liveStatement) {
	st.Transactional = true
	res, err := pg_query.Parse(st.SQL)
	if err != nil || len(res.Stmts) == 0 {
		return
	}
	liveClassifyNode(res.Stmts[0].Stmt, st)
}

func liveClassifyNode(n *pg_query.Node, st *liveStatement) {
	if n == nil {
		return
	}
	nonTx := func(why string) {
		st.Transactional = false
		st.NonTxReason = why
	}
	switch {
	case n.GetTransactionStmt() != nil:
		switch n.GetTransactionStmt().Kind {
		case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
			st.Control = txBegin
		case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
			st.Control = txCommit
		case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			st.Control = txRollback
		default:
			st.Control = txOther
		}
	case n.GetIndexStmt() != nil:
		is := n.GetIndexStmt()
		if is.Concurrent {
			nonTx("CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
			st.IndexName = is.Idxname
			if is.Relation != nil {
				st.IndexSchema = is.Relation.Schemaname
			}
		}
	case n.GetDropStmt() != nil && n.GetDropStmt().Concurrent:
		nonTx("DROP INDEX CONCURRENTLY cannot run inside a transaction block")
	case n.GetReindexStmt() != nil:
		rs := n.GetReindexStmt()
		for _, p := range rs.Params {
			if d := p.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "concurrently") {
				nonTx("REINDEX CONCURRENTLY cannot run inside a transaction block")
			}
		}
		if rs.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_DATABASE || rs.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_SYSTEM {
			nonTx("REINDEX DATABASE/SYSTEM cannot run inside a transaction block")
		}
	case n.GetVacuumStmt() != nil && n.GetVacuumStmt().IsVacuumcmd:
		nonTx("VACUUM cannot run inside a transaction block")
	case n.GetClusterStmt() != nil && n.GetClusterStmt().Relation == nil:
		nonTx("CLUSTER without a table cannot run inside a transaction block")
	case n.GetCreatedbStmt() != nil, n.GetDropdbStmt() != nil:
		nonTx("CREATE/DROP DATABASE cannot run inside a transaction block")
	case n.GetCreateTableSpaceStmt() != nil, n.GetDropTableSpaceStmt() != nil:
		nonTx("CREATE/DROP TABLESPACE cannot run inside a transaction block")
	case n.GetAlterSystemStmt() != nil:
		nonTx("ALTER SYSTEM cannot run inside a transaction block")
	case n.GetAlterTableStmt() != nil:
		for _, c := range n.GetAlterTableStmt().Cmds {
			cmd := c.GetAlterTableCmd()
			if cmd == nil || cmd.Subtype != pg_query.AlterTableType_AT_DetachPartition || cmd.Def == nil {
				continue
			}
			if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
				nonTx("DETACH PARTITION CONCURRENTLY cannot run inside a transaction block")
			}
		}
	}
}

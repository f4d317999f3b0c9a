package migrate

import (
	"sort"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// ATTACH PARTITION skips its scan of the partition when the partition's
// valid CHECK constraints (and NOT NULL columns) imply the partition
// constraint (ALTER TABLE docs, ATTACH PARTITION: "If such a constraint
// exists, the table scan ... will be skipped"; partbounds.c
// PartConstraintImpliedByRelConstraint). The analyser proves it only in the
// documented pattern: a partitioned table with a single plain column as its
// RANGE or LIST key, created in the analysed set, and a partition whose
// CHECK constraints, known from the analysed set and valid at the ATTACH
// (CREATE TABLE ... CHECK, ADD CONSTRAINT ... CHECK, or NOT VALID followed
// by VALIDATE CONSTRAINT), contain the conjuncts of PostgreSQL's own
// partition constraint:
//
//	RANGE FROM (a) TO (b):  col >= a AND col < b  (MINVALUE/MAXVALUE drop a side)
//	LIST IN (x):            col = x
//	LIST IN (x, y, ...):    col IN (x, y, ...) or col = ANY (ARRAY[x, y, ...]), the same values
//
// plus col IS NOT NULL, from a NOT NULL column or an explicit IS NOT NULL
// conjunct: PostgreSQL proves the bound by weak implication, so the
// comparisons alone (NULL for a NULL col, which a CHECK lets pass) do not
// exclude NULL. Constants must
// be written alike in the bound and the CHECK (a cast only to the key
// column's own declared type, as in the docs' DATE '2008-02-01'). Anything else,
// including multi-column keys, expression keys, HASH bounds, and partitions
// or parents that predate the analysed set, keeps the scan claim.
// TestAttachPartitionCheckOnPostgres checks each case on the real server
// through pg_stat_xact_all_tables.seq_scan.

// partKey is a partitioned table's key: its strategy and, when the key is
// a single plain column, that column ("" otherwise).
type partKey struct {
	strategy pg_query.PartitionStrategy
	col      string
}

func partKeyOf(ps *pg_query.PartitionSpec) *partKey {
	if ps == nil {
		return nil
	}
	k := &partKey{strategy: ps.Strategy}
	if len(ps.PartParams) == 1 {
		if el := ps.PartParams[0].GetPartitionElem(); el != nil && el.Name != "" && el.Expr == nil && len(el.Collation) == 0 && len(el.Opclass) == 0 {
			k.col = el.Name
		}
	}
	return k
}

// constText renders a literal for comparison: "i:1", "s:2024-01-01";
// "" for anything that is not a plain constant. A cast of a constant to
// the key column's own declared type (DATE '2024-01-01', '1'::integer) is
// the constant: that is what PostgreSQL coerces the bound to.
func constText(n *pg_query.Node, keyType *colType) string {
	if tc := n.GetTypeCast(); tc != nil {
		if t, ok := typeOf(tc.TypeName); ok && keyType != nil && sameType(t, *keyType) {
			return constText(tc.Arg, nil)
		}
		return ""
	}
	c := n.GetAConst()
	if c == nil || c.Isnull {
		return ""
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return "i:" + strconv.Itoa(int(v.Ival.Ival))
	case *pg_query.A_Const_Fval:
		return "f:" + v.Fval.Fval
	case *pg_query.A_Const_Sval:
		return "s:" + v.Sval.Sval
	case *pg_query.A_Const_Boolval:
		return "b:" + strconv.FormatBool(v.Boolval.Boolval)
	}
	return ""
}

func sameType(a, b colType) bool {
	if a.name != b.name || a.array != b.array || len(a.mods) != len(b.mods) {
		return false
	}
	for i := range a.mods {
		if a.mods[i] != b.mods[i] {
			return false
		}
	}
	return true
}

func plainColumn(n *pg_query.Node) string {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 {
		return ""
	}
	return cr.Fields[0].GetString_().GetSval()
}

var flippedOp = map[string]string{">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "="}

// conjuncts flattens a CHECK expression's top-level ANDs into normalised
// conjuncts: "col IS NOT NULL", "col >= i:1", "col IN i:1,i:2" (values
// sorted). A conjunct of another shape becomes "?" and proves nothing.
func conjuncts(n *pg_query.Node, keyType *colType, out []string) []string {
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_AND_EXPR {
		for _, a := range b.Args {
			out = conjuncts(a, keyType, out)
		}
		return out
	}
	if nt := n.GetNullTest(); nt != nil {
		if col := plainColumn(nt.Arg); col != "" && nt.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL {
			return append(out, col+" IS NOT NULL")
		}
		return append(out, "?")
	}
	x := n.GetAExpr()
	if x == nil || len(x.Name) != 1 {
		return append(out, "?")
	}
	op := x.Name[0].GetString_().GetSval()
	switch x.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if _, ok := flippedOp[op]; !ok {
			break
		}
		if col, c := plainColumn(x.Lexpr), constText(x.Rexpr, keyType); col != "" && c != "" {
			return append(out, col+" "+op+" "+c)
		}
		if col, c := plainColumn(x.Rexpr), constText(x.Lexpr, keyType); col != "" && c != "" {
			return append(out, col+" "+flippedOp[op]+" "+c)
		}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		// col IN (x) is parsed as col = x; col IN (x, y) as = ANY.
		if op != "=" {
			break
		}
		if col := plainColumn(x.Lexpr); col != "" {
			if vals := constList(x.Rexpr.GetList().GetItems(), keyType); vals != nil {
				if len(vals) == 1 {
					return append(out, col+" = "+vals[0])
				}
				return append(out, col+" IN "+strings.Join(vals, ","))
			}
		}
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY:
		if op != "=" {
			break
		}
		if col := plainColumn(x.Lexpr); col != "" {
			if arr := x.Rexpr.GetAArrayExpr(); arr != nil {
				if vals := constList(arr.Elements, keyType); len(vals) > 1 {
					return append(out, col+" IN "+strings.Join(vals, ","))
				}
			}
		}
	}
	return append(out, "?")
}

// constList renders the constants, sorted; nil when one is not a constant.
func constList(items []*pg_query.Node, keyType *colType) []string {
	if len(items) == 0 {
		return nil
	}
	var vals []string
	for _, it := range items {
		c := constText(it, keyType)
		if c == "" {
			return nil
		}
		vals = append(vals, c)
	}
	sort.Strings(vals)
	return vals
}

// boundConjuncts are the conjuncts of PostgreSQL's partition constraint
// for bound on key, without the IS NOT NULL; ok is false when the bound is
// not one the analyser proves (HASH, DEFAULT, NULL in a list, expressions).
func boundConjuncts(key *partKey, keyType *colType, b *pg_query.PartitionBoundSpec) (need []string, ok bool) {
	if key == nil || key.col == "" || b == nil || b.IsDefault {
		return nil, false
	}
	col := key.col
	switch {
	case key.strategy == pg_query.PartitionStrategy_PARTITION_STRATEGY_RANGE && b.Strategy == "r":
		if len(b.Lowerdatums) != 1 || len(b.Upperdatums) != 1 {
			return nil, false
		}
		for i, d := range []*pg_query.Node{b.Lowerdatums[0], b.Upperdatums[0]} {
			if kw := plainColumn(d); kw == "minvalue" || kw == "maxvalue" {
				continue
			}
			c := constText(d, keyType)
			if c == "" {
				return nil, false
			}
			if i == 0 {
				need = append(need, col+" >= "+c)
			} else {
				need = append(need, col+" < "+c)
			}
		}
		return need, true
	case key.strategy == pg_query.PartitionStrategy_PARTITION_STRATEGY_LIST && b.Strategy == "l":
		vals := constList(b.Listdatums, keyType)
		if vals == nil {
			return nil, false
		}
		if len(vals) == 1 {
			return []string{col + " = " + vals[0]}, true
		}
		return []string{col + " IN " + strings.Join(vals, ",")}, true
	}
	return nil, false
}

// attachProvenByCheck reports whether the partition's valid CHECK
// constraints imply the bound it is attached with, so ATTACH PARTITION
// does not scan it, and names the constraints that prove it.
func (a *analyzer) attachProvenByCheck(parent, part string, b *pg_query.PartitionBoundSpec) (string, bool) {
	pt, tt := a.cat.tables[parent], a.cat.tables[part]
	if pt == nil || tt == nil || pt.file < 0 || tt.file < 0 || tt.partKey != nil {
		return "", false
	}
	// The key column's declared type, for casts of the constants: the
	// partition's column when its type is known, else the parent's.
	var keyType *colType
	if pt.partKey != nil {
		for _, t := range []*tableInfo{tt, pt} {
			if c := t.cols[pt.partKey.col]; c != nil && c.typeKnown {
				kt := c.typ
				keyType = &kt
				break
			}
		}
	}
	need, ok := boundConjuncts(pt.partKey, keyType, b)
	if !ok || len(need) == 0 {
		return "", false
	}
	have := map[string]string{}
	for name, c := range tt.cons {
		if c.check == nil || c.notValid {
			continue
		}
		for _, cj := range conjuncts(c.check, keyType, nil) {
			have[cj] = name
		}
	}
	var by []string
	for _, n := range need {
		name, ok := have[n]
		if !ok {
			return "", false
		}
		by = append(by, name)
	}
	// PostgreSQL's proof is a weak implication (a CHECK that yields NULL
	// passes), so the comparisons do not give "col IS NOT NULL": it must
	// be a conjunct of a valid CHECK or the column must be NOT NULL
	// (observed on PostgreSQL 15: CHECK (ts >= a AND ts < b) on a nullable
	// ts still scans).
	col := pt.partKey.col
	if name, ok := have[col+" IS NOT NULL"]; ok {
		by = append(by, name)
	} else if c := tt.cols[col]; c == nil || !c.notNull {
		return "", false
	}
	sort.Strings(by)
	var names []string
	for i, n := range by {
		if i == 0 || by[i-1] != n {
			if strings.HasPrefix(n, "\x00") {
				n = "a CHECK of CREATE TABLE"
			}
			names = append(names, n)
		}
	}
	return strings.Join(names, ", "), true
}

// recordCheck remembers a CHECK constraint's expression for the ATTACH
// PARTITION proof; unnamed ones (CREATE TABLE ... CHECK (...)) get a
// private key no VALIDATE or DROP CONSTRAINT names.
func (t *tableInfo) recordCheck(name string, c *pg_query.Constraint, info *constraintInfo) {
	if c.Contype != pg_query.ConstrType_CONSTR_CHECK || c.RawExpr == nil {
		return
	}
	if info == nil {
		info = &constraintInfo{notValid: c.SkipValidation}
	}
	info.check = c.RawExpr
	if name == "" {
		name = "\x00check" + strconv.Itoa(len(t.cons))
	}
	t.cons[name] = info
}

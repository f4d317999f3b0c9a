package migrate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// colType is a column type reduced to what decides rewrites: a canonical
// base name and its type modifiers (varchar(300) -> "varchar", [300]).
type colType struct {
	name  string
	mods  []int32
	array bool
}

// typeAliases maps the parser's type names to one canonical name.
var typeAliases = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4", "serial": "int4", "serial4": "int4",
	"bigint": "int8", "int8": "int8", "bigserial": "int8", "serial8": "int8",
	"smallint": "int2", "int2": "int2", "smallserial": "int2", "serial2": "int2",
	"varchar": "varchar", "character varying": "varchar",
	"bpchar": "bpchar", "char": "bpchar", "character": "bpchar",
	"text": "text", "citext": "citext",
	"numeric": "numeric", "decimal": "numeric",
	"float8": "float8", "double precision": "float8", "float4": "float4", "real": "float4",
	"bool": "bool", "boolean": "bool",
	"timestamp": "timestamp", "timestamptz": "timestamptz",
	"varbit": "varbit", "bit varying": "varbit", "bit": "bit",
	"cidr": "cidr", "inet": "inet",
}

func typeOf(tn *pg_query.TypeName) (colType, bool) {
	if tn == nil || len(tn.Names) == 0 {
		return colType{}, false
	}
	name := strings.ToLower(tn.Names[len(tn.Names)-1].GetString_().GetSval())
	if canon, ok := typeAliases[name]; ok {
		name = canon
	}
	t := colType{name: name, array: len(tn.ArrayBounds) > 0}
	for _, m := range tn.Typmods {
		if c := m.GetAConst(); c != nil && c.GetIval() != nil {
			t.mods = append(t.mods, c.GetIval().Ival)
		} else {
			t.mods = append(t.mods, -1)
		}
	}
	return t, name != ""
}

// typeDisplay spells canonical names the way people write them.
var typeDisplay = map[string]string{
	"int4": "integer", "int8": "bigint", "int2": "smallint", "float8": "double precision",
	"float4": "real", "bpchar": "char", "bool": "boolean",
}

// String renders the type for messages: varchar(300), numeric(10,2).
func (t colType) String() string {
	s := t.name
	if d, ok := typeDisplay[s]; ok {
		s = d
	}
	if len(t.mods) > 0 {
		parts := make([]string, len(t.mods))
		for i, m := range t.mods {
			parts[i] = itoa(int(m))
		}
		s += "(" + strings.Join(parts, ",") + ")"
	}
	if t.array {
		s += "[]"
	}
	return s
}

func isSerialType(tn *pg_query.TypeName) bool {
	if tn == nil || len(tn.Names) == 0 {
		return false
	}
	switch strings.ToLower(tn.Names[len(tn.Names)-1].GetString_().GetSval()) {
	case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2":
		return true
	}
	return false
}

// typeChange classifies old -> new (ALTER TABLE docs, Notes: "a table
// rewrite is not needed ... if the old type is binary coercible to the new
// type"; pg_cast marks varchar->text, text->varchar, cidr->inet binary
// coercible; the varchar, numeric and varbit length coercions are skipped
// when the new modifier does not constrain more than the old one).
type typeChange int

const (
	typeChangeSafe    typeChange = iota // no rewrite, no index rebuild
	typeChangeRewrite                   // table and indexes rewritten
	typeChangeTZ                        // timestamp -> timestamptz: no rewrite only when TimeZone is UTC (PG 12+)
)

func classifyTypeChange(old, new colType, major int) typeChange {
	if old.array != new.array {
		return typeChangeRewrite
	}
	if old.name == new.name {
		switch old.name {
		case "varchar", "varbit":
			if len(new.mods) == 0 {
				return typeChangeSafe
			}
			if len(old.mods) == 0 || new.mods[0] < old.mods[0] {
				return typeChangeRewrite
			}
			return typeChangeSafe
		case "numeric":
			if len(new.mods) == 0 {
				return typeChangeSafe
			}
			if len(old.mods) == 0 {
				return typeChangeRewrite
			}
			os, ns := int32(0), int32(0)
			if len(old.mods) > 1 {
				os = old.mods[1]
			}
			if len(new.mods) > 1 {
				ns = new.mods[1]
			}
			if os == ns && new.mods[0] >= old.mods[0] {
				return typeChangeSafe
			}
			return typeChangeRewrite
		}
		if equalMods(old.mods, new.mods) {
			return typeChangeSafe
		}
		return typeChangeRewrite
	}
	switch {
	case old.name == "varchar" && new.name == "text":
		return typeChangeSafe
	case old.name == "text" && new.name == "varchar" && len(new.mods) == 0:
		return typeChangeSafe
	case old.name == "text" && new.name == "citext", old.name == "citext" && new.name == "text":
		// citext is binary compatible with text but indexes must be rebuilt.
		return typeChangeRewrite
	case old.name == "cidr" && new.name == "inet":
		return typeChangeSafe
	case old.name == "timestamp" && new.name == "timestamptz" && major >= 12:
		return typeChangeTZ
	}
	return typeChangeRewrite
}

func equalMods(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// widenable reports whether a change to t can be a binary-coercible
// widening from some other type, so an unknown old type leaves doubt.
func widenable(t colType) bool {
	switch t.name {
	case "varchar", "text", "numeric", "varbit", "inet", "timestamptz":
		return !t.array
	}
	return false
}

// Volatility of a default expression.
type volatility int

const (
	nonVolatile     volatility = iota // constant, cast of a constant, now(), ...
	unknownFunction                   // a function whose volatility is not known here
	volatile                          // gen_random_uuid(), random(), nextval(), ...
)

// volatileFuncs are the built-in VOLATILE functions a default might call
// (pg_proc.provolatile = 'v').
var volatileFuncs = map[string]bool{
	"gen_random_uuid": true, "uuid_generate_v1": true, "uuid_generate_v1mc": true, "uuid_generate_v4": true,
	"uuidv4": true, "uuidv7": true,
	"random": true, "random_normal": true, "setseed": true, "nextval": true, "currval": true, "lastval": true,
	"clock_timestamp": true, "timeofday": true, "txid_current": true, "pg_current_xact_id": true,
}

// stableFuncs are built-in functions that are STABLE or IMMUTABLE, so a
// default calling them is evaluated once and stored in the catalog.
var stableFuncs = map[string]bool{
	"now": true, "statement_timestamp": true, "transaction_timestamp": true, "current_setting": true,
	"lower": true, "upper": true, "concat": true, "length": true, "make_interval": true, "to_timestamp": true,
	"to_date": true, "date_trunc": true, "jsonb_build_object": true, "json_build_object": true,
	"jsonb_build_array": true, "json_build_array": true, "to_jsonb": true, "to_json": true, "array_fill": true,
	"md5": true, "abs": true, "round": true, "timezone": true, "make_date": true, "make_timestamp": true,
	"make_timestamptz": true, "btrim": true, "trim": true, "replace": true, "substring": true, "pg_catalog": true,
}

func exprVolatility(n *pg_query.Node) (volatility, string) {
	if n == nil {
		return nonVolatile, ""
	}
	switch x := n.GetNode().(type) {
	case *pg_query.Node_FuncCall:
		name := funcName(x.FuncCall)
		v, fn := nonVolatile, ""
		switch {
		case volatileFuncs[name]:
			return volatile, name
		case !stableFuncs[name]:
			v, fn = unknownFunction, name
		}
		for _, a := range x.FuncCall.Args {
			if av, an := exprVolatility(a); av > v {
				v, fn = av, an
			}
		}
		return v, fn
	case *pg_query.Node_TypeCast:
		return exprVolatility(x.TypeCast.Arg)
	case *pg_query.Node_AExpr:
		lv, ln := exprVolatility(x.AExpr.Lexpr)
		rv, rn := exprVolatility(x.AExpr.Rexpr)
		if rv > lv {
			return rv, rn
		}
		return lv, ln
	case *pg_query.Node_BoolExpr:
		return maxVolatility(x.BoolExpr.Args)
	case *pg_query.Node_CoalesceExpr:
		return maxVolatility(x.CoalesceExpr.Args)
	case *pg_query.Node_AArrayExpr:
		return maxVolatility(x.AArrayExpr.Elements)
	case *pg_query.Node_MinMaxExpr:
		return maxVolatility(x.MinMaxExpr.Args)
	case *pg_query.Node_CaseExpr:
		v, fn := exprVolatility(x.CaseExpr.Defresult)
		for _, w := range x.CaseExpr.Args {
			if cw := w.GetCaseWhen(); cw != nil {
				for _, e := range []*pg_query.Node{cw.Expr, cw.Result} {
					if ev, en := exprVolatility(e); ev > v {
						v, fn = ev, en
					}
				}
			}
		}
		return v, fn
	case *pg_query.Node_SubLink:
		return unknownFunction, "subquery"
	}
	return nonVolatile, ""
}

func maxVolatility(ns []*pg_query.Node) (volatility, string) {
	v, fn := nonVolatile, ""
	for _, a := range ns {
		if av, an := exprVolatility(a); av > v {
			v, fn = av, an
		}
	}
	return v, fn
}

func funcName(f *pg_query.FuncCall) string {
	if len(f.Funcname) == 0 {
		return ""
	}
	return strings.ToLower(f.Funcname[len(f.Funcname)-1].GetString_().GetSval())
}

// notNullCheckColumn returns col when expr is exactly "col IS NOT NULL".
func notNullCheckColumn(expr *pg_query.Node) string {
	nt := expr.GetNullTest()
	if nt == nil || nt.Nulltesttype != pg_query.NullTestType_IS_NOT_NULL || nt.Argisrow {
		return ""
	}
	return columnRefName(nt.Arg)
}

func columnRefName(n *pg_query.Node) string {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 {
		return ""
	}
	return cr.Fields[len(cr.Fields)-1].GetString_().GetSval()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// pyString renders s as a Python string literal for Django fixes.
func pyString(s string) string {
	if !strings.ContainsAny(s, "'\\\n") {
		return "'" + s + "'"
	}
	return `"""` + strings.ReplaceAll(s, `"""`, `\"\"\"`) + `"""`
}

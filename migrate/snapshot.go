package migrate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what the live-database functions need from a connection: both
// *pgx.Conn and pgx.Tx satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Schema is a snapshot of the user-visible catalog of one database: every
// table, index, sequence and view outside pg_catalog, information_schema and
// the toast/temp schemas, with columns and constraints. Two snapshots are
// compared with DiffSchema.
type Schema struct {
	Relations []Relation `json:"relations"`
}

// Relation is one pg_class entry of a Schema.
type Relation struct {
	// OID identifies the relation across renames.
	OID uint32 `json:"oid"`
	// Schema and Name locate it (pg_namespace.nspname, pg_class.relname).
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Kind is "table", "partitioned table", "index", "partitioned index",
	// "sequence", "view", "materialized view" or "foreign table".
	Kind string `json:"kind"`
	// FileNode is pg_class.relfilenode: a change means the relation was
	// rewritten into a new file (0 for relations without storage).
	FileNode uint32 `json:"filenode"`
	// Table is the qualified table an index belongs to ("" otherwise).
	Table string `json:"table,omitempty"`
	// IndexDef is pg_get_indexdef for indexes.
	IndexDef string `json:"index_def,omitempty"`
	// IndexValid is pg_index.indisvalid (false for a failed CREATE INDEX
	// CONCURRENTLY).
	IndexValid bool `json:"index_valid,omitempty"`
	// Columns in attribute-number order (tables, views).
	Columns []Column `json:"columns,omitempty"`
	// Constraints sorted by name (tables).
	Constraints []Constraint `json:"constraints,omitempty"`
	// Rows is pg_class.reltuples rounded, -1 when unknown (never vacuumed
	// or analysed) or not read.
	Rows int64 `json:"rows"`
	// Bytes is pg_relation_size, -1 when not read.
	Bytes int64 `json:"bytes"`
}

// QualifiedName returns "schema.name".
func (r *Relation) QualifiedName() string { return r.Schema + "." + r.Name }

// Column is one attribute of a relation.
type Column struct {
	Num     int    `json:"num"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"not_null"`
	Default string `json:"default,omitempty"`
}

// Constraint is one pg_constraint entry of a table.
type Constraint struct {
	Name       string `json:"name"`
	Type       string `json:"type"` // "check", "foreign key", "primary key", "unique", "exclusion", "not null", "trigger"
	Definition string `json:"definition"`
	Validated  bool   `json:"validated"`
}

// Lookup returns the relation with the given OID, or nil.
func (s *Schema) Lookup(oid uint32) *Relation {
	for i := range s.Relations {
		if s.Relations[i].OID == oid {
			return &s.Relations[i]
		}
	}
	return nil
}

// ReadSchema snapshots the catalog of the database db is connected to,
// including table sizes (pg_class.reltuples and pg_relation_size). Reading
// sizes takes an ACCESS SHARE lock on each relation; use it outside a
// transaction that is being traced.
func ReadSchema(ctx context.Context, db Querier) (*Schema, error) {
	return readSchema(ctx, db, true)
}

const userRelationsFilter = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'`

// readSchema reads the catalog. Without sizes it takes no lock on any user
// relation (only syscache lookups), so it can run inside a traced
// transaction without disturbing pg_locks.
func readSchema(ctx context.Context, db Querier, sizes bool) (*Schema, error) {
	sizeExpr := "-1::int8"
	if sizes {
		sizeExpr = "CASE WHEN c.relkind IN ('r','m','i','S','t') THEN pg_relation_size(c.oid) ELSE -1 END"
	}
	rows, err := db.Query(ctx, `
SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, c.relfilenode::int8,
       CASE WHEN c.reltuples < 0 THEN -1 ELSE round(c.reltuples)::int8 END,
       `+sizeExpr+`,
       coalesce(tn.nspname || '.' || t.relname, ''),
       CASE WHEN c.relkind IN ('i','I') THEN pg_get_indexdef(c.oid) ELSE '' END,
       coalesce(i.indisvalid, false)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE c.relkind IN ('r','p','i','I','S','v','m','f') AND `+userRelationsFilter+`
ORDER BY n.nspname, c.relname`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read relations: %w", err)
	}
	s := &Schema{}
	byOID := map[uint32]int{}
	for rows.Next() {
		var r Relation
		var oid, fn int64
		var kind string
		if err := rows.Scan(&oid, &r.Schema, &r.Name, &kind, &fn, &r.Rows, &r.Bytes, &r.Table, &r.IndexDef, &r.IndexValid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: read relations: %w", err)
		}
		r.OID, r.FileNode, r.Kind = uint32(oid), uint32(fn), relkindName(kind)
		if r.Kind == "sequence" {
			r.Rows = -1
		}
		byOID[r.OID] = len(s.Relations)
		s.Relations = append(s.Relations, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read relations: %w", err)
	}

	rows, err = db.Query(ctx, `
SELECT a.attrelid::int8, a.attnum::int, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f') AND `+userRelationsFilter+`
ORDER BY a.attrelid, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read columns: %w", err)
	}
	for rows.Next() {
		var oid int64
		var col Column
		if err := rows.Scan(&oid, &col.Num, &col.Name, &col.Type, &col.NotNull, &col.Default); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: read columns: %w", err)
		}
		if i, ok := byOID[uint32(oid)]; ok {
			s.Relations[i].Columns = append(s.Relations[i].Columns, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read columns: %w", err)
	}

	rows, err = db.Query(ctx, `
SELECT con.conrelid::int8, con.conname, con.contype::text, pg_get_constraintdef(con.oid), con.convalidated
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE `+userRelationsFilter+`
ORDER BY con.conrelid, con.conname`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read constraints: %w", err)
	}
	for rows.Next() {
		var oid int64
		var con Constraint
		var typ string
		if err := rows.Scan(&oid, &con.Name, &typ, &con.Definition, &con.Validated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: read constraints: %w", err)
		}
		con.Type = contypeName(typ)
		if i, ok := byOID[uint32(oid)]; ok {
			s.Relations[i].Constraints = append(s.Relations[i].Constraints, con)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read constraints: %w", err)
	}
	return s, nil
}

func relkindName(k string) string {
	switch k {
	case "r":
		return "table"
	case "p":
		return "partitioned table"
	case "i":
		return "index"
	case "I":
		return "partitioned index"
	case "S":
		return "sequence"
	case "v":
		return "view"
	case "m":
		return "materialized view"
	case "f":
		return "foreign table"
	}
	return "relation(" + k + ")"
}

func contypeName(t string) string {
	switch t {
	case "c":
		return "check"
	case "f":
		return "foreign key"
	case "p":
		return "primary key"
	case "u":
		return "unique"
	case "x":
		return "exclusion"
	case "n":
		return "not null"
	case "t":
		return "trigger"
	}
	return t
}

// SchemaChange is one difference between two Schema snapshots.
type SchemaChange struct {
	// Action is one of: create, drop, rename, rewrite (a table or
	// materialized view got a new file), rebuild (an index got a new file),
	// add-column, drop-column, rename-column, alter-column, add-constraint,
	// drop-constraint, validate-constraint, alter-constraint, alter-index.
	Action string `json:"action"`
	// Relation is the qualified relation the change applies to (its name
	// after the change).
	Relation string `json:"relation"`
	// Object names the column or constraint, "" for relation-level changes.
	Object string `json:"object,omitempty"`
	// Detail says what changed ("type integer -> bigint", "index").
	Detail string `json:"detail,omitempty"`
}

// String renders the change as "action relation[.object] (detail)".
func (c SchemaChange) String() string {
	s := c.Action + " " + c.Relation
	if c.Object != "" {
		s += "." + c.Object
	}
	if c.Detail != "" {
		s += " (" + c.Detail + ")"
	}
	return s
}

// DiffSchema lists what changed from before to after. Relations are matched
// by OID and columns by attribute number, so renames are reported as
// renames; sizes are ignored. The result is sorted by relation, then action.
func DiffSchema(before, after *Schema) []SchemaChange {
	var out []SchemaChange
	old := map[uint32]*Relation{}
	for i := range before.Relations {
		old[before.Relations[i].OID] = &before.Relations[i]
	}
	seen := map[uint32]bool{}
	for i := range after.Relations {
		a := &after.Relations[i]
		seen[a.OID] = true
		b, ok := old[a.OID]
		if !ok {
			out = append(out, SchemaChange{Action: "create", Relation: a.QualifiedName(), Detail: a.Kind})
			continue
		}
		out = append(out, diffRelation(b, a)...)
	}
	for i := range before.Relations {
		b := &before.Relations[i]
		if !seen[b.OID] {
			out = append(out, SchemaChange{Action: "drop", Relation: b.QualifiedName(), Detail: b.Kind})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Relation != out[j].Relation {
			return out[i].Relation < out[j].Relation
		}
		if out[i].Action != out[j].Action {
			return out[i].Action < out[j].Action
		}
		return out[i].Object < out[j].Object
	})
	return out
}

func diffRelation(b, a *Relation) []SchemaChange {
	var out []SchemaChange
	name := a.QualifiedName()
	if b.QualifiedName() != name {
		out = append(out, SchemaChange{Action: "rename", Relation: name, Detail: "was " + b.QualifiedName()})
	}
	if b.FileNode != a.FileNode && b.FileNode != 0 {
		act := "rewrite"
		if a.Kind == "index" {
			act = "rebuild"
		}
		out = append(out, SchemaChange{Action: act, Relation: name, Detail: a.Kind})
	}
	if b.IndexDef != a.IndexDef || b.IndexValid != a.IndexValid {
		out = append(out, SchemaChange{Action: "alter-index", Relation: name, Detail: fmt.Sprintf("%s valid=%t -> %s valid=%t", b.IndexDef, b.IndexValid, a.IndexDef, a.IndexValid)})
	}
	oldCols := map[int]Column{}
	for _, c := range b.Columns {
		oldCols[c.Num] = c
	}
	newCols := map[int]bool{}
	for _, c := range a.Columns {
		newCols[c.Num] = true
		o, ok := oldCols[c.Num]
		if !ok {
			d := c.Type
			if c.NotNull {
				d += " not null"
			}
			if c.Default != "" {
				d += " default " + c.Default
			}
			out = append(out, SchemaChange{Action: "add-column", Relation: name, Object: c.Name, Detail: d})
			continue
		}
		if o.Name != c.Name {
			out = append(out, SchemaChange{Action: "rename-column", Relation: name, Object: c.Name, Detail: "was " + o.Name})
		}
		var parts []string
		if o.Type != c.Type {
			parts = append(parts, "type "+o.Type+" -> "+c.Type)
		}
		if o.NotNull != c.NotNull {
			if c.NotNull {
				parts = append(parts, "set not null")
			} else {
				parts = append(parts, "drop not null")
			}
		}
		if o.Default != c.Default {
			switch {
			case c.Default == "":
				parts = append(parts, "drop default")
			case o.Default == "":
				parts = append(parts, "set default "+c.Default)
			default:
				parts = append(parts, "default "+o.Default+" -> "+c.Default)
			}
		}
		if len(parts) > 0 {
			out = append(out, SchemaChange{Action: "alter-column", Relation: name, Object: c.Name, Detail: strings.Join(parts, ", ")})
		}
	}
	for _, c := range b.Columns {
		if !newCols[c.Num] {
			out = append(out, SchemaChange{Action: "drop-column", Relation: name, Object: c.Name, Detail: c.Type})
		}
	}
	oldCons := map[string]Constraint{}
	for _, c := range b.Constraints {
		oldCons[c.Name] = c
	}
	newCons := map[string]bool{}
	for _, c := range a.Constraints {
		newCons[c.Name] = true
		o, ok := oldCons[c.Name]
		switch {
		case !ok:
			d := c.Type + " " + c.Definition
			if !c.Validated {
				d += " (not valid)"
			}
			out = append(out, SchemaChange{Action: "add-constraint", Relation: name, Object: c.Name, Detail: d})
		case strings.TrimSuffix(o.Definition, " NOT VALID") != strings.TrimSuffix(c.Definition, " NOT VALID") || o.Type != c.Type:
			out = append(out, SchemaChange{Action: "alter-constraint", Relation: name, Object: c.Name, Detail: o.Definition + " -> " + c.Definition})
		case !o.Validated && c.Validated:
			out = append(out, SchemaChange{Action: "validate-constraint", Relation: name, Object: c.Name})
		case o.Validated && !c.Validated:
			out = append(out, SchemaChange{Action: "alter-constraint", Relation: name, Object: c.Name, Detail: "no longer validated"})
		}
	}
	for _, c := range b.Constraints {
		if !newCons[c.Name] {
			out = append(out, SchemaChange{Action: "drop-constraint", Relation: name, Object: c.Name, Detail: c.Type + " " + c.Definition})
		}
	}
	return out
}

package migrate

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

func TestSnapshotFromSchemaAndTemplate(t *testing.T) {
	admin := testenv.PostgresAdminURL(t)
	ctx := context.Background()
	const schema = `
CREATE TABLE shop_customer (id bigserial PRIMARY KEY, email varchar(40) NOT NULL UNIQUE, vip boolean NOT NULL, born date, meta jsonb);
CREATE TABLE shop_order (id uuid PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop_customer (id), total numeric(10,2) NOT NULL, placed timestamptz NOT NULL, code char(6) NOT NULL);`
	base, err := NewSnapshot(ctx, admin, SnapshotOptions{SchemaSQL: schema, Rows: map[string]int{"shop_customer": 300, "shop_order": 1200}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = base.Drop(context.Background()) })

	// A copy made with CREATE DATABASE ... TEMPLATE has the same schema and
	// rows, and statistics (reltuples) for sizing traces.
	clone, err := NewSnapshot(ctx, admin, SnapshotOptions{Template: base.Name})
	require.NoError(t, err)
	t.Cleanup(func() { _ = clone.Drop(context.Background()) })
	conn := connect(t, clone.URL)
	assert.Equal(t, 1200, count(t, conn, "SELECT count(*) FROM shop_order"))
	assert.Equal(t, 300, count(t, conn, "SELECT count(DISTINCT email) FROM shop_customer"))
	s, err := ReadSchema(ctx, conn)
	require.NoError(t, err)
	var orders *Relation
	for i := range s.Relations {
		if s.Relations[i].Name == "shop_order" {
			orders = &s.Relations[i]
		}
	}
	require.NotNil(t, orders)
	assert.Equal(t, int64(1200), orders.Rows)
	assert.Positive(t, orders.Bytes)
	assert.Len(t, orders.Columns, 5)

	require.NoError(t, clone.Drop(ctx))
	assert.Zero(t, count(t, connect(t, base.URL), "SELECT count(*) FROM pg_database WHERE datname = $1", clone.Name))

	_, err = NewSnapshot(ctx, admin, SnapshotOptions{SchemaSQL: "CREATE TABLE t (p point NOT NULL);", Rows: map[string]int{"t": 1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cannot generate values for NOT NULL column "p" of type point`)
}

func TestDiffSchemaPure(t *testing.T) {
	before := &Schema{Relations: []Relation{{OID: 1, Schema: "public", Name: "t", Kind: "table", FileNode: 10,
		Columns:     []Column{{Num: 1, Name: "a", Type: "integer"}, {Num: 2, Name: "b", Type: "text", Default: "'x'::text"}},
		Constraints: []Constraint{{Name: "c1", Type: "check", Definition: "CHECK ((a > 0)) NOT VALID"}}}}}
	after := &Schema{Relations: []Relation{{OID: 1, Schema: "public", Name: "t2", Kind: "table", FileNode: 11,
		Columns:     []Column{{Num: 1, Name: "a", Type: "bigint", NotNull: true}, {Num: 3, Name: "c", Type: "text"}},
		Constraints: []Constraint{{Name: "c1", Type: "check", Definition: "CHECK ((a > 0))", Validated: true}}},
		{OID: 2, Schema: "public", Name: "i", Kind: "index"}}}
	got := DiffSchema(before, after)
	var s []string
	for _, c := range got {
		s = append(s, c.String())
	}
	assert.Equal(t, []string{
		"create public.i (index)",
		"add-column public.t2.c (text)",
		"alter-column public.t2.a (type integer -> bigint, set not null)",
		"drop-column public.t2.b (text)",
		"rename public.t2 (was public.t)",
		"rewrite public.t2 (table)",
		"validate-constraint public.t2.c1",
	}, s)
	assert.Empty(t, DiffSchema(after, after))
}

package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

func TestWriteJSONMatchesSchema(t *testing.T) {
	sch, err := sarifcheck.Compile(JSONSchemaID, JSONSchema())
	require.NoError(t, err)
	one, err := sarifcheck.Compile(JSONSchemaID+"#/definitions/diagnostic", JSONSchema())
	require.NoError(t, err)

	all := append(append([]Diagnostic{}, ranged...), sample...)
	for name, diags := range map[string][]Diagnostic{"none": nil, "ranged": ranged, "all": all} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, FormatJSON, Tool{Name: "deploykit-test"}, nil, diags))
		require.NoError(t, sarifcheck.ValidateWith(sch, b.Bytes()), "%s: %s", name, b.String())
	}
	for _, d := range all {
		data, err := json.Marshal(d)
		require.NoError(t, err)
		assert.NoError(t, sarifcheck.ValidateWith(one, data), string(data))
	}

	// A field the schema does not document is caught: the schema is the
	// contract, kept in step with the code.
	bad := []byte(`{"schemaVersion": 1, "tool": "x", "diagnostics": [{"rule": "R", "severity": "error", "message": "m", "line": 1, "column": 1, "lineNumber": 1}]}`)
	assert.Error(t, sarifcheck.ValidateWith(sch, bad))
	assert.Error(t, sarifcheck.ValidateWith(sch, []byte(`{"schemaVersion": 2, "tool": "x", "diagnostics": []}`)))
}

// The stable fields keep their names and meaning (schema.md): a script
// written against schemaVersion 1 reads rule, severity, message, line and
// column; file, end_line, end_column, url and fixes sit beside them.
func TestWriteJSONFields(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, FormatJSON, Tool{Name: "deploykit-test"}, nil, ranged[:2]))
	var doc struct {
		SchemaVersion int              `json:"schemaVersion"`
		Tool          string           `json:"tool"`
		Diagnostics   []map[string]any `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.Equal(t, "deploykit-test", doc.Tool)
	d := doc.Diagnostics[0]
	for k, v := range map[string]any{"rule": "DK101", "severity": "warning", "message": "'as' should be upper case",
		"file": "Dockerfile", "line": 3.0, "column": 22.0, "end_line": 3.0, "end_column": 24.0, "fix": "write AS"} {
		assert.Equal(t, v, d[k], k)
	}
	assert.Equal(t, []any{map[string]any{"message": "write AS", "edits": []any{map[string]any{
		"line": 3.0, "column": 22.0, "end_line": 3.0, "end_column": 24.0, "new_text": "AS"}}}}, d["fixes"])
	ins := doc.Diagnostics[1]["fixes"].([]any)[0].(map[string]any)["edits"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"line": 2.0, "column": 13.0, "end_line": 2.0, "end_column": 13.0, "new_text": " CONCURRENTLY"}, ins,
		"an insertion is written as an empty range")

	var empty bytes.Buffer
	require.NoError(t, Write(&empty, FormatJSON, Tool{Name: "t"}, nil, nil))
	assert.JSONEq(t, `{"schemaVersion": 1, "tool": "t", "diagnostics": []}`, empty.String())
}

func TestDiagnosticJSONRoundTrip(t *testing.T) {
	for _, d := range ranged {
		data, err := json.Marshal(d)
		require.NoError(t, err)
		var back Diagnostic
		require.NoError(t, json.Unmarshal(data, &back))
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(data), string(again))
		assert.Equal(t, d.Rule, back.Rule)
		assert.Equal(t, d.End.Line, back.End.Line)
	}
}

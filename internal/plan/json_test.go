package plan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/strictjson"
)

// Positions below were counted in the source with Python's str.index
// (1-based line, byte column), not taken from the decoder.

func readProblems(t *testing.T, src string) []string {
	t.Helper()
	_, err := ReadJSON(strings.NewReader(src))
	var se *strictjson.Error
	require.True(t, errors.As(err, &se), "%v", err)
	assert.True(t, strings.HasPrefix(err.Error(), "plan: decode: "))
	var out []string
	for _, p := range se.Problems {
		out = append(out, p.String())
	}
	return out
}

// Every problem of a saved plan at once (encoding/json's
// DisallowUnknownFields stopped at the first), each at its place; a value
// given for a boolean is not quoted (it may be a secret).
func TestReadJSONReportsEveryProblem(t *testing.T) {
	src := "{\"schema_version\": \"1\", \"tool\": \"cdn\",\n" +
		" \"resources\": [{\"address\": {\"type\": \"t\", \"name\": \"n\"}, \"action\": \"Modify\", \"restarts\": \"yes\", \"fields\": [], \"unchnaged\": 1}]}"
	got := readProblems(t, src)
	assert.Equal(t, []string{
		"plan.json:2:88: /resources/0/restarts: expected a boolean, found a string",
		"plan.json:2:109: /resources/0/unchnaged: unknown field \"unchnaged\" (did you mean \"unchanged\"?)",
	}, got)
	assert.NotContains(t, strings.Join(got, "\n"), "yes")
}

// A name given twice is refused with both places (encoding/json kept the
// last one silently, so the digest was computed over a value the reviewer
// may not have seen).
func TestReadJSONDuplicateName(t *testing.T) {
	src := "{\"schema_version\": \"1\",\n \"tool\": \"a\",\n \"tool\": \"b\"}"
	assert.Equal(t, []string{`plan.json:3:2: /tool: duplicate field "tool" (first given at 2:2)`}, readProblems(t, src))
}

// A plan of another schema version says so, rather than listing the names
// that version added.
func TestReadJSONOtherSchemaVersion(t *testing.T) {
	_, err := ReadJSON(strings.NewReader(`{"schema_version": "2", "added_in_2": true}`))
	assert.EqualError(t, err, `plan: plan.json: schema_version "2", want "1"`)
}

// A file is named by its path; an oversized plan is refused, not cut short
// into a syntax error.
func TestReadJSONFileNameAndBounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "saved.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"schema_version": "1", "bogus": 1}`), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = ReadJSON(f)
	assert.ErrorContains(t, err, path+":1:25: /bogus: unknown field \"bogus\"")

	big := append([]byte(`{"schema_version": "1"}`), bytes.Repeat([]byte(" "), maxJSONBytes)...)
	_, err = ReadJSON(bytes.NewReader(big))
	assert.ErrorContains(t, err, "plan.json:1:1: larger than 67108864 bytes")

	deep := `{"schema_version": "1", "resources": [{"fields": [{"new": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}]}`
	_, err = ReadJSON(strings.NewReader(deep))
	assert.ErrorContains(t, err, "nested deeper than 64 levels")
}

// What WriteJSON writes, ReadJSON reads back with its digest.
func TestReadJSONRoundTripStrict(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, samplePlan().WriteJSON(&b))
	back, err := ReadJSON(&b)
	require.NoError(t, err)
	assert.Equal(t, samplePlan().Digest(), back.Digest())
}

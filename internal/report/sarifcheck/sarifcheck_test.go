package sarifcheck_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

func TestSchemaIsVendoredVerbatim(t *testing.T) {
	s := sarifcheck.Schema()
	assert.Len(t, s, 112318)
	sum := sha256.Sum256(s)
	assert.Equal(t, "80cd7ffb9b62a4162d541aa9170862dd264f6cce0f04c57f1ac9f2337b808958", hex.EncodeToString(sum[:]))
}

// The output the analysers wrote before issue 11 carried
// "artifactChanges": [] for fixes in words; SARIF requires at least one.
func TestEmptyArtifactChangesRejected(t *testing.T) {
	data, err := os.ReadFile("testdata/before-empty-artifactchanges.sarif")
	require.NoError(t, err)
	err = sarifcheck.Validate(data)
	var e *sarifcheck.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Error(), "/runs/0/results/0/fixes/0/artifactChanges")
	assert.Contains(t, e.Error(), "minItems")
}

func TestFixedLogAccepted(t *testing.T) {
	data, err := os.ReadFile("testdata/fixed.sarif")
	require.NoError(t, err)
	assert.NoError(t, sarifcheck.Validate(data))
}

func TestRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no version":          `{"runs": []}`,
		"wrong version":       `{"version": "2.0.0", "runs": []}`,
		"unknown property":    `{"version": "2.1.0", "runs": [], "results": []}`,
		"driver without name": `{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`,
		"result without message": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
			"results": [{"ruleId": "A"}]}]}`,
		"startLine 0": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
			"results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {
			"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}]}]}]}`,
		"bad level": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
			"results": [{"message": {"text": "m"}, "level": "info"}]}]}`,
		"helpUri not a URI": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x",
			"rules": [{"id": "A", "helpUri": "README.md#a"}]}}}]}`,
		"replacement without deletedRegion": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
			"results": [{"message": {"text": "m"}, "fixes": [{"artifactChanges": [{"artifactLocation": {"uri": "a"},
			"replacements": [{"insertedContent": {"text": "x"}}]}]}]}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			var e *sarifcheck.Error
			assert.ErrorAs(t, sarifcheck.Validate([]byte(doc)), &e)
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		err := sarifcheck.Validate([]byte(`{"version": `))
		require.Error(t, err)
		var e *sarifcheck.Error
		assert.NotErrorAs(t, err, &e)
	})
	data, err := os.ReadFile("testdata/not-sarif.json")
	require.NoError(t, err)
	assert.Error(t, sarifcheck.Validate(data))
}

func TestMinimalLogAccepted(t *testing.T) {
	assert.NoError(t, sarifcheck.Validate([]byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}`)))
}

func TestCompileRefusesRemoteReferences(t *testing.T) {
	_, err := sarifcheck.Compile("https://example.test/s.json", []byte(`{"$ref": "https://example.test/other.json"}`))
	assert.ErrorContains(t, err, "network")
}

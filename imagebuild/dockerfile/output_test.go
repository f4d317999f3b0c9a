package dockerfile

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteDiagnostics(t *testing.T) {
	diags := []Diagnostic{
		{Rule: RuleModulePath, Severity: SeverityError, Pos: Position{File: "Dockerfile", Line: 44, Column: 19}, Message: "bad module", SuggestedFixes: []SuggestedFix{{Message: "use x_y"}}},
		{Rule: "FromAsCasing", Severity: SeverityWarning, Pos: Position{File: "Dockerfile", Line: 2, Column: 1}, Message: "casing"},
	}
	var text bytes.Buffer
	require.NoError(t, WriteDiagnostics(&text, DiagnosticText, diags))
	assert.Equal(t, "Dockerfile:44:19: error: bad module [DK109]\n\tfix: use x_y\nDockerfile:2:1: warning: casing [FromAsCasing]\n", text.String())

	var js bytes.Buffer
	require.NoError(t, WriteDiagnostics(&js, DiagnosticJSON, diags))
	var doc struct {
		SchemaVersion int              `json:"schemaVersion"`
		Findings      []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	require.Len(t, doc.Findings, 2)
	// Today's fields keep their names; new ones sit beside them.
	f := doc.Findings[0]
	for k, v := range map[string]any{"rule": "DK109", "severity": "error", "file": "Dockerfile", "line": 44.0, "column": 19.0, "message": "bad module", "fix": "use x_y"} {
		assert.Equal(t, v, f[k], k)
	}

	var empty bytes.Buffer
	require.NoError(t, WriteDiagnostics(&empty, DiagnosticJSON, nil))
	assert.JSONEq(t, `{"schemaVersion":1,"findings":[]}`, empty.String())

	var sarif bytes.Buffer
	require.NoError(t, WriteDiagnostics(&sarif, DiagnosticSARIF, diags))
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &log))
	assert.Equal(t, "2.1.0", log.Version)
	require.Len(t, log.Runs, 1)
	var ids []string
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	assert.Contains(t, ids, "DK101")
	assert.Contains(t, ids, "FromAsCasing")
	require.Len(t, log.Runs[0].Results, 2)
	assert.Equal(t, "error", log.Runs[0].Results[0].Level)

	var gh bytes.Buffer
	require.NoError(t, WriteDiagnostics(&gh, DiagnosticGitHub, diags[:1]))
	assert.True(t, strings.HasPrefix(gh.String(), "::error file=Dockerfile,line=44,col=19,title=DK109::"))

	require.Error(t, WriteDiagnostics(&gh, "xml", diags))
}

// TestRuleDocs: every rule is documented in README.md under its ID, and
// the catalogue is complete and well-formed.
func TestRuleDocs(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, r := range Rules() {
		assert.False(t, seen[r.ID], "duplicate %s", r.ID)
		seen[r.ID] = true
		assert.Regexp(t, `^DK[0-9]{3}$`, r.ID)
		assert.NotEmpty(t, r.Name)
		assert.NotEmpty(t, r.Why)
		assert.NotEmpty(t, r.Alternative)
		assert.NotZero(t, r.Severity.Rank(), r.ID)
		assert.Contains(t, string(readme), "### "+r.ID+"\n", "README section for %s", r.ID)
		assert.Contains(t, string(readme), r.Summary, "README summary for %s", r.ID)
		got, ok := RuleByID(r.ID)
		assert.True(t, ok)
		assert.Equal(t, r, got)
	}
	apt, _ := RuleByID(RuleAptUnpinned)
	assert.Equal(t, SeverityInfo, apt.Severity, "DL3008 stays at info")
	_, ok := RuleByID("DK999")
	assert.False(t, ok)
}

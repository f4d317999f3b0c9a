package dockerfile

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/deploykit/deploykit/internal/report/sarifcheck"
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

var updateDocs = flag.Bool("update-docs", false, "rewrite the rule sections of README.md from Rules()")

// rulesMarkdown renders the catalogue as README sections.
func rulesMarkdown() string {
	var b strings.Builder
	for _, r := range Rules() {
		off := ""
		if r.OffByDefault {
			off = ", **off by default** (LintConfig.Enable)"
		}
		fmt.Fprintf(&b, "### %s\n\n`%s`, default severity **%s**%s. %s\n\n*Why:* %s\n\n*Instead:* %s\n\n", r.ID, r.Name, r.Severity, off, r.Summary, r.Why, r.Alternative)
	}
	return b.String()
}

// TestRuleDocs: every rule is documented in README.md under its ID, and
// the catalogue is complete and well-formed. -update-docs rewrites the
// sections.
func TestRuleDocs(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	if *updateDocs {
		s := string(readme)
		i := strings.Index(s, "\n### DK101\n")
		j := strings.Index(s, "\n## Generation")
		require.True(t, i > 0 && j > i, "README needs the rule sections before ## Generation")
		readme = []byte(s[:i+1] + rulesMarkdown() + s[j+1:])
		require.NoError(t, os.WriteFile("README.md", readme, 0o644))
	}
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

// TestSARIFValidates checks the SARIF of every fixture against the official
// SARIF 2.1.0 schema.
func TestSARIFValidates(t *testing.T) {
	seed, err := os.ReadFile("testdata/lint/seed.Dockerfile")
	require.NoError(t, err)
	inputs := map[string]string{"seed": string(seed)}
	for k, v := range fixFixtures {
		inputs[k] = v
	}
	for name, df := range inputs {
		a, err := Lint(context.Background(), []byte(df), LintConfig{File: "Dockerfile"})
		require.NoError(t, err, name)
		var b bytes.Buffer
		require.NoError(t, WriteDiagnostics(&b, DiagnosticSARIF, a.Diagnostics))
		assert.NoError(t, sarifcheck.Validate(b.Bytes()), name)
	}
}

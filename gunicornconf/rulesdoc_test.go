package gunicornconf

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rulesDoc renders RULES.md from Rules(): one section per rule with its
// ID, name, default severity, what it finds, why it matters and the safe
// alternative. The anchors are what RuleURL links to.
func rulesDoc() string {
	var b strings.Builder
	b.WriteString("# gunicornconf rules\n\n")
	b.WriteString("Generated from `gunicornconf.Rules()` by `go test ./gunicornconf -run TestRulesDocIsGenerated -update`; do not edit.\n")
	b.WriteString("Every finding's `url` (SARIF `helpUri`) points at its section here.\n\n")
	b.WriteString("| ID | name | default severity |\n|---|---|---|\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Name, r.Severity)
	}
	for _, r := range Rules() {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n## %s %s\n\n", strings.ToLower(r.ID), r.ID, r.Name)
		fmt.Fprintf(&b, "Default severity: **%s**.\n\n", r.Severity)
		fmt.Fprintf(&b, "**Finds:** %s\n\n", r.Summary)
		fmt.Fprintf(&b, "**Why it matters and the safe alternative:** %s\n", r.Help)
	}
	return b.String()
}

// TestRulesDocIsGenerated keeps RULES.md equal to the rule catalogue, and
// checks that every rule URL names an anchor in it.
func TestRulesDocIsGenerated(t *testing.T) {
	want := rulesDoc()
	if *update {
		require.NoError(t, os.WriteFile("RULES.md", []byte(want), 0o644))
	}
	got, err := os.ReadFile("RULES.md")
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "RULES.md is stale: go test ./gunicornconf -run TestRulesDocIsGenerated -update")
	for _, r := range Rules() {
		require.True(t, strings.HasPrefix(r.HelpURI, RulesURL+"#"), r.ID)
		anchor := strings.TrimPrefix(r.HelpURI, RulesURL+"#")
		assert.Contains(t, string(got), `<a id="`+anchor+`"></a>`, r.ID)
		assert.NotEmpty(t, r.Help, r.ID)
	}
}

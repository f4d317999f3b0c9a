package migrate

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateRulesDoc = flag.Bool("update-rules", false, "rewrite RULES.md from Rules()")

// renderRulesDoc renders RULES.md: one section per rule, whose heading is
// the anchor RuleURL points at.
func renderRulesDoc() string {
	var b strings.Builder
	b.WriteString("# migrate rules\n\nGenerated from `migrate.Rules()` by `go test ./migrate -run TestRulesDoc -update-rules`; do not edit by hand.\n")
	b.WriteString("Suppress a rule with `-- deploykit:ignore ID` (or its name) before the statement, or `-- deploykit:ignore-file ID`.\n")
	for _, r := range Rules() {
		b.WriteString("\n## " + r.ID + " " + r.Name + "\n\n")
		b.WriteString("Severity: " + string(r.Severity) + ".\n\n")
		b.WriteString(r.Summary + "\n\n" + r.Help + "\n")
	}
	return b.String()
}

func TestRulesDoc(t *testing.T) {
	want := renderRulesDoc()
	if *updateRulesDoc {
		require.NoError(t, os.WriteFile("RULES.md", []byte(want), 0o644))
	}
	got, err := os.ReadFile("RULES.md")
	require.NoError(t, err, "run go test ./migrate -run TestRulesDoc -update-rules")
	assert.Equal(t, want, string(got), "RULES.md is stale: go test ./migrate -run TestRulesDoc -update-rules")
	for _, r := range Rules() {
		// GitHub's anchor of "## DKM030 create-index-non-concurrently".
		anchor := strings.ToLower(r.ID + "-" + r.Name)
		assert.True(t, strings.HasSuffix(RuleURL(r.ID), "#"+anchor), r.ID)
	}
}

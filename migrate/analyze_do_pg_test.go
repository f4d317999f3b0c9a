package migrate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompareTraceDoBlock traces a DO block on the test PostgreSQL: the
// rewrite the analyser predicts for the statement inside it (placed on
// that statement's line) is confirmed by the server's relfilenode, and
// nothing is refuted or unpredicted.
func TestCompareTraceDoBlock(t *testing.T) {
	conn := liveDB(t, baseSchema)
	src := "DO $$\nBEGIN\n  ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;\nEND\n$$;\n"
	static, err := AnalyzeSQL("m.sql", []byte(src), Options{PGVersion: 15})
	require.NoError(t, err)
	require.Contains(t, findingRules(static), RuleAlterColumnType)
	rep := trace(t, conn, src, TraceOptions{Static: static})
	confirmed := false
	for _, c := range rep.Comparisons {
		assert.NotEqual(t, AgreementRefuted, c.Agreement, "%+v", c)
		assert.NotEqual(t, AgreementUnpredicted, c.Agreement, "%+v", c)
		if c.Agreement == AgreementConfirmed && strings.Contains(c.Observed, "rewrite of") {
			confirmed = true
		}
	}
	assert.True(t, confirmed, "the rewrite inside the DO block is confirmed: %+v", rep.Comparisons)
}

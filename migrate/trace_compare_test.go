package migrate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const compareSQL = "ALTER TABLE blog_post ALTER COLUMN views TYPE bigint;\nALTER TABLE blog_post ALTER COLUMN title TYPE varchar(200);\n"

func TestCompareTraceWithStaticAnalysis(t *testing.T) {
	conn := liveDB(t, baseSchema)
	static, err := AnalyzeSQL("m.sql", []byte(compareSQL), Options{PGVersion: 15})
	require.NoError(t, err)
	rep := trace(t, conn, compareSQL, TraceOptions{Static: static})
	require.Len(t, rep.Comparisons, len(static.Findings), "the analyser predicted the only rewrite, nothing is unpredicted")
	rewriteConfirmed := false
	for _, c := range rep.Comparisons {
		assert.NotEqual(t, AgreementRefuted, c.Agreement, "%+v", c)
		if c.Line == 1 && c.Agreement == AgreementConfirmed && c.Claim != "" {
			rewriteConfirmed = rewriteConfirmed || strings.Contains(c.Observed, "rewrite of blog_post")
		}
	}
	assert.True(t, rewriteConfirmed, "the int -> bigint rewrite is confirmed: %+v", rep.Comparisons)
}

// Wrong claims are refuted and missed effects are reported.
func TestCompareTraceDisagreements(t *testing.T) {
	conn := liveDB(t, baseSchema)
	static := &FileReport{Path: "m.sql", Findings: []Finding{
		// Claims a rewrite and a SHARE lock for the varchar widening.
		{Diagnostic: Diagnostic{Rule: "T1", Pos: Position{Line: 2, Column: 1}}, Lock: "SHARE", Relation: "blog_post", Rewrite: true},
		// Claims a scan that does not happen.
		{Diagnostic: Diagnostic{Rule: "T2", Pos: Position{Line: 2, Column: 1}}, Relation: "public.blog_post", Scan: true},
		// A claim-free finding (backward compatibility) cannot be checked.
		{Diagnostic: Diagnostic{Rule: "T3", Pos: Position{Line: 2, Column: 1}, Message: "old code breaks"}},
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Trace(ctx, conn, "m.sql", []byte(compareSQL), TraceOptions{Static: static})
	require.NoError(t, err)
	byRule := map[string]Comparison{}
	var unpredicted []Comparison
	for _, c := range rep.Comparisons {
		if c.Rule == "" {
			unpredicted = append(unpredicted, c)
			continue
		}
		byRule[c.Rule] = c
	}
	assert.Equal(t, AgreementRefuted, byRule["T1"].Agreement)
	assert.Contains(t, byRule["T1"].Observed, "no rewrite of blog_post")
	assert.Equal(t, AgreementRefuted, byRule["T2"].Agreement)
	assert.Contains(t, byRule["T2"].Observed, "no scan of public.blog_post")
	assert.Equal(t, AgreementUnverifiable, byRule["T3"].Agreement)
	// Line 1's rewrite was predicted by nobody.
	require.Len(t, unpredicted, 1)
	assert.Equal(t, 1, unpredicted[0].Line)
	assert.Contains(t, unpredicted[0].Observed, "rewrite of public.blog_post")
	assert.Equal(t, AgreementUnpredicted, unpredicted[0].Agreement)
}

package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

var sample = []Diagnostic{
	{Rule: "DK002", Severity: SeverityError, Pos: Position{File: "./Dockerfile", Line: 42, Column: 1}, Message: "chown -R after COPY duplicates /app", SuggestedFixes: []SuggestedFix{{Message: "use COPY --chown=1000:1000"}}},
	{Rule: "X9", Severity: SeverityInfo, Pos: Position{File: "a,b:c.sql", Line: 3}, Message: "50% done\nnext line"},
	{Rule: "DK001", Severity: SeverityWarning, Message: "no position"},
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteDiagnosticsText(&b, sample))
	assert.Equal(t, "./Dockerfile:42:1: error: chown -R after COPY duplicates /app [DK002]\n"+
		"\tfix: use COPY --chown=1000:1000\n"+
		"a,b:c.sql:3: info: 50% done\nnext line [X9]\n"+
		"-: warning: no position [DK001]\n", b.String())
}

// The escaping rules are the runner's workflow-command rules: data escapes
// %, CR and LF; properties also escape ':' and ','.
func TestWriteGitHub(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteDiagnosticsGitHub(&b, sample))
	assert.Equal(t,
		"::error file=./Dockerfile,line=42,col=1,title=DK002::chown -R after COPY duplicates /app%0AFix: use COPY --chown=1000:1000\n"+
			"::notice file=a%2Cb%3Ac.sql,line=3,title=X9::50%25 done%0Anext line\n"+
			"::warning title=DK001::no position\n", b.String())
}

// A fix in words is advice, so it goes in the message, never into an
// empty artifactChanges (which SARIF 2.1.0 rejects).
func TestWriteSARIFAdviceFix(t *testing.T) {
	rules := []Rule{
		{ID: "DK002", Name: "chown-after-copy", Summary: "s2", Help: "h2", Severity: SeverityError},
		{ID: "DK001", Name: "context-over-venv", Summary: "s1", Severity: SeverityWarning},
	}
	var b bytes.Buffer
	require.NoError(t, WriteDiagnosticsSARIF(&b, Tool{Name: "deploykit-dockerfile", Version: "1"}, rules, sample))
	require.NoError(t, sarifcheck.Validate(b.Bytes()))

	log := decodeSARIF(t, b.Bytes())
	run := log.Runs[0]
	assert.Equal(t, "deploykit-dockerfile", run.Tool.Driver.Name)
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"DK001", "DK002", "X9"}, ids, "rules sorted by ID; X9 gets a minimal entry")
	assert.Equal(t, "warning", run.Tool.Driver.Rules[0].DefaultConfiguration.Level)

	require.Len(t, run.Results, 3)
	r0 := run.Results[0]
	assert.Equal(t, "error", r0.Level)
	require.NotNil(t, r0.RuleIndex)
	assert.Equal(t, 1, *r0.RuleIndex, "ruleIndex points at DK002 in the sorted rules")
	assert.Equal(t, "Dockerfile", r0.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 42, r0.Locations[0].PhysicalLocation.Region.StartLine)
	assert.Empty(t, r0.Fixes, "advice is not a SARIF fix")
	assert.Equal(t, "chown -R after COPY duplicates /app\nFix: use COPY --chown=1000:1000", r0.Message.Text)
	assert.Equal(t, "note", run.Results[1].Level, "info maps to SARIF note")
	assert.Equal(t, "./a,b:c.sql", run.Results[1].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Empty(t, run.Results[2].Locations, "no file: no location")
}

func TestSeverity(t *testing.T) {
	assert.Less(t, SeverityInfo.Rank(), SeverityWarning.Rank())
	assert.Less(t, SeverityWarning.Rank(), SeverityError.Rank())
	for in, want := range map[string]Severity{"info": SeverityInfo, "WARN": SeverityWarning, "warning": SeverityWarning, " error ": SeverityError} {
		got, err := ParseSeverity(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseSeverity("fatal")
	assert.ErrorContains(t, err, `"fatal"`)
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 21 << 20: "21.0 MiB", 3 << 30: "3.0 GiB"} {
		assert.Equal(t, want, Bytes(n), "%d bytes", n)
	}
}

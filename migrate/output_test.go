package migrate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutputs(t *testing.T) {
	rep, err := AnalyzeSQL("m.sql", []byte("--\n-- Remove field body from post\n--\nALTER TABLE \"blog_post\" DROP COLUMN \"body\" CASCADE;\n"), Options{})
	require.NoError(t, err)
	reps := []*FileReport{rep, nil}

	var b bytes.Buffer
	require.NoError(t, WriteText(&b, reps))
	assert.Contains(t, b.String(), "m.sql:4:1: error: RemoveField body from post: dropping blog_post.body")
	assert.True(t, strings.HasSuffix(b.String(), "m.sql: dangerous (1 errors, 0 warnings, 1 info)\n"), b.String())

	b.Reset()
	require.NoError(t, WriteJSON(&b, reps))
	var doc Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	require.Len(t, doc.Files, 1, "nil reports (files that failed to parse) are left out")
	assert.Equal(t, VerdictDangerous, doc.Files[0].Verdict)

	b.Reset()
	require.NoError(t, WriteGitHub(&b, reps))
	assert.Contains(t, b.String(), "::error file=m.sql,line=4,col=1,title=DKM010::RemoveField body from post")
	assert.Contains(t, b.String(), "::notice file=m.sql,line=4,col=1,title=DKM051::")

	b.Reset()
	require.NoError(t, WriteSARIF(&b, reps, "test"))
	assert.Contains(t, b.String(), `"ruleId": "DKM010"`)
	assert.Contains(t, b.String(), `"id": "DKM061"`, "every rule is documented in the run")

	assert.Equal(t, SeverityError, MaxSeverity(reps))
	assert.Equal(t, Severity(""), MaxSeverity(nil))
}

package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ranged = []Diagnostic{{
	Pos: Position{File: "Dockerfile", Line: 3, Column: 22}, End: Position{File: "Dockerfile", Line: 3, Column: 24},
	Rule: "DK101", Severity: SeverityWarning, Message: "'as' should be upper case",
	SuggestedFixes: []SuggestedFix{{Message: "write AS", TextEdits: []TextEdit{{Pos: Position{Line: 3, Column: 22}, End: Position{Line: 3, Column: 24}, NewText: "AS"}}}},
	Related:        []Related{{Pos: Position{Line: 1, Column: 1}, Message: "the stage is named here"}},
}, {
	Pos: Position{File: "a.sql", Line: 2, Column: 1}, End: Position{File: "a.sql", Line: 4, Column: 3},
	Rule: "MG012", Severity: SeverityError, Message: "CREATE INDEX locks writes",
	SuggestedFixes: []SuggestedFix{{TextEdits: []TextEdit{
		{Pos: Position{Line: 2, Column: 13}, NewText: " CONCURRENTLY"},
		{Pos: Position{Line: 4, Column: 1}, End: Position{Line: 4, Column: 3}, NewText: ""},
		{Pos: Position{Line: 1, Column: 1}, End: Position{Line: 1, Column: 6}, NewText: "-- x"},
	}}},
}, {
	Pos: Position{File: "gunicorn.conf.py", Line: 7}, End: Position{File: "gunicorn.conf.py", Line: 9},
	Rule: "GC002", Severity: SeverityInfo, Message: "whole lines",
}}

func TestWriteDiagnosticsText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteDiagnosticsText(&b, ranged))
	assert.Equal(t, "Dockerfile:3:22: warning: 'as' should be upper case [DK101]\n"+
		"\tfix: write AS\n"+
		"\tsee: Dockerfile:1:1: the stage is named here\n"+
		"a.sql:2:1: error: CREATE INDEX locks writes [MG012]\n"+
		"\tfix: insert \" CONCURRENTLY\" at 2:13; delete 4:1-4:3; replace 1:1-1:6 with \"-- x\"\n"+
		"gunicorn.conf.py:7: info: whole lines [GC002]\n", b.String())
}

// The runner's annotation properties are file, line, endLine, col,
// endColumn and title (actions/toolkit AnnotationProperties).
func TestWriteDiagnosticsGitHub(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteDiagnosticsGitHub(&b, ranged))
	assert.Equal(t,
		"::warning file=Dockerfile,line=3,col=22,endLine=3,endColumn=24,title=DK101::'as' should be upper case%0AFix: write AS\n"+
			"::error file=a.sql,line=2,col=1,endLine=4,endColumn=3,title=MG012::CREATE INDEX locks writes%0AFix: insert \" CONCURRENTLY\" at 2:13; delete 4:1-4:3; replace 1:1-1:6 with \"-- x\"\n"+
			"::notice file=gunicorn.conf.py,line=7,endLine=9,title=GC002::whole lines\n", b.String())
}

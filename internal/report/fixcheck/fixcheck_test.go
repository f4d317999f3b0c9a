package fixcheck_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/report/fixcheck"
)

// asCasing is a toy analyser: "FROM x as y" -> AS, with a fix whose edit
// the test can break on purpose.
func asCasing(newText string, extra func(name string, line int, text string) []report.Diagnostic) fixcheck.Analyze {
	return func(files map[string][]byte) ([]report.Diagnostic, error) {
		var out []report.Diagnostic
		for name, src := range files {
			for i, line := range strings.Split(string(src), "\n") {
				n := i + 1
				if k := strings.Index(line, " as "); strings.HasPrefix(line, "FROM ") && k >= 0 {
					out = append(out, report.Diagnostic{Pos: report.Position{File: name, Line: n, Column: k + 2}, Rule: "DK101", Message: "as",
						SuggestedFixes: []report.SuggestedFix{{Message: "AS", TextEdits: []report.TextEdit{{
							Pos: report.Position{Line: n, Column: k + 2}, End: report.Position{Line: n, Column: k + 4}, NewText: newText}}}}})
				}
				if extra != nil {
					out = append(out, extra(name, n, line)...)
				}
			}
		}
		return out, nil
	}
}

var files = map[string][]byte{
	"Dockerfile":        []byte("FROM python:3.12 as build\nRUN x\nFROM python:3.12-slim as run\n"),
	"docker/Dockerfile": []byte("FROM debian as base\n"),
}

func TestCheckPasses(t *testing.T) {
	res, err := fixcheck.Check(files, asCasing("AS", nil))
	require.NoError(t, err)
	assert.Equal(t, 3, res.Fixed)
	assert.Equal(t, "FROM python:3.12 AS build\nRUN x\nFROM python:3.12-slim AS run\n", string(res.Files["Dockerfile"]))
}

func TestCheckFindsAFixThatDoesNotFix(t *testing.T) {
	_, err := fixcheck.Check(files, asCasing(" as", nil)) // replaces "as" with " as": still "as"
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Dockerfile:1:18 [DK101]: still reported after its fix")
}

func TestCheckFindsNewFindings(t *testing.T) {
	extra := func(name string, n int, line string) []report.Diagnostic {
		if strings.Contains(line, " AS ") {
			return []report.Diagnostic{{Pos: report.Position{File: name, Line: n}, Rule: "DK999", Message: "new"}}
		}
		return nil
	}
	_, err := fixcheck.Check(files, asCasing("AS", extra))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "its fix brings 1 new DK999 finding(s) in Dockerfile")
	assert.Contains(t, err.Error(), "with every fix applied, DK999 in Dockerfile is reported 2 time(s), want at most 0")
}

func TestCheckReportsRefusedFixes(t *testing.T) {
	bad := func(files map[string][]byte) ([]report.Diagnostic, error) {
		return []report.Diagnostic{{Pos: report.Position{File: "Dockerfile", Line: 1}, Rule: "X", Message: "m",
			SuggestedFixes: []report.SuggestedFix{{TextEdits: []report.TextEdit{{Pos: report.Position{Line: 40, Column: 1}, NewText: "x"}}}}}}, nil
	}
	_, err := fixcheck.Check(files, bad)
	assert.ErrorContains(t, err, "the fix is refused")
}

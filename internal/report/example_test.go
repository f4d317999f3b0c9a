package report_test

import (
	"fmt"
	"os"

	"github.com/deploykit/deploykit/internal/report"
)

func Example() {
	src := []byte("FROM python:3.12-slim as build\n")
	d := report.Diagnostic{
		Pos:      report.Position{File: "Dockerfile", Line: 1, Column: 23},
		End:      report.Position{File: "Dockerfile", Line: 1, Column: 25},
		Rule:     "DK101",
		Severity: report.SeverityWarning,
		Message:  "the AS keyword is lower case",
		SuggestedFixes: []report.SuggestedFix{{Message: "write AS", TextEdits: []report.TextEdit{{
			Pos: report.Position{File: "Dockerfile", Line: 1, Column: 23},
			End: report.Position{File: "Dockerfile", Line: 1, Column: 25}, NewText: "AS",
		}}}},
	}
	_ = report.Write(os.Stdout, report.FormatText, report.Tool{Name: "deploykit-dockerfile"}, nil, []report.Diagnostic{d})
	_ = report.Write(os.Stdout, report.FormatGitHub, report.Tool{}, nil, []report.Diagnostic{d})
	fixed, err := report.ApplyEdits(src, d.SuggestedFixes[0].TextEdits)
	fmt.Printf("%s%v\n", fixed, err)
	// Output:
	// Dockerfile:1:23: warning: the AS keyword is lower case [DK101]
	// 	fix: write AS
	// ::warning file=Dockerfile,line=1,col=23,endLine=1,endColumn=25,title=DK101::the AS keyword is lower case%0AFix: write AS
	// FROM python:3.12-slim AS build
	// <nil>
}

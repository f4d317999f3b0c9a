package migrate

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/deploykit/deploykit/internal/report"
)

// Report is the JSON document of a run: {"files":[...]}.
type Report struct {
	Files []*FileReport `json:"files"`
}

// WriteJSON writes the stable JSON schema:
//
//	{"files":[{"path":"...","verdict":"safe|warn|dangerous","findings":[{"rule":"...",
//	"severity":"...","line":N,"column":N,"statement":"...","operation":"AddField ...",
//	"lock":"ACCESS EXCLUSIVE","relation":"blog_post","rewrite":false,"scan":false,
//	"message":"...","fix":"..."}]}]}
func WriteJSON(w io.Writer, reps []*FileReport) error {
	r := Report{Files: nonNil(reps)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func nonNil(reps []*FileReport) []*FileReport {
	out := make([]*FileReport, 0, len(reps))
	for _, r := range reps {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// results maps findings onto the shared diagnostic type.
func results(reps []*FileReport) []report.Result {
	var out []report.Result
	for _, rep := range reps {
		if rep == nil {
			continue
		}
		for _, f := range rep.Findings {
			msg := f.Message
			if f.Operation != "" {
				msg = f.Operation + ": " + msg
			}
			out = append(out, report.Result{
				Rule: f.Rule, Severity: f.Severity, File: rep.Path,
				Line: f.Line, Column: f.Column, Message: msg, Fix: f.Fix,
			})
		}
	}
	return out
}

// WriteText writes one "file:line:col: severity: message [RULE]" line per
// finding (with its fix indented below), then one verdict line per file.
func WriteText(w io.Writer, reps []*FileReport) error {
	if err := report.WriteText(w, results(reps)); err != nil {
		return err
	}
	for _, rep := range reps {
		if rep == nil {
			continue
		}
		var n [4]int
		for _, f := range rep.Findings {
			n[f.Severity.Rank()]++
		}
		if _, err := fmt.Fprintf(w, "%s: %s (%d errors, %d warnings, %d info)\n", rep.Path, rep.Verdict, n[3], n[2], n[1]); err != nil {
			return err
		}
	}
	return nil
}

// WriteGitHub writes GitHub Actions annotations (::error file=...,line=...::).
func WriteGitHub(w io.Writer, reps []*FileReport) error {
	return report.WriteGitHub(w, results(reps))
}

// WriteSARIF writes a SARIF 2.1.0 log with every rule's documentation.
func WriteSARIF(w io.Writer, reps []*FileReport, toolVersion string) error {
	all := Rules()
	rs := make([]report.Rule, len(all))
	for i, r := range all {
		rs[i] = report.Rule{ID: r.ID, Name: r.Name, Summary: r.Summary, Help: r.Help, Severity: r.Severity}
	}
	return report.WriteSARIF(w, report.Tool{Name: "deploykit-migrate", Version: toolVersion, InformationURI: "https://github.com/deploykit/deploykit/tree/main/migrate"}, rs, results(reps))
}

// MaxSeverity returns the highest severity among all findings, "" if none.
func MaxSeverity(reps []*FileReport) Severity {
	var top Severity
	for _, rep := range reps {
		if rep == nil {
			continue
		}
		for _, f := range rep.Findings {
			if f.Severity.Rank() > top.Rank() {
				top = f.Severity
			}
		}
	}
	return top
}

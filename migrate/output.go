package migrate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/deploykit/deploykit/internal/report"
)

// Report is the JSON document of a run: {"schemaVersion":1,"files":[...]}.
type Report struct {
	// SchemaVersion is the version of this JSON shape; it grows only by
	// adding fields.
	SchemaVersion int `json:"schemaVersion"`
	// Files holds one report per analysed file.
	Files []*FileReport `json:"files"`
}

// JSONSchemaVersion is Report.SchemaVersion of what WriteJSON writes.
const JSONSchemaVersion = 1

// WriteJSON writes the stable JSON schema (see README.md, "JSON output"):
//
//	{"schemaVersion":1,"files":[{"path":"...","verdict":"safe|warn|dangerous","findings":[
//	{"rule":"DKM030","severity":"error","message":"...","file":"...","line":N,"column":N,
//	"end_line":N,"end_column":N,"url":"...","fix":"...","fixes":[{"message":"...","edits":[...]}],
//	"statement":"...","operation":"AddField ...","lock":"SHARE","relation":"blog_post",
//	"rewrite":false,"scan":true}]}]}
//
// The fields of schema version 0 (files[].path, files[].verdict, rule,
// severity, message, line, column, statement, operation, lock, relation,
// rewrite, scan, fix) keep their names and meaning.
func WriteJSON(w io.Writer, reps []*FileReport) error {
	// The document is written piece by piece, each finding encoded from a
	// plain struct (encoding/json never calls a MarshalJSON method, whose
	// output it would compact and indent again) into one small reused
	// buffer: the bytes are what a json.Encoder with two-space indentation
	// writes for Report, at a fraction of the cost on 10,000 findings.
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("        ", "  ")
	str := func(v string) []byte {
		b, _ := json.Marshal(v) // a string always marshals
		return b
	}
	files := nonNil(reps)
	fmt.Fprintf(bw, "{\n  \"schemaVersion\": %d,\n  \"files\": [", JSONSchemaVersion)
	if len(files) == 0 {
		bw.WriteString("]\n}\n")
		return bw.Flush()
	}
	for i, r := range files {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    {\n      \"path\": ")
		bw.Write(str(r.Path))
		bw.WriteString(",\n      \"verdict\": ")
		bw.Write(str(string(r.Verdict)))
		bw.WriteString(",\n      \"findings\": [")
		for j := range r.Findings {
			if j > 0 {
				bw.WriteString(",")
			}
			buf.Reset()
			if err := enc.Encode(toJSONFinding(&r.Findings[j])); err != nil {
				return err
			}
			bw.WriteString("\n        ")
			bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		}
		if len(r.Findings) > 0 {
			bw.WriteString("\n      ")
		}
		bw.WriteString("]\n    }")
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// jsonFinding is Finding's JSON (see Finding.MarshalJSON) as a plain
// struct: the diagnostic's stable shape, then the migration facts;
// TestWriteJSONMatchesMarshalJSON keeps the two identical.
type jsonFinding struct {
	report.JSONDiagnostic
	findingFacts
}

func toJSONFinding(f *Finding) jsonFinding {
	return jsonFinding{f.Diagnostic.JSON(), findingFacts{f.Statement, f.Operation, f.Lock, f.Relation, f.Rewrite, f.Scan}}
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

// Diagnostics returns the findings of reps as Diagnostics, in order, with
// the Django operation (if any) in front of the message, as the text,
// GitHub and SARIF renderings show them.
func Diagnostics(reps []*FileReport) []Diagnostic {
	var out []Diagnostic
	for _, rep := range reps {
		if rep == nil {
			continue
		}
		for _, f := range rep.Findings {
			d := f.Diagnostic
			if d.Pos.File == "" {
				d.Pos.File = rep.Path
			}
			if f.Operation != "" {
				d.Message = f.Operation + ": " + d.Message
			}
			out = append(out, d)
		}
	}
	return out
}

// WriteText writes one "file:line:col: severity: message [RULE]" line per
// finding (with its fix indented below), then one verdict line per file.
func WriteText(w io.Writer, reps []*FileReport) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	w = bw
	// One file at a time keeps the rendered text small.
	for _, rep := range reps {
		if err := report.WriteDiagnosticsText(w, Diagnostics([]*FileReport{rep})); err != nil {
			return err
		}
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
	return bw.Flush()
}

// WriteGitHub writes GitHub Actions annotations (::error file=...,line=...::).
func WriteGitHub(w io.Writer, reps []*FileReport) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, rep := range reps {
		if err := report.WriteDiagnosticsGitHub(bw, Diagnostics([]*FileReport{rep})); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteSARIF writes a SARIF 2.1.0 log with every rule's documentation,
// partial fingerprints and the suggested fixes' text edits.
func WriteSARIF(w io.Writer, reps []*FileReport, toolVersion string) error {
	all := Rules()
	rs := make([]report.Rule, len(all))
	for i, r := range all {
		rs[i] = report.Rule{ID: r.ID, Name: r.Name, Summary: r.Summary, Help: r.Help, HelpURI: RuleURL(r.ID), Severity: r.Severity}
	}
	return report.WriteDiagnosticsSARIF(w, report.Tool{Name: "deploykit-migrate", Version: toolVersion, InformationURI: "https://github.com/deploykit/deploykit/tree/main/migrate"}, rs, Diagnostics(reps))
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

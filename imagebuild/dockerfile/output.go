package dockerfile

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/deploykit/deploykit/internal/report"
)

// DiagnosticFormat names an output format for diagnostics.
type DiagnosticFormat string

// The output formats WriteDiagnostics knows.
const (
	// DiagnosticText is "file:line:col: severity: message [rule]" with an
	// indented fix line.
	DiagnosticText DiagnosticFormat = "text"
	// DiagnosticJSON is {"findings":[Diagnostic...]}; see the package docs
	// for the schema.
	DiagnosticJSON DiagnosticFormat = "json"
	// DiagnosticSARIF is SARIF 2.1.0, with deploykit's rule catalogue and
	// the BuildKit checks that fired as rules.
	DiagnosticSARIF DiagnosticFormat = "sarif"
	// DiagnosticGitHub is GitHub Actions workflow commands (annotations).
	DiagnosticGitHub DiagnosticFormat = "github"
)

// DiagnosticsJSON is the stable JSON document of a lint run.
type DiagnosticsJSON struct {
	// SchemaVersion grows only by adding fields.
	SchemaVersion int `json:"schemaVersion"`
	// Findings are the diagnostics, each in the flat shape of the package
	// docs.
	Findings []Diagnostic `json:"findings"`
}

// WriteDiagnostics renders diagnostics in the given format.
func WriteDiagnostics(w io.Writer, format DiagnosticFormat, diags []Diagnostic) error {
	switch format {
	case DiagnosticText, "":
		return report.WriteDiagnosticsText(w, diags)
	case DiagnosticGitHub:
		return report.WriteDiagnosticsGitHub(w, diags)
	case DiagnosticJSON:
		doc := DiagnosticsJSON{SchemaVersion: report.SchemaVersion, Findings: diags}
		if doc.Findings == nil {
			doc.Findings = []Diagnostic{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case DiagnosticSARIF:
		return report.WriteDiagnosticsSARIF(w, report.Tool{
			Name:           "deploykit-dockerfile",
			InformationURI: "https://github.com/deploykit/deploykit/tree/main/imagebuild/dockerfile",
		}, sarifRules(diags), diags)
	}
	return fmt.Errorf("dockerfile: unknown diagnostic format %q (want text, json, sarif or github)", format)
}

// sarifRules is deploykit's catalogue plus the BuildKit checks that fired.
func sarifRules(diags []Diagnostic) []report.Rule {
	var out []report.Rule
	for _, r := range Rules() {
		out = append(out, report.Rule{ID: r.ID, Name: r.Name, Summary: r.Summary,
			Help: r.Why + " " + r.Alternative, HelpURI: r.HelpURI(), Severity: r.Severity})
	}
	seen := map[string]bool{}
	for _, d := range diags {
		if _, ok := RuleByID(d.Rule); ok || seen[d.Rule] {
			continue
		}
		seen[d.Rule] = true
		out = append(out, report.Rule{ID: d.Rule, Name: d.Rule, Summary: "BuildKit check " + d.Rule,
			HelpURI: "https://docs.docker.com/reference/build-checks/", Severity: report.SeverityWarning})
	}
	return out
}

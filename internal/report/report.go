package report

import (
	"fmt"
	"io"
	"strings"
)

// Severity is how bad a result is.
type Severity string

// The three severities, from least to most severe.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Rank orders severities: info 1, warning 2, error 3, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityError:
		return 3
	}
	return 0
}

// ParseSeverity parses "info", "warning" (or "warn") and "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info":
		return SeverityInfo, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "error":
		return SeverityError, nil
	}
	return "", fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// Rule describes one rule of an analyser.
type Rule struct {
	// ID is the stable identifier, e.g. "DK001".
	ID string
	// Name is a short kebab-case name, e.g. "chown-after-copy".
	Name string
	// Summary is one sentence: what the rule finds.
	Summary string
	// Help explains why it matters and the safe alternative.
	Help string
	// HelpURI points at the rule's documentation, if any.
	HelpURI string
	// Severity is the rule's default severity.
	Severity Severity
}

// RuleDoc is Rule under the name the analysers' rule catalogues use: a
// rule's ID, name, summary, help text, documentation URI and severity.
type RuleDoc = Rule

// Result is one diagnostic in the shape the analysers used before
// Diagnostic.
//
// Deprecated: use Diagnostic, which has an end position, a rule URL,
// suggested fixes as text edits and related positions.
type Result struct {
	Rule     string
	Severity Severity
	// File is the path as the user gave it; Line and Column are 1-based,
	// 0 when unknown.
	File         string
	Line, Column int
	Message      string
	// Fix is the suggested fix in words or code, "" when there is none.
	Fix string
}

// Tool names the analyser in SARIF output.
type Tool struct {
	Name, Version, InformationURI string
}

// WriteSARIF writes a SARIF 2.1.0 log with one run from Results.
//
// Deprecated: use WriteDiagnosticsSARIF or Write with Diagnostics. A
// Result's Fix is advice, so it goes into the result's message, never into a
// SARIF fix.
func WriteSARIF(w io.Writer, tool Tool, rules []Rule, results []Result) error {
	return WriteDiagnosticsSARIF(w, tool, rules, fromResults(results))
}

func fromResults(results []Result) []Diagnostic {
	out := make([]Diagnostic, len(results))
	for i, r := range results {
		out[i] = Diagnostic{Pos: Position{File: r.File, Line: r.Line, Column: r.Column},
			Rule: r.Rule, Severity: r.Severity, Message: r.Message}
		if r.Fix != "" {
			out[i].SuggestedFixes = []SuggestedFix{{Message: r.Fix}}
		}
	}
	return out
}

// Bytes formats n with binary (IEC) units, one decimal: "512 B",
// "1.5 KiB", "21.0 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

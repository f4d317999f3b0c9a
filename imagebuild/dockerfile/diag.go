package imagebuild

import (
	"fmt"

	"github.com/deploykit/deploykit/internal/report"
)

// Severity is how bad a Diagnostic is: SeverityInfo, SeverityWarning or
// SeverityError; every deploykit analyser shares the type, so severities
// compare and render the same everywhere. Rank orders them (info 1,
// warning 2, error 3). The zero value is not a valid severity.
type Severity = report.Severity

// The three severities, from least to most severe.
const (
	SeverityInfo    = report.SeverityInfo
	SeverityWarning = report.SeverityWarning
	SeverityError   = report.SeverityError
)

// ParseSeverity parses "info", "warning" (or "warn") and "error".
func ParseSeverity(s string) (Severity, error) {
	sev, err := report.ParseSeverity(s)
	if err != nil {
		return "", fmt.Errorf("imagebuild: %w", err)
	}
	return sev, nil
}

// Diagnostic is one finding about a Dockerfile or its build context, shaped
// like golang.org/x/tools/go/analysis.Diagnostic: a position, the stable ID
// of the rule that found it, a severity, a message and, where one exists, a
// suggested fix.
//
// Rule is a deploykit rule ID ("DK101"), a BuildKit check name
// ("FromAsCasing", "UndefinedVar", ...) or "syntax" for a parse error.
// The JSON encoding is the stable schema documented in the package docs.
type Diagnostic struct {
	// Rule is the stable rule identifier.
	Rule string `json:"rule"`
	// Severity is the rule's severity (after any override).
	Severity Severity `json:"severity"`
	// File is the path of the file the finding is about, as the caller
	// named it ("" when unknown). Context findings name the context file.
	File string `json:"file,omitempty"`
	// Line and Column are 1-based; 0 when unknown or not applicable.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Message says what is wrong, in one or two sentences.
	Message string `json:"message"`
	// Fix is the suggested change, in words or Dockerfile text; "" when
	// there is none.
	Fix string `json:"fix"`
}

// String formats the diagnostic as "file:line:col: severity: message [rule]".
func (d Diagnostic) String() string {
	pos := d.File
	if pos == "" {
		pos = "-"
	}
	if d.Line > 0 {
		pos += fmt.Sprintf(":%d", d.Line)
		if d.Column > 0 {
			pos += fmt.Sprintf(":%d", d.Column)
		}
	}
	return fmt.Sprintf("%s: %s: %s [%s]", pos, d.Severity, d.Message, d.Rule)
}

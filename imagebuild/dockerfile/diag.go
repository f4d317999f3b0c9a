package dockerfile

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
		return "", fmt.Errorf("dockerfile: %w", err)
	}
	return sev, nil
}

// Diagnostic is one finding about a Dockerfile or its build context, shaped
// like golang.org/x/tools/go/analysis.Diagnostic: a range (Pos, End; the
// file is the one the finding is in, so a context finding names the context
// file), the stable ID of the rule that found it and its documentation URL,
// a severity, a message, suggested fixes (with text edits where the fix is
// mechanical) and related positions.
//
// Rule is a deploykit rule ID ("DK101") or a BuildKit check name
// ("FromAsCasing", "UndefinedVar", ...). Its JSON encoding is the stable
// schema documented in the package docs.
type Diagnostic = report.Diagnostic

// Position is a place in a file: file name, 1-based line and byte column.
type Position = report.Position

// SuggestedFix is one way to fix a Diagnostic: a message and, when the fix
// is mechanical, the text edits that make it.
type SuggestedFix = report.SuggestedFix

// TextEdit replaces the bytes from Pos up to End with NewText.
type TextEdit = report.TextEdit

// Related is another position that explains a Diagnostic.
type Related = report.Related

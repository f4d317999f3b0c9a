package cdn

import "github.com/deploykit/deploykit/internal/report"

// Diagnostic is one finding of the settings checker (internal/report's model).
type Diagnostic = report.Diagnostic

// Position is a place in a file: file, 1-based line and byte column.
type Position = report.Position

// Severity is info, warning or error.
type Severity = report.Severity

// SuggestedFix is a way to fix a diagnostic, with text edits when mechanical.
type SuggestedFix = report.SuggestedFix

// TextEdit replaces a range of a file.
type TextEdit = report.TextEdit

// RuleDoc documents one rule of the settings checker.
type RuleDoc = report.Rule

// The severities.
const (
	SeverityInfo    = report.SeverityInfo
	SeverityWarning = report.SeverityWarning
	SeverityError   = report.SeverityError
)

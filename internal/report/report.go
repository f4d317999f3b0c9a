package report

import (
	"fmt"
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

// Tool names the analyser in SARIF output.
type Tool struct {
	Name, Version, InformationURI string
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

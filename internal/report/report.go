// Package report renders the diagnostics of deploykit's analysers (Dockerfile
// lint, migration risk, gunicorn validation) in the formats every analyser
// shares: human text, GitHub Actions workflow annotations and SARIF 2.1.0.
// Each analyser keeps its own JSON schema; this package holds only what is
// common, so that the formats stay identical across packages.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
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

// Result is one diagnostic.
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

// WriteText writes one line per result, "file:line:col: severity: message
// [RULE]", followed by an indented "fix:" line when there is a fix.
func WriteText(w io.Writer, results []Result) error {
	var b strings.Builder
	for _, r := range results {
		b.WriteString(position(r))
		fmt.Fprintf(&b, ": %s: %s [%s]\n", r.Severity, r.Message, r.Rule)
		if r.Fix != "" {
			fix := strings.ReplaceAll(strings.TrimRight(r.Fix, "\n"), "\n", "\n\t     ")
			fmt.Fprintf(&b, "\tfix: %s\n", fix)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func position(r Result) string {
	p := r.File
	if p == "" {
		p = "-"
	}
	if r.Line > 0 {
		p += fmt.Sprintf(":%d", r.Line)
		if r.Column > 0 {
			p += fmt.Sprintf(":%d", r.Column)
		}
	}
	return p
}

// WriteGitHub writes GitHub Actions workflow commands
// (::error file=F,line=L,col=C,title=RULE::message), one per result, which
// the runner turns into annotations on the pull request. Info results use
// the "notice" command.
func WriteGitHub(w io.Writer, results []Result) error {
	var b strings.Builder
	for _, r := range results {
		cmd := "notice"
		switch r.Severity {
		case SeverityError:
			cmd = "error"
		case SeverityWarning:
			cmd = "warning"
		}
		var props []string
		if r.File != "" {
			props = append(props, "file="+escapeProperty(r.File))
		}
		if r.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", r.Line))
		}
		if r.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", r.Column))
		}
		props = append(props, "title="+escapeProperty(r.Rule))
		msg := r.Message
		if r.Fix != "" {
			msg += "\nFix: " + r.Fix
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow the runner's workflow-command
// escaping: % CR LF always, and ':' ',' in properties.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF 2.1.0 object model, the subset deploykit emits.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name,omitempty"`
	ShortDescription     *sarifMessage `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage `json:"fullDescription,omitempty"`
	HelpURI              string        `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifConfig  `json:"defaultConfiguration,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
	Fixes     []sarifFix      `json:"fixes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage `json:"description"`
	ArtifactChanges []any        `json:"artifactChanges"`
}

// SARIFLevel maps a severity to a SARIF result level: error, warning, note.
func SARIFLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes a SARIF 2.1.0 log with one run. Rules are sorted by ID
// so the output is deterministic; a result whose rule is not in rules still
// appears, without a ruleIndex.
func WriteSARIF(w io.Writer, tool Tool, rules []Rule, results []Result) error {
	sorted := append([]Rule(nil), rules...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	index := make(map[string]int, len(sorted))
	driver := sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: []sarifRule{}}
	for i, r := range sorted {
		index[r.ID] = i
		sr := sarifRule{ID: r.ID, Name: r.Name, HelpURI: r.HelpURI}
		if r.Summary != "" {
			sr.ShortDescription = &sarifMessage{Text: r.Summary}
		}
		if r.Help != "" {
			sr.FullDescription = &sarifMessage{Text: r.Help}
		}
		if r.Severity != "" {
			sr.DefaultConfiguration = &sarifConfig{Level: SARIFLevel(r.Severity)}
		}
		driver.Rules = append(driver.Rules, sr)
	}
	out := make([]sarifResult, 0, len(results))
	for _, r := range results {
		sr := sarifResult{RuleID: r.Rule, Level: SARIFLevel(r.Severity), Message: sarifMessage{Text: r.Message}}
		if i, ok := index[r.Rule]; ok {
			i := i
			sr.RuleIndex = &i
		}
		if r.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: toURI(r.File)}}}
			if r.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: r.Line, StartColumn: r.Column}
			}
			sr.Locations = []sarifLocation{loc}
		}
		if r.Fix != "" {
			// A fix in words: SARIF requires artifactChanges, which an empty
			// list satisfies when no machine-applicable edit is known.
			sr.Fixes = []sarifFix{{Description: sarifMessage{Text: r.Fix}, ArtifactChanges: []any{}}}
		}
		out = append(out, sr)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: out}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// toURI turns a file path into a relative URI reference: forward slashes,
// no leading "./".
func toURI(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	return strings.TrimPrefix(p, "./")
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

package report

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Position is a place in a file: the file as the user named it, a 1-based
// line and a 1-based column counted in bytes (as go/token does). Line 0
// means the whole file; Column 0 means the whole line.
type Position struct {
	File   string
	Line   int
	Column int
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String formats the position as file:line:col, leaving out what is unknown.
func (p Position) String() string {
	s := p.File
	if s == "" {
		s = "-"
	}
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
		if p.Column > 0 {
			s += fmt.Sprintf(":%d", p.Column)
		}
	}
	return s
}

// before reports whether p comes strictly before q in the same file.
func (p Position) before(q Position) bool {
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Column < q.Column
}

// TextEdit replaces the bytes from Pos up to, but not including, End with
// NewText. Pos and End are in the same file; Pos == End inserts.
type TextEdit struct {
	Pos     Position
	End     Position
	NewText string
}

// SuggestedFix is one way to fix a diagnostic: a message and the edits that
// make it. A fix with no edits is advice a person has to carry out.
type SuggestedFix struct {
	Message   string
	TextEdits []TextEdit
}

// Related is another position that explains a diagnostic, for example the
// earlier instruction a Dockerfile finding depends on.
type Related struct {
	Pos     Position
	End     Position
	Message string
}

// Diagnostic is one finding of an analyser, shaped like
// golang.org/x/tools/go/analysis.Diagnostic: a range, a stable rule ID, a
// severity, a message, suggested fixes as text edits and related positions.
type Diagnostic struct {
	// Pos is where the finding starts; Pos.File is the file the finding is
	// in (a context file's own name, not the Dockerfile's).
	Pos Position
	// End is where it ends (exclusive); the zero value means "at Pos".
	End Position
	// Rule is the stable rule ID, e.g. "DK101" or "MG012".
	Rule string
	// URL is the rule's documentation anchor, "" when it has none.
	URL string
	// Severity is this finding's severity.
	Severity Severity
	// Message says what is wrong, in one or two sentences.
	Message string
	// SuggestedFixes are the ways to fix it; mechanical ones carry edits.
	SuggestedFixes []SuggestedFix
	// Related lists positions that explain the finding.
	Related []Related
}

// FixText is the messages of the suggested fixes joined by newlines, for
// renderings that have room for one line of advice.
func (d Diagnostic) FixText() string {
	var parts []string
	for _, f := range d.SuggestedFixes {
		if f.Message != "" {
			parts = append(parts, f.Message)
		}
	}
	return strings.Join(parts, "\n")
}

// JSONEdit is one text edit in the stable JSON shape (see schema.md).
type JSONEdit struct {
	File      string `json:"file,omitempty"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	NewText   string `json:"new_text"`
}

// JSONFix is one suggested fix in the stable JSON shape.
type JSONFix struct {
	Message string     `json:"message"`
	Edits   []JSONEdit `json:"edits"`
}

// JSONRelated is one related position in the stable JSON shape.
type JSONRelated struct {
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
	Message   string `json:"message"`
}

// JSONDiagnostic is a Diagnostic in the stable, flat JSON shape that
// MarshalJSON writes. An analyser whose JSON adds fields of its own embeds
// it in a struct beside them, so that its shape cannot drift from this one.
type JSONDiagnostic struct {
	Rule      string        `json:"rule"`
	Severity  Severity      `json:"severity"`
	Message   string        `json:"message"`
	File      string        `json:"file,omitempty"`
	Line      int           `json:"line"`
	Column    int           `json:"column"`
	EndLine   int           `json:"end_line,omitempty"`
	EndColumn int           `json:"end_column,omitempty"`
	URL       string        `json:"url,omitempty"`
	Fix       string        `json:"fix,omitempty"`
	Fixes     []JSONFix     `json:"fixes,omitempty"`
	Related   []JSONRelated `json:"related,omitempty"`
}

// MarshalJSON writes the stable flat shape documented in schema.md: rule,
// severity, message, file, line, column, end_line, end_column, url, fix
// (the fix messages as one string, as before) and fixes (with edits).
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.JSON())
}

// JSON returns d in the stable JSON shape.
func (d Diagnostic) JSON() JSONDiagnostic {
	j := JSONDiagnostic{
		Rule: d.Rule, Severity: d.Severity, Message: d.Message,
		File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Column,
		EndLine: d.End.Line, EndColumn: d.End.Column, URL: d.URL, Fix: d.FixText(),
	}
	for _, f := range d.SuggestedFixes {
		jf := JSONFix{Message: f.Message, Edits: []JSONEdit{}}
		for _, e := range f.TextEdits {
			end := e.End
			if !end.IsValid() {
				end = e.Pos // an insertion: an empty range
			}
			file := e.Pos.File
			if file == d.Pos.File {
				file = "" // absent: the diagnostic's file
			}
			jf.Edits = append(jf.Edits, JSONEdit{File: file, Line: e.Pos.Line, Column: e.Pos.Column,
				EndLine: end.Line, EndColumn: end.Column, NewText: e.NewText})
		}
		j.Fixes = append(j.Fixes, jf)
	}
	for _, r := range d.Related {
		j.Related = append(j.Related, JSONRelated{File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Column,
			EndLine: r.End.Line, EndColumn: r.End.Column, Message: r.Message})
	}
	return j
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Diagnostic) UnmarshalJSON(b []byte) error {
	var j JSONDiagnostic
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*d = Diagnostic{
		Pos:  Position{File: j.File, Line: j.Line, Column: j.Column},
		Rule: j.Rule, URL: j.URL, Severity: j.Severity, Message: j.Message,
	}
	if j.EndLine > 0 {
		d.End = Position{File: j.File, Line: j.EndLine, Column: j.EndColumn}
	}
	for _, f := range j.Fixes {
		sf := SuggestedFix{Message: f.Message}
		for _, e := range f.Edits {
			file := e.File
			if file == "" {
				file = j.File
			}
			sf.TextEdits = append(sf.TextEdits, TextEdit{
				Pos:     Position{File: file, Line: e.Line, Column: e.Column},
				End:     Position{File: file, Line: e.EndLine, Column: e.EndColumn},
				NewText: e.NewText,
			})
		}
		d.SuggestedFixes = append(d.SuggestedFixes, sf)
	}
	if len(d.SuggestedFixes) == 0 && j.Fix != "" {
		d.SuggestedFixes = []SuggestedFix{{Message: j.Fix}}
	}
	for _, r := range j.Related {
		d.Related = append(d.Related, Related{
			Pos:     Position{File: r.File, Line: r.Line, Column: r.Column},
			End:     Position{File: r.File, Line: r.EndLine, Column: r.EndColumn},
			Message: r.Message,
		})
	}
	return nil
}

// MaxSeverity is the most severe severity among diags, "" when there are none.
func MaxSeverity(diags []Diagnostic) Severity {
	var max Severity
	for _, d := range diags {
		if d.Severity.Rank() > max.Rank() {
			max = d.Severity
		}
	}
	return max
}

// AtOrAbove reports whether any diagnostic is at least as severe as min.
func AtOrAbove(diags []Diagnostic, min Severity) bool {
	for _, d := range diags {
		if d.Severity.Rank() >= min.Rank() && d.Severity.Rank() > 0 {
			return true
		}
	}
	return false
}

package migrate

import (
	"encoding/json"

	"github.com/deploykit/deploykit/internal/report"
)

// Severity is how bad a finding is. Every deploykit analyser shares the
// type, so the values match the others and SARIF's error/warning/note
// levels; Rank orders them (info 1, warning 2, error 3).
type Severity = report.Severity

// The severities, from least to most severe.
const (
	// SeverityInfo is worth knowing but never blocks a deploy.
	SeverityInfo = report.SeverityInfo
	// SeverityWarning is a risk that depends on facts the analyser cannot
	// see (table size, the running code), or a lock held longer than needed.
	SeverityWarning = report.SeverityWarning
	// SeverityError is a certain hazard: a long lock on an existing table,
	// a table rewrite, or a change that breaks the application version still
	// running during a rolling deploy.
	SeverityError = report.SeverityError
)

// Verdict summarises a file: the highest severity among its findings.
type Verdict string

// The verdicts.
const (
	// VerdictSafe means no finding above info.
	VerdictSafe Verdict = "safe"
	// VerdictWarn means at least one warning and no error.
	VerdictWarn Verdict = "warn"
	// VerdictDangerous means at least one error.
	VerdictDangerous Verdict = "dangerous"
)

// VerdictFor returns the verdict for a set of findings.
func VerdictFor(findings []Finding) Verdict {
	top := 0
	for i := range findings {
		if r := findings[i].Severity.Rank(); r > top {
			top = r
		}
	}
	switch {
	case top >= SeverityError.Rank():
		return VerdictDangerous
	case top == SeverityWarning.Rank():
		return VerdictWarn
	}
	return VerdictSafe
}

// Options configure the analysis. The zero value analyses for PostgreSQL 14
// and treats statements outside BEGIN/COMMIT as autocommitted one by one.
type Options struct {
	// PGVersion is the server's major version (12 to 17), or a full
	// server_version_num such as 140003 when the minor version matters
	// (the PG 14.0–14.3 CREATE INDEX CONCURRENTLY bug). 0 means 14.
	PGVersion int
	// Atomic treats the whole file as one transaction even without BEGIN,
	// as Django does for a migration with atomic = True run by "migrate".
	Atomic bool
}

// Diagnostic is the diagnostic model every deploykit analyser shares,
// shaped like golang.org/x/tools/go/analysis.Diagnostic: a range (Pos,
// End; columns in bytes), a stable rule ID and its documentation URL, a
// severity, a message, suggested fixes (with text edits where the fix is
// mechanical) and related positions.
type Diagnostic = report.Diagnostic

// Position is a place in a file: file, 1-based line, 1-based byte column.
type Position = report.Position

// SuggestedFix is one way to fix a Diagnostic: a message and, when the fix
// is mechanical, the TextEdits that make it.
type SuggestedFix = report.SuggestedFix

// TextEdit replaces the bytes from Pos up to (not including) End with
// NewText.
type TextEdit = report.TextEdit

// RelatedPosition is another position that explains a Diagnostic.
type RelatedPosition = report.Related

// Finding is one diagnostic about one statement: the shared Diagnostic
// (Pos.File is the file the finding is in, Pos and End span the statement
// or, for Django projects, point at the operation's line in the .py file)
// and the migration facts behind it.
type Finding struct {
	Diagnostic
	// Statement is the SQL text of the statement, without the leading
	// comments and the terminating semicolon.
	Statement string
	// Operation names the Django operation the statement belongs to, e.g.
	// "AddField views to post", or "" for plain SQL.
	Operation string
	// Lock is the strongest table-level lock the statement takes on
	// Relation, e.g. "ACCESS EXCLUSIVE"; "" when none matters.
	Lock string
	// Relation is the table (or index) the finding is about.
	Relation string
	// Rewrite reports a full rewrite of the table (and its indexes).
	Rewrite bool
	// Scan reports a full scan of the table (or an index build).
	Scan bool
}

// findingFacts is the JSON of Finding's own fields.
type findingFacts struct {
	Statement string `json:"statement"`
	Operation string `json:"operation"`
	Lock      string `json:"lock"`
	Relation  string `json:"relation"`
	Rewrite   bool   `json:"rewrite"`
	Scan      bool   `json:"scan"`
}

// MarshalJSON writes the Diagnostic's stable fields (rule, severity,
// message, file, line, column, end_line, end_column, url, fix, fixes,
// related) and the migration facts (statement, operation, lock, relation,
// rewrite, scan) as one flat object.
func (f Finding) MarshalJSON() ([]byte, error) {
	return json.Marshal(toJSONFinding(&f))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var facts findingFacts
	if err := json.Unmarshal(b, &facts); err != nil {
		return err
	}
	var d Diagnostic
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*f = Finding{Diagnostic: d, Statement: facts.Statement, Operation: facts.Operation, Lock: facts.Lock,
		Relation: facts.Relation, Rewrite: facts.Rewrite, Scan: facts.Scan}
	return nil
}

// Statement is one SQL statement of a file.
type Statement struct {
	// SQL is the statement text without leading comments and the
	// terminating semicolon.
	SQL string `json:"sql"`
	// Line and Column locate its first token (1-based; the column counts
	// bytes, as report.Position does).
	Line   int `json:"line"`
	Column int `json:"column"`
	// Operation is the Django operation the statement belongs to (from
	// sqlmigrate's "-- Add field views to post" comments, rendered as
	// "AddField views to post"), "" for plain SQL.
	Operation string `json:"operation,omitempty"`
	// Transactional is false for statements PostgreSQL refuses inside a
	// transaction block: CREATE/DROP INDEX CONCURRENTLY, REINDEX
	// CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM and the
	// transaction-control statements themselves.
	Transactional bool `json:"transactional"`
}

// FileReport is the analysis of one file.
type FileReport struct {
	// Path is the file's path as given.
	Path string `json:"path"`
	// Verdict is the highest severity among Findings.
	Verdict Verdict `json:"verdict"`
	// Findings in statement order.
	Findings []Finding `json:"findings"`
	// Statements of the file in order (not part of the JSON report).
	Statements []Statement `json:"-"`
}

package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// SARIF 2.1.0 object model: the subset deploykit writes. Every type here
// follows the OASIS schema (internal/report/sarifcheck validates the output
// in tests); field comments cite the spec's sections.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind,omitempty"` // §3.14.17
	Results    []sarifResult `json:"results"`              // present, maybe empty: an actual scan
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"` // absolute URI
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     *sarifMessage  `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage  `json:"fullDescription,omitempty"`
	Help                 *sarifMessage  `json:"help,omitempty"`
	HelpURI              string         `json:"helpUri,omitempty"` // absolute URI
	DefaultConfiguration *sarifConfig   `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId,omitempty"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

// sarifRegion is a text region (§3.30): 1-based lines and columns, the end
// column being the one after the last character.
type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     *sarifMessage         `json:"description,omitempty"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"` // minItems 1 (§3.55.8)
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"` // minItems 1
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifContent `json:"insertedContent,omitempty"` // absent: a pure deletion
}

type sarifContent struct {
	Text string `json:"text"`
}

// sarifSchemaURI is the $id of the OASIS schema that sarifcheck vendors.
const sarifSchemaURI = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

// FingerprintKey is the partialFingerprints key deploykit's SARIF results
// carry. Its value is a hash of the rule, the file and the finding's
// normalised line content (or, without the source, its normalised message),
// then ":N" for the N-th such finding in the file, so that code scanning
// keeps tracking an alert when unrelated lines move.
const FingerprintKey = "deploykitFingerprint/v1"

// SARIFOptions tunes WriteSARIFWith. The zero value is what
// WriteDiagnosticsSARIF uses.
type SARIFOptions struct {
	// Source, when set, returns a file's contents by the path diagnostics
	// name. Columns are then converted from bytes to UTF-16 code units
	// (run.columnKind "utf16CodeUnits") and fingerprints hash the line the
	// finding is on. A file Source cannot read falls back to the default
	// for that file: byte columns (exact for ASCII lines) and a fingerprint
	// of the message.
	Source func(path string) ([]byte, error)
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

// WriteDiagnosticsSARIF writes a SARIF 2.1.0 log with one run that the
// official schema accepts: rule metadata (descriptions, help, an absolute
// helpUri), one result per diagnostic with its region (start and end),
// partialFingerprints, relatedLocations, and fixes whose artifactChanges
// carry the suggested fixes' text edits. A suggested fix without edits is
// advice: it is appended to the result's message ("Fix: ...") and listed in
// the result's properties under "fixAdvice", never written as a SARIF fix.
//
// Rules are sorted by ID; a diagnostic whose rule is not in rules gets a
// minimal rule entry (its ID and URL) so every result has a ruleIndex.
func WriteDiagnosticsSARIF(w io.Writer, tool Tool, rules []Rule, diags []Diagnostic) error {
	return WriteSARIFWith(w, tool, rules, diags, SARIFOptions{})
}

// WriteSARIFWith is WriteDiagnosticsSARIF with options.
func WriteSARIFWith(w io.Writer, tool Tool, rules []Rule, diags []Diagnostic, opts SARIFOptions) error {
	log := buildSARIF(tool, rules, diags, opts)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func buildSARIF(tool Tool, rules []Rule, diags []Diagnostic, opts SARIFOptions) sarifLog {
	src := newSourceCache(opts.Source)
	name := tool.Name
	if name == "" {
		name = "deploykit"
	}
	driver := sarifDriver{Name: name, Version: tool.Version, Rules: []sarifRule{}}
	if isAbsURI(tool.InformationURI) {
		driver.InformationURI = tool.InformationURI
	}

	// Rules: the given ones, first of each ID, plus one per unknown rule ID.
	byID := map[string]Rule{}
	for _, r := range rules {
		if _, dup := byID[r.ID]; !dup && r.ID != "" {
			byID[r.ID] = r
		}
	}
	for _, d := range diags {
		if d.Rule == "" {
			continue
		}
		r, ok := byID[d.Rule]
		if !ok {
			byID[d.Rule] = Rule{ID: d.Rule, HelpURI: d.URL}
		} else if r.HelpURI == "" && d.URL != "" {
			r.HelpURI = d.URL
			byID[d.Rule] = r
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, sarifRuleOf(byID[id]))
	}

	occurrences := map[string]int{}
	results := make([]sarifResult, 0, len(diags))
	for _, d := range diags {
		sr := sarifResult{RuleID: d.Rule, Level: SARIFLevel(d.Severity), Message: sarifMessage{Text: d.Message}}
		if sr.Message.Text == "" {
			sr.Message.Text = d.Rule
		}
		if i, ok := index[d.Rule]; ok {
			sr.RuleIndex = &i
		}
		if loc, ok := src.location(d.Pos, d.End); ok {
			sr.Locations = []sarifLocation{loc}
		}
		fp := fingerprintBase(d, src)
		occurrences[fp]++
		sr.PartialFingerprints = map[string]string{FingerprintKey: fmt.Sprintf("%s:%d", fp, occurrences[fp])}
		for j, r := range d.Related {
			loc, ok := src.location(r.Pos, r.End)
			if !ok {
				continue
			}
			id := j + 1
			loc.ID = &id
			if r.Message != "" {
				loc.Message = &sarifMessage{Text: r.Message}
			}
			sr.RelatedLocations = append(sr.RelatedLocations, loc)
		}
		var advice []string
		seen := map[string]bool{}
		for _, f := range d.SuggestedFixes {
			sf, ok := src.fix(d.Pos.File, f)
			if !ok {
				if f.Message != "" {
					advice = append(advice, f.Message)
				}
				continue
			}
			key, _ := json.Marshal(sf)
			if seen[string(key)] {
				continue // SARIF wants fixes unique
			}
			seen[string(key)] = true
			sr.Fixes = append(sr.Fixes, sf)
		}
		if len(advice) > 0 {
			sr.Message.Text += "\nFix: " + strings.Join(advice, "\nFix: ")
			sr.Properties = map[string]any{"fixAdvice": advice}
		}
		results = append(results, sr)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: results}
	if opts.Source != nil {
		run.ColumnKind = "utf16CodeUnits"
	}
	return sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
}

func sarifRuleOf(r Rule) sarifRule {
	sr := sarifRule{ID: r.ID, Name: r.Name}
	if r.Summary != "" {
		sr.ShortDescription = &sarifMessage{Text: r.Summary}
	} else {
		sr.ShortDescription = &sarifMessage{Text: r.ID}
	}
	full := r.Help
	if full == "" {
		full = r.Summary
	}
	if full != "" {
		sr.FullDescription = &sarifMessage{Text: full}
	}
	help := r.Help
	switch {
	case isAbsURI(r.HelpURI):
		sr.HelpURI = r.HelpURI
	case r.HelpURI != "":
		// helpUri must be absolute; a relative reference stays readable in
		// the help text.
		help = strings.TrimSpace(help + "\n\nDocumentation: " + r.HelpURI)
	}
	if help != "" {
		sr.Help = &sarifMessage{Text: help}
	}
	if r.Severity != "" {
		sr.DefaultConfiguration = &sarifConfig{Level: SARIFLevel(r.Severity)}
	}
	return sr
}

// isAbsURI reports whether s is an absolute URI (what the schema's "uri"
// format asks for).
func isAbsURI(s string) bool {
	if s == "" || strings.ContainsAny(s, " \\") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

// toURI turns a file path into a URI reference: forward slashes, no leading
// "./", percent-encoded; an absolute path becomes a file: URI.
func toURI(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	if len(p) >= 3 && p[1] == ':' && p[2] == '/' && (p[0]|0x20) >= 'a' && (p[0]|0x20) <= 'z' {
		p = "/" + p // C:/x -> file:///C:/x
	}
	if strings.HasPrefix(p, "/") {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// sourceCache reads each file once for column conversion and fingerprints.
type sourceCache struct {
	read  func(string) ([]byte, error)
	files map[string][][]byte // nil entry: unreadable
}

func newSourceCache(read func(string) ([]byte, error)) *sourceCache {
	return &sourceCache{read: read, files: map[string][][]byte{}}
}

// line returns line n (1-based) of file without its newline.
func (c *sourceCache) line(file string, n int) ([]byte, bool) {
	if c.read == nil || file == "" || n < 1 {
		return nil, false
	}
	lines, ok := c.files[file]
	if !ok {
		if data, err := c.read(file); err == nil {
			lines = bytes.Split(data, []byte("\n"))
		}
		c.files[file] = lines
	}
	if n > len(lines) {
		return nil, false
	}
	return bytes.TrimSuffix(lines[n-1], []byte("\r")), true
}

// column converts a 1-based byte column to the unit the run declares:
// bytes without a source, UTF-16 code units with one.
func (c *sourceCache) column(file string, line, col int) int {
	if col < 1 || c.read == nil {
		return col
	}
	text, ok := c.line(file, line)
	if !ok || col-1 > len(text) {
		return col
	}
	n := 1
	for b := text[:col-1]; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			n++ // an invalid byte counts as one unit
		} else {
			n += utf16.RuneLen(r)
		}
		b = b[size:]
	}
	return n
}

// region renders [pos, end) as a SARIF region; ok is false for a position
// with no line (the whole file).
func (c *sourceCache) region(pos, end Position) (*sarifRegion, bool) {
	if !pos.IsValid() {
		return nil, false
	}
	r := &sarifRegion{StartLine: pos.Line}
	if pos.Column > 0 {
		r.StartColumn = c.column(pos.File, pos.Line, pos.Column)
	}
	if end.IsValid() && !end.before(pos) {
		r.EndLine = end.Line
		if end.Column > 0 && pos.Column > 0 {
			r.EndColumn = c.column(pos.File, end.Line, end.Column)
		}
	}
	return r, true
}

func (c *sourceCache) location(pos, end Position) (sarifLocation, bool) {
	if pos.File == "" {
		return sarifLocation{}, false
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: toURI(pos.File)}}}
	if r, ok := c.region(pos, end); ok {
		loc.PhysicalLocation.Region = r
	}
	return loc, true
}

// fix renders a suggested fix with edits as a SARIF fix, one artifactChange
// per file in the order the files first appear. ok is false for advice (no
// edits) and for edits that name no line, which SARIF cannot express.
func (c *sourceCache) fix(defaultFile string, f SuggestedFix) (sarifFix, bool) {
	if len(f.TextEdits) == 0 {
		return sarifFix{}, false
	}
	var order []string
	changes := map[string]*sarifArtifactChange{}
	for _, e := range f.TextEdits {
		file := e.Pos.File
		if file == "" {
			file = defaultFile
		}
		if file == "" || !e.Pos.IsValid() {
			return sarifFix{}, false
		}
		end := e.End
		if !end.IsValid() {
			end = e.Pos
		}
		if end.before(e.Pos) {
			return sarifFix{}, false
		}
		startCol, endCol := e.Pos.Column, end.Column
		if startCol < 1 {
			startCol = 1
		}
		if endCol < 1 {
			endCol = 1
		}
		rep := sarifReplacement{DeletedRegion: sarifRegion{
			StartLine: e.Pos.Line, StartColumn: c.column(file, e.Pos.Line, startCol),
			EndLine: end.Line, EndColumn: c.column(file, end.Line, endCol),
		}}
		if e.NewText != "" {
			rep.InsertedContent = &sarifContent{Text: e.NewText}
		}
		uri := toURI(file) // "./Dockerfile" and "Dockerfile" are one artifact
		ch, ok := changes[uri]
		if !ok {
			ch = &sarifArtifactChange{ArtifactLocation: sarifArtifact{URI: uri}}
			changes[uri] = ch
			order = append(order, uri)
		}
		ch.Replacements = append(ch.Replacements, rep)
	}
	sf := sarifFix{}
	if f.Message != "" {
		sf.Description = &sarifMessage{Text: f.Message}
	}
	for _, uri := range order {
		sf.ArtifactChanges = append(sf.ArtifactChanges, *changes[uri])
	}
	return sf, true
}

// fingerprintBase hashes what identifies a finding regardless of where in
// the file it moved: rule, file and the line's content with whitespace
// collapsed, or the message with digits blurred when the line is unknown.
func fingerprintBase(d Diagnostic, c *sourceCache) string {
	content := ""
	if text, ok := c.line(d.Pos.File, d.Pos.Line); ok {
		content = "line:" + strings.Join(strings.Fields(string(text)), " ")
	} else {
		content = "message:" + blurDigits(strings.Join(strings.Fields(d.Message), " "))
	}
	sum := sha256.Sum256([]byte(d.Rule + "\x00" + toURI(d.Pos.File) + "\x00" + content))
	return hex.EncodeToString(sum[:8])
}

// blurDigits replaces each run of digits with "#", so that a message that
// quotes a line number keeps its fingerprint when the file shifts.
func blurDigits(s string) string {
	var b strings.Builder
	inRun := false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if !inRun {
				b.WriteByte('#')
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteRune(r)
	}
	return b.String()
}

package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of the analysers' commands.
type Format string

// The formats every analyser command offers.
const (
	FormatText   Format = "text"
	FormatJSON   Format = "json"
	FormatSARIF  Format = "sarif"
	FormatGitHub Format = "github"
)

// ParseFormat parses text, json, sarif and github.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatText, FormatJSON, FormatSARIF, FormatGitHub:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json, sarif or github)", s)
}

//go:embed schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft-07) of what Write prints for
// FormatJSON; "#/definitions/diagnostic" is one diagnostic, for analysers
// that wrap diagnostics in an envelope of their own. schema.md explains it.
func JSONSchema() []byte { return bytes.Clone(jsonSchema) }

// JSONSchemaID is the $id of JSONSchema.
const JSONSchemaID = "https://github.com/deploykit/deploykit/internal/report/schema.json"

// SchemaVersion is the version of the JSON shape that Write produces; it
// grows only by adding fields.
const SchemaVersion = 1

// Write renders diags in format f. JSON is the generic envelope
// {"schemaVersion":1,"tool":NAME,"diagnostics":[...]}; an analyser with a
// richer JSON shape of its own renders JSON itself and calls Write for the
// other formats.
func Write(w io.Writer, f Format, tool Tool, rules []Rule, diags []Diagnostic) error {
	switch f {
	case FormatText, "":
		return WriteDiagnosticsText(w, diags)
	case FormatGitHub:
		return WriteDiagnosticsGitHub(w, diags)
	case FormatSARIF:
		return WriteDiagnosticsSARIF(w, tool, rules, diags)
	case FormatJSON:
		if diags == nil {
			diags = []Diagnostic{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			SchemaVersion int          `json:"schemaVersion"`
			Tool          string       `json:"tool"`
			Diagnostics   []Diagnostic `json:"diagnostics"`
		}{SchemaVersion, tool.Name, diags})
	}
	return fmt.Errorf("unknown format %q", f)
}

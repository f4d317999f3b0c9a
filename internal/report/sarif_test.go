package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

// sarifDoc decodes the parts of a SARIF log the tests look at, with the
// spec's property names.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind string `json:"columnKind"`
		Tool       struct {
			Driver struct {
				Name           string `json:"name"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text string }
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct{ Level string }
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string `json:"ruleId"`
			RuleIndex           *int   `json:"ruleIndex"`
			Level               string `json:"level"`
			Message             struct{ Text string }
			Locations           []sarifLoc        `json:"locations"`
			RelatedLocations    []sarifLoc        `json:"relatedLocations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Fixes               []struct {
				Description     struct{ Text string }
				ArtifactChanges []struct {
					ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					Replacements     []struct {
						DeletedRegion   sarifReg               `json:"deletedRegion"`
						InsertedContent *struct{ Text string } `json:"insertedContent"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
			Properties map[string]any `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifReg struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifLoc struct {
	ID               int `json:"id"`
	PhysicalLocation struct {
		ArtifactLocation struct{ URI string } `json:"artifactLocation"`
		Region           sarifReg             `json:"region"`
	} `json:"physicalLocation"`
	Message struct{ Text string }
}

func decodeSARIF(t *testing.T, data []byte) sarifDoc {
	t.Helper()
	var d sarifDoc
	require.NoError(t, json.Unmarshal(data, &d))
	require.Equal(t, "2.1.0", d.Version)
	require.Len(t, d.Runs, 1)
	return d
}

// writeValidSARIF writes diags and fails the test unless the official
// schema accepts the log.
func writeValidSARIF(t *testing.T, tool Tool, rules []Rule, diags []Diagnostic, opts SARIFOptions) sarifDoc {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteSARIFWith(&b, tool, rules, diags, opts))
	require.NoError(t, sarifcheck.Validate(b.Bytes()), b.String())
	return decodeSARIF(t, b.Bytes())
}

var tool = Tool{Name: "deploykit-dockerfile", Version: "0.1.0", InformationURI: "https://github.com/deploykit/deploykit"}

var dkRules = []Rule{
	{ID: "DK101", Name: "from-as-casing", Summary: "FROM ... as: the keyword AS is upper case.", Help: "BuildKit warns on mixed casing.", HelpURI: "https://github.com/deploykit/deploykit/blob/main/imagebuild/README.md#dk101", Severity: SeverityWarning},
	{ID: "DK102", Name: "apt-no-recommends", Summary: "apt-get install without --no-install-recommends.", Help: "Recommends add 100+ MiB.", HelpURI: "README.md#dk102", Severity: SeverityInfo},
}

func TestSARIFRegionsFixesAndRelated(t *testing.T) {
	diags := []Diagnostic{{
		Pos: Position{File: "Dockerfile", Line: 3, Column: 22}, End: Position{File: "Dockerfile", Line: 3, Column: 24},
		Rule: "DK101", Severity: SeverityWarning, Message: "'as' should be upper case",
		SuggestedFixes: []SuggestedFix{
			{Message: "write AS", TextEdits: []TextEdit{{Pos: Position{Line: 3, Column: 22}, End: Position{Line: 3, Column: 24}, NewText: "AS"}}},
			{Message: "write AS", TextEdits: []TextEdit{{Pos: Position{Line: 3, Column: 22}, End: Position{Line: 3, Column: 24}, NewText: "AS"}}}, // duplicate
			{Message: "or name the stage in lower case throughout"},
		},
		Related: []Related{{Pos: Position{File: "Dockerfile", Line: 1, Column: 1}, End: Position{File: "Dockerfile", Line: 1, Column: 5}, Message: "the first FROM"}},
	}, {
		Pos: Position{File: "Dockerfile", Line: 5, Column: 1}, End: Position{File: "Dockerfile", Line: 6, Column: 30},
		Rule: "DK102", Severity: SeverityInfo, Message: "apt-get install without --no-install-recommends",
		SuggestedFixes: []SuggestedFix{{Message: "add --no-install-recommends", TextEdits: []TextEdit{
			{Pos: Position{Line: 5, Column: 32}, NewText: " --no-install-recommends"},                                                  // insertion: End zero
			{Pos: Position{File: "requirements.txt", Line: 2, Column: 1}, End: Position{File: "requirements.txt", Line: 3, Column: 1}}, // deletion in another file
		}}},
	}}
	d := writeValidSARIF(t, tool, dkRules, diags, SARIFOptions{})
	run := d.Runs[0]
	assert.Empty(t, run.ColumnKind, "without the source, columns stay bytes and no kind is claimed")

	r := run.Results[0]
	assert.Equal(t, sarifReg{3, 22, 3, 24}, r.Locations[0].PhysicalLocation.Region)
	require.Len(t, r.Fixes, 1, "the duplicate fix is dropped (SARIF fixes are unique)")
	f := r.Fixes[0]
	assert.Equal(t, "write AS", f.Description.Text)
	require.Len(t, f.ArtifactChanges, 1)
	assert.Equal(t, "Dockerfile", f.ArtifactChanges[0].ArtifactLocation.URI, "an edit with no file is in the diagnostic's file")
	rep := f.ArtifactChanges[0].Replacements[0]
	assert.Equal(t, sarifReg{3, 22, 3, 24}, rep.DeletedRegion)
	assert.Equal(t, "AS", rep.InsertedContent.Text)
	assert.Equal(t, "'as' should be upper case\nFix: or name the stage in lower case throughout", r.Message.Text)
	assert.Equal(t, []any{"or name the stage in lower case throughout"}, r.Properties["fixAdvice"])
	require.Len(t, r.RelatedLocations, 1)
	assert.Equal(t, 1, r.RelatedLocations[0].ID)
	assert.Equal(t, "the first FROM", r.RelatedLocations[0].Message.Text)
	assert.Equal(t, sarifReg{1, 1, 1, 5}, r.RelatedLocations[0].PhysicalLocation.Region)

	r = run.Results[1]
	assert.Equal(t, sarifReg{5, 1, 6, 30}, r.Locations[0].PhysicalLocation.Region)
	require.Len(t, r.Fixes, 1)
	changes := r.Fixes[0].ArtifactChanges
	require.Len(t, changes, 2, "one artifactChange per file")
	ins := changes[0].Replacements[0]
	assert.Equal(t, sarifReg{5, 32, 5, 32}, ins.DeletedRegion, "an insertion deletes an empty region")
	assert.Equal(t, " --no-install-recommends", ins.InsertedContent.Text)
	assert.Equal(t, "requirements.txt", changes[1].ArtifactLocation.URI)
	assert.Nil(t, changes[1].Replacements[0].InsertedContent, "a deletion inserts nothing")
	assert.Equal(t, sarifReg{2, 1, 3, 1}, changes[1].Replacements[0].DeletedRegion)
}

func TestSARIFRuleMetadata(t *testing.T) {
	d := writeValidSARIF(t, tool, append(dkRules, dkRules[0]), []Diagnostic{
		{Pos: Position{File: "x.sql", Line: 1}, Rule: "MG001", URL: "https://example.com/rules#mg001", Severity: SeverityError, Message: "m"},
	}, SARIFOptions{})
	rules := d.Runs[0].Tool.Driver.Rules
	require.Len(t, rules, 3, "duplicate rule IDs collapse; the unknown MG001 is added")
	dk101, dk102, mg001 := rules[0], rules[1], rules[2]
	assert.Equal(t, "DK101", dk101.ID)
	assert.Equal(t, "from-as-casing", dk101.Name)
	assert.Equal(t, "FROM ... as: the keyword AS is upper case.", dk101.ShortDescription.Text)
	assert.Equal(t, "BuildKit warns on mixed casing.", dk101.FullDescription.Text)
	assert.Equal(t, "BuildKit warns on mixed casing.", dk101.Help.Text)
	assert.Equal(t, "https://github.com/deploykit/deploykit/blob/main/imagebuild/README.md#dk101", dk101.HelpURI)
	assert.Equal(t, "warning", dk101.DefaultConfiguration.Level)
	assert.Empty(t, dk102.HelpURI, "helpUri must be absolute")
	assert.Equal(t, "Recommends add 100+ MiB.\n\nDocumentation: README.md#dk102", dk102.Help.Text)
	assert.Equal(t, "note", dk102.DefaultConfiguration.Level)
	assert.Equal(t, "MG001", mg001.ID)
	assert.Equal(t, "https://example.com/rules#mg001", mg001.HelpURI, "the diagnostic's URL documents an unknown rule")
	require.NotNil(t, d.Runs[0].Results[0].RuleIndex)
	assert.Equal(t, 2, *d.Runs[0].Results[0].RuleIndex)
	assert.Equal(t, "https://github.com/deploykit/deploykit", d.Runs[0].Tool.Driver.InformationURI)

	// A tool with no name or a relative information URI still validates.
	writeValidSARIF(t, Tool{InformationURI: "docs/"}, nil, nil, SARIFOptions{})
}

func TestSARIFURIs(t *testing.T) {
	for in, want := range map[string]string{
		"./Dockerfile":         "Dockerfile",
		"././a/b.sql":          "a/b.sql",
		`app\gunicorn.conf.py`: "app/gunicorn.conf.py",
		"my app/a#1?.txt":      "my%20app/a%231%3F.txt",
		"/src/app/Dockerfile":  "file:///src/app/Dockerfile",
		`C:\src\Dockerfile`:    "file:///C:/src/Dockerfile",
		"a:b.sql":              "./a:b.sql",
		"100%.txt":             "100%25.txt",
	} {
		d := writeValidSARIF(t, tool, nil, []Diagnostic{{Pos: Position{File: in, Line: 1}, Rule: "R", Message: "m"}}, SARIFOptions{})
		assert.Equal(t, want, d.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI, in)
	}
}

// With the source, columns are UTF-16 code units (SARIF's utf16CodeUnits):
// "é" is 2 bytes but 1 unit, "😀" 4 bytes but 2 units.
func TestSARIFColumnsFromSource(t *testing.T) {
	src := map[string]string{"gunicorn.conf.py": "# é\nname = \"é😀\"; workers = 4\n"}
	read := func(p string) ([]byte, error) {
		if s, ok := src[p]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	line := "name = \"é😀\"; workers = 4"
	col := strings.Index(line, "workers") + 1 // byte column 18
	require.Equal(t, 18, col)
	d := writeValidSARIF(t, tool, nil, []Diagnostic{
		{Pos: Position{File: "gunicorn.conf.py", Line: 2, Column: col}, End: Position{File: "gunicorn.conf.py", Line: 2, Column: col + 7}, Rule: "GC001", Message: "m",
			SuggestedFixes: []SuggestedFix{{Message: "rename", TextEdits: []TextEdit{{Pos: Position{Line: 2, Column: col}, End: Position{Line: 2, Column: col + 7}, NewText: "threads"}}}}},
		{Pos: Position{File: "missing.py", Line: 1, Column: 5}, Rule: "GC001", Message: "m"},
	}, SARIFOptions{Source: read})
	run := d.Runs[0]
	assert.Equal(t, "utf16CodeUnits", run.ColumnKind)
	// `name = "` is 8 units, é 1, 😀 2, `"; ` 3: "workers" starts at unit 15.
	assert.Equal(t, sarifReg{2, 15, 2, 22}, run.Results[0].Locations[0].PhysicalLocation.Region)
	assert.Equal(t, sarifReg{2, 15, 2, 22}, run.Results[0].Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion)
	assert.Equal(t, sarifReg{StartLine: 1, StartColumn: 5}, run.Results[1].Locations[0].PhysicalLocation.Region, "an unreadable file keeps byte columns")
}

func TestSARIFFingerprints(t *testing.T) {
	fp := func(diags []Diagnostic, opts SARIFOptions) []string {
		d := writeValidSARIF(t, tool, nil, diags, opts)
		var out []string
		for _, r := range d.Runs[0].Results {
			out = append(out, r.PartialFingerprints[FingerprintKey])
		}
		return out
	}
	at := func(line int, msg string) Diagnostic {
		return Diagnostic{Pos: Position{File: "Dockerfile", Line: line, Column: 1}, Rule: "DK102", Severity: SeverityInfo, Message: msg}
	}
	// Without the source: the message, digits blurred, decides.
	before := fp([]Diagnostic{at(4, "apt-get at line 4"), at(9, "apt-get at line 9"), at(12, "other")}, SARIFOptions{})
	after := fp([]Diagnostic{at(6, "apt-get at line 6"), at(11, "apt-get at line 11"), at(14, "other")}, SARIFOptions{})
	assert.Equal(t, before, after, "moving every finding down two lines keeps the fingerprints")
	assert.Regexp(t, `^[0-9a-f]{16}:1$`, before[0])
	assert.Equal(t, strings.TrimSuffix(before[0], ":1")+":2", before[1], "the second identical finding is :2")
	assert.NotEqual(t, strings.Split(before[0], ":")[0], strings.Split(before[2], ":")[0])

	// With the source: the line's content, whitespace collapsed, decides.
	v1 := "FROM python:3.12\nRUN apt-get install -y gcc\n"
	v2 := "# syntax=docker/dockerfile:1\nFROM python:3.12\n\nRUN   apt-get install -y gcc\n"
	read := func(s string) func(string) ([]byte, error) {
		return func(string) ([]byte, error) { return []byte(s), nil }
	}
	a := fp([]Diagnostic{at(2, "x on line 2")}, SARIFOptions{Source: read(v1)})
	b := fp([]Diagnostic{at(4, "x on line 4")}, SARIFOptions{Source: read(v2)})
	assert.Equal(t, a, b)
	c := fp([]Diagnostic{at(1, "x")}, SARIFOptions{Source: read(v1)})
	assert.NotEqual(t, a, c, "another line, another fingerprint")
	other := at(2, "x on line 2")
	other.Rule = "DK103"
	assert.NotEqual(t, a, fp([]Diagnostic{other}, SARIFOptions{Source: read(v1)}), "another rule, another fingerprint")
}

// Inputs SARIF cannot express as a fix or region never produce an invalid
// log: they degrade to advice or to a location without a region.
func TestSARIFDegradesInsteadOfInvalid(t *testing.T) {
	diags := []Diagnostic{
		{Pos: Position{File: "a.sql"}, Rule: "R", Message: "whole file", SuggestedFixes: []SuggestedFix{
			{Message: "edit without a line", TextEdits: []TextEdit{{Pos: Position{File: "a.sql"}, NewText: "x"}}},
			{Message: "end before start", TextEdits: []TextEdit{{Pos: Position{Line: 3, Column: 5}, End: Position{Line: 2, Column: 1}}}},
			{TextEdits: []TextEdit{{Pos: Position{File: "a.sql", Line: 1}, NewText: "-- x\n"}}}, // column 0: start of line
		}},
		{Pos: Position{File: "a.sql", Line: 2, Column: 3}, End: Position{File: "a.sql", Line: 1, Column: 1}, Rule: "R", Message: ""},
		{Rule: "", Message: "no rule, no file"},
	}
	d := writeValidSARIF(t, tool, nil, diags, SARIFOptions{})
	r := d.Runs[0].Results
	require.Len(t, r[0].Fixes, 1)
	assert.Equal(t, sarifReg{1, 1, 1, 1}, r[0].Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion)
	assert.Equal(t, "whole file\nFix: edit without a line\nFix: end before start", r[0].Message.Text)
	assert.Equal(t, sarifReg{StartLine: 2, StartColumn: 3}, r[1].Locations[0].PhysicalLocation.Region, "an end before the start is dropped")
	assert.Equal(t, "R", r[1].Message.Text, "SARIF needs a message text")
	assert.Empty(t, r[2].Locations)
	assert.Nil(t, r[2].RuleIndex, "no rule ID: no rule entry, no index")
	for _, rule := range d.Runs[0].Tool.Driver.Rules {
		assert.NotEmpty(t, rule.ID)
	}

	// One file named two ways is one artifactChange.
	d = writeValidSARIF(t, tool, nil, []Diagnostic{{Pos: Position{File: "Dockerfile", Line: 1}, Rule: "R", Message: "m",
		SuggestedFixes: []SuggestedFix{{Message: "f", TextEdits: []TextEdit{
			{Pos: Position{File: "./Dockerfile", Line: 1, Column: 1}, NewText: "a"},
			{Pos: Position{File: "Dockerfile", Line: 2, Column: 1}, NewText: "b"},
		}}}}}, SARIFOptions{})
	require.Len(t, d.Runs[0].Results[0].Fixes[0].ArtifactChanges, 1)
	assert.Len(t, d.Runs[0].Results[0].Fixes[0].ArtifactChanges[0].Replacements, 2)
}

package migrate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/report/sarifcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutputs(t *testing.T) {
	rep, err := AnalyzeSQL("m.sql", []byte("--\n-- Remove field body from post\n--\nALTER TABLE \"blog_post\" DROP COLUMN \"body\" CASCADE;\n"), Options{})
	require.NoError(t, err)
	reps := []*FileReport{rep, nil}

	var b bytes.Buffer
	require.NoError(t, WriteText(&b, reps))
	assert.Contains(t, b.String(), "m.sql:4:1: error: RemoveField body from post: dropping blog_post.body")
	assert.True(t, strings.HasSuffix(b.String(), "m.sql: dangerous (1 errors, 0 warnings, 1 info)\n"), b.String())

	b.Reset()
	require.NoError(t, WriteGitHub(&b, reps))
	assert.Contains(t, b.String(), "::error file=m.sql,line=4,col=1,endLine=4,endColumn=51,title=DKM010::RemoveField body from post")
	assert.Contains(t, b.String(), "::notice file=m.sql,line=4,col=1,endLine=4,endColumn=51,title=DKM051::")

	b.Reset()
	require.NoError(t, WriteSARIF(&b, reps, "test"))
	assert.Contains(t, b.String(), `"ruleId": "DKM010"`)
	assert.Contains(t, b.String(), `"id": "DKM061"`, "every rule is documented in the run")
	require.NoError(t, sarifcheck.Validate(b.Bytes()))

	assert.Equal(t, SeverityError, MaxSeverity(reps))
	assert.Equal(t, Severity(""), MaxSeverity(nil))
}

// TestJSONCompatible checks the JSON contract for users' scripts: the
// fields of the first schema keep their names and meaning, and the new
// ones (file, end_line, end_column, url, fixes) sit beside them.
func TestJSONCompatible(t *testing.T) {
	src := []byte("BEGIN;\n--\n-- Create index blog_post_title_idx on field(s) title of model post\n--\nCREATE INDEX \"blog_post_title_idx\" ON \"blog_post\" (\"title\");\nCOMMIT;\n")
	rep, err := AnalyzeSQL("0004.sql", src, Options{PGVersion: 16})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, []*FileReport{rep}))
	var doc struct {
		SchemaVersion int `json:"schemaVersion"`
		Files         []struct {
			Path     string           `json:"path"`
			Verdict  string           `json:"verdict"`
			Findings []map[string]any `json:"findings"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	require.Len(t, doc.Files, 1)
	assert.Equal(t, "0004.sql", doc.Files[0].Path)
	assert.Equal(t, "dangerous", doc.Files[0].Verdict)
	var idx map[string]any
	for _, f := range doc.Files[0].Findings {
		if f["rule"] == RuleCreateIndex {
			idx = f
		}
	}
	require.NotNil(t, idx, b.String())
	for k, v := range map[string]any{
		"severity": "error", "line": float64(5), "column": float64(1), "file": "0004.sql",
		"end_line": float64(5), "end_column": float64(60), // just after the statement, before ";" "lock": "SHARE", "relation": "blog_post",
		"operation": "AddIndex blog_post_title_idx on field(s) title of model post", "rewrite": false, "scan": true,
		"url": "https://github.com/deploykit/deploykit/blob/main/migrate/RULES.md#dkm030-create-index-non-concurrently",
	} {
		assert.Equal(t, v, idx[k], k)
	}
	assert.Equal(t, `CREATE INDEX "blog_post_title_idx" ON "blog_post" ("title")`, idx["statement"])
	assert.NotContains(t, idx["message"], "AddIndex", "message keeps its meaning; the operation has its own field")
	assert.NotEmpty(t, idx["fix"])
	require.NotEmpty(t, idx["fixes"])

	// The document reads back into Report, findings and edits included.
	var back Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	require.Len(t, back.Files, 1)
	assert.Equal(t, rep.Findings, back.Files[0].Findings)
}

// TestFixesRoundTrip applies every suggested fix with text edits to each
// fixture, re-runs the analyser, and checks that the fixed finding is gone
// and that no new finding appeared.
func TestFixesRoundTrip(t *testing.T) {
	paths, err := filepath.Glob("testdata/static/sqlmigrate/*.sql")
	require.NoError(t, err)
	extra := map[string]string{
		"plain.sql":    "CREATE INDEX i ON t (c);\nCREATE UNIQUE INDEX  j ON t (d, e);\n",
		"block.sql":    "BEGIN;\nALTER TABLE t ADD COLUMN c integer NULL;\nCREATE INDEX i ON t (c);\nCREATE INDEX k ON t (d);\nCOMMIT;\n",
		"oneline.sql":  "BEGIN; CREATE INDEX i ON t USING gin (c); COMMIT;",
		"atomic.sql":   "CREATE INDEX i ON t (c);\n",
		"newtable.sql": "CREATE TABLE n (id int);\nCREATE INDEX i ON n (id);\n",
	}
	type fixture struct {
		name string
		src  []byte
		opts Options
	}
	var fixtures []fixture
	for _, p := range paths {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		fixtures = append(fixtures, fixture{filepath.Base(p), src, Options{PGVersion: 16}})
	}
	for name, sql := range extra {
		opts := Options{PGVersion: 16, Atomic: name == "atomic.sql"}
		fixtures = append(fixtures, fixture{name, []byte(sql), opts})
	}
	sort.Slice(fixtures, func(i, j int) bool { return fixtures[i].name < fixtures[j].name })
	fixed := 0
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			rep, err := AnalyzeSQL(fx.name, fx.src, fx.opts)
			require.NoError(t, err)
			edits := report.FixEdits(Diagnostics([]*FileReport{rep}))[fx.name]
			if len(edits) == 0 {
				return
			}
			fixed++
			out, err := report.ApplyEdits(fx.src, edits)
			require.NoError(t, err)
			again, err := AnalyzeSQL(fx.name, out, fx.opts)
			require.NoError(t, err, "fixed SQL parses:\n%s", out)
			before := ruleCounts(rep)
			after := ruleCounts(again)
			assert.Zero(t, after[RuleCreateIndex], "fixed:\n%s\nfindings: %v", out, after)
			for r, n := range after {
				assert.LessOrEqual(t, n, before[r], "rule %s is new after the fix:\n%s", r, out)
			}
			// Applying the fixes again is a no-op: nothing is left to fix.
			assert.Empty(t, report.FixEdits(Diagnostics([]*FileReport{again}))[fx.name])
		})
	}
	assert.GreaterOrEqual(t, fixed, 5, "fixtures with CREATE INDEX")
}

func ruleCounts(rep *FileReport) map[string]int {
	out := map[string]int{}
	for _, f := range rep.Findings {
		out[f.Rule]++
	}
	return out
}

// TestSARIFValidOnFixtures validates the SARIF of every fixture against the
// official SARIF 2.1.0 schema.
func TestSARIFValidOnFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/static/sqlmigrate/*.sql")
	require.NoError(t, err)
	var files []File
	for _, p := range paths {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, File{Path: p, SQL: src})
	}
	reps, err := AnalyzeFiles(files, Options{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteSARIF(&b, reps, "test"))
	require.NoError(t, sarifcheck.Validate(b.Bytes()))
	assert.Contains(t, b.String(), `"artifactChanges"`, "the CREATE INDEX fixes are SARIF fixes")
}

// WriteJSON encodes findings through plain structs for speed; the objects
// must be exactly what Finding.MarshalJSON writes.
func TestWriteJSONMatchesMarshalJSON(t *testing.T) {
	src := []byte("BEGIN;\nCREATE INDEX i ON t (c);\nALTER TABLE t DROP COLUMN d;\nCOMMIT;\n")
	rep, err := AnalyzeSQL("x.sql", src, Options{PGVersion: 16})
	require.NoError(t, err)
	rep.Findings[0].Related = []RelatedPosition{{Pos: Position{File: "x.sql", Line: 1, Column: 1}, Message: "the BEGIN"}}
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, []*FileReport{rep}))
	var doc struct {
		Files []struct {
			Findings []json.RawMessage `json:"findings"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	require.Len(t, doc.Files[0].Findings, len(rep.Findings))
	for i, raw := range doc.Files[0].Findings {
		want, err := json.Marshal(rep.Findings[i])
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(raw))
	}
}

// WriteJSON's hand-assembled document is byte for byte what json.Encoder
// with two-space indentation writes for Report.
func TestWriteJSONBytesAsEncoder(t *testing.T) {
	a, err := AnalyzeSQL("a.sql", []byte("CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN \"<&>\" text;\n"), Options{PGVersion: 16})
	require.NoError(t, err)
	b, err := AnalyzeSQL("b.sql", []byte("SELECT 1;\n"), Options{PGVersion: 16})
	require.NoError(t, err)
	for _, reps := range [][]*FileReport{nil, {a}, {b}, {a, b, nil}} {
		var got, want bytes.Buffer
		require.NoError(t, WriteJSON(&got, reps))
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(Report{SchemaVersion: JSONSchemaVersion, Files: nonNil(reps)}))
		assert.Equal(t, want.String(), got.String())
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixtures = "../../migrate/testdata/static/sqlmigrate"

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestTextOnDjangoFixtures(t *testing.T) {
	code, out, _ := runCLI(fixtures)
	assert.Equal(t, 1, code, "dangerous migrations fail the default -fail-on error")
	assert.Contains(t, out, "blog_0003_post_views.sql:6:1: error: AddField views to post:")
	assert.Contains(t, out, "[DKM014]")
	assert.Contains(t, out, "blog_0007_alter_post_title.sql: safe")
}

func TestJSONContract(t *testing.T) {
	code, out, _ := runCLI("-format", "json", fixtures)
	assert.Equal(t, 1, code)
	var doc struct {
		Files []struct {
			Path     string           `json:"path"`
			Verdict  string           `json:"verdict"`
			Findings []map[string]any `json:"findings"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Files, 12)
	assert.Equal(t, "dangerous", doc.Files[2].Verdict)
	var f map[string]any
	for _, x := range doc.Files[2].Findings {
		if x["rule"] == "DKM014" {
			f = x
		}
	}
	require.NotNil(t, f)
	for _, k := range []string{"rule", "severity", "line", "statement", "operation", "lock", "relation", "rewrite", "scan", "message", "fix"} {
		assert.Contains(t, f, k)
	}
	assert.Equal(t, "error", f["severity"])
	assert.Equal(t, float64(6), f["line"])
	assert.Equal(t, "AddField views to post", f["operation"])
	assert.Equal(t, "ACCESS EXCLUSIVE", f["lock"])
	assert.Equal(t, "blog_post", f["relation"])
	assert.Equal(t, false, f["rewrite"])
}

func TestFailOn(t *testing.T) {
	warnOnly := writeFile(t, "w.sql", "UPDATE t SET c = 0;\n")
	code, _, _ := runCLI(warnOnly)
	assert.Equal(t, 0, code)
	code, _, _ = runCLI("-fail-on", "warning", warnOnly)
	assert.Equal(t, 1, code)
	// 14.2 has the concurrent index bug: a warning with the minor version.
	cic := writeFile(t, "c.sql", "CREATE INDEX CONCURRENTLY i ON t (c);\n")
	code, _, _ = runCLI("-fail-on", "warning", "-pg-version", "140002", cic)
	assert.Equal(t, 1, code)
	code, _, _ = runCLI("-fail-on", "warning", "-pg-version", "140004", cic)
	assert.Equal(t, 0, code)
	safe := writeFile(t, "s.sql", "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN c integer NULL;\n")
	code, out, _ := runCLI("-fail-on", "warning", safe)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "s.sql: safe")
	code, _, errs := runCLI("-fail-on", "fatal", safe)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-fail-on")
}

func TestExitTwo(t *testing.T) {
	bad := writeFile(t, "bad.sql", "SELECT 1;\nALTER TABLEE x;\n")
	code, _, errs := runCLI(bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "bad.sql:2:7: syntax error at or near \"TABLEE\"")

	code, _, errs = runCLI(filepath.Join(t.TempDir(), "missing.sql"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "missing.sql")

	code, _, _ = runCLI()
	assert.Equal(t, 2, code)
	code, _, _ = runCLI("-format", "xml", bad)
	assert.Equal(t, 2, code)
	code, _, errs = runCLI("-pg-version", "9", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-pg-version")

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "manage.py"), nil, 0o644))
	code, _, errs = runCLI(empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-python")
}

func TestSARIFAndGitHub(t *testing.T) {
	p := writeFile(t, "m.sql", "ALTER TABLE t DROP COLUMN c;\n")
	code, out, _ := runCLI("-format", "sarif", p)
	assert.Equal(t, 1, code)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	assert.Equal(t, "2.1.0", log.Version)
	require.NotEmpty(t, log.Runs[0].Results)
	assert.Equal(t, "DKM010", log.Runs[0].Results[0].RuleID)
	assert.Equal(t, "error", log.Runs[0].Results[0].Level)

	code, out, _ = runCLI("-format", "github", p)
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(out, "::error file="), out)
	assert.Contains(t, out, ",line=1,")
}

// TestConventions checks the command conventions every deploykit example
// command shares: help exits 0 and names every verb, flags after
// positional arguments are honoured, exit codes 0/1/2, and every hint
// names a command that exists.
func TestConventions(t *testing.T) {
	drop := writeFile(t, "d.sql", "ALTER TABLE t DROP COLUMN c;\n")
	safe := writeFile(t, "s.sql", "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN c integer NULL;\n")
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"-h", []string{"-h"}, 0, "Verbs:"},
		{"help", []string{"help"}, 0, "apply"},
		{"--help", []string{"--help"}, 0, "trace"},
		{"help apply", []string{"help", "apply"}, 0, "-project"},
		{"apply -h", []string{"apply", "-h"}, 0, "allow-python"},
		{"trace -h", []string{"trace", "-h"}, 0, "rows-threshold"},
		{"pending -h", []string{"pending", "-h"}, 0, "-project"},
		{"check -h", []string{"check", "-h"}, 0, "fail-on"},
		{"rules", []string{"rules"}, 0, "DKM090"},
		{"flags after args", []string{drop, "-format", "json"}, 1, `"schemaVersion": 1`},
		{"flags after args on check", []string{"check", drop, "-fail-on", "warning", "-format", "github"}, 1, "::error file="},
		{"double-dash flags", []string{"--format=json", drop}, 1, `"verdict": "dangerous"`},
		{"clean", []string{safe}, 0, "s.sql: safe"},
		{"quiet", []string{"-q", drop}, 1, "[DKM010]"},
		{"no args", nil, 2, ""},
		{"unknown flag", []string{"-nope", drop}, 2, ""},
		{"bad fail-on", []string{"-fail-on", "fatal", drop}, 2, ""},
		{"bad format", []string{"-format", "xml", drop}, 2, ""},
		{"rules takes no args", []string{"rules", "x"}, 2, ""},
		{"apply needs files or project", []string{"apply", "-dry-run"}, 2, ""},
		{"apply project takes no files", []string{"apply", "-project", ".", drop}, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errs)
			assert.Contains(t, out, tc.out)
			if tc.code == 2 {
				assert.NotEmpty(t, errs, "a usage error says what is wrong")
			}
		})
	}
	// Every "migratecheck VERB" named in a rule's help or a fix exists.
	root := newRoot()
	verbs := map[string]bool{}
	for _, c := range root.Commands() {
		verbs[c.Name()] = true
	}
	_, out, _ := runCLI("rules")
	hints := strings.Join([]string{out, renderedFixes(t)}, "\n")
	for _, m := range regexp.MustCompile(`migratecheck ([a-z]+)`).FindAllStringSubmatch(hints, -1) {
		assert.True(t, verbs[m[1]], "hint names migratecheck %s, which does not exist", m[1])
	}
}

// renderedFixes is the text output of findings whose fixes name commands.
func renderedFixes(t *testing.T) string {
	p := writeFile(t, "p.sql", "CREATE POLICY p ON t USING (true);\n")
	_, out, _ := runCLI(p)
	require.Contains(t, out, "migratecheck trace")
	return out
}

// TestFixAndDiff: -diff prints the CREATE INDEX fix, -fix applies it in
// place, and a second run has nothing left to fix.
func TestFixAndDiff(t *testing.T) {
	p := writeFile(t, "0004.sql", "BEGIN;\nCREATE INDEX i ON t (c);\nCOMMIT;\n")
	code, out, errs := runCLI("-diff", "-pg-version", "16", p)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "+CREATE INDEX CONCURRENTLY i ON t (c);")
	before, _ := os.ReadFile(p)
	assert.Equal(t, "BEGIN;\nCREATE INDEX i ON t (c);\nCOMMIT;\n", string(before), "-diff changes nothing")

	code, out, errs = runCLI(p, "-fix", "-pg-version", "16")
	assert.Equal(t, 0, code, "fixed, nothing left at error: %s %s", out, errs)
	assert.Contains(t, errs, "fixed "+p)
	after, _ := os.ReadFile(p)
	assert.Contains(t, string(after), "CREATE INDEX CONCURRENTLY i ON t (c);")
	assert.NotContains(t, out, "DKM030")

	_, _, errs = runCLI(p, "-fix", "-pg-version", "16")
	assert.NotContains(t, errs, "fixed", "idempotent")
	again, _ := os.ReadFile(p)
	assert.Equal(t, string(after), string(again))
}

// TestDjangoProject runs the real project through sqlmigrate against the
// test PostgreSQL.
func TestDjangoProject(t *testing.T) {
	url := testenv.Postgres(t)
	if err := exec.Command("/usr/bin/python3", "-c", "import django").Run(); err != nil {
		testenv.Unavailable(t, "/usr/bin/python3 has no Django")
	}
	t.Setenv("DATABASE_URL", url)
	code, out, errs := runCLI("-python", "/usr/bin/python3", "-cache-dir", t.TempDir(), "-format", "json", "../../migrate/testdata/static/djangoproject")
	require.Equal(t, 1, code, errs)
	var doc struct {
		Files []struct {
			Path     string `json:"path"`
			Verdict  string `json:"verdict"`
			Findings []struct {
				Rule string `json:"rule"`
				Line int    `json:"line"`
			} `json:"findings"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Files, 12)
	f := doc.Files[10]
	assert.True(t, strings.HasSuffix(f.Path, filepath.Join("blog", "migrations", "0011_backfill_excerpt.py")), f.Path)
	var rules []string
	for _, x := range f.Findings {
		rules = append(rules, x.Rule)
	}
	assert.Contains(t, rules, "DKM060", "RunPython without reverse_code")
	assert.Equal(t, "warn", f.Verdict)
}

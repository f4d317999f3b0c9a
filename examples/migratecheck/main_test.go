package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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

func TestSubcommandRegistry(t *testing.T) {
	subcommands["test-sub"] = func(args []string, stdout, _ io.Writer) int {
		_, _ = io.WriteString(stdout, strings.Join(args, ","))
		return 7
	}
	defer delete(subcommands, "test-sub")
	code, out, _ := runCLI("test-sub", "a", "b")
	assert.Equal(t, 7, code)
	assert.Equal(t, "a,b", out)
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

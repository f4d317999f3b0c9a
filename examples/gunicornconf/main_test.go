package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

const seed = `import multiprocessing

bind = "0.0.0.0:8000"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
worker_connections = 1000
timeout = 30
keepalive = 2
worker = 4
`

func write(t *testing.T, name, body string) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

// TestConventions is the table test of the command conventions every
// example command shares (help exits 0, flags after arguments, exit codes,
// formats, defaults that agree, hints naming commands that exist).
func TestConventions(t *testing.T) {
	bad := write(t, "bad.py", "workers = = 4\n")
	clean := write(t, "clean.py", "accesslog = \"-\"\nworker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\nbind = \"0.0.0.0:8000\"\n")
	misspelt := write(t, "misspelt.py", seed)
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderr   string
		noStdout bool
	}{
		{"-h exits 0", []string{"-h"}, 0, "lint", "", false},
		{"help exits 0", []string{"help"}, 0, "versions", "", false},
		{"help lint describes it", []string{"lint", "-h"}, 0, "-fail-on", "", false},
		{"unknown verb", []string{"frobnicate"}, 2, "", "unknown command", true},
		{"flag after FILE", []string{"lint", clean, "-platform", "appservice-container"}, 0, "", "", true},
		{"old ambiguous platform is refused", []string{"lint", clean, "-platform", "appservice"}, 2, "", "appservice-container", true},
		{"unknown gunicorn version", []string{"lint", clean, "-gunicorn-version", "19.9"}, 2, "", "no catalogue for gunicorn 19.9", true},
		{"syntax error exits 2 with line:col", []string{"lint", bad}, 2, "", "bad.py:1:11:", true},
		{"missing file exits 2", []string{"lint", filepath.Join(t.TempDir(), "nope.py")}, 2, "", "no such file", true},
		{"findings exit 1", []string{"lint", misspelt}, 1, "[GC001]", "", false},
		{"-fail-on error ignores warnings", []string{"lint", write(t, "w.py", "keepalive = 5\naccesslog = \"-\"\n"), "-platform", "plain"}, 0, "[GC004]", "", false},
		{"-fail-on warning", []string{"lint", write(t, "w2.py", "keepalive = 5\naccesslog = \"-\"\n"), "-platform", "plain", "-fail-on", "warning"}, 1, "[GC004]", "", false},
		{"-q hides what is below -fail-on", []string{"lint", write(t, "w3.py", "keepalive = 5\naccesslog = \"-\"\n"), "-platform", "plain", "-q"}, 0, "", "", true},
		{"bad -format", []string{"lint", clean, "-format", "xml"}, 2, "", "unknown format", true},
		{"github format", []string{"lint", misspelt, "-format", "github"}, 1, "::error file=", "", false},
		{"generate needs no FILE", []string{"generate", "extra"}, 2, "", "want 0 argument", true},
		{"generate unknown SKU", []string{"generate", "-sku", "Z9"}, 2, "", "unknown SKU", true},
		{"explain needs -sku", []string{"explain", clean}, 2, "", "-sku is required", true},
		{"versions", []string{"versions"}, 0, "26.2\texact", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			assert.Equal(t, c.code, run(c.args, &out, &errb), "stdout: %s\nstderr: %s", out.String(), errb.String())
			assert.Contains(t, out.String(), c.stdout)
			assert.Contains(t, errb.String(), c.stderr)
			if c.noStdout {
				assert.Empty(t, out.String())
			}
		})
	}
}

func TestLintJSONAndSARIF(t *testing.T) {
	file := write(t, "gunicorn.conf.py", seed)
	var out, errb bytes.Buffer
	require.Equal(t, 1, run([]string{"lint", file, "-format", "json", "-platform", "appservice-code"}, &out, &errb), errb.String())
	var doc struct {
		SchemaVersion int `json:"schemaVersion"`
		Findings      []struct {
			Rule, Severity, Setting, Message, Fix, File, URL string
			Line, Column                                     int
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc), out.String())
	assert.Equal(t, 1, doc.SchemaVersion)
	rules := map[string]bool{}
	for _, f := range doc.Findings {
		rules[f.Rule] = true
		assert.NotEmpty(t, f.Setting, f.Rule)
		assert.Contains(t, f.URL, "#"+strings.ToLower(f.Rule))
		assert.NotContains(t, f.Fix, "deploykit generate", "hints name commands that exist")
	}
	for _, r := range []string{"GC001", "GC004", "GC006", "GC007", "GC008", "GC011", "GC012"} {
		assert.True(t, rules[r], r)
	}
	out.Reset()
	require.Equal(t, 1, run([]string{"lint", file, "-format", "sarif"}, &out, &errb))
	require.NoError(t, sarifcheck.Validate(out.Bytes()), out.String())
}

// TestFixThenLintAgain applies every mechanical fix, re-runs lint: the
// fixed findings are gone and nothing new appears.
func TestFixThenLintAgain(t *testing.T) {
	file := write(t, "gunicorn.conf.py", "WORKERS = 4\ntimeout: 30\naccesslog = \"-\"\n")
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"lint", file, "-platform", "plain", "-diff"}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "+workers = 4")
	out.Reset()
	assert.Equal(t, 0, run([]string{"lint", file, "-platform", "plain", "-fix", "-fail-on", "warning"}, &out, &errb), out.String()+errb.String())
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "workers = 4\ntimeout = 30\naccesslog = \"-\"\n", string(b))
}

// TestLintAndExplainDefaultsAgree: both verbs judge the same file the same
// way when given no flags.
func TestLintAndExplainDefaultsAgree(t *testing.T) {
	file := write(t, "gunicorn.conf.py", seed)
	var out, errb bytes.Buffer
	run([]string{"lint", file, "-format", "json"}, &out, &errb)
	var doc struct {
		Findings []struct{ Severity string } `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	counts := map[string]int{}
	for _, f := range doc.Findings {
		counts[f.Severity]++
	}
	out.Reset()
	require.Equal(t, 0, run([]string{"explain", file, "-sku", "S1"}, &out, &errb), errb.String())
	want := "findings: " + strconv.Itoa(counts["error"]) + " error(s), " + strconv.Itoa(counts["warning"]) + " warning(s), " + strconv.Itoa(counts["info"]) + " info"
	assert.Contains(t, out.String(), want)
}

func TestGenerateThenLintIsClean(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "gunicorn.conf.py")
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"generate", "-sku", "P1v3", "-app", "mysite.wsgi:application", "-o", conf}, &out, &errb), errb.String())
	start := strings.TrimPrefix(strings.Split(out.String(), "startup command: ")[1], "")
	start = strings.TrimSpace(start)
	out.Reset()
	assert.Equal(t, 0, run([]string{"lint", conf, "-startup", start, "-fail-on", "warning"}, &out, &errb), out.String()+errb.String())
}

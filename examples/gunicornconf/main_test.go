package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestLintJSON(t *testing.T) {
	file := write(t, "gunicorn.conf.py", seed)
	var out, errb bytes.Buffer
	code := run([]string{"lint", "-format", "json", "-platform", "appservice-code", file}, &out, &errb)
	assert.Equal(t, 1, code, "worker = 4 is an error-level finding\n%s", errb.String())
	var got struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
	require.NotEmpty(t, got.Findings)
	rules := map[string]bool{}
	for _, f := range got.Findings {
		keys := []string{}
		for k := range f {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"rule", "severity", "line", "setting", "message", "fix"}, keys)
		rules[f["rule"].(string)] = true
	}
	for _, r := range []string{"GC001", "GC004", "GC006", "GC007", "GC008", "GC011", "GC012"} {
		assert.True(t, rules[r], r)
	}
}

func TestLintTextAndWorkerClass(t *testing.T) {
	file := write(t, "c.py", "keepalive = 5\naccesslog = \"-\"\n")
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"lint", file}, &out, &errb))
	assert.Contains(t, out.String(), file+":1:1: warning:")
	assert.Contains(t, out.String(), "[GC004]")
	out.Reset()
	assert.Equal(t, 0, run([]string{"lint", "-platform", "plain", "-worker-class", "gthread", file}, &out, &errb))
	assert.Empty(t, out.String())
	out.Reset()
	assert.Equal(t, 0, run([]string{"lint", "-format", "sarif", file}, &out, &errb))
	assert.Contains(t, out.String(), `"version": "2.1.0"`)
}

func TestLintBadInput(t *testing.T) {
	file := write(t, "bad.py", "workers = (1 +\n")
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run([]string{"lint", file}, &out, &errb))
	assert.Contains(t, errb.String(), "bad.py:1:11")
	assert.Equal(t, 2, run([]string{"lint", "-platform", "moon", file}, &out, &errb))
	assert.Equal(t, 2, run([]string{"lint"}, &out, &errb))
	assert.Equal(t, 2, run([]string{"frobnicate"}, &out, &errb))
}

func TestGenerateThenLintIsClean(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "gunicorn.conf.py")
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"generate", "-sku", "P1v3", "-app", "mysite.wsgi:application", "-o", conf}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "startup command: gunicorn --config gunicorn.conf.py")
	out.Reset()
	// Linted without its startup command, Oryx's GUNICORN_CMD_ARGS still
	// overrides timeout (warnings), but nothing is an error.
	assert.Equal(t, 0, run([]string{"lint", "-platform", "appservice-code", "-format", "json", conf}, &out, &errb), out.String())
	assert.NotContains(t, out.String(), `"severity": "error"`)
	assert.Contains(t, out.String(), `"rule": "GC007"`)

	// With its own startup command, only the info about $WEB_CONCURRENCY
	// remains.
	out.Reset()
	startup := "gunicorn --config gunicorn.conf.py --bind=0.0.0.0:8000 --timeout=30 mysite.wsgi:application"
	assert.Equal(t, 0, run([]string{"lint", "-platform", "appservice-code", "-startup", startup, "-format", "json", conf}, &out, &errb), errb.String())
	assert.NotContains(t, out.String(), `"severity": "warning"`)
	assert.Contains(t, out.String(), `"rule": "GC016"`)

	out.Reset()
	require.Equal(t, 0, run([]string{"generate", "-worker-class", "sync"}, &out, &errb))
	assert.Contains(t, out.String(), "_deploykit_cpus")
	assert.Equal(t, 2, run([]string{"generate", "-sku", "Z9"}, &out, &errb))
}

func TestExplain(t *testing.T) {
	file := write(t, "gunicorn.conf.py", seed)
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"explain", "-sku", "S1", file}, &out, &errb), errb.String())
	s := out.String()
	assert.Contains(t, s, "App Service plan S1")
	assert.Contains(t, s, "CPU limit = 2 x 1 cores + 1 = 3 workers (sync)")
	assert.Contains(t, s, "timeout:      30 s (from the file)")
	assert.True(t, strings.Contains(s, "not statically known"), s)
	assert.Equal(t, 2, run([]string{"explain", file}, &out, &errb))
}

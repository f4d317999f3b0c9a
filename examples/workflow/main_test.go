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

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

const seed = "../../workflow/testdata/seed/ci-cd.yml"
const good = "../../workflow/testdata/good/ci.yml"

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

const facts = `{"image":"minimalwave.azurecr.io/minimalwave-blog","app_name":"minimalwave-app","resource_group":"minimalwave-rg","slot":"staging"}`

// onlyWarnings has one WF011 warning (a deploy with no test job) and
// nothing else.
const onlyWarnings = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`

func TestConventions(t *testing.T) {
	dir := t.TempDir()
	factsFile := write(t, dir, "facts.json", facts)
	warn := write(t, dir, "warn.yml", onlyWarnings)
	bad := write(t, dir, "bad.yml", "on: push\njobs:\n  a:\n\truns-on: x\n")
	wfDir := filepath.Join(dir, ".github", "workflows")
	write(t, wfDir, "ci.yml", onlyWarnings)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"root -h", []string{"-h"}, 0, "generate", ""},
		{"help", []string{"help"}, 0, "lint", ""},
		{"lint -h", []string{"lint", "-h"}, 0, "-fail-on", ""},
		{"generate -h", []string{"generate", "-h"}, 0, "-facts", ""},
		{"rules -h", []string{"rules", "-h"}, 0, "rules", ""},
		{"help lint", []string{"help", "lint"}, 0, "-format", ""},
		{"unknown verb", []string{"frobnicate"}, 2, "", "unknown command"},
		{"unknown flag", []string{"lint", "-nope", good}, 2, "", "workflow lint -h"},
		{"bad -format", []string{"lint", good, "-format", "xml"}, 2, "", "-format"},
		{"bad -fail-on", []string{"lint", good, "-fail-on", "fatal"}, 2, "", "-fail-on"},
		{"bad -disable", []string{"lint", good, "-disable", "WF999"}, 2, "", "workflow rules"},
		{"missing path", []string{"lint", filepath.Join(dir, "nope.yml")}, 2, "", "no such file"},
		{"invalid YAML exits 2 with a position", []string{"lint", bad}, 2, "bad.yml:4:", "not valid workflows"},
		{"clean file", []string{"lint", good}, 0, "", "0 error(s)"},
		{"seed: errors", []string{"lint", seed}, 1, "[WF001]", ""},
		{"flags after the path", []string{"lint", seed, "-format", "json"}, 1, `"rule": "WF004"`, ""},
		{"go-style -fail-on=warning", []string{"lint", warn, "-fail-on=warning"}, 1, "[WF011]", ""},
		{"warnings below -fail-on error", []string{"lint", warn}, 0, "[WF011]", ""},
		{"-q hides what is below -fail-on", []string{"lint", warn, "-q"}, 0, "", ""},
		{"-disable", []string{"lint", warn, "-fail-on", "warning", "-disable", "WF011"}, 0, "", ""},
		{"github format", []string{"lint", seed, "-format", "github"}, 1, "::error file=", ""},
		{"sarif format", []string{"lint", seed, "-format", "sarif"}, 1, `"version": "2.1.0"`, ""},
		{"a directory", []string{"lint", wfDir, "-fail-on", "warning"}, 1, "ci.yml:3:3", ""},
		{"-v names the files and rule docs", []string{"lint", warn, "-v"}, 0, "", "README.md#wf011"},
		{"-q and -v", []string{"lint", warn, "-q", "-v"}, 2, "", "exclude"},
		{"-diff on an invalid file exits 2", []string{"lint", bad, "-diff"}, 2, "", "lint without -diff to see their errors"},
		{"generate to stdout", []string{"generate", "-facts", factsFile}, 0, "name: ci-cd", ""},
		{"generate without -facts", []string{"generate"}, 2, "", "-facts is required"},
		{"generate with bad facts", []string{"generate", "-facts", write(t, dir, "bad.json", `{"image":"Nope"}`)}, 2, "", "app_name"},
		{"generate unknown field", []string{"generate", "-facts", write(t, dir, "typo.json", `{"imagee":"x"}`)}, 2, "", "imagee"},
		{"rules", []string{"rules"}, 0, "WF012 deploy-not-modelled", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, c.args...)
			assert.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, out, c.stdout)
			assert.Contains(t, errOut, c.stderr)
		})
	}
}

func TestLintDefaultPath(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".github", "workflows"), "deploy.yaml", onlyWarnings)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	out, _, code := runCLI(t, "lint", "-format", "json", "-fail-on", "warning")
	assert.Equal(t, 1, code)
	var doc struct {
		Diagnostics []struct {
			Rule string `json:"rule"`
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Diagnostics, 1)
	assert.Equal(t, "WF011", doc.Diagnostics[0].Rule)
	assert.Equal(t, filepath.Join(".github", "workflows", "deploy.yaml"), doc.Diagnostics[0].File)
}

// TestGenerateThenLint: what generate writes, lint finds clean.
func TestGenerateThenLint(t *testing.T) {
	dir := t.TempDir()
	factsFile := write(t, dir, "facts.json", facts)
	outFile := filepath.Join(dir, ".github", "workflows", "ci-cd.yml")
	_, errOut, code := runCLI(t, "generate", "-facts", factsFile, "-o", outFile)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := runCLI(t, "lint", outFile, "-fail-on", "info")
	assert.Equal(t, 0, code, out+errOut)
	assert.Empty(t, out)
}

func TestFixAndDiff(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(seed)
	require.NoError(t, err)
	p := write(t, dir, "ci-cd.yml", string(src))
	out, _, code := runCLI(t, "lint", p, "-diff")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "+        run: docker push ${{ env.REGISTRY }}/minimalwave-blog")
	b, _ := os.ReadFile(p)
	assert.Equal(t, string(src), string(b), "-diff must not write")

	out, errOut, code := runCLI(t, "lint", p, "-fix")
	assert.Equal(t, 1, code, "WF004 has no mechanical fix and stays an error")
	assert.Contains(t, errOut, "fixed "+p)
	assert.NotContains(t, out, "[WF001]")
	assert.NotContains(t, out, "[WF002]")
	assert.Contains(t, out, "[WF004]")
	b, _ = os.ReadFile(p)
	assert.True(t, strings.Contains(string(b), "images: ${{ env.REGISTRY }}/minimalwave-blog:${{ github.sha }}"))
}

// -q prints only the findings at or above -fail-on, and no summary.
func TestLintQuiet(t *testing.T) {
	warn := write(t, t.TempDir(), "warn.yml", onlyWarnings)
	out, errOut, code := runCLI(t, "lint", warn)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "[WF011]")
	assert.Contains(t, errOut, "0 error(s)")
	out, errOut, code = runCLI(t, "lint", warn, "-q")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Empty(t, errOut)
}

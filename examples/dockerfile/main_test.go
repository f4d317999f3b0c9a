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

const seedDockerfile = "../../imagebuild/dockerfile/testdata/lint/seed.Dockerfile"

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestLintJSON(t *testing.T) {
	ctxDir := t.TempDir()
	for p, c := range map[string]string{".venv/bin/python": "", ".env": "SECRET=1\n", ".git/HEAD": "ref\n", "manage.py": ""} {
		require.NoError(t, os.MkdirAll(filepath.Join(ctxDir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(ctxDir, p), []byte(c), 0o644))
	}
	code, out, stderr := runCLI("lint", "-context", ctxDir, "-format", "json", seedDockerfile)
	assert.Equal(t, 1, code, stderr)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.NotEmpty(t, doc.Findings)
	rules := map[string]bool{}
	for _, f := range doc.Findings {
		// Today's keys keep their names; new ones (file, url, fixes,
		// end_line...) sit beside them.
		for _, k := range []string{"rule", "severity", "line", "column", "message", "file"} {
			assert.Contains(t, f, k)
		}
		rules[f["rule"].(string)] = true
	}
	for _, r := range []string{"DK101", "DK102", "DK103", "DK107", "DK109", "DK114"} {
		assert.True(t, rules[r], r)
	}
}

func TestLintFormatsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(clean, []byte("FROM python:3.12.8-slim\nUSER 10001\nCMD [\"python\", \"-V\"]\n"), 0o644))
	code, out, _ := runCLI("lint", clean)
	assert.Equal(t, 0, code, "only info findings")
	assert.Contains(t, out, "[DK104]")

	code, out, _ = runCLI("lint", "-format", "sarif", seedDockerfile)
	assert.Equal(t, 1, code)
	var sarif map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &sarif))
	assert.Equal(t, "2.1.0", sarif["version"])

	code, out, _ = runCLI("lint", seedDockerfile)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "seed.Dockerfile:44:19: error:")

	bad := filepath.Join(dir, "Bad")
	require.NoError(t, os.WriteFile(bad, []byte("FROM alpine\nCOPY onlyone\n"), 0o644))
	code, _, stderr := runCLI("lint", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "Bad:2:1:")

	for _, args := range [][]string{{"lint"}, {"lint", "-format", "xml", clean}, {"lint", filepath.Join(dir, "missing")}, {"nope"}, {}, {"lint", "-fail-on", "bogus", clean}, {"lint", "-fix", "-diff", clean}} {
		code, _, _ := runCLI(args...)
		assert.Equal(t, 2, code, "%v", args)
	}
}

// TestConventions checks the shared command conventions (issue 11).
func TestConventions(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(df, []byte("FROM python:3.12-slim\nUSER 10001\nRUN pip install flask\nCMD [\"gunicorn\", \"app:app\"]\n"), 0o644))
	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"-h exits 0 and lists verbs", []string{"-h"}, 0, "generate"},
		{"help exits 0", []string{"help"}, 0, "lint"},
		{"help lint describes -fail-on", []string{"help", "lint"}, 0, "-fail-on"},
		{"lint -h", []string{"lint", "-h"}, 0, "-build-arg"},
		{"rules", []string{"rules"}, 0, "DK126"},
		{"flags after the argument", []string{"lint", df, "-format", "json"}, 0, `"schemaVersion": 1`},
		{"-fail-on warning", []string{"lint", df, "-fail-on", "warning"}, 1, "DK103"},
		{"-fail-on=warning", []string{"lint", "-fail-on=warning", df}, 1, "DK103"},
		{"-q prints only what fails", []string{"lint", "-q", "-fail-on", "warning", df}, 1, "DK103"},
		{"github format", []string{"lint", "-format", "github", df}, 0, "::warning file="},
		{"-diff prints the fix", []string{"lint", "-diff", df}, 0, "+RUN pip install --no-cache-dir flask"},
		{"-v prints the graph", []string{"lint", "-v", df}, 0, "level 0"},
		{"-q and -v exclude each other", []string{"lint", "-q", "-v", df}, 2, "-q and -v exclude each other"},
		{"-diff prints the fix and exits 0 even at -fail-on", []string{"lint", "-diff", "-fail-on", "warning", df}, 0, "+RUN pip install --no-cache-dir flask"},
		{"unknown flag", []string{"lint", "-bogus", df}, 2, ""},
		{"two files", []string{"lint", df, df}, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, out+errOut, tc.contains)
		})
	}
}

func TestLintFix(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(df, []byte("FROM python:3.12-slim as app\nRUN pip install flask\n"), 0o644))
	code, _, stderr := runCLI("lint", "-fix", df)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "dockerfile: fixed "+df+"\n", stderr)
	got, err := os.ReadFile(df)
	require.NoError(t, err)
	assert.Equal(t, "FROM python:3.12-slim AS app\nRUN pip install --no-cache-dir flask\n", string(got))
	// Idempotent.
	code, _, _ = runCLI("lint", "-fix", df)
	assert.Equal(t, 0, code)
	again, _ := os.ReadFile(df)
	assert.Equal(t, got, again)
}

func TestLintBuildArg(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(df, []byte("ARG BASE\nFROM ${BASE}\nCMD [\"python\"]\n"), 0o644))
	code, out, errOut := runCLI("lint", "-build-arg", "BASE=python:3.8-slim", "-fail-on", "warning", df)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "DK106", "the build arg reaches FROM")
}

func TestGenerateRefusesOverwrite(t *testing.T) {
	const project = "../../imagebuild/dockerfile/testdata/generate/poetry"
	handWritten := "FROM x\n# hand-written\n"
	for _, existing := range []string{"Dockerfile", ".dockerignore"} {
		t.Run(existing, func(t *testing.T) {
			out := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(out, existing), []byte(handWritten), 0o644))

			// Without -force: exit 2, the error names the file and -force,
			// and nothing is written, not even the file that did not exist.
			code, _, stderr := runCLI("generate", "-project", project, "-o", out)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, filepath.Join(out, existing))
			assert.Contains(t, stderr, "-force")
			got, err := os.ReadFile(filepath.Join(out, existing))
			require.NoError(t, err)
			assert.Equal(t, handWritten, string(got), "the existing file is untouched")
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "nothing else was written")
			// The flag the error names exists.
			code, help, _ := runCLI("generate", "-h")
			assert.Equal(t, 0, code)
			assert.Contains(t, help, "-force")

			// With -force (also after the other flags' values): both files
			// are replaced by the generated ones.
			code, _, stderr = runCLI("generate", "-project", project, "-o", out, "-force")
			require.Equal(t, 0, code, stderr)
			df, err := os.ReadFile(filepath.Join(out, "Dockerfile"))
			require.NoError(t, err)
			assert.NotContains(t, string(df), "hand-written")
			assert.Contains(t, string(df), "poetry==1.8.3")
			di, err := os.ReadFile(filepath.Join(out, ".dockerignore"))
			require.NoError(t, err)
			assert.NotContains(t, string(di), "hand-written")
			assert.Contains(t, string(di), ".git")
		})
	}
}

func TestGenerate(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI("generate", "-project", "../../imagebuild/dockerfile/testdata/generate/poetry", "-o", out, "-uid", "4242", "-digest", "sha256:"+strings.Repeat("0", 64))
	require.Equal(t, 0, code, stderr)
	df, err := os.ReadFile(filepath.Join(out, "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(df), "USER 4242:4242")
	assert.Contains(t, string(df), "poetry==1.8.3")
	_, err = os.Stat(filepath.Join(out, ".dockerignore"))
	require.NoError(t, err)

	// The written Dockerfile lints with exit 0.
	code, _, stderr = runCLI("lint", "-context", "../../imagebuild/dockerfile/testdata/generate/poetry", filepath.Join(out, "Dockerfile"))
	assert.Equal(t, 0, code, stderr)

	code, stdout, _ := runCLI("generate", "-project", "../../imagebuild/dockerfile/testdata/generate/uv")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "# ==> .dockerignore <==")

	code, _, stderr = runCLI("generate", "-project", t.TempDir())
	assert.Equal(t, 2, code, "an empty project has no WSGI app")
	assert.Contains(t, stderr, "WSGIApp")
}

func TestGraph(t *testing.T) {
	code, out, _ := runCLI("graph", seedDockerfile)
	assert.Equal(t, 0, code)
	assert.Equal(t, "0 builder (line 2) FROM python:3.10-slim\n1 stage 1 (line 22) FROM python:3.10-slim <- copy builder (line 30)\nlevel 0: builder\nlevel 1: stage 1\n", out)
}

// -q prints only the findings at or above -fail-on, also after -fix.
func TestLintQuiet(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(df, []byte("FROM python:3.12-slim\nUSER 10001\nRUN pip install flask\n"), 0o644))
	code, out, _ := runCLI("lint", df)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "[DK104]", "the unpinned base is an info finding")
	code, out, _ = runCLI("lint", "-q", "-fail-on", "warning", df)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "[DK103]")
	assert.NotContains(t, out, "[DK104]")

	require.NoError(t, os.WriteFile(df, []byte("FROM python:3.12-slim\nUSER root\nRUN pip install flask\n"), 0o644))
	code, out, stderr := runCLI("lint", "-fix", "-q", "-fail-on", "warning", df)
	assert.Equal(t, 1, code, "USER root has no mechanical fix")
	assert.Contains(t, stderr, "fixed "+df)
	assert.Contains(t, out, "[DK107]")
	assert.NotContains(t, out, "[DK103]", "fixed")
	assert.NotContains(t, out, "[DK104]", "below -fail-on")
}

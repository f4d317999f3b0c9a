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
		// Exactly the contract's keys.
		var keys []string
		for k := range f {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"rule", "severity", "line", "column", "message", "fix"}, keys)
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

	for _, args := range [][]string{{"lint"}, {"lint", "-format", "xml", clean}, {"lint", filepath.Join(dir, "missing")}, {"nope"}, {}} {
		code, _, _ := runCLI(args...)
		assert.Equal(t, 2, code, "%v", args)
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

package buildkitcheck_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/imagebuild/dockerfile/buildkitcheck"
)

func lint(t *testing.T, df string, cfg dockerfile.LintConfig) []string {
	t.Helper()
	cfg.BuildKit = buildkitcheck.Checker{}
	cfg.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := dockerfile.Lint(context.Background(), []byte(df), cfg)
	require.NoError(t, err)
	var out []string
	for _, d := range a.Diagnostics {
		out = append(out, fmt.Sprintf("%s@%d", d.Rule, d.Pos.Line))
	}
	return out
}

func TestUndefinedVarKnowsBaseImageEnv(t *testing.T) {
	// PATH and PYTHON_VERSION come from the offline resolver's image config;
	// RUN $NOPE is a shell variable, which BuildKit does not check.
	got := lint(t, "FROM python:3.12.8-slim\nENV PATH=\"/opt/venv/bin:$PATH\" V=$PYTHON_VERSION\nRUN echo $NOPE\n", dockerfile.LintConfig{})
	assert.NotContains(t, got, "UndefinedVar@2")
	assert.NotContains(t, got, "UndefinedVar@3")
	assert.Contains(t, lint(t, "FROM python:3.12.8-slim\nENV X=$NOPE\n", dockerfile.LintConfig{}), "UndefinedVar@2")
}

func TestBuildKitChecksReported(t *testing.T) {
	got := lint(t, "FROM python:3.12.8\nARG DJANGO_SECRET_KEY\nENV AWS_SECRET_ACCESS_KEY=x\nCMD gunicorn app.wsgi\n", dockerfile.LintConfig{})
	assert.Contains(t, got, "SecretsUsedInArgOrEnv@2")
	assert.Contains(t, got, "SecretsUsedInArgOrEnv@3")
	assert.Contains(t, got, "JSONArgsRecommended@4")
	skipped := lint(t, "# check=skip=JSONArgsRecommended\nFROM python:3.12.8\nCMD gunicorn app.wsgi\n", dockerfile.LintConfig{})
	assert.NotContains(t, skipped, "JSONArgsRecommended@3")
}

func TestParseTimeChecksNotDuplicated(t *testing.T) {
	got := lint(t, "FROM python:3.12.8 as app\n", dockerfile.LintConfig{})
	n := 0
	for _, r := range got {
		if r == "FromAsCasing@1" {
			n++
		}
	}
	assert.Equal(t, 1, n, "%v", got)
}

func TestCopyIgnoredFileWithChecker(t *testing.T) {
	ctx := &dockerfile.ContextIndex{HasDockerIgnore: true, DockerIgnore: []string{"secrets.txt", "*.log"},
		Files: []dockerfile.ContextFile{{Path: "app.py", Size: 1}}}
	got := lint(t, "FROM python:3.12-slim\nCOPY secrets.txt app.py /app/\nCOPY debug.log /tmp/\n", dockerfile.LintConfig{Context: ctx})
	assert.Contains(t, got, "CopyIgnoredFile@2")
	assert.Contains(t, got, "CopyIgnoredFile@3")
	n := 0
	for _, r := range got {
		if r == "CopyIgnoredFile@2" {
			n++
		}
	}
	assert.Equal(t, 1, n, "reported once")
}

// TestWarningsKeptOnError: BuildKit stops with an error on an undefined
// base image argument but still returns the warnings it collected; Lint
// keeps both, and BuildArgs (lint -build-arg) makes the error go away.
func TestWarningsKeptOnError(t *testing.T) {
	src := []byte("ARG BASE\nFROM ${BASE} as app\nENV AWS_SECRET_ACCESS_KEY=x\n")
	a, err := dockerfile.Lint(context.Background(), src, dockerfile.LintConfig{BuildKit: buildkitcheck.Checker{}})
	var le *dockerfile.LintError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 2, le.Line, err.Error())
	require.NotNil(t, a, "warnings are returned beside the error")
	var rules []string
	for _, d := range a.Diagnostics {
		rules = append(rules, fmt.Sprintf("%s@%d", d.Rule, d.Pos.Line))
	}
	assert.Contains(t, rules, "InvalidDefaultArgInFrom@2")
	assert.Contains(t, rules, "FromAsCasing@2")

	b, err := dockerfile.Lint(context.Background(), src, dockerfile.LintConfig{BuildKit: buildkitcheck.Checker{}, BuildArgs: map[string]string{"BASE": "python:3.12-slim"}})
	require.NoError(t, err)
	var after []string
	for _, d := range b.Diagnostics {
		after = append(after, d.Rule)
	}
	assert.Contains(t, after, "SecretsUsedInArgOrEnv")
}

// TestCheckerGetsIgnorePatterns: the patterns reach BuildKit's own
// CopyIgnoredFile check through the offline gateway.
func TestCheckerGetsIgnorePatterns(t *testing.T) {
	src := []byte("FROM python:3.12-slim\nCOPY secrets.txt app.py /app/\n")
	ds, err := buildkitcheck.Checker{}.Check(context.Background(), src, dockerfile.CheckOptions{File: "Dockerfile", IgnorePatterns: []string{"secrets.txt"}})
	require.NoError(t, err)
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s@%d: %s", d.Rule, d.Pos.Line, d.Message))
	}
	assert.Contains(t, got, `CopyIgnoredFile@2: Attempting to Copy file "secrets.txt" that is excluded by .dockerignore`)
	none, err := buildkitcheck.Checker{}.Check(context.Background(), src, dockerfile.CheckOptions{File: "Dockerfile"})
	require.NoError(t, err)
	for _, d := range none {
		assert.NotEqual(t, "CopyIgnoredFile", d.Rule, "no patterns, no check")
	}
}

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

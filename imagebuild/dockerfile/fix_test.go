package dockerfile

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report"
)

// fixFixtures are Dockerfiles whose findings carry mechanical fixes.
var fixFixtures = map[string]string{
	"from-as":     "FROM python:3.12-slim as builder\nRUN pip install --no-cache-dir flask\nfrom python:3.12-slim AS final\nCOPY --from=builder /usr/local /usr/local\n",
	"pip":         "FROM python:3.12-slim\nRUN pip install -r requirements.txt\nRUN python -m pip install flask\n",
	"recommends":  "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5 \\\n    curl && rm -rf /var/lib/apt/lists/*\n",
	"apk":         "FROM python:3.12-alpine\nRUN apk add curl\n",
	"chown":       "FROM python:3.12-slim\nRUN useradd --uid 10001 app\nWORKDIR /app\nCOPY requirements.txt .\nCOPY src/ ./src/\nRUN chown -R 10001:10001 /app\nUSER 10001\n",
	"chown-named": "FROM python:3.12-slim\nRUN useradd app\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\nUSER app\n",
}

func ruleCounts(ds []Diagnostic) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		out[d.Rule]++
	}
	return out
}

// TestFixesApply applies every suggested fix with edits, one at a time, and
// lints again: the finding is gone and nothing new appears.
func TestFixesApply(t *testing.T) {
	seed, err := os.ReadFile("testdata/lint/seed.Dockerfile")
	require.NoError(t, err)
	fixtures := map[string]string{"seed": string(seed)}
	for k, v := range fixFixtures {
		fixtures[k] = v
	}
	cfg := LintConfig{File: "Dockerfile", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Context: &ContextIndex{HasDockerIgnore: true, Files: []ContextFile{{Path: "requirements.txt", Size: 10}, {Path: "src/app.py", Size: 100}}}}
	edits := 0
	for name, df := range fixtures {
		a, err := Lint(context.Background(), []byte(df), cfg)
		require.NoError(t, err, name)
		before := ruleCounts(a.Diagnostics)
		for _, d := range a.Diagnostics {
			if len(d.SuggestedFixes) == 0 || len(d.SuggestedFixes[0].TextEdits) == 0 {
				continue
			}
			edits++
			fixed, err := report.ApplyEdits([]byte(df), d.SuggestedFixes[0].TextEdits)
			require.NoError(t, err, "%s: %s", name, d.Rule)
			b, err := Lint(context.Background(), fixed, cfg)
			require.NoError(t, err, "%s after fixing %s:\n%s", name, d.Rule, fixed)
			after := ruleCounts(b.Diagnostics)
			assert.Less(t, after[d.Rule], before[d.Rule], "%s: %s still reported after its fix:\n%s", name, d.Rule, fixed)
			for r, n := range after {
				assert.LessOrEqual(t, n, before[r], "%s: fixing %s added a %s finding:\n%s", name, d.Rule, r, fixed)
			}
			// Idempotent: the fixed file has no edit left for this finding.
			again, err := report.ApplyEdits(fixed, nil)
			require.NoError(t, err)
			assert.Equal(t, fixed, again)
		}
	}
	assert.GreaterOrEqual(t, edits, 8, "fixtures exercise the mechanical fixes")
}

func TestChownFixText(t *testing.T) {
	a, err := Lint(context.Background(), []byte(fixFixtures["chown"]), LintConfig{})
	require.NoError(t, err)
	for _, d := range a.Diagnostics {
		if d.Rule != RuleRecursiveChownAfterCopy {
			continue
		}
		require.NotEmpty(t, d.SuggestedFixes[0].TextEdits)
		fixed, err := report.ApplyEdits([]byte(fixFixtures["chown"]), d.SuggestedFixes[0].TextEdits)
		require.NoError(t, err)
		assert.Equal(t, "FROM python:3.12-slim\nRUN useradd --uid 10001 app\nWORKDIR /app\nCOPY --chown=10001:10001 requirements.txt .\nCOPY --chown=10001:10001 src/ ./src/\nUSER 10001\n", string(fixed))
		return
	}
	t.Fatal("no DK102")
}

package workflow

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// actionlintDir is the module directory of the pinned actionlint, whose
// testdata/ok holds the workflows actionlint's own tests call clean.
func actionlintDir(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "the go command is not on PATH")
	}
	out, err := exec.Command(gobin, "list", "-m", "-f", "{{.Dir}}", "github.com/rhysd/actionlint").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		testenv.Unavailable(t, "the actionlint module source is not in the module cache (go mod download github.com/rhysd/actionlint)")
	}
	return dir
}

// TestActionlintCleanExamples: actionlint's clean examples give no
// actionlint finding, and no deploykit finding except the one deploy workflow
// among them, whose findings are hand-judged below.
func TestActionlintCleanExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(actionlintDir(t), "testdata", "ok", "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 50, "actionlint's testdata/ok is missing")
	// issue-30.yaml deploys an Azure Function on every push with nothing
	// before it: true by WF011's claim, and WF012 says the action is not
	// modelled. Both are expected.
	expected := map[string][]string{"issue-30.yaml": {RuleDeployNotGated, RuleDeployNotModelled}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		r, err := Lint(context.Background(), []File{{Name: filepath.Base(f), Data: b}}, Options{})
		require.NoError(t, err)
		var rules []string
		for _, d := range r.Diagnostics {
			rules = append(rules, d.Rule)
		}
		assert.Equal(t, expected[filepath.Base(f)], rules, "%s: %v", filepath.Base(f), r.Diagnostics)
	}
}

// TestActionlintErrorExamples: actionlint's failing examples still fail
// through deploykit, with positions (the wrapper loses nothing).
func TestActionlintErrorExamples(t *testing.T) {
	dir := filepath.Join(actionlintDir(t), "testdata", "examples")
	for _, name := range []string{"broken_yaml.yaml", "expression_syntax_error.yaml", "popular_action_inputs.yaml", "invalid_ids_in_needs.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".yaml")+".out"))
		require.NoError(t, err)
		r, err := Lint(context.Background(), []File{{Name: name, Data: b}}, Options{})
		require.NoError(t, err)
		// Every line of actionlint's expected output is one error,
		// /file:LINE:COL: message [kind]/ (a regular expression).
		wantN := strings.Count(strings.TrimSpace(string(want)), "\n") + 1
		var n int
		for _, d := range r.Diagnostics {
			if strings.HasPrefix(d.Rule, "actionlint/") {
				n++
				assert.Positive(t, d.Pos.Line)
				assert.Positive(t, d.Pos.Column)
			}
		}
		assert.Equal(t, wantN, n, "%s: %v", name, r.Diagnostics)
	}
}

// TestHandCheckedGoodWorkflow is a clean pipeline written by hand (not by
// the generator): zero findings.
func TestHandCheckedGoodWorkflow(t *testing.T) {
	r := lintFile(t, filepath.Join("testdata", "good", "ci.yml"))
	assert.Empty(t, r.Diagnostics)
}

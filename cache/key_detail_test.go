package cache

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expectations follow the runner's documented expression semantics
// (docs.github.com, "Contexts" and "Evaluate expressions"): the steps
// context has steps.<step_id>.outputs.<output_name>, .outcome and
// .conclusion; property dereference is case-insensitive; a missing
// property is null, which a ${{ }} in a string input turns into ”.
func TestEvalKeyStepsContext(t *testing.T) {
	kc := KeyContext{RunnerOS: "Linux", Workspace: t.TempDir(), Steps: map[string]string{
		"setup-python.outputs.python-version": "3.10.13",
		"setup-python.outcome":                "success",
		"Restore.conclusion":                  "failure",
	}}
	cases := map[string]string{
		"${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}":   "Linux-py3.10.13",
		"${{ steps['setup-python'].outputs['python-version'] }}":                "3.10.13",
		"${{ STEPS.Setup-Python.Outputs.PYTHON-VERSION }}":                      "3.10.13",
		"${{ steps.setup-python.outcome }}/${{ steps.restore.conclusion }}":     "success/failure",
		"x-${{ steps.setup-python.outputs.missing }}-${{ steps.nope.outcome }}": "x--",
	}
	for tmpl, want := range cases {
		got, err := EvalKey(context.Background(), tmpl, kc)
		require.NoError(t, err, tmpl)
		assert.Equal(t, want, got, tmpl)
	}
	for _, bad := range []string{"${{ steps.setup-python }}", "${{ steps.setup-python.outputs }}", "${{ steps.setup-python.result }}", "${{ steps }}"} {
		_, err := EvalKey(context.Background(), bad, kc)
		var te *TemplateError
		require.True(t, errors.As(err, &te), bad)
		assert.Equal(t, 5, te.Column, bad)
	}
}

func TestEvalKeyDetailed(t *testing.T) {
	ws := tree(t, map[string]string{"poetry.lock": "x", "sub/poetry.lock": "y"})
	kc := KeyContext{RunnerOS: "Linux", Workspace: ws,
		Matrix: map[string]string{"python": "3.12"}, Env: map[string]string{"CACHE_V": "2"},
		Steps: map[string]string{"py.outputs.version": "3.12.1"}}
	tmpl := "${{ runner.os }}-${{ matrix.python }}-${{ env.CACHE_V }}-${{ steps.py.outputs.version }}-${{ RUNNER.OS }}-${{ hashFiles('**/poetry.lock') }}-${{ hashFiles('static/**') }}"
	ev, err := EvalKeyDetailed(context.Background(), tmpl, kc)
	require.NoError(t, err)
	want, err := EvalKey(context.Background(), tmpl, kc)
	require.NoError(t, err)
	assert.Equal(t, want, ev.Key)
	assert.Equal(t, []ContextValue{{"runner.os", "Linux"}, {"matrix.python", "3.12"}, {"env.CACHE_V", "2"}, {"steps.py.outputs.version", "3.12.1"}}, ev.Contexts,
		"each context once, first spelling kept")
	require.Len(t, ev.HashFiles, 2)
	lock := ev.HashFiles[0]
	assert.Equal(t, "hashFiles('**/poetry.lock')", lock.Expr)
	assert.Equal(t, []string{"**/poetry.lock"}, lock.Args)
	assert.Equal(t, []string{filepath.Join(ws, "poetry.lock"), filepath.Join(ws, "sub/poetry.lock")}, lock.Files)
	assert.NotEmpty(t, lock.Hash)
	static := ev.HashFiles[1]
	assert.Empty(t, static.Files)
	assert.Empty(t, static.Hash, "hashFiles of nothing is '': that part of the key never changes")
}

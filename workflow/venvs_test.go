package workflow

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCachedPathHoldsWhatInstallersWrite: the venv rules (WF006, WF007,
// WF010) judge what a cached path holds given the job's installer and its
// configuration, not what the path is called. Where each installer puts its
// venv is its documented default: Poetry {cache-dir}/virtualenvs
// (~/.cache/pypoetry/virtualenvs on Linux) unless virtualenvs.in-project
// (then ./.venv), virtualenvs.path or virtualenvs.create false; uv sync the
// project's .venv (UV_PROJECT_ENVIRONMENT moves it); pip --target DIR.
func TestCachedPathHoldsWhatInstallersWrite(t *testing.T) {
	job := func(path, key, steps string) string {
		return `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - uses: actions/cache@v4
        with:
          path: ` + path + `
          key: ` + key + `
` + steps + `      - run: pytest
`
	}
	const noPy = "${{ runner.os }}-venv-${{ hashFiles('poetry.lock') }}"
	cases := []struct {
		name, path, steps string
		want              []string
	}{
		{"poetry default writes nothing to ~/.venv", "~/.venv", "      - run: pip install poetry && poetry install\n", nil},
		{"poetry default venvs are in its cache dir", "~/.cache/pypoetry/virtualenvs", "      - run: pip install poetry && poetry install\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"poetry in-project (config) writes .venv", ".venv", "      - run: |\n          pip install poetry\n          poetry config virtualenvs.in-project true\n          poetry install\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"poetry in-project (env) leaves its cache dir without venvs", "~/.cache/pypoetry/virtualenvs",
			"      - env:\n          POETRY_VIRTUALENVS_IN_PROJECT: \"true\"\n        run: pip install poetry && poetry install\n", nil},
		{"poetry virtualenvs.path", "~/.venv", "      - run: |\n          poetry config virtualenvs.path ~/.venv\n          poetry install\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"poetry without venvs installs into the interpreter", "~/.cache/pypoetry/virtualenvs",
			"      - run: |\n          poetry config virtualenvs.create false\n          poetry install\n", nil},
		{"snok in-project input", ".venv", "      - uses: snok/install-poetry@v1\n        with:\n          virtualenvs-in-project: true\n      - run: poetry install\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"a venv created at ~/.venv", "~/.venv", "      - run: python -m venv ~/.venv && ~/.venv/bin/pip install -r requirements.txt\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"uv sync writes .venv", ".venv", "      - run: uv sync\n", []string{RuleVenvKeyNoPython}},
		{"uv sync with UV_PROJECT_ENVIRONMENT writes elsewhere", ".venv",
			"      - env:\n          UV_PROJECT_ENVIRONMENT: /opt/venv\n        run: uv sync\n", nil},
		{"pip --target tree", "deps", "      - run: pip install --target deps -r requirements.txt\n",
			[]string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"a script may write anywhere", "~/.venv", "      - run: ./scripts/bootstrap.sh\n", []string{RuleVenvKeyNoPython}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, r := range rulesOf(lintString(t, job(c.path, noPy, c.steps))) {
				if r == RuleVenvKeyNoPython || r == RuleVenvNoInterpreterCheck || r == RuleRestoreKeysCrossPython {
					got = append(got, r)
				}
			}
			assert.Equal(t, c.want, got)
		})
	}
}

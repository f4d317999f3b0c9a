package workflow

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lintString(t *testing.T, src string) []Diagnostic {
	t.Helper()
	r, err := Lint(context.Background(), []File{{Name: "w.yml", Data: []byte(src)}}, Options{})
	require.NoError(t, err)
	return r.Diagnostics
}

func rulesOf(ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Rule)
	}
	return out
}

// gated wraps deploy-job steps in a workflow whose test and lint jobs gate
// them, so that each case below shows only the rule it is about.
func gated(steps string) string {
	return `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
  deploy:
    needs: [test, lint]
    runs-on: ubuntu-latest
    steps:
` + steps
}

func TestRules(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		rules []string // in position order; nil means no finding
	}{
		{"buildx push of a bare name", gated(`      - run: docker buildx build --push -t blog:1 .
`), []string{RuleDockerHubLibraryPush}},
		{"push to a registry", gated(`      - run: docker push myreg.azurecr.io/blog:${{ github.sha }}
`), nil},
		{"push of a shell variable is not judged", gated(`      - run: docker push "$IMAGE"
`), nil},
		{"build-push-action with a bare tag", gated(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: blog:${{ github.sha }}
`), []string{RuleDockerHubLibraryPush}},
		{"az container set to latest", gated(`      - run: az webapp config container set -g rg -n app --container-image-name reg.azurecr.io/app:latest
`), []string{RuleMutableDeployTag}},
		{"az container set with no tag", gated(`      - run: |
          az webapp config container set -g rg -n app \
            --docker-custom-image-name reg.azurecr.io/app
`), []string{RuleMutableDeployTag}},
		{"linux-fx-version latest", gated(`      - run: az webapp config set -g rg -n app --linux-fx-version "DOCKER|reg.azurecr.io/app:latest"
`), []string{RuleMutableDeployTag}},
		{"deploy by digest", gated(`      - uses: azure/webapps-deploy@v3
        with:
          app-name: app
          images: reg.azurecr.io/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
`), nil},
		{"cache exported over the image tag", gated(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: reg.azurecr.io/app:main
          cache-to: type=registry,ref=reg.azurecr.io/app:main,mode=max
`), []string{RuleCacheRefIsImageRef}},
		{"cache in its own repository", gated(`      - run: docker buildx build --push -t reg.azurecr.io/app:${{ github.sha }} --cache-to type=registry,ref=reg.azurecr.io/app-cache:main,mode=max .
`), nil},
		{"migrate over ssh in the staging slot that runs the new tag", gated(`      - uses: azure/webapps-deploy@v3
        with:
          app-name: app
          slot-name: staging
          images: reg.azurecr.io/app:${{ github.sha }}
      - run: python manage.py makemigrations --check --dry-run
      - run: az webapp ssh -g rg -n app --slot staging --command "python manage.py migrate"
`), nil},
		{"migrate from the new image after a gate job", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
  lint:
    runs-on: ubuntu-latest
    steps: [{run: flake8 .}]
  migrate-check:
    runs-on: ubuntu-latest
    steps: [{run: python manage.py makemigrations --check}]
  deploy:
    needs: [test, lint, migrate-check]
    runs-on: ubuntu-latest
    environment: production
    steps:
      - env:
          DATABASE_URL: ${{ secrets.DATABASE_URL }}
        run: docker run --rm -e DATABASE_URL reg.azurecr.io/app:${{ github.sha }} python manage.py migrate
      - run: az webapp config container set -g rg -n app --container-image-name reg.azurecr.io/app:${{ github.sha }}
`, nil},
		{"migrations in a CI test job are fine", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: python manage.py migrate && pytest
`, nil},
		{"pip cache keyed on nothing", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: pip-cache
      - run: pip install -r requirements/dev.txt && pytest
`, []string{RuleCacheKeyNoRunnerOS, RuleCacheKeyNoLockfileHash}},
		{"a static cache needs no lockfile", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: staticfiles
          key: ${{ runner.os }}-static-${{ hashFiles('static/**') }}
      - run: pytest
`, nil},
		{"venv with an interpreter check before install", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: .venv
          key: ${{ runner.os }}-py3.12-${{ hashFiles('poetry.lock') }}
      - run: .venv/bin/python -c "import sys" || rm -rf .venv
      - run: poetry install && pytest
`, nil},
		{"uv sync checks the venv itself", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: .venv
          key: ${{ runner.os }}-py3.12-${{ hashFiles('uv.lock') }}
      - run: uv sync --locked && uv run pytest
`, nil},
		{"poetry's default venv location under ~/.cache/pypoetry", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pypoetry
          key: ${{ runner.os }}-poetry-${{ hashFiles('poetry.lock') }}
      - run: poetry install && poetry run pytest
`, []string{RuleVenvKeyNoPython, RuleVenvNoInterpreterCheck}},
		{"~/.cache/pypoetry holds no venv when venvs are in-project", `on: push
env:
  POETRY_VIRTUALENVS_IN_PROJECT: "true"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pypoetry
          key: ${{ runner.os }}-poetry-${{ hashFiles('poetry.lock') }}
      - run: poetry install && poetry run pytest
`, nil},
		{"deploy in parallel with the tests", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`, []string{RuleDeployNotGated}},
		{"deploy after failed tests with always()", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
  deploy:
    needs: test
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`, []string{RuleDeployNotGated}},
		{"deploy triggered by a successful CI run", `on:
  workflow_run:
    workflows: [CI]
    types: [completed]
jobs:
  deploy:
    if: github.event.workflow_run.conclusion == 'success'
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`, nil},
		{"a smoke test after the deploy does not gate it", gated(`      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
  smoke-test:
    needs: deploy
    runs-on: ubuntu-latest
    steps: [{run: pytest tests/smoke}]
`), nil},
		{"kubectl is not modelled", gated(`      - run: kubectl apply -f k8s/
`), []string{RuleDeployNotModelled}},
		{"a deploy in PowerShell is not modelled", gated(`      - shell: pwsh
        run: az webapp deploy --resource-group rg --name app --src-path app.zip
`), []string{RuleDeployNotModelled}},
		{"a deploy script is not modelled", gated(`      - run: ./scripts/deploy.sh production
`), []string{RuleDeployNotModelled}},
		{"a venv under the interpreter's own path is versioned by that path", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - uses: actions/cache@v4
        with:
          path: ${{ env.pythonLocation }}/lib/python3.12/site-packages
          key: ${{ runner.os }}-site-${{ hashFiles('requirements.txt') }}
      - run: pip install -r requirements.txt && pytest
`, nil},
		{"a key from an earlier step is not judged", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - id: k
        run: echo "key=$(sha256sum requirements.txt | cut -c1-16)" >> "$GITHUB_OUTPUT"
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: pip-${{ steps.k.outputs.key }}
      - run: pip install -r requirements.txt && pytest
`, nil},
		{"a key naming the runner's matrix value names the OS", `on: push
jobs:
  test:
    strategy:
      matrix:
        image: [ubuntu-latest, windows-latest]
    runs-on: ${{ matrix.image }}
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: pip-${{ matrix.image }}-${{ hashFiles('requirements.txt') }}
      - run: pytest
`, nil},
		{"a step named tests that runs a task runner gates the deploy", `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Run tests
        run: bundle exec rake
      - uses: akhileshns/heroku-deploy@v3
        with: {heroku_app_name: app, heroku_api_key: x, heroku_email: a@b.c}
`, []string{RuleDeployNotModelled}},
		{"a step named tests that runs a Django check does not", `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Run tests
        run: |
          python manage.py check --deploy
          # python manage.py test
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`, []string{RuleDeployNotGated}},
		{"a deploy into a cluster the job creates is an e2e test", `on: push
jobs:
  e2e:
    runs-on: ubuntu-latest
    steps:
      - uses: helm/kind-action@v1
      - run: helm upgrade --install app ./chart && kubectl rollout status deploy/app
`, []string{RuleDeployNotModelled}},
		{"a documentation deploy is not an app deploy", `on: push
name: Docs
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/deploy.sh
`, []string{RuleDeployNotModelled}},
		{"GitHub Pages is not an app deploy", `on: push
jobs:
  pages:
    runs-on: ubuntu-latest
    steps:
      - name: Deploy docs
        uses: actions/deploy-pages@v4
`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := lintString(t, c.src)
			assert.Equal(t, c.rules, rulesOf(ds), "%v", ds)
		})
	}
}

// applyAll applies every mechanical fix and re-lints.
func applyAll(t *testing.T, src string) (string, []Diagnostic) {
	t.Helper()
	ds := lintString(t, src)
	edits := FixEdits(ds)["w.yml"]
	require.NotEmpty(t, edits, "%v", ds)
	out, err := ApplyEdits([]byte(src), edits)
	require.NoError(t, err)
	return string(out), lintString(t, string(out))
}

func TestFixes(t *testing.T) {
	t.Run("runner.os and python version into key and restore-keys", func(t *testing.T) {
		src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - id: py
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - uses: actions/cache@v4
        with:
          path: .venv
          key: venv-${{ hashFiles('poetry.lock') }}
          restore-keys: |
            venv-
      - run: pytest
`
		out, ds := applyAll(t, src)
		assert.Contains(t, out, "key: ${{ runner.os }}-py${{ steps.py.outputs.python-version }}-venv-${{ hashFiles('poetry.lock') }}")
		assert.Contains(t, out, "            ${{ runner.os }}-py${{ steps.py.outputs.python-version }}-venv-\n")
		assert.Empty(t, ds, "%s", out)
	})
	t.Run("lockfile hash appended", func(t *testing.T) {
		src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: "${{ runner.os }}-pip"
      - run: pip install -r requirements/ci.txt
      - run: pytest
`
		out, ds := applyAll(t, src)
		assert.Contains(t, out, `key: "${{ runner.os }}-pip-${{ hashFiles('requirements/ci.txt') }}"`)
		assert.Empty(t, ds, "%s", out)
	})
	t.Run("restore-key cut to the python segment", func(t *testing.T) {
		src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/cache@v4
        with:
          path: .venv
          key: ${{ runner.os }}-${{ matrix.python-version }}-${{ hashFiles('uv.lock') }}
          restore-keys: |
            ${{ runner.os }}-
      - run: uv sync && pytest
`
		out, ds := applyAll(t, src)
		assert.Contains(t, out, "            ${{ runner.os }}-${{ matrix.python-version }}-\n")
		assert.Empty(t, ds, "%s", out)
	})
	t.Run("needs added to the deploy job", func(t *testing.T) {
		for _, needs := range []string{"", "    needs: build\n", "    needs: [build]\n", "    needs:\n      - build\n"} {
			src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
  lint:
    runs-on: ubuntu-latest
    steps: [{run: ruff check .}]
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  deploy:
` + needs + `    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with: {app-name: app, package: .}
`
			out, ds := applyAll(t, src)
			assert.Empty(t, ds, "%s", out)
		}
	})
}

func TestCacheSeverities(t *testing.T) {
	key := func(runsOn, path string) []Diagnostic {
		return lintString(t, `on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    runs-on: `+runsOn+`
    steps:
      - uses: actions/cache@v4
        with:
          path: `+path+`
          key: deps
      - run: pytest
`)
	}
	sev := func(ds []Diagnostic) map[string]Severity {
		out := map[string]Severity{}
		for _, d := range ds {
			out[d.Rule] = d.Severity
		}
		return out
	}
	// One fixed OS: a missing runner.os is a note; a matrix of OSes: a warning.
	assert.Equal(t, SeverityInfo, sev(key("ubuntu-latest", "~/.cache/pip"))[RuleCacheKeyNoRunnerOS])
	assert.Equal(t, SeverityWarning, sev(key("${{ matrix.os }}", "~/.cache/pip"))[RuleCacheKeyNoRunnerOS])
	// A download cache without the lockfile hash is stale, a venv is wrong.
	assert.Equal(t, SeverityInfo, sev(key("ubuntu-latest", "~/.cache/pip"))[RuleCacheKeyNoLockfileHash])
	assert.Equal(t, SeverityWarning, sev(key("ubuntu-latest", ".venv"))[RuleCacheKeyNoLockfileHash])
}

func TestDiagnosticsHaveDocs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		assert.False(t, seen[r.ID], "duplicate %s", r.ID)
		seen[r.ID] = true
		assert.NotEmpty(t, r.Name)
		assert.NotEmpty(t, r.Summary)
		assert.True(t, strings.Contains(r.Help, "Safe") || strings.Contains(r.Help, "safe"), "%s: Help must say what is safe instead", r.ID)
		assert.True(t, strings.HasSuffix(r.HelpURI, "#"+strings.ToLower(r.ID)), r.ID)
		assert.NotZero(t, r.Severity.Rank())
	}
	assert.Len(t, seen, 12)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for id := range seen {
		assert.Contains(t, string(readme), `<a id="`+strings.ToLower(id)+`"></a>`, "README has no anchor for %s", id)
	}
}

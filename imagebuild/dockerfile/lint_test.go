package dockerfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lintString(t *testing.T, df string, cfg LintConfig) *Analysis {
	t.Helper()
	if cfg.Now.IsZero() {
		cfg.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	a, err := Lint(context.Background(), []byte(df), cfg)
	require.NoError(t, err)
	return a
}

func lintRules(a *Analysis) []string {
	var out []string
	for _, d := range a.Diagnostics {
		out = append(out, fmt.Sprintf("%s@%d", d.Rule, d.Pos.Line))
	}
	return out
}

func TestLintSuppression(t *testing.T) {
	df := `# check=skip=DK104,FromAsCasing
FROM python:3.12.8-slim as app
# deploykit:ignore DK107 the platform maps this name to a uid
USER app
CMD gunicorn mysite.wsgi
`
	a := lintString(t, df, LintConfig{})
	rules := lintRules(a)
	assert.NotContains(t, rules, "DK104@2", "skipped by # check=skip")
	assert.NotContains(t, rules, "DK107@4", "ignored by deploykit:ignore")
	assert.NotContains(t, rules, "FromAsCasing@2", "BuildKit rule skipped by # check=skip")
	assert.Contains(t, rules, "DK110@5")

	// Without the directives both fire.
	b := lintString(t, strings.NewReplacer("# check=skip=DK104,FromAsCasing\n", "", "# deploykit:ignore DK107 the platform maps this name to a uid\n", "").Replace(df), LintConfig{})
	assert.Contains(t, lintRules(b), "DK104@1")
	assert.Contains(t, lintRules(b), "DK107@2")
	assert.Contains(t, lintRules(b), "FromAsCasing@1")

	// "# check=error=true" makes BuildKit's findings errors.
	e := lintString(t, "# check=error=true\nFROM python:3.12.8 as x\n", LintConfig{})
	require.Contains(t, lintRules(e), "FromAsCasing@2")
	for _, d := range e.Diagnostics {
		if d.Rule == "FromAsCasing" {
			assert.Equal(t, SeverityError, d.Severity)
		}
	}

	// LintConfig.Skip and severity overrides.
	c := lintString(t, df, LintConfig{Skip: []string{"DK110"}, Severity: map[string]Severity{"DK111": SeverityError}})
	assert.NotContains(t, lintRules(c), "DK110@5")
	for _, d := range c.Diagnostics {
		if d.Rule == "DK111" {
			assert.Equal(t, SeverityError, d.Severity)
		}
	}
}

func TestLintRules(t *testing.T) {
	cases := []struct {
		name, df string
		want     []string // rule@line that must be reported
		not      []string // rule@line that must not be
	}{
		{"cache busting order", "FROM python:3.12.8\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
			[]string{"DK112@4"}, []string{"DK103@4"}},
		{"manifests first is fine", "FROM python:3.12.8\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n",
			nil, []string{"DK112@4", "DK103@4"}},
		{"uv pip list is cheap", "FROM python:3.12.8\nCOPY . .\nRUN uv pip list\n", nil, []string{"DK112@3", "DK103@3"}},
		{"uv without cache", "FROM python:3.12.8\nRUN uv sync --locked\n", []string{"DK103@2"}, nil},
		{"uv no-cache", "FROM python:3.12.8\nRUN uv sync --locked --no-cache\n", nil, []string{"DK103@2"}},
		{"uv pip --no-cache-dir (uv's alias)", "FROM python:3.12.8\nRUN uv pip install --no-cache-dir -r pyproject.toml\n", nil, []string{"DK103@2"}},
		{"pip --no-cache (prefix of --no-cache-dir)", "FROM python:3.12.8\nRUN pip install --no-cache flask\n", nil, []string{"DK103@2"}},
		{"custom pip cache dir mounted", "FROM python:3.12.8\nENV PIP_CACHE_DIR=/cache/pip\nRUN --mount=type=cache,target=/cache pip install -r r.txt\n", nil, []string{"DK103@3"}},
		{"custom pip cache dir not mounted", "FROM python:3.12.8\nENV PIP_CACHE_DIR=/cache/pip\nRUN --mount=type=cache,target=/tmp/x pip install -r r.txt\n", []string{"DK103@3"}, nil},
		{"apt lists kept", "FROM debian:12.8\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n", []string{"DK103@2", "DK119@2"}, []string{"DK116@2"}},
		{"apt no recommends", "FROM debian:12.8\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n", nil, []string{"DK103@2", "DK119@2", "DK116@2"}},
		// Cache-disable recognition (issue 15).
		{"PIP_NO_CACHE_DIR=off still disables", "FROM python:3.12.8\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n", nil, []string{"DK103@3"}},
		{"export earlier in the RUN", "FROM python:3.12.8\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n", nil, []string{"DK103@2"}},
		{"ENV inherited from an earlier stage", "FROM python:3.12.8 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask\n", nil, []string{"DK103@4"}},
		{"tmpfs mount", "FROM python:3.12.8\nRUN --mount=type=tmpfs,target=/root/.cache pip install flask\n", nil, []string{"DK103@2"}},
		{"apt-get distclean", "FROM debian:13\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get distclean\n", nil, []string{"DK103@2"}},
		{"no apt-get update, no lists", "FROM debian:13\nRUN apt-get install -y --no-install-recommends ./local.deb\n", nil, []string{"DK103@2"}},
		{"poetry no-cache", "FROM python:3.12.8\nRUN pip install --no-cache-dir poetry==2.1.3 && poetry install --no-cache --no-root\n", nil, []string{"DK103@2"}},
		{"poetry cache removed", "FROM python:3.12.8\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install --no-root && rm -rf $POETRY_CACHE_DIR\n", nil, []string{"DK103@3"}},
		{"pip cache under USER", "FROM python:3.12.8\nUSER app\nRUN --mount=type=cache,target=/root/.cache/pip pip install --user flask\n", []string{"DK103@3"}, nil},
		{"pip cache under USER mounted", "FROM python:3.12.8\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install --user flask\n", nil, []string{"DK103@3"}},
		{"builder-only cache is about rebuilds", "FROM python:3.12.8 AS b\nRUN pip install flask\nFROM python:3.12.8-slim\nCOPY --from=b /usr/local/lib/python3.12 /usr/local/lib/python3.12\n", []string{"DK103@2"}, nil},
		{"test stage not reaching the target", "FROM python:3.12.8-slim AS app\nRUN pip install --no-cache-dir flask\nFROM app AS test\nRUN pip install pytest && chown -R 1000 /usr\nFROM app\n", nil, []string{"DK103@4", "DK102@4"}},
		{"apk without --no-cache", "FROM python:3.12-alpine\nRUN apk add curl\n", []string{"DK103@2"}, nil},
		{"apk with --no-cache", "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n", nil, []string{"DK103@2"}},
		// DK116: off by default, and its parser.
		{"DK116 off by default", "FROM debian:12.8\nRUN apt-get install -y curl\n", nil, []string{"DK116@2"}},
		// DK112 and uv's two-step sync.
		{"uv two-step sync", "FROM python:3.12.8\nCOPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked\n", nil, []string{"DK112@5"}},
		{"poetry two-step", "FROM python:3.12.8\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root --no-cache\nCOPY . .\nRUN poetry install --only-root --no-cache\n", nil, []string{"DK112@5"}},
		// DK108.
		{"dummy key passed", "FROM python:3.12.8\nRUN SECRET_KEY=dummy python manage.py collectstatic --noinput\n", nil, []string{"DK108@2"}},
		{"dummy key in ENV", "FROM python:3.12.8\nENV DJANGO_SECRET_KEY=build\nRUN python manage.py collectstatic --noinput\n", nil, []string{"DK108@3"}},
		{"migrate is not a build step", "FROM python:3.12.8\nCMD python manage.py migrate && gunicorn app.wsgi\n", nil, []string{"DK108@2"}},
		// New rules.
		{"runtime on BUILDPLATFORM", "FROM --platform=$BUILDPLATFORM python:3.12-slim\nCMD [\"python\"]\n", []string{"DK121@1"}, nil},
		{"builder on BUILDPLATFORM is fine", "FROM --platform=$BUILDPLATFORM golang:1.23 AS b\nFROM python:3.12-slim\nCOPY --from=b /go/bin/x /x\n", nil, []string{"DK121@1", "DK121@2"}},
		{"dev packages in runtime", "FROM python:3.12-slim AS b\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n", []string{"DK122@3"}, nil},
		{"dev packages in builder only", "FROM python:3.12-slim AS b\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev\nFROM python:3.12-slim\nCOPY --from=b /opt/venv /opt/venv\n", nil, []string{"DK122@2"}},
		{"commit ARG before install", "FROM python:3.12-slim\nARG GIT_COMMIT\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", []string{"DK123@2"}, nil},
		{"commit ARG after install", "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nARG GIT_COMMIT\nLABEL rev=$GIT_COMMIT\n", nil, []string{"DK123@4"}},
		{"poetry in the final image", "FROM python:3.12-slim\nRUN pip install --no-cache-dir poetry==2.1.3\n", []string{"DK124@1"}, nil},
		{"uv copied into the final image", "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.6 /uv /bin/uv\n", []string{"DK124@1"}, nil},
		{"full python base", "FROM python:3.12\nCMD [\"python\"]\n", []string{"DK125@1"}, nil},
		{"slim python base", "FROM python:3.12-slim\nCMD [\"python\"]\n", nil, []string{"DK125@1"}},
		{"flask run", "FROM python:3.12-slim\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n", []string{"DK126@2"}, nil},
		{"uv run", "FROM python:3.12-slim\nCMD uv run uvicorn app:app\n", []string{"DK126@2"}, nil},
		{"eol from another image's tag", "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.7\n", []string{"DK106@1"}, nil},
		{"eol from cimg/python", "FROM cimg/python:3.8\n", []string{"DK106@1"}, nil},
		{"root user", "FROM python:3.12.8\nUSER root\nCMD [\"python\"]\n", []string{"DK107@2"}, nil},
		{"numeric user", "FROM python:3.12.8\nUSER 10001:10001\nCMD [\"python\"]\n", nil, []string{"DK107@2", "DK107@1"}},
		{"no user", "FROM python:3.12.8\nCMD [\"python\"]\n", []string{"DK107@1"}, nil},
		{"different python minors", "FROM python:3.11.9 AS b\nRUN python -m venv /opt/venv\nFROM python:3.12.8\nCOPY --from=b /opt/venv /opt/venv\n",
			[]string{"DK105@3"}, nil},
		{"shared ARG base", "ARG B=python:3.12-slim\nFROM ${B} AS b\nRUN python -m venv /opt/venv\nFROM ${B}\nCOPY --from=b /opt/venv /opt/venv\n",
			[]string{"DK104@2", "DK104@4"}, []string{"DK105@4"}},
		{"chown of an empty dir", "FROM python:3.12.8\nRUN mkdir /data && chown -R 10001 /data\n", nil, []string{"DK102@2"}},
		{"chown over a copy", "FROM python:3.12.8\nCOPY src/ /srv/\nRUN chmod -R g+w /srv\n", []string{"DK102@3"}, nil},
		{"django settings env", "FROM python:3.12.8\nENV DJANGO_SETTINGS_MODULE=2fast.settings\n", []string{"DK109@2"}, nil},
		{"python -m module", "FROM python:3.12.8\nCMD python -m my-app\n", []string{"DK109@2"}, nil},
		{"secret mount ok", "FROM python:3.12.8\nRUN --mount=type=secret,id=k,env=DJANGO_SECRET_KEY python manage.py collectstatic --noinput\n", nil, []string{"DK108@2"}},
		{"unused unnamed stage", "FROM python:3.12.8\nRUN true\nFROM python:3.12.8 AS new\n", []string{"DK117@1"}, nil},
		{"unused named stage is a --target", "FROM python:3.12.8 AS test\nFROM python:3.12.8 AS new\n", nil, []string{"DK117@1"}},
		{"eol python", "FROM python:3.8-slim\n", []string{"DK106@1"}, nil},
		{"context merge into stage output dir", "FROM python:3.12.8 AS b\nFROM python:3.12.8\nCOPY --from=b /app /app\nCOPY . /app\n", nil, []string{"DK101@4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := lintString(t, tc.df, LintConfig{})
			got := lintRules(a)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, got, n)
			}
		})
	}
}

func TestLintPoetrySkew(t *testing.T) {
	lock := func(by, version string) *ContextIndex {
		return &ContextIndex{HasDockerIgnore: true, Files: []ContextFile{{Path: "poetry.lock", Size: 10}},
			Manifests: map[string][]byte{"poetry.lock": []byte("# This file is automatically @generated by Poetry " + by + " and should not be changed by hand.\n[metadata]\nlock-version = \"" + version + "\"\n")}}
	}
	cases := []struct {
		pip, by, lockVersion string
		want                 Severity // "" = no finding
	}{
		{"poetry==1.7.1", "1.7.1", "2.0", ""},
		{"poetry==1.2.2", "1.7.1", "2.0", SeverityError},   // 1.2 reads only lock 1.x
		{"poetry==1.8.3", "2.1.1", "2.1", SeverityWarning}, // predates lock-version 2.1
		{"poetry==2.1.3", "2.1.1", "2.1", ""},
		{"poetry", "2.1.1", "2.1", SeverityWarning}, // unpinned
	}
	for _, tc := range cases {
		t.Run(tc.pip+"/"+tc.lockVersion, func(t *testing.T) {
			a := lintString(t, "FROM python:3.12.8\nRUN pip install --no-cache-dir "+tc.pip+"\n", LintConfig{Context: lock(tc.by, tc.lockVersion)})
			var got Severity
			for _, d := range a.Diagnostics {
				if d.Rule == RulePoetryVersionSkew {
					got = d.Severity
					assert.Equal(t, 2, d.Pos.Line)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLintErrors(t *testing.T) {
	cases := map[string]struct {
		df        string
		line, col int
	}{
		"no FROM":           {"# nothing\n", 1, 1},
		"unknown flag":      {"FROM alpine\nCOPY --bogus=1 a b\n", 2, 1},
		"bad mount":         {"FROM alpine\nRUN --mount=type=nope ls\n", 2, 1},
		"instruction first": {"RUN ls\n", 1, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Lint(context.Background(), []byte(tc.df), LintConfig{File: "x/Dockerfile"})
			require.Error(t, err)
			var le *LintError
			require.True(t, errors.As(err, &le), "%T %v", err, err)
			assert.Equal(t, "x/Dockerfile", le.File)
			assert.Equal(t, tc.line, le.Line, err.Error())
			assert.Equal(t, tc.col, le.Column, err.Error())
			assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("x/Dockerfile:%d", tc.line)), err.Error())
		})
	}
	_, err := Lint(context.Background(), []byte("FROM alpine AS a\n"), LintConfig{Target: "b"})
	require.Error(t, err)
}

func TestContextFromDir(t *testing.T) {
	dir := t.TempDir()
	lintWriteTree(t, dir, map[string]string{
		".dockerignore":         "# comment\n.git\n**/__pycache__\n*.log\n!keep.log\nnode_modules\n",
		"app.py":                "print()\n",
		"keep.log":              "kept",
		"drop.log":              "dropped",
		".git/HEAD":             "x",
		"pkg/__pycache__/a.pyc": "x",
		"pkg/mod.py":            "x = 1\n",
		"node_modules/a/b.js":   "x",
		"poetry.lock":           "[metadata]\n",
	})
	idx, err := ContextFromDir(context.Background(), dir)
	require.NoError(t, err)
	var paths []string
	for _, f := range idx.Files {
		paths = append(paths, f.Path)
	}
	assert.Equal(t, []string{".dockerignore", "app.py", "keep.log", "pkg/mod.py", "poetry.lock"}, paths)
	assert.True(t, idx.HasDockerIgnore)
	assert.Equal(t, 4, idx.Ignored) // .git/HEAD (under an excluded dir with exceptions present), a.pyc, drop.log, b.js
	assert.Contains(t, idx.Manifests, "poetry.lock")
	assert.Equal(t, []ContextFile{{Path: "pkg/mod.py", Size: 6}}, idx.Under("pkg"))
	assert.Len(t, idx.Match("*.py"), 1)
	assert.Len(t, idx.Match("pkg"), 1)

	_, err = ContextFromDir(context.Background(), filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, ErrContext)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	_, err = ContextFromDir(context.Background(), filepath.Join(dir, "file"))
	require.ErrorIs(t, err, ErrContext)
}

func TestGraph(t *testing.T) {
	a := lintString(t, `FROM python:3.12.8 AS base
FROM node:22.11 AS assets
FROM base AS deps
RUN --mount=type=bind,from=assets,target=/x true
FROM base AS test
FROM base AS final
COPY --from=deps /opt/venv /opt/venv
COPY --from=1 /x /x
`, LintConfig{})
	g := a.Graph
	require.Len(t, g.Stages, 5)
	idx, ok := g.StageIndex("DEPS")
	require.True(t, ok)
	assert.Equal(t, 2, idx)
	assert.Equal(t, 0, g.Stages[2].BaseStage)
	// final: FROM base, COPY --from=deps, COPY --from=1 (assets);
	// deps: FROM base, RUN --mount=from=assets.
	assert.Equal(t, []int{0, 1, 2, 4}, g.Needs(4))
	assert.Equal(t, [][]int{{0, 1}, {2}, {4}}, g.Levels(4))
	assert.Equal(t, []int{3}, g.Unused(4))
	assert.Equal(t, 0, g.RootImage(4))
	// "test" is named: it may be built with --target, so it is not
	// reported (issue 15: unused-stage noise on multi-target Dockerfiles).
	assert.NotContains(t, lintRules(a), "DK117@5")
}

func shellWords(cmds []shellCommand) [][]string {
	var got [][]string
	for _, c := range cmds {
		got = append(got, c.words)
	}
	return got
}

func TestParseShell(t *testing.T) {
	p := parseShell(`A=1 pip install "poetry==1.7.1" && cd /x; echo 'a && b' > /dev/null 2>&1 | tee x || sudo chown -R u:g /app`, 1, 1, true)
	require.Empty(t, p.parseErr)
	assert.Equal(t, [][]string{{"pip", "install", "poetry==1.7.1"}, {"cd", "/x"}, {"echo", "a && b"}, {"tee", "x"}, {"chown", "-R", "u:g", "/app"}}, shellWords(p.cmds))
	assert.Equal(t, "1", p.cmds[0].env["A"])

	// The cases: heredoc bodies are data, $(...) is one word whose
	// inner commands are commands, case patterns are not commands, export
	// reaches later commands.
	p = parseShell("cat <<EOF > /etc/x.conf\napt-get install foo\nEOF\nV=$(python -c 'import sys; print(1)') && case \"$V\" in a) echo a;; esac\nexport PIP_NO_CACHE_DIR=off\npip install x\n", 10, 1, true)
	require.Empty(t, p.parseErr)
	assert.Equal(t, [][]string{{"cat"}, {"python", "-c", "import sys; print(1)"}, {"echo", "a"}, {"pip", "install", "x"}}, shellWords(p.cmds))
	assert.Equal(t, "off", p.cmds[3].env["PIP_NO_CACHE_DIR"])
	assert.Equal(t, 10, p.cmds[0].line())
	assert.Equal(t, 13, p.cmds[1].line())

	// bash -lc "script" is examined.
	p = parseShell(`bash -lc "pip install a && poetry install"`, 3, 1, true)
	assert.Equal(t, [][]string{{"bash", "-lc", "pip install a && poetry install"}, {"pip", "install", "a"}, {"poetry", "install"}}, shellWords(p.cmds))
	assert.Equal(t, 3, p.cmds[2].line())

	p = parseShell("if then fi (", 1, 1, true)
	assert.NotEmpty(t, p.parseErr)
}

func TestRunShellForms(t *testing.T) {
	cases := []struct {
		name, df string
		want     []string
		not      []string
	}{
		{"heredoc body is not a command", "FROM python:3.12.8-slim\nRUN <<EOF cat > /tmp/notes\napt-get install -y curl\nEOF\n", nil, []string{"DK119@3", "DK103@3"}},
		{"heredoc script runs", "FROM python:3.12.8-slim\nRUN <<EOF\nset -e\npip install flask\nEOF\n", []string{"DK103@4"}, nil},
		{"exec form bash -lc", "FROM python:3.12.8-slim\nRUN [\"bash\", \"-lc\", \"pip install flask\"]\n", []string{"DK103@2"}, nil},
		{"exec form pip", "FROM python:3.12.8-slim\nRUN [\"pip\", \"install\", \"flask\"]\n", []string{"DK103@2"}, nil},
		{"command substitution", "FROM python:3.12.8-slim\nRUN pip install $(cat reqs | grep -v '^#') --no-cache-dir\n", nil, []string{"DK103@2"}},
		{"case arm", "FROM python:3.12.8-slim\nRUN case \"$X\" in apt-get) echo no;; esac\n", nil, []string{"DK119@2", "DK120@2"}},
		{"repeated command on its own line", "FROM python:3.12.8-slim\nRUN apt-get update && \\\n    apt-get install -y a && \\\n    apt-get install -y b && rm -rf /var/lib/apt/lists/*\n", []string{"DK119@3", "DK119@4"}, nil},
		{"comment line in continuation", "FROM python:3.12.8-slim\nRUN pip install \\\n# the web framework\n    flask\n", []string{"DK103@2"}, []string{"DK120@2"}},
		{"flags on the next line", "FROM python:3.12.8-slim\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    --mount=type=bind,source=r.txt,target=r.txt \\\n    pip install -r r.txt\n", nil, []string{"DK103@4", "DK120@2"}},
		{"unparsable", "FROM python:3.12.8-slim\nRUN if then fi (\n", []string{"DK120@2"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := lintRules(lintString(t, tc.df, LintConfig{}))
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, got, n)
			}
		})
	}
}

func TestFileClassification(t *testing.T) {
	for p, want := range map[string]string{
		".env": ".env", "config/.env.production": "config/.env.production", ".git/objects/ab/cd": ".git",
		"sub/.git/HEAD": "sub/.git", "keys/server.pem": "keys/server.pem", "db.sqlite3": "db.sqlite3",
		".aws/credentials": ".aws", ".env.example": "", "app/envelope.py": "", "git/x": "",
	} {
		g, _, _, ok := sensitiveFile(p)
		assert.Equal(t, want != "", ok, p)
		assert.Equal(t, want, g, p)
	}
	for p, want := range map[string]string{
		"a/__pycache__/x.pyc": "__pycache__", "x.pyc": "*.pyc", "node_modules/a/b.js": "node_modules",
		"web/node_modules/a.js": "web/node_modules", ".venv/bin/python": ".venv", "logs/app.log": "*.log",
		"app/views.py": "", "venvironment/x.py": "",
	} {
		g, ok := volatileFile(p)
		assert.Equal(t, want != "", ok, p)
		assert.Equal(t, want, g, p)
	}
}

func TestLintContextOverwrite(t *testing.T) {
	df := "FROM python:3.12.8 AS b\nRUN python -m venv /app/.venv\nFROM python:3.12.8\nCOPY --from=b /app/.venv /app/.venv\nWORKDIR /app\nCOPY . .\n"
	withVenv := &ContextIndex{HasDockerIgnore: true, Files: []ContextFile{{Path: ".venv/bin/python", Size: 10}, {Path: "app.py", Size: 5}}}
	noVenv := &ContextIndex{HasDockerIgnore: true, Files: []ContextFile{{Path: "app.py", Size: 5}}}

	got := lintString(t, df, LintConfig{Context: withVenv})
	assert.Contains(t, lintRules(got), "DK101@6")
	for _, d := range got.Diagnostics {
		if d.Rule == RuleContextOverwritesStagePath {
			assert.Equal(t, SeverityError, d.Severity)
		}
		assert.NotEqual(t, RuleVolatileFileCopied, d.Rule, "the .venv is reported once, by DK101")
	}
	assert.NotContains(t, lintRules(lintString(t, df, LintConfig{Context: noVenv})), "DK101@6", ".venv absent or ignored")
	unknown := lintString(t, df, LintConfig{})
	for _, d := range unknown.Diagnostics {
		if d.Rule == RuleContextOverwritesStagePath {
			assert.Equal(t, SeverityWarning, d.Severity, "without a context it can only warn")
		}
	}
	assert.Contains(t, lintRules(unknown), "DK101@6")
	// A venv outside the copy destination is safe.
	safe := strings.ReplaceAll(df, "/app/.venv", "/opt/venv")
	assert.NotContains(t, lintRules(lintString(t, safe, LintConfig{Context: withVenv})), "DK101@6")
}

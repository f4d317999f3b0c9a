package dockerfile

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// copyTree copies the fixture directory src into a new temporary directory.
func lintCopyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
	return dst
}

func lintCheckGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing; run go test -run %s -update", t.Name())
	assert.Equal(t, string(want), string(got), "%s differs; run go test -run %s -update and review the diff", path, t.Name())
}

func TestGenerateGolden(t *testing.T) {
	cases := []struct {
		fixture string
		want    Spec // what InferSpec must find, from the fixture's files
	}{
		{"poetry", Spec{
			Manager: ManagerPoetry, PoetryVersion: "1.8.3", PythonVersion: "3.13", Server: ServerGunicorn,
			SettingsModule: "blogsite.settings", WSGIApp: "blogsite.wsgi:application", CollectStatic: true,
			BuildPackages: []string{"build-essential", "libpq-dev"}, RuntimePackages: []string{"libpq5"},
		}},
		{"requirements", Spec{
			Manager: ManagerRequirements, RequirementsFiles: []string{"requirements.txt"}, PythonVersion: "3.11",
			SettingsModule: "shop.settings", WSGIApp: "shop.wsgi:application", Server: ServerGunicorn,
		}},
		{"uv", Spec{
			Manager: ManagerUV, PythonVersion: "3.13",
			SettingsModule: "notes.settings", ASGIApp: "notes.asgi:application", CollectStatic: true,
			Server: ServerGunicorn, WorkerClass: "uvicorn.workers.UvicornWorker", NoLifespan: true,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := filepath.Join("testdata", "generate", tc.fixture)
			spec, err := Infer(context.Background(), dir, InferOptions{Now: projectNow})
			require.NoError(t, err)
			got := spec
			got.Reasons, got.KeepPaths = nil, nil
			assert.Equal(t, tc.want, got)
			assert.NotEmpty(t, spec.Reasons, "every choice is explained")

			df, di, err := Generate(spec)
			require.NoError(t, err)
			lintCheckGolden(t, filepath.Join("testdata", "generate", tc.fixture+".Dockerfile.golden"), df)
			lintCheckGolden(t, filepath.Join("testdata", "generate", tc.fixture+".dockerignore.golden"), di)

			// Deterministic.
			df2, di2, err := Generate(spec)
			require.NoError(t, err)
			assert.Equal(t, df, df2)
			assert.Equal(t, di, di2)

			// The generated Dockerfile, over the fixture with the generated
			// .dockerignore and the usual local clutter, has no finding
			// above info.
			ctxDir := lintCopyTree(t, dir)
			lintWriteTree(t, ctxDir, map[string]string{
				".dockerignore":                     string(di),
				".env":                              "SECRET_KEY=x\n",
				".git/HEAD":                         "ref: refs/heads/main\n",
				".venv/pyvenv.cfg":                  "home = /usr/bin\n",
				".venv/lib/site-packages/x.py":      "x = 1\n",
				"app/__pycache__/views.cpython.pyc": "junk",
				"db.sqlite3":                        "SQLite format 3",
			})
			idx, err := ContextFromDir(context.Background(), ctxDir)
			require.NoError(t, err)
			a, err := Lint(context.Background(), df, LintConfig{Context: idx, Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
			require.NoError(t, err)
			for _, d := range a.Diagnostics {
				assert.Equal(t, SeverityInfo, d.Severity, "%s", d)
			}
			assert.LessOrEqual(t, a.MaxSeverity().Rank(), SeverityInfo.Rank())
			for _, p := range []string{".env", ".git/HEAD", ".venv/pyvenv.cfg", "db.sqlite3", "app/__pycache__/views.cpython.pyc"} {
				assert.Empty(t, idx.Under(p), "%s must be excluded by the generated .dockerignore", p)
			}
		})
	}
}

// TestGenerateShape checks the properties the issue asks of every generated
// Dockerfile, independently of the golden files.
func TestGenerateShape(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, m := range []DependencyManager{ManagerPoetry, ManagerRequirements, ManagerUV} {
		t.Run(string(m), func(t *testing.T) {
			df, _, err := Generate(Spec{
				Manager: m, BaseDigest: digest, WSGIApp: "mysite.wsgi:application", SettingsModule: "mysite.settings",
				CollectStatic: true, UID: 4242, Port: 9000, WritableDirs: []string{"media"},
				BuildPackages: []string{"libpq-dev"}, RuntimePackages: []string{"libpq5"},
			})
			require.NoError(t, err)
			s := string(df)
			assert.True(t, strings.HasPrefix(s, "# syntax=docker/dockerfile:1\n"))
			assert.Contains(t, s, "ARG PYTHON_IMAGE=python:3.13-slim-bookworm@"+digest+"\n")
			assert.Equal(t, 2, strings.Count(s, "FROM ${PYTHON_IMAGE} AS "), "both stages share the ARG base")
			assert.Contains(t, s, "--mount=type=cache,target=/var/lib/apt")
			assert.Contains(t, s, "--mount=type=secret,id=django_secret_key,env=DJANGO_SECRET_KEY")
			assert.Contains(t, s, "USER 4242:4242\n")
			assert.Contains(t, s, `CMD ["gunicorn", "--bind", "0.0.0.0:9000", "mysite.wsgi:application"]`)
			assert.NotContains(t, s, "chown -R")
			// The user exists before the first COPY of the runtime stage.
			runtime := s[strings.Index(s, "AS runtime"):]
			assert.Less(t, strings.Index(runtime, "useradd"), strings.Index(runtime, "COPY"))
			switch m {
			case ManagerPoetry:
				assert.Contains(t, s, "--mount=type=cache,target=/root/.cache/pypoetry")
			case ManagerUV:
				assert.Contains(t, s, "--mount=type=cache,target=/root/.cache/uv")
			default:
				assert.Contains(t, s, "--mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt")
			}
			a, err := Lint(context.Background(), df, LintConfig{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			require.NoError(t, err)
			for _, d := range a.Diagnostics {
				assert.Equal(t, SeverityInfo, d.Severity, "%s", d)
				assert.NotEqual(t, RuleBaseNotPinned, d.Rule, "the base is pinned by digest: %s", d)
			}
		})
	}
}

func TestGenerateInvalidSpec(t *testing.T) {
	cases := map[string]Spec{
		"WSGIApp":        {},
		"PythonVersion":  {PythonVersion: "three", WSGIApp: "a.wsgi"},
		"Manager":        {Manager: "pipenv", WSGIApp: "a.wsgi"},
		"BaseDigest":     {BaseDigest: "sha256:zz", WSGIApp: "a.wsgi"},
		"UID":            {UID: -1, WSGIApp: "a.wsgi"},
		"VenvDir":        {VenvDir: "/app/.venv", WSGIApp: "a.wsgi"},
		"SettingsModule": {SettingsModule: "my-site.settings", WSGIApp: "a.wsgi"},
		"Packages":       {BuildPackages: []string{"libpq-dev; rm -rf /"}, WSGIApp: "a.wsgi"},
		"BaseImage":      {BaseImage: "Not A Ref", WSGIApp: "a.wsgi"},
	}
	for field, spec := range cases {
		t.Run(field, func(t *testing.T) {
			_, _, err := Generate(spec)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidSpec))
			assert.Contains(t, err.Error(), field)
		})
	}
	// The module path of the seed is refused with the WSGIApp field named.
	_, _, err := Generate(Spec{WSGIApp: "minimalwave-blog.wsgi:application"})
	require.ErrorIs(t, err, ErrInvalidSpec)
	assert.Contains(t, err.Error(), `"minimalwave-blog"`)
}

func TestInferSpecOverrides(t *testing.T) {
	spec, err := InferSpec(context.Background(), filepath.Join("testdata", "generate", "poetry"), Spec{PythonVersion: "3.13", Port: 8080, WSGIApp: "other.wsgi:app"})
	require.NoError(t, err)
	assert.Equal(t, "3.13", spec.PythonVersion)
	assert.Equal(t, 8080, spec.Port)
	assert.Equal(t, "other.wsgi:app", spec.WSGIApp)
	assert.Equal(t, ManagerPoetry, spec.Manager, "not overridden, still inferred")

	_, err = InferSpec(context.Background(), filepath.Join("testdata", "does-not-exist"), Spec{})
	require.ErrorIs(t, err, ErrInfer)

	bad := t.TempDir()
	lintWriteTree(t, bad, map[string]string{"pyproject.toml": "[project]\nname = \n"})
	_, err = InferSpec(context.Background(), bad, Spec{})
	require.ErrorIs(t, err, ErrInfer)
	assert.Contains(t, err.Error(), "pyproject.toml:2:")
}

// FuzzInferSpec: any pyproject.toml and poetry.lock either give a spec or
// an ErrInfer error naming the file (with line and column); never a panic. Whatever spec comes out,
// Generate accepts it or refuses it with ErrInvalidSpec.
func FuzzInferSpec(f *testing.F) {
	py, _ := os.ReadFile(filepath.Join("testdata", "generate", "poetry", "pyproject.toml"))
	lock, _ := os.ReadFile(filepath.Join("testdata", "generate", "poetry", "poetry.lock"))
	f.Add(string(py), string(lock))
	f.Add("[project]\nrequires-python = \">=3.99\"\n", "")
	f.Add("[tool.poetry.dependencies]\npython = 3\n", "# @generated by Poetry x\n")
	f.Add("= broken", "")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, pyproject, poetryLock string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "poetry.lock"), []byte(poetryLock), 0o644))
		spec, err := InferSpec(context.Background(), dir, Spec{WSGIApp: "app.wsgi:application"})
		if err != nil {
			if !errors.Is(err, ErrInfer) || !strings.Contains(err.Error(), "pyproject.toml") && !strings.Contains(err.Error(), "poetry.lock") {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if _, _, err := Generate(spec); err != nil && !errors.Is(err, ErrInvalidSpec) {
			t.Fatalf("Generate: %v", err)
		}
	})
}

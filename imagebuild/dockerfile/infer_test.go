package dockerfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cases from PEP 440's "Version specifiers" section and its examples.
func TestSpecifierSet(t *testing.T) {
	cases := []struct {
		spec, version string
		want          bool
	}{
		{"~=2.2", "2.3", true}, {"~=2.2", "3.0", false}, {"~=1.4.5", "1.4.9", true}, {"~=1.4.5", "1.5.0", false},
		{"==1.1.*", "1.1.post1", true}, {"==1.1.*", "1.2", false}, {"!=1.1.*", "1.2", true},
		{">=3.10,<3.13", "3.12.7", true}, {">=3.10,<3.13", "3.13.0", false},
		{"<3.13", "3.13.0rc1", false}, // a pre-release of 3.13 is not below 3.13
		{">1.7", "1.7.1", true}, {">=1.0", "1.0.dev1", false}, {"==3.12.4", "3.12.4", true},
		{">=0.5.14", "0.8.0", true}, {"==0.4.30", "0.8.0", false},
	}
	for _, c := range cases {
		set, err := parseSpecifierSet(c.spec)
		require.NoError(t, err, c.spec)
		v, ok := parsePyVersion(c.version)
		require.True(t, ok, c.version)
		assert.Equal(t, c.want, set.allows(v), "%s allows %s", c.spec, c.version)
	}
	_, err := parseSpecifierSet("3.10")
	assert.Error(t, err, "a bare version is not a PEP 440 specifier")
}

// Poetry's constraint syntax, from python-poetry.org/docs/dependency-specification.
func TestPoetryConstraint(t *testing.T) {
	cases := []struct {
		c     string
		allow []string
		deny  []string
	}{
		{"^3.11", []string{"3.11", "3.12", "3.14"}, []string{"3.10"}},
		{"~3.9", []string{"3.9"}, []string{"3.10", "3.8"}},
		{"~3.12", []string{"3.12"}, []string{"3.13"}},
		{">=3.9,<3.13", []string{"3.9", "3.12"}, []string{"3.13"}},
		{">=3.9 <3.13", []string{"3.12"}, []string{"3.13"}},
		{"3.11.*", []string{"3.11"}, []string{"3.12"}},
		{"3.11", []string{"3.11"}, []string{"3.12"}},
		{">=3.8,<=3.12", []string{"3.12"}, []string{"3.13"}},
		{"^3.8 || ^3.13", []string{"3.8", "3.14"}, nil},
		{"*", []string{"3.14"}, nil},
	}
	for _, c := range cases {
		pc, err := parsePoetryConstraint(c.c)
		require.NoError(t, err, c.c)
		for _, m := range c.allow {
			assert.True(t, pc.allowsPythonMinor(m), "%s allows %s", c.c, m)
		}
		for _, m := range c.deny {
			assert.False(t, pc.allowsPythonMinor(m), "%s denies %s", c.c, m)
		}
	}
}

// Markers from PEP 508 and real locks, evaluated for CPython 3.12 on Linux x86_64.
func TestEvalMarker(t *testing.T) {
	env := markerEnv{python: "3.12"}
	cases := map[string]bool{
		`sys_platform == 'win32'`:      false,
		`sys_platform != "win32"`:      true,
		`python_version < "3.11"`:      false,
		`python_full_version < '3.13'`: true,
		`platform_python_implementation != 'PyPy' and sys_platform != 'cygwin'`:                  true,
		`(sys_platform == "darwin" or sys_platform == "linux") and platform_machine == "x86_64"`: true,
		`implementation_name != "pypy" and extra == "c"`:                                         false,
		`"linux" in sys_platform`:                             true,
		`python_version >= "3.8" and python_version < "3.10"`: false,
		`os_name == "nt"`:                                     false,
		`this is not a marker`:                                true, // unreadable: install
	}
	for m, want := range cases {
		assert.Equal(t, want, evalMarker(m, env), m)
	}
	assert.True(t, evalMarker(`implementation_name != "pypy" and extra == "c"`, markerEnv{python: "3.12", extras: []string{"c"}}))
	assert.True(t, evalMarker(`python_version < "3.9"`, markerEnv{}), "Python not chosen yet: true")
}

func TestWheelFor(t *testing.T) {
	assert.True(t, wheelFor([]string{"Django-4.2.16-py3-none-any.whl"}, "3.13"))
	assert.True(t, wheelFor([]string{"cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl"}, "3.13"))
	assert.False(t, wheelFor([]string{"cryptography-43.0.3-cp39-abi3-manylinux_2_28_aarch64.whl"}, "3.13"))
	assert.True(t, wheelFor([]string{"pillow-10.4.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"}, "3.12"))
	assert.False(t, wheelFor([]string{"pillow-10.4.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"}, "3.13"))
	assert.False(t, wheelFor([]string{"psycopg2-2.9.10-cp312-cp312-win_amd64.whl", "psycopg2-2.9.10.tar.gz"}, "3.12"))
	assert.False(t, wheelFor([]string{"pillow-10.4.0-cp312-cp312-musllinux_1_2_x86_64.whl"}, "3.12"), "musl wheels do not install on Debian")
}

func TestRequirementsIncludes(t *testing.T) {
	dir := t.TempDir()
	lintWriteTree(t, dir, map[string]string{
		"requirements/production.txt": "-r base.txt\n-c ../constraints.txt\ngunicorn==23.0.0  # server\npsycopg2==2.9.10 --no-binary psycopg2\n",
		"requirements/base.txt": "Django==5.1.4 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\n" +
			"django-tenants @ git+https://github.com/rissson/django-tenants.git@authentik-fixes\n" +
			"-e git+https://github.com/org/private-lib.git#egg=private_lib\n" +
			"pywin32==306 ; sys_platform == 'win32'\n--index-url https://pypi.org/simple\n",
		"constraints.txt": "lxml==5.1.0\n",
	})
	l, err := readRequirements(dir, []string{"requirements/production.txt"})
	require.NoError(t, err)
	assert.Equal(t, []string{"requirements/production.txt", "requirements/base.txt", "constraints.txt"}, l.Files)
	assert.Equal(t, []string{"requirements/base.txt", "constraints.txt"}, l.Includes)
	set := l.installedSet([]string{"main"}, nil, markerEnv{python: "3.12"})
	for _, n := range []string{"gunicorn", "psycopg2", "django", "django-tenants", "private-lib"} {
		assert.Contains(t, set, n)
	}
	assert.NotContains(t, set, "lxml", "-c only constrains")
	assert.NotContains(t, set, "pywin32", "Windows-only marker")
	assert.Equal(t, "5.1.4", set["django"].Version)
	assert.True(t, set["django-tenants"].Git)
	assert.True(t, set["private-lib"].Git)
	assert.True(t, set["psycopg2"].NoBinary)

	// An include outside the project, a missing include and a loop.
	lintWriteTree(t, dir, map[string]string{
		"bad.txt":     "-r ../../etc/passwd\n",
		"missing.txt": "Django\n-r nope.txt\n",
		"loop.txt":    "-r loop.txt\nDjango\n",
	})
	_, err = readRequirements(dir, []string{"bad.txt"})
	require.ErrorIs(t, err, ErrInfer)
	assert.Contains(t, err.Error(), "bad.txt:1")
	_, err = readRequirements(dir, []string{"missing.txt"})
	require.ErrorIs(t, err, ErrInfer)
	assert.Contains(t, err.Error(), "missing.txt:2")
	_, err = readRequirements(dir, []string{"loop.txt"})
	require.NoError(t, err)
}

func TestInferUVRequiredVersion(t *testing.T) {
	for req, want := range map[string]string{
		">=0.5.14": "",       // the data pin satisfies it: unchanged
		"==0.4.30": "0.4.30", // exact
		"0.4.30":   "0.4.30", // uv reads a bare version as ==
		">=99.1":   "99.1",   // newer than the pin: its lower bound
	} {
		dir := t.TempDir()
		lintWriteTree(t, dir, map[string]string{
			"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n[tool.uv]\nrequired-version = \"" + req + "\"\n",
			"uv.lock":        "version = 1\n",
			"main.py":        "from fastapi import FastAPI\napp = FastAPI()\n",
		})
		s, err := Infer(context.Background(), dir, InferOptions{Now: projectNow})
		require.NoError(t, err)
		assert.Equal(t, want, s.UVVersion, req)
		df, _, err := Generate(s)
		require.NoError(t, err)
		if want != "" {
			assert.Contains(t, string(df), "pip install uv=="+want+"\n")
		}
	}
}

// saleor at commit 001a6ac4 pinned python "~3.9" with Django 3.2: no
// supported Python fits (3.9 reached end of life on 2025-10-31), and the
// reason says so.
func TestInferPythonNothingFits(t *testing.T) {
	dir := t.TempDir()
	lintWriteTree(t, dir, map[string]string{
		"pyproject.toml":     "[tool.poetry]\nname = \"saleor\"\n[tool.poetry.dependencies]\npython = \"~3.9\"\ndjango = \"^3.2.16\"\ngunicorn = \"*\"\n",
		"poetry.lock":        "[[package]]\nname = \"django\"\nversion = \"3.2.25\"\nfiles = [{file = \"Django-3.2.25-py3-none-any.whl\", hash = \"sha256:00\"}]\n",
		"manage.py":          `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor.settings")`,
		"saleor/settings.py": "X = 1\n",
		"saleor/wsgi.py":     "application = None\n",
	})
	s, err := Infer(context.Background(), dir, InferOptions{Now: projectNow})
	require.NoError(t, err)
	assert.Equal(t, "3.9", s.PythonVersion)
	assert.Contains(t, strings.Join(s.Reasons, "\n"), "no supported Python is allowed by tool.poetry python ~3.9, Django 3.2.25")

	// Django 3.2 with a project allowing anything: 3.10 is its newest
	// Python but past end of life, so nothing supported fits either.
	lintWriteTree(t, dir, map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"saleor\"\n[tool.poetry.dependencies]\npython = \"^3.8\"\ndjango = \"^3.2.16\"\n"})
	s, err = Infer(context.Background(), dir, InferOptions{Now: projectNow})
	require.NoError(t, err)
	assert.Equal(t, "3.10", s.PythonVersion, "never 3.13 with Django 3.2")

	// .python-version pins a patch release.
	lintWriteTree(t, dir, map[string]string{
		"pyproject.toml":  "[tool.poetry]\nname = \"saleor\"\n[tool.poetry.dependencies]\npython = \"^3.10\"\n",
		"poetry.lock":     "[[package]]\nname = \"django\"\nversion = \"4.2.16\"\n",
		".python-version": "3.11.9\n",
	})
	s, err = Infer(context.Background(), dir, InferOptions{Now: projectNow})
	require.NoError(t, err)
	assert.Equal(t, "3.11.9", s.PythonVersion)
}

func TestInferGroupsAndExtrasPoetry(t *testing.T) {
	dir := t.TempDir()
	lintWriteTree(t, dir, map[string]string{
		"pyproject.toml": `[tool.poetry]
name = "shop"
[tool.poetry.dependencies]
python = "^3.12"
django = "^5.1"
psycopg2 = { version = "^2.9", optional = true }
mysqlclient = { version = "^2.2", optional = true }
[tool.poetry.extras]
postgres = ["psycopg2"]
mysql = ["mysqlclient"]
[tool.poetry.group.prod.dependencies]
gunicorn = "^23"
[tool.poetry.group.docs]
optional = true
[tool.poetry.group.docs.dependencies]
sphinx = "*"
[tool.poetry.group.dev.dependencies]
pytest = "*"
`,
		"poetry.lock": "# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.\n" +
			"[[package]]\nname = \"django\"\nversion = \"5.1.4\"\ngroups = [\"main\"]\n",
		"manage.py":        `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")`,
		"shop/settings.py": "X = 1\n",
		"shop/wsgi.py":     "application = None\n",
	})
	s, err := Infer(context.Background(), dir, InferOptions{Now: projectNow})
	require.NoError(t, err)
	assert.Equal(t, []string{"prod"}, s.Groups)
	assert.Equal(t, []string{"postgres"}, s.Extras)
	assert.Equal(t, ServerGunicorn, s.Server)
	assert.Empty(t, s.AddPackages, "gunicorn comes from the prod group")
	assert.Contains(t, s.BuildPackages, "libpq-dev")
	assert.NotContains(t, s.BuildPackages, "default-libmysqlclient-dev")
	df, _, err := Generate(s)
	require.NoError(t, err)
	assert.Contains(t, string(df), "poetry install --only main,prod -E postgres --no-root")
}

func TestWriteGenerated(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteGenerated(dir, []byte("FROM a\n"), []byte(".git\n"), false))
	err := WriteGenerated(dir, []byte("FROM b\n"), []byte(".git\n"), false)
	require.ErrorIs(t, err, ErrExists)
	assert.Contains(t, err.Error(), filepath.Join(dir, "Dockerfile"))
	got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	assert.Equal(t, "FROM a\n", string(got), "nothing overwritten without force")

	// Only .dockerignore present: still refused, and the Dockerfile is not written.
	dir2 := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir2, ".dockerignore"), []byte("x\n"), 0o644))
	require.ErrorIs(t, WriteGenerated(dir2, []byte("FROM b\n"), []byte(".git\n"), false), ErrExists)
	_, err = os.Stat(filepath.Join(dir2, "Dockerfile"))
	assert.True(t, errors.Is(err, os.ErrNotExist))

	require.NoError(t, WriteGenerated(dir, []byte("FROM b\n"), []byte(".git\n"), true))
	got, _ = os.ReadFile(filepath.Join(dir, "Dockerfile"))
	assert.Equal(t, "FROM b\n", string(got))
}

func TestDockerignoreKeepsNeededPaths(t *testing.T) {
	// A project whose settings live in a package named secrets and whose
	// requirements sit under media/: the generated ignores that would
	// exclude them are left out, and say so.
	df, di, err := Generate(Spec{WSGIApp: "app.wsgi:application", KeepPaths: []string{"media/requirements.txt", "secrets/settings.py"}})
	require.NoError(t, err)
	_ = df
	lines := strings.Split(string(di), "\n")
	assert.NotContains(t, lines, "media")
	assert.NotContains(t, lines, "secrets")
	assert.Contains(t, string(di), "Left out because the build needs what they match: secrets (would exclude secrets/settings.py); media (would exclude media/requirements.txt)")
	assert.Contains(t, lines, "**/.env")
}

// FuzzRequirements: any requirement file is read or refused with ErrInfer;
// never a panic, never a file outside the directory.
func FuzzRequirements(f *testing.F) {
	f.Add("-r base.txt\nDjango==5.1 ; python_version >= '3.10'\n")
	f.Add("psycopg[c,pool]==3.2 \\\n --hash=sha256:00\n-e git+https://x/y.git#egg=y\n")
	f.Add("-c ../x\n--no-binary :all:\nname @ https://example.com/x.whl\n[\n")
	dir := f.TempDir()
	require.NoError(f, os.WriteFile(filepath.Join(dir, "base.txt"), []byte("-r requirements.txt\ngunicorn\n"), 0o644))
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte(text), 0o644))
		l, err := readRequirements(dir, []string{"requirements.txt"})
		if err != nil {
			if !errors.Is(err, ErrInfer) {
				t.Fatalf("error without ErrInfer: %v", err)
			}
			return
		}
		for _, f := range l.Files {
			if strings.HasPrefix(f, "..") || filepath.IsAbs(f) {
				t.Fatalf("read outside the project: %s", f)
			}
		}
		_ = l.installedSet([]string{"main"}, nil, markerEnv{python: "3.12"})
	})
}

// FuzzMarker: marker evaluation and constraint parsing never panic, on any
// input, at any nesting depth.
func FuzzMarker(f *testing.F) {
	f.Add(`(sys_platform == "linux" and (python_version < "3.11" or extra == 'c'))`)
	f.Add(strings.Repeat("(", 100) + `os_name == "posix"` + strings.Repeat(")", 100))
	f.Add("^3.8 || >=3.9,<3.13 ~3.10 3.11.*")
	f.Fuzz(func(t *testing.T, s string) {
		_ = evalMarker(s, markerEnv{python: "3.12", extras: []string{"c"}})
		_ = evalMarker(s, markerEnv{})
		if c, err := parsePoetryConstraint(s); err == nil {
			_ = c.allowsPythonMinor("3.12")
			_ = c.String()
		}
		if set, err := parseSpecifierSet(s); err == nil {
			v, _ := parsePyVersion("3.12.1")
			_ = set.allows(v)
		}
		_, _, _, _ = parseRequirement(s)
	})
}

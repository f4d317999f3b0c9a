package dockerfile

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// projectNow is the day the fixture expectations are written for: Python
// 3.10 reached its end of life on 2026-10-31.
var projectNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// projectCase is what a fixture project under testdata/projects must
// produce. Every expectation is written from the project's own files and
// the upstream documentation cited in data/*.json and SOURCE.md, not from
// the generator's output.
type projectCase struct {
	manager  DependencyManager
	python   string
	settings string // "" for non-Django projects
	app      string // WSGI or ASGI application
	asgi     bool
	exe      string // the program CMD runs
	source   string // SourceDir
	groups   []string
	extras   []string
	static   bool
	compress bool
	// builder and runtime list Debian packages the stage must install
	// (from each library's install docs: psycopg2 and psycopg-c need
	// libpq-dev to build and libpq5 to run, and so on).
	builder, runtime []string
	// notRuntime must not be installed in the final stage.
	notRuntime []string
	// secrets are project files that must not enter the build context.
	secrets []string
}

var projectCases = map[string]projectCase{
	"cookiecutter-django": {
		manager: ManagerRequirements, python: "3.12", settings: "config.settings.production",
		app: "config.wsgi:application", exe: "gunicorn", static: true, compress: true,
		builder: []string{"build-essential", "libpq-dev"}, runtime: []string{"libpq5"},
		notRuntime: []string{"build-essential", "libpq-dev"},
		secrets:    []string{".envs/.production/.django", ".envs/.production/.postgres", ".envs/.local/.django"},
	},
	"paperless-ngx": {
		manager: ManagerUV, python: "3.13", settings: "paperless.settings",
		app: "paperless.asgi:application", asgi: true, exe: "granian", source: "src", static: true,
		extras:  []string{"postgres", "webserver"},
		builder: []string{"build-essential", "libpq-dev"}, runtime: []string{"libmagic1", "libpq5"},
		notRuntime: []string{"default-libmysqlclient-dev", "libmariadb3"}, // mariadb extra not installed
		secrets:    []string{"docker/compose/docker-compose.env"},
	},
	"fastapi-template": {
		manager: ManagerUV, python: "3.14", app: "app.main:app", asgi: true, exe: "uvicorn",
		notRuntime: []string{"libpq5"}, // psycopg[binary] bundles libpq
		secrets:    []string{".env"},
	},
	"saleor": {
		manager: ManagerPoetry, python: "3.12", settings: "saleor.settings",
		app: "saleor.asgi:application", asgi: true, exe: "gunicorn", static: true,
		builder: []string{"build-essential", "libpq-dev"},
		runtime: []string{"libmagic1", "libpango-1.0-0", "libpangoft2-1.0-0", "libpq5"},
	},
	"netbox": {
		manager: ManagerRequirements, python: "3.12", settings: "netbox.settings",
		app: "netbox.wsgi:application", exe: "gunicorn", source: "netbox", static: true,
		builder: []string{"build-essential", "libpq-dev"}, runtime: []string{"libpq5"},
	},
	"cookiecutter-flask": {
		manager: ManagerRequirements, python: "3.14", app: "autoapp:app", exe: "gunicorn",
		builder: []string{"build-essential", "libpq-dev"}, runtime: []string{"libpq5"},
		secrets: []string{".env.example"},
	},
	"inventree-piptools": {
		manager: ManagerRequirements, python: "3.12", settings: "InvenTree.settings",
		app: "InvenTree.wsgi:application", exe: "gunicorn", source: "InvenTree", static: true,
		builder:    []string{"build-essential", "default-libmysqlclient-dev", "libldap2-dev", "libsasl2-dev", "pkg-config"},
		runtime:    []string{"libldap-2.5-0", "libmariadb3", "libsasl2-2"},
		notRuntime: []string{"libpq5"}, // psycopg[binary]
	},
	"authentik": {
		manager: ManagerPoetry, python: "3.12", settings: "authentik.root.settings",
		app: "authentik.root.asgi:application", asgi: true, exe: "gunicorn",
		builder:    []string{"build-essential", "git", "libpq-dev", "libxmlsec1-dev", "pkg-config"},
		runtime:    []string{"libpq5", "libxmlsec1", "libxmlsec1-openssl"},
		notRuntime: []string{"git"},
	},
	"healthchecks": {
		manager: ManagerRequirements, python: "3.13", settings: "hc.settings",
		app: "hc.wsgi:application", exe: "gunicorn", static: true, compress: true,
		secrets: []string{"docker/.env"},
	},
}

// executablePackage maps a server program to the distribution whose
// console script it is (each project's pyproject/setup entry points).
var executablePackage = map[string]string{
	"gunicorn": "gunicorn", "uvicorn": "uvicorn", "granian": "granian", "daphne": "daphne",
}

func TestGenerateProjects(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "projects"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 8)
	for _, e := range entries {
		name := e.Name()
		tc, ok := projectCases[name]
		require.True(t, ok, "fixture %s has no expectations", name)
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "projects", name)
			_, err := os.Stat(filepath.Join(dir, "SOURCE.md"))
			require.NoError(t, err, "every fixture cites the project it mirrors")
			spec, err := Infer(context.Background(), dir, InferOptions{Now: projectNow})
			require.NoError(t, err)
			for _, r := range spec.Reasons {
				t.Log(r)
			}
			assert.Equal(t, tc.manager, spec.Manager)
			assert.Equal(t, tc.python, spec.PythonVersion)
			assert.Equal(t, tc.settings, spec.SettingsModule)
			assert.Equal(t, tc.source, spec.SourceDir)
			assert.Equal(t, tc.groups, spec.Groups)
			assert.Equal(t, tc.extras, spec.Extras)
			assert.Equal(t, tc.static, spec.CollectStatic)
			assert.Equal(t, tc.compress, spec.Compress)
			if tc.asgi {
				assert.Equal(t, tc.app, spec.ASGIApp)
			} else {
				assert.Equal(t, tc.app, spec.WSGIApp)
			}

			df, di, err := Generate(spec)
			require.NoError(t, err)
			text := string(df)
			stages := strings.SplitN(text, "\nFROM ${PYTHON_IMAGE} AS runtime\n", 2)
			require.Len(t, stages, 2)
			builder, runtime := stages[0], stages[1]

			// The CMD's program is provided by what the image installs.
			cmd := cmdArgs(t, text)
			require.NotEmpty(t, cmd)
			assert.Equal(t, tc.exe, cmd[0])
			assert.Contains(t, cmd, tc.app)
			pkg := executablePackage[cmd[0]]
			require.NotEmpty(t, pkg, "unknown server %s", cmd[0])
			assert.True(t, projectDeclares(t, dir, pkg) || strings.Contains(builder, pkg+"=="),
				"%s: CMD runs %s but neither the project's lock/requirements nor the Dockerfile installs %s", name, cmd[0], pkg)

			// The settings module exists.
			if tc.settings != "" {
				assert.Contains(t, runtime, "DJANGO_SETTINGS_MODULE="+tc.settings)
				mod := path.Join(tc.source, strings.ReplaceAll(tc.settings, ".", "/"))
				_, err1 := os.Stat(filepath.Join(dir, mod+".py"))
				_, err2 := os.Stat(filepath.Join(dir, mod, "__init__.py"))
				assert.True(t, err1 == nil || err2 == nil, "settings module %s does not exist", tc.settings)
			}

			// System libraries in the stage that needs them.
			bApt, rApt := stageAptPackages(builder), stageAptPackages(runtime)
			for _, p := range tc.builder {
				assert.Contains(t, bApt, p, "builder stage must install %s", p)
			}
			for _, p := range tc.runtime {
				assert.Contains(t, rApt, p, "runtime stage must install %s", p)
			}
			for _, p := range tc.notRuntime {
				assert.NotContains(t, rApt, p, "runtime stage must not install %s", p)
			}
			for _, p := range rApt {
				assert.False(t, strings.HasSuffix(p, "-dev") || p == "build-essential", "runtime installs build tool %s", p)
			}

			// Lints with no warning over the project's own context (the
			// generated .dockerignore plus local clutter).
			ctxDir := lintCopyTree(t, dir)
			lintWriteTree(t, ctxDir, map[string]string{
				".dockerignore":                     string(di),
				".git/HEAD":                         "ref: refs/heads/main\n",
				".venv/pyvenv.cfg":                  "home = /usr/bin\n",
				"localenv/pyvenv.cfg":               "home = /usr/bin\n",
				"pkg/__pycache__/x.cpython-312.pyc": "junk",
				"db.sqlite3":                        "SQLite format 3",
				"deploy/key.pem":                    "-----BEGIN PRIVATE KEY-----\n",
			})
			// The venv created after inference is found by a second run.
			spec2, err := Infer(context.Background(), ctxDir, InferOptions{Now: projectNow})
			require.NoError(t, err)
			df2, di2, err := Generate(spec2)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(ctxDir, ".dockerignore"), di2, 0o644))
			idx, err := ContextFromDir(context.Background(), ctxDir)
			require.NoError(t, err)
			a, err := Lint(context.Background(), df2, LintConfig{Context: idx, Now: projectNow})
			require.NoError(t, err)
			for _, d := range a.Diagnostics {
				assert.Equal(t, SeverityInfo, d.Severity, "%s", d)
			}
			for _, p := range append([]string{".git/HEAD", ".venv/pyvenv.cfg", "localenv/pyvenv.cfg", "db.sqlite3", "deploy/key.pem", "pkg/__pycache__/x.cpython-312.pyc"}, tc.secrets...) {
				assert.Empty(t, idx.Under(p), "%s must be excluded by the generated .dockerignore", p)
			}
			// Never excluded: what the install and the app need.
			for _, p := range spec2.KeepPaths {
				assert.NotEmpty(t, idx.Under(p), "%s is needed by the build but excluded", p)
			}
		})
	}
}

var cmdRE = regexp.MustCompile(`(?m)^CMD \[(.*)\]$`)

func cmdArgs(t *testing.T, df string) []string {
	m := cmdRE.FindStringSubmatch(df)
	if m == nil {
		return nil
	}
	var out []string
	for _, a := range strings.Split(m[1], ", ") {
		out = append(out, strings.Trim(a, `"`))
	}
	return out
}

// stageAptPackages lists the packages of every apt-get install in a stage.
func stageAptPackages(stage string) []string {
	var out []string
	i := strings.Index(stage, "apt-get install")
	if i < 0 {
		return nil
	}
	for _, line := range strings.Split(stage[i:], "\n")[1:] {
		if !strings.HasPrefix(line, "      ") {
			break
		}
		out = append(out, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "\\")))
	}
	return out
}

// projectDeclares reports whether the project's lock or requirement files
// name package pkg, read as plain text.
func projectDeclares(t *testing.T, dir, pkg string) bool {
	found := false
	reqLine := regexp.MustCompile(`(?im)^` + regexp.QuoteMeta(pkg) + `\s*(\[[^\]]*\])?\s*(==|>=|~=|<|$|\s)`)
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(p)
		switch base := filepath.Base(p); {
		case base == "uv.lock" || base == "poetry.lock":
			found = found || strings.Contains(string(data), `name = "`+pkg+`"`)
		case strings.HasSuffix(base, ".txt") && strings.Contains(p, "requirements"):
			found = found || reqLine.Match(data)
		}
		return nil
	})
	return found
}

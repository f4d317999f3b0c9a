package cdn

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/require"
)

// djangoProject copies testdata/origin to a temporary directory, writes its
// settings.py (base settings + the rendered Django 3.2 snippet + extra) and
// runs a real `manage.py collectstatic --noinput` with Debian's Django.
func djangoProject(t *testing.T, g testenv.GunicornEnv, extra string) string {
	t.Helper()
	if err := exec.Command(g.Python, "-c", "import django, whitenoise").Run(); err != nil {
		testenv.Unavailable(t, "python3-django and python3-whitenoise are not installed for "+g.Python)
	}
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/origin")))
	base, err := os.ReadFile(filepath.Join(dir, "base_settings.py"))
	require.NoError(t, err)
	settings := string(base) + "\n" + RenderSettings(SettingsOptions{Django: DjangoVersion{3, 2}}) + "\n" + extra + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "settings.py"), []byte(settings), 0o644))
	collectstatic(t, g, dir)
	return dir
}

func collectstatic(t *testing.T, g testenv.GunicornEnv, dir string) {
	t.Helper()
	cmd := exec.Command(g.Python, "manage.py", "collectstatic", "--noinput")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DJANGO_SETTINGS_MODULE=settings", "DJANGO_STATIC_HOST=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "collectstatic: %s", out)
}

// editSettings rewrites settings.py with edit applied.
func editSettings(t *testing.T, dir string, edit func(string) string) {
	t.Helper()
	p := filepath.Join(dir, "settings.py")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(edit(string(b))), 0o644))
}

func serveProject(t *testing.T, g testenv.GunicornEnv, dir string) *testenv.GunicornServer {
	t.Helper()
	return g.Start(t, testenv.GunicornApp{Dir: dir, App: "wsgi:application", Args: []string{"--workers", "2"},
		Env: []string{"DJANGO_SETTINGS_MODULE=settings", "DJANGO_STATIC_HOST="}})
}

func verifyOrigin(t *testing.T, srv *testenv.GunicornServer, m *Manifest) *VerifyReport {
	t.Helper()
	rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: m, UnhashedSample: -1, Concurrency: 4})
	require.NoError(t, err)
	return rep
}

// failures maps "file: header" to the expected/seen text of each failed check.
func failures(rep *VerifyReport) map[string]string {
	out := map[string]string{}
	for _, f := range rep.Files {
		for _, c := range f.Failures() {
			out[f.Name+": "+c.Header] = "expected " + c.Expected + "; seen " + c.Seen
		}
	}
	return out
}

func readManifest(t *testing.T, dir string) *Manifest {
	t.Helper()
	m, err := ReadManifest(filepath.Join(dir, "staticfiles", "staticfiles.json"))
	require.NoError(t, err)
	return m
}

func removeAll(p string) error { return os.RemoveAll(p) }

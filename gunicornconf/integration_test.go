package gunicornconf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests boot Debian's gunicorn (testenv.Gunicorn) and check the
// package's claims against the real server.

func appDir(t *testing.T, conf []byte) (dir, confPath string) {
	t.Helper()
	dir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.py"), []byte(wsgiApp), 0o644))
	confPath = filepath.Join(dir, "gunicorn.conf.py")
	require.NoError(t, os.WriteFile(confPath, conf, 0o644))
	return dir, confPath
}

// waitWorkers polls the master's children until there are want of them.
func waitWorkers(t *testing.T, s *testenv.GunicornServer, want int) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	n := -1
	for time.Now().Before(deadline) {
		kids, err := s.Workers()
		require.NoError(t, err)
		n = len(kids)
		if n == want {
			// Stable for a moment (no worker still starting or exiting).
			time.Sleep(300 * time.Millisecond)
			if kids, _ = s.Workers(); len(kids) == want {
				return want
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return n
}

func noWebConcurrency(t *testing.T) {
	if os.Getenv("WEB_CONCURRENCY") != "" {
		t.Skip("WEB_CONCURRENCY is set in the test environment; the worker counts below assume it is not")
	}
}

// hostSizing is what the runtime-sized configuration should compute on
// this machine, according to the Go implementation.
func hostSizing(t *testing.T, class string) Sizing {
	res, err := DetectResources(os.DirFS("/"), "sys/fs/cgroup", "proc/meminfo", runtime.NumCPU())
	require.NoError(t, err)
	s, err := Size(SizingInput{CPUs: res.CPUs, MemoryMB: res.MemoryMB, WorkerClass: class})
	require.NoError(t, err)
	return s
}

func TestGeneratedConfigsBootOnGunicorn(t *testing.T) {
	g := testenv.Gunicorn(t)
	noWebConcurrency(t)
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.App = "app:application"
			r, err := Render(o)
			require.NoError(t, err)
			dir, conf := appDir(t, r.Config)
			s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})

			want := 0
			if r.Sizing != nil {
				want = r.Sizing.Workers
			} else {
				class := o.WorkerClass
				if class == "" {
					class = "gthread"
				}
				want = hostSizing(t, class).Workers
			}
			assert.Equal(t, want, waitWorkers(t, s, want), "workers in the process tree\n%s", s.Output())

			resp, err := http.Get(s.URL + "/")
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), "pid=")

			require.NoError(t, s.Stop(20*time.Second), "SIGTERM stops gunicorn gracefully\n%s", s.Output())
			assert.Contains(t, s.Output(), "Handling signal: term")
			assert.Contains(t, s.Output(), "Shutting down: Master")
		})
	}
}

func TestWebConcurrencyOverridesGeneratedSizing(t *testing.T) {
	g := testenv.Gunicorn(t)
	r, err := Render(RenderOptions{App: "app:application", SKU: sku(t, "P3v3"), WorkerClass: "sync"})
	require.NoError(t, err)
	require.NotEqual(t, 2, r.Sizing.Workers)
	dir, conf := appDir(t, r.Config)
	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf, Env: []string{"WEB_CONCURRENCY=2"}})
	assert.Equal(t, 2, waitWorkers(t, s, 2), s.Output())
}

// connectionHeaders sends n requests with a keep-alive client and returns
// each response's Connection header and whether its connection was reused.
func connectionHeaders(t *testing.T, url string, n int) (headers []string, reused []bool) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 5 * time.Second}
	for i := 0; i < n; i++ {
		var got bool
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { got = info.Reused }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, url, nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		// net/http consumes the Connection header into resp.Close.
		conn := resp.Header.Get("Connection")
		if resp.Close {
			conn = "close"
		}
		headers = append(headers, conn)
		reused = append(reused, got)
	}
	return headers, reused
}

// TestSyncWorkerIgnoresKeepalive proves GC004's claim: with the sync worker
// a keepalive setting changes nothing, every response says Connection:
// close; the same setting with gthread keeps the connection open.
func TestSyncWorkerIgnoresKeepalive(t *testing.T) {
	g := testenv.Gunicorn(t)
	src := "worker_class = \"sync\"\nkeepalive = 30\nworkers = 1\n"
	cfg, err := Load("sync.conf.py", []byte(src))
	require.NoError(t, err)
	assert.Contains(t, findingsAt(cfg.Validate(Options{})), ruleAt{RuleNoEffect, 2})

	dir, conf := appDir(t, []byte(src))
	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
	headers, reused := connectionHeaders(t, s.URL+"/", 4)
	for i := range headers {
		assert.Equal(t, "close", headers[i], "response %d", i)
		assert.False(t, reused[i], "request %d reused a connection", i)
	}

	// Control: gthread honours keepalive.
	src = "worker_class = \"gthread\"\nthreads = 2\nkeepalive = 30\nworkers = 1\n"
	cfg, err = Load("gthread.conf.py", []byte(src))
	require.NoError(t, err)
	assert.NotContains(t, findingsAt(cfg.Validate(Options{})), ruleAt{RuleNoEffect, 3})
	dir, conf = appDir(t, []byte(src))
	s = g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
	headers, reused = connectionHeaders(t, s.URL+"/", 4)
	for i := range headers {
		assert.NotEqual(t, "close", headers[i], "response %d", i)
	}
	assert.Equal(t, []bool{false, true, true, true}, reused)
}

// TestMisspelledSettingIsIgnoredByGunicorn proves why GC001 exists: gunicorn
// starts happily with `worker = 4` and `WORKERS = 4`, and runs one worker.
func TestMisspelledSettingIsIgnoredByGunicorn(t *testing.T) {
	g := testenv.Gunicorn(t)
	noWebConcurrency(t)
	for _, c := range []struct {
		src  string
		want int
	}{{"worker = 4\n", 1}, {"WORKERS = 4\n", 1}, {"workers = 4\n", 4}} {
		cfg, err := Load("conf.py", []byte(c.src))
		require.NoError(t, err)
		hasGC001 := false
		for _, f := range cfg.Validate(Options{}) {
			hasGC001 = hasGC001 || f.Rule == RuleUnknownSetting
		}
		assert.Equal(t, c.want == 1, hasGC001, c.src)

		dir, conf := appDir(t, []byte(c.src))
		s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
		assert.Equal(t, c.want, waitWorkers(t, s, c.want), "%q\n%s", c.src, s.Output())
		require.NoError(t, s.Stop(20*time.Second))
	}
}

// printConfig runs gunicorn --print-config and returns the printed values.
func printConfig(t *testing.T, g testenv.GunicornEnv, dir, conf string, env []string, args ...string) map[string]string {
	t.Helper()
	all := append([]string{"--print-config", "-c", conf}, args...)
	all = append(all, "app:application")
	cmd := exec.Command(g.Path, all...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// TestCmdArgsOverrideTheFile proves GC007: GUNICORN_CMD_ARGS (what Oryx
// sets) beats the file, and the command line beats GUNICORN_CMD_ARGS, which
// is why the rendered startup command passes --timeout and --bind.
func TestCmdArgsOverrideTheFile(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir, conf := appDir(t, []byte("timeout = 30\nbind = \"0.0.0.0:9000\"\n"))
	oryx := "GUNICORN_CMD_ARGS=" + OryxCmdArgs
	got := printConfig(t, g, dir, conf, []string{oryx})
	assert.Equal(t, "600", got["timeout"])
	assert.Equal(t, "['0.0.0.0:9000']", got["bind"], "Oryx's GUNICORN_CMD_ARGS does not set bind")

	got = printConfig(t, g, dir, conf, []string{oryx}, "--timeout=30", "--bind=0.0.0.0:9000")
	assert.Equal(t, "30", got["timeout"])
	assert.Equal(t, "['0.0.0.0:9000']", got["bind"])

	cfg, err := Load(conf, []byte("timeout = 30\nbind = \"0.0.0.0:9000\"\n"))
	require.NoError(t, err)
	fs := findingsAt(cfg.Validate(Options{Platform: PlatformAppServiceCode}))
	assert.Contains(t, fs, ruleAt{RuleOverriddenByArgs, 1})
	assert.NotContains(t, fs, ruleAt{RuleOverriddenByArgs, 2})
	fs = findingsAt(cfg.Validate(Options{Platform: PlatformAppServiceCode, Args: []string{"--timeout=30", "--bind=0.0.0.0:9000"}}))
	assert.NotContains(t, fs, ruleAt{RuleOverriddenByArgs, 1})
	assert.NotContains(t, fs, ruleAt{RuleOverriddenByArgs, 2})
}

func schemeFor(t *testing.T, url string) string {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	f := strings.Fields(string(b))
	require.NotEmpty(t, f)
	return strings.TrimPrefix(f[0], "scheme=")
}

// TestForwardedAllowIPs proves GC003 and GC012 on the installed gunicorn:
// without forwarded_allow_ips covering the proxy, X-Forwarded-Proto is
// ignored; on 20.1 a CIDR network is accepted but never matches.
func TestForwardedAllowIPs(t *testing.T) {
	g := testenv.Gunicorn(t)
	ver, err := exec.Command(g.Python, "-c", "import gunicorn; print(gunicorn.__version__)").Output()
	require.NoError(t, err)
	v := installedVersion(t, strings.TrimSpace(string(ver)))
	cases := []struct{ src, want string }{
		{"forwarded_allow_ips = \"*\"\n", "https"},
		{"forwarded_allow_ips = \"127.0.0.1\"\n", "https"},
		{"forwarded_allow_ips = \"10.0.0.1\"\n", "http"},
	}
	if v == mustVersion("20.1") {
		cases = append(cases, struct{ src, want string }{"forwarded_allow_ips = \"127.0.0.0/8\"\n", "http"})
	}
	for _, c := range cases {
		dir, conf := appDir(t, []byte(c.src))
		s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
		assert.Equal(t, c.want, schemeFor(t, s.URL+"/"), c.src)
		require.NoError(t, s.Stop(20*time.Second))
		if strings.Contains(c.src, "/") {
			cfg, err := Load("c.py", []byte(c.src))
			require.NoError(t, err)
			assert.Contains(t, findingsAt(cfg.Validate(Options{Version: v})), ruleAt{RuleForwardedIPsCIDR, 1})
		}
	}
}

const djangoSettings = `SECRET_KEY = "deploykit-test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
`

const djangoURLs = `import os

from django.http import HttpResponse
from django.urls import path


def index(request):
    return HttpResponse("secure=%s pid=%d\n" % (request.is_secure(), os.getpid()), content_type="text/plain")


urlpatterns = [path("", index)]
`

const djangoWSGI = `import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
`

// TestDjangoAppWithGeneratedConfig boots a minimal Django project (Debian's
// Django) with a generated App Service configuration: it answers 200, runs
// the planned number of workers, sees HTTPS through the trusted
// X-Forwarded-Proto, and stops on SIGTERM.
func TestDjangoAppWithGeneratedConfig(t *testing.T) {
	g := testenv.Gunicorn(t)
	noWebConcurrency(t)
	dir := t.TempDir()
	site := filepath.Join(dir, "mysite")
	require.NoError(t, os.MkdirAll(site, 0o755))
	for name, body := range map[string]string{"__init__.py": "", "settings.py": djangoSettings, "urls.py": djangoURLs, "wsgi.py": djangoWSGI} {
		require.NoError(t, os.WriteFile(filepath.Join(site, name), []byte(body), 0o644))
	}
	r, err := Render(RenderOptions{App: "mysite.wsgi:application", SKU: sku(t, "B1")})
	require.NoError(t, err)
	conf := filepath.Join(dir, "gunicorn.conf.py")
	require.NoError(t, os.WriteFile(conf, r.Config, 0o644))

	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "mysite.wsgi:application", Config: conf, StartTimeout: 60 * time.Second})
	assert.Equal(t, r.Sizing.Workers, waitWorkers(t, s, r.Sizing.Workers), s.Output())

	req, err := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "secure=True", "forwarded_allow_ips = \"*\" lets Django see HTTPS")
	require.NoError(t, s.Stop(20*time.Second), s.Output())
}

// rawRequest is used when net/http would hide what the server sent.
func rawRequest(t *testing.T, addr, req string) string {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = fmt.Fprint(conn, req)
	require.NoError(t, err)
	b, _ := io.ReadAll(conn)
	return string(b)
}

// TestSyncWorkerClosesPipelinedConnection: the sync worker answers one
// request per connection even when the client pipelines two.
func TestSyncWorkerClosesPipelinedConnection(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir, conf := appDir(t, []byte("keepalive = 30\n"))
	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
	addr := strings.TrimPrefix(s.URL, "http://")
	out := rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	assert.Equal(t, 1, strings.Count(out, "HTTP/1.1 200"), out)
	assert.Contains(t, out, "Connection: close")
}

// TestThreadsSwitchSyncToGthread proves GC005: threads > 1 with the
// default sync worker makes gunicorn run gthread, which keeps connections
// alive.
func TestThreadsSwitchSyncToGthread(t *testing.T) {
	g := testenv.Gunicorn(t)
	src := "threads = 4\nkeepalive = 30\nworkers = 1\n"
	cfg, err := Load("threads.conf.py", []byte(src))
	require.NoError(t, err)
	assert.Contains(t, findingsAt(cfg.Validate(Options{})), ruleAt{RuleThreadsSwitchClass, 1})

	dir, conf := appDir(t, []byte(src))
	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "app:application", Config: conf})
	_, reused := connectionHeaders(t, s.URL+"/", 3)
	assert.Equal(t, []bool{false, true, true}, reused, "gthread keeps the connection alive")
	require.NoError(t, s.Stop(20*time.Second))
	// 20.1 names the switched class "threads", 23.0 "gthread".
	out := s.Output()
	assert.True(t, strings.Contains(out, "Using worker: threads") || strings.Contains(out, "Using worker: gthread"), out)
}

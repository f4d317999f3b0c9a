package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DebianPython is the interpreter that has Debian's python3-django,
// python3-whitenoise and python3-psycopg2; gunicorn from Debian runs on it.
const DebianPython = "/usr/bin/python3"

// GunicornEnv is the gunicorn installation of the test harness.
type GunicornEnv struct {
	// Path is the gunicorn executable (Debian's /usr/bin/gunicorn).
	Path string
	// Python is the interpreter with Django, WhiteNoise and psycopg2.
	Python string
}

// Gunicorn returns the harness's gunicorn.
func Gunicorn(t testing.TB) GunicornEnv {
	t.Helper()
	return GunicornEnv{Path: lookup(t, EnvGunicorn, "gunicorn"), Python: DebianPython}
}

// GunicornApp says what to boot.
type GunicornApp struct {
	// Dir is the working directory (put on sys.path with --chdir).
	Dir string
	// App is the WSGI application, "module:callable".
	App string
	// Config is an optional gunicorn.conf.py path passed with -c.
	Config string
	// Args are extra command-line arguments.
	Args []string
	// Env is added to the environment (KEY=value).
	Env []string
	// Path is the URL path polled until the first HTTP 200 (default "/").
	Path string
	// Bind, when set, is used as-is (and must also appear in Config or Args
	// if they set their own bind). When empty a free loopback port is chosen
	// and passed with --bind.
	Bind string
	// StartTimeout bounds the wait for the first 200 (default 30s).
	StartTimeout time.Duration
}

// GunicornServer is a running gunicorn master.
type GunicornServer struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// PID is the master's process id.
	PID int

	cmd     *exec.Cmd
	out     *syncBuffer
	once    sync.Once
	waitErr error
	done    chan struct{}
}

// Output returns what gunicorn wrote to stdout and stderr so far.
func (s *GunicornServer) Output() string { return s.out.String() }

// Workers returns the PIDs of the master's direct children (the workers),
// read from /proc.
func (s *GunicornServer) Workers() ([]int, error) {
	return childPIDs(s.PID)
}

// Stop sends SIGTERM (gunicorn's graceful shutdown) and waits up to timeout
// for the master to exit. It returns the master's exit error (nil for a clean
// exit) or an error when it had to be killed.
func (s *GunicornServer) Stop(timeout time.Duration) error {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(timeout):
			_ = s.cmd.Process.Kill()
			<-s.done
			s.waitErr = fmt.Errorf("gunicorn did not exit within %s of SIGTERM and was killed", timeout)
		}
	})
	return s.waitErr
}

// Start boots gunicorn with app, waits until app.Path answers HTTP 200, and
// stops it with SIGTERM when the test ends.
func (g GunicornEnv) Start(t testing.TB, app GunicornApp) *GunicornServer {
	t.Helper()
	bind := app.Bind
	args := []string{}
	if bind == "" {
		bind = "127.0.0.1:" + strconv.Itoa(FreePort(t))
		args = append(args, "--bind", bind)
	}
	if app.Config != "" {
		args = append(args, "-c", app.Config)
	}
	if app.Dir != "" {
		args = append(args, "--chdir", app.Dir)
	}
	args = append(args, app.Args...)
	args = append(args, app.App)
	cmd := exec.Command(g.Path, args...)
	cmd.Dir = app.Dir
	cmd.Env = append(os.Environ(), app.Env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start gunicorn: %v", err)
	}
	s := &GunicornServer{URL: "http://" + bind, PID: cmd.Process.Pid, cmd: cmd, out: out, done: make(chan struct{})}
	go func() { s.waitErr = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { _ = s.Stop(20 * time.Second) })

	path := app.Path
	if path == "" {
		path = "/"
	}
	timeout := app.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	if err := waitHTTP200(s, s.URL+path, timeout); err != nil {
		t.Fatalf("testenv: gunicorn %s: %v\n--- gunicorn output ---\n%s", strings.Join(args, " "), err, out.String())
	}
	return s
}

func waitHTTP200(s *GunicornServer, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error = errors.New("no answer yet")
	for {
		select {
		case <-s.done:
			return fmt.Errorf("exited before answering 200: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("no HTTP 200 from %s within %s: %v", url, timeout, last)
		case <-time.After(50 * time.Millisecond):
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func childPIDs(parent int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var kids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // the process went away
		}
		// Format: pid (comm) state ppid ...; comm may hold spaces and parens.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == parent {
			kids = append(kids, pid)
		}
	}
	return kids, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

package imagebuild

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/require"
)

// EnvBuildkitdBinary names the buildkitd binary the tests start for a
// fresh daemon; unset, they use `go tool -n buildkitd` (the version pinned
// in go.mod).
const EnvBuildkitdBinary = "DEPLOYKIT_TEST_BUILDKITD"

// freshBuildkitd is a buildkitd started by a test, with its own empty
// root: nothing cached.
type freshBuildkitd struct {
	Addr string
	cmd  *exec.Cmd
	root string
	done chan struct{}
}

func buildkitdBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvBuildkitdBinary); p != "" {
		return p
	}
	out, err := exec.Command("go", "tool", "-n", "buildkitd").Output()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("go tool -n buildkitd: %v", err)
		}
		testenv.Unavailable(t, fmt.Sprintf("no buildkitd binary (go tool -n buildkitd: %v); set %s", err, EnvBuildkitdBinary))
	}
	return strings.TrimSpace(string(out))
}

// startBuildkitd starts a second buildkitd (OCI worker, runc) with a new
// root and socket, and stops it when the test ends.
func startBuildkitd(t testing.TB, extraArgs ...string) *freshBuildkitd {
	t.Helper()
	testenv.BuildKit(t) // the same prerequisites as the shared daemon
	bin := buildkitdBinary(t)
	dir, err := os.MkdirTemp("", "dkbk-")
	require.NoError(t, err)
	sock := filepath.Join(dir, "buildkitd.sock")
	runc := "/usr/sbin/runc"
	if p, err := exec.LookPath("runc"); err == nil {
		runc = p
	}
	log, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	require.NoError(t, err)
	args := append([]string{"--root", filepath.Join(dir, "root"), "--addr", "unix://" + sock,
		"--oci-worker=true", "--containerd-worker=false", "--oci-worker-binary=" + runc, "--oci-worker-gc=false"}, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	d := &freshBuildkitd{Addr: "unix://" + sock, cmd: cmd, root: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.Kill()
		log.Close()
		// A killed buildkitd can leave overlay mounts under its root.
		_ = exec.Command("umount", "-R", filepath.Join(dir, "root")).Run()
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing %s: %v", dir, err)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		select {
		case <-d.done:
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("buildkitd exited: %s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("buildkitd did not start within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return d
}

// Kill stops the daemon with SIGKILL (no clean shutdown) and waits.
func (d *freshBuildkitd) Kill() {
	if d.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
	}
}

func freshBuilder(t testing.TB, d *freshBuildkitd) *Builder {
	t.Helper()
	b, err := NewBuilder(context.Background(), BuilderConfig{Addr: d.Addr})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

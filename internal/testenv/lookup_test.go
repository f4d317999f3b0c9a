package testenv

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder is a testing.TB that records Fatal and Skip instead of ending the
// goroutine, so the outcome of lookup can be asserted.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatal(args ...any)     { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)      { r.skip = args[0].(string) }
func (r *recorder) Fatalf(string, ...any) { r.fatal = "fatalf" }

func TestMissingServiceSkipsOutsideCIAndFailsInCI(t *testing.T) {
	t.Setenv(EnvRegistry, "")

	t.Setenv("CI", "")
	r := &recorder{TB: t}
	lookup(r, EnvRegistry, "the OCI registry")
	assert.Empty(t, r.fatal)
	assert.Contains(t, r.skip, EnvRegistry, "the skip names the variable")
	assert.Contains(t, r.skip, "make test", "the skip names the command that starts it")

	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	lookup(r, EnvRegistry, "the OCI registry")
	assert.Empty(t, r.skip, "under CI a missing service never skips")
	assert.Contains(t, r.fatal, EnvRegistry)
	assert.Contains(t, r.fatal, "OCI registry", "the failure names the service")
}

func TestPresentServiceIsReturned(t *testing.T) {
	t.Setenv(EnvRegistry, "127.0.0.1:5999")
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	assert.Equal(t, "127.0.0.1:5999", lookup(r, EnvRegistry, "the OCI registry"))
	assert.Empty(t, r.fatal+r.skip)
}

func TestChildPIDs(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "sleep 5 & sleep 5 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var kids []int
	for i := 0; i < 100 && len(kids) < 2; i++ {
		kids, _ = childPIDs(cmd.Process.Pid)
		if len(kids) < 2 {
			exec.Command("sleep", "0.02").Run()
		}
	}
	assert.Len(t, kids, 2, "two sleeps are children of the shell")
}

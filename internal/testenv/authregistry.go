package testenv

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// DockerRegistryBin is Debian's OCI registry, the one `make services` runs.
const DockerRegistryBin = "/usr/bin/docker-registry"

// AuthRegistryServer is a registry started for one test that requires HTTP
// basic auth (htpasswd, bcrypt) on every request.
type AuthRegistryServer struct {
	// Host is 127.0.0.1:PORT (plain HTTP).
	Host string
	// User and Password are the one account the registry accepts.
	User, Password string
}

// AuthRegistry starts Debian's docker-registry on a free loopback port with
// an htpasswd file holding one user with a random password, checks that it
// refuses anonymous requests with a Basic challenge, and stops it when the
// test ends.
func AuthRegistry(t testing.TB) AuthRegistryServer {
	t.Helper()
	if _, err := os.Stat(DockerRegistryBin); err != nil {
		Unavailable(t, DockerRegistryBin+" is missing (Debian package docker-registry)")
		return AuthRegistryServer{}
	}
	dir := t.TempDir()
	r := AuthRegistryServer{User: "deploykit", Password: randomHex(t, 12)}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("testenv: bcrypt: %v", err)
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(r.User+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	r.Host = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n"+
		"http:\n  addr: %s\nauth:\n  htpasswd:\n    realm: deploykit-test\n    path: %s\n",
		filepath.Join(dir, "data"), r.Host, htpasswd)
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	logs := &syncBuffer{}
	cmd := exec.Command(DockerRegistryBin, "serve", config)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start docker-registry: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("testenv: docker-registry on %s answers an anonymous request with %d (WWW-Authenticate %q), want 401 with a Basic challenge",
					r.Host, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			return r
		}
		select {
		case <-exited:
			t.Fatalf("testenv: docker-registry exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: docker-registry did not start on %s: %v\n%s", r.Host, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package imagebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/require"
)

// testBuilder connects to the test buildkitd.
func testBuilder(t testing.TB) *Builder {
	t.Helper()
	addr := testenv.BuildKit(t)
	b, err := NewBuilder(context.Background(), BuilderConfig{Addr: addr})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// writeTree writes files (path -> content) under dir.
func writeBuildTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
}

const busyboxPath = "/bin/busybox"

// baseDockerfile makes a minimal base image from a static busybox:
// FROM scratch, the binary, its applet symlinks and an /etc/passwd.
const baseDockerfile = `FROM scratch
COPY busybox /bin/busybox
COPY passwd group /etc/
RUN ["/bin/busybox", "mkdir", "-p", "/sbin", "/usr/bin", "/usr/sbin", "/tmp", "/root"]
RUN ["/bin/busybox", "--install", "-s"]
`

var (
	baseOnce sync.Once
	baseRef  string
	baseErr  error
)

// baseContext writes the base image's build context into dir.
func baseContext(t testing.TB, dir string) {
	t.Helper()
	bb, err := os.ReadFile(busyboxPath)
	if err != nil {
		testenv.Unavailable(t, fmt.Sprintf("%s is missing (Debian package busybox-static): %v", busyboxPath, err))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "busybox"), bb, 0o755))
	writeBuildTree(t, dir, map[string]string{
		"Dockerfile": baseDockerfile,
		"passwd":     "root:x:0:0:root:/root:/bin/sh\n",
		"group":      "root:x:0:\n",
	})
}

// testBase builds the busybox base image once per test binary and pushes
// it to the test registry; it returns its ref (pinned by digest).
func testBase(t testing.TB) string {
	t.Helper()
	reg := testenv.Registry(t)
	b := testBuilder(t)
	if _, err := os.Stat(busyboxPath); err != nil {
		testenv.Unavailable(t, busyboxPath+" is missing (Debian package busybox-static)")
	}
	baseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deploykit-base-")
		if err != nil {
			baseErr = err
			return
		}
		defer os.RemoveAll(dir)
		baseContext(t, dir)
		tag := reg + "/deploykit-test/busybox:1"
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		res, err := b.Build(ctx, Target{Context: dir, Tags: []string{tag}, Push: true, Insecure: true})
		if err != nil {
			baseErr = err
			return
		}
		baseRef = mustDigestRef(t, tag, res.ManifestDigest)
	})
	require.NoError(t, baseErr, "building the busybox base image")
	return baseRef
}

// registryManifest fetches a manifest with plain net/http, independently
// of the code under test, and returns it with the sha256 of its bytes.
func registryManifest(t testing.TB, reg, repo, ref string) (ocispecs.Manifest, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/manifests/%s", reg, repo, ref), nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m ocispecs.Manifest
	require.NoError(t, json.Unmarshal(body, &m))
	sum := sha256.Sum256(body)
	return m, "sha256:" + hex.EncodeToString(sum[:])
}

// registryConfig fetches an image config blob with plain net/http.
func registryConfig(t testing.TB, reg, repo, dgst string) ocispecs.Image {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", reg, repo, dgst))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var img ocispecs.Image
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&img))
	return img
}

// uniqueRepo returns a repository name unique to this test run.
func uniqueRepo(t testing.TB, name string) string {
	return fmt.Sprintf("deploykit-test/%s-%d", name, time.Now().UnixNano())
}

// mustDigestRef is tag's repository at digest dgst.
func mustDigestRef(t testing.TB, tag, dgst string) string {
	t.Helper()
	d, err := digestRef(tag, dgst)
	require.NoError(t, err)
	return d.String()
}

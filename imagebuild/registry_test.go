package imagebuild

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitImageRef(t *testing.T) {
	dg := "sha256:" + strings.Repeat("a", 64)
	for in, want := range map[string][3]string{
		"127.0.0.1:5000/app:v1":       {"127.0.0.1:5000", "app", "v1"},
		"127.0.0.1:5000/team/app":     {"127.0.0.1:5000", "team/app", "latest"},
		"python:3.12-slim":            {"registry-1.docker.io", "library/python", "3.12-slim"},
		"org/app@" + dg:               {"registry-1.docker.io", "org/app", dg},
		"localhost/app:1@" + dg:       {"localhost", "app", dg},
		"myreg.azurecr.io/blog:abc12": {"myreg.azurecr.io", "blog", "abc12"},
		"docker.io/library/python:3":  {"registry-1.docker.io", "library/python", "3"},
		"index.docker.io/org/app":     {"registry-1.docker.io", "org/app", "latest"},
		" 127.0.0.1:5000/app:v1 ":     {"127.0.0.1:5000", "app", "v1"},
		"reg.io:443/a/b/c:1.2-rc_3":   {"reg.io:443", "a/b/c", "1.2-rc_3"},
	} {
		h, r, ref, err := splitImageRef(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, [3]string{h, r, ref}, in)
	}
	for _, bad := range []string{"", "a b", "reg/App:1", "reg/app@sha256:123", "reg/app@md5:" + strings.Repeat("a", 64)} {
		_, _, _, err := splitImageRef(bad)
		assert.Error(t, err, bad)
	}
}

func TestPickPlatform(t *testing.T) {
	d := func(s string) digest.Digest { return digest.FromString(s) }
	idx := ocispecs.Index{Manifests: []ocispecs.Descriptor{
		{Digest: d("amd64"), Platform: &ocispecs.Platform{OS: "linux", Architecture: "amd64"}},
		{Digest: d("arm64"), Platform: &ocispecs.Platform{OS: "linux", Architecture: "arm64"}},
		{Digest: d("att"), Platform: &ocispecs.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
	}}
	got, err := pickPlatform(idx, "linux/arm64")
	require.NoError(t, err)
	assert.Equal(t, d("arm64"), got.Digest)
	_, err = pickPlatform(idx, "windows/amd64")
	assert.ErrorContains(t, err, "no manifest for platform windows/amd64")
	one := ocispecs.Index{Manifests: idx.Manifests[1:]}
	got, err = pickPlatform(one, "linux/amd64")
	require.NoError(t, err)
	assert.Equal(t, d("arm64"), got.Digest, "the only image, whatever its platform")
}

func TestReadSizeFromLayoutErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadSizeFromLayout(context.Background(), dir, "", SizeOptions{})
	assert.ErrorContains(t, err, "index.json")
	idx := ocispecs.Index{Manifests: []ocispecs.Descriptor{{Digest: digest.FromString("x")}, {Digest: digest.FromString("y")}}}
	data, _ := json.Marshal(idx)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644))
	_, err = ReadSizeFromLayout(context.Background(), dir, "", SizeOptions{})
	assert.ErrorContains(t, err, "2 entries")
	_, err = ReadSizeFromLayout(context.Background(), dir, "v9", SizeOptions{})
	assert.ErrorContains(t, err, `no image tagged "v9"`)
	_, err = (&layoutStore{dir: dir}).blob(context.Background(), "sha256:../../etc/passwd")
	assert.ErrorContains(t, err, "bad digest")
}

func TestReadSizeMissingImage(t *testing.T) {
	reg := testenv.Registry(t)
	_, err := ReadSize(context.Background(), reg+"/deploykit-test/does-not-exist:v1", SizeOptions{Insecure: true})
	assert.ErrorContains(t, err, "404")
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	n     atomic.Int64
	inner http.RoundTripper
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.inner.RoundTrip(req)
}

func TestReadSizeUsesHTTPClient(t *testing.T) {
	testenv.Registry(t)
	base := testBase(t)
	ct := &countingTransport{inner: http.DefaultTransport}
	rep, err := ReadSize(context.Background(), base, SizeOptions{Insecure: true, HTTPClient: &http.Client{Transport: ct}})
	require.NoError(t, err)
	assert.Equal(t, base[strings.LastIndex(base, "@")+1:], rep.ManifestDigest)
	// At least the ping, the manifest and the config went through it.
	assert.GreaterOrEqual(t, ct.n.Load(), int64(3))
}

// FuzzSplitImageRef: no panic on any input; an accepted ref has a host, a
// repository and a tag or digest, and its parts parse back to themselves.
func FuzzSplitImageRef(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5000/app:v1", "python", "org/app@sha256:" + strings.Repeat("a", 64),
		"localhost/app:1@sha256:" + strings.Repeat("b", 64), "", "a b", "reg/App:1", "::", "a/b:c:d", "x@y", "[::1]:5000/app"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		host, repo, reference, err := splitImageRef(ref)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "imagebuild: bad image ref") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if host == "" || repo == "" || reference == "" {
			t.Fatalf("%q: empty part: %q %q %q", ref, host, repo, reference)
		}
		sep := ":"
		if strings.HasPrefix(reference, "sha256:") {
			sep = "@"
		}
		h2, r2, ref2, err := splitImageRef(host + "/" + repo + sep + reference)
		if err != nil || h2 != host || r2 != repo || ref2 != reference {
			t.Fatalf("%q: round trip gave %q %q %q %v", ref, h2, r2, ref2, err)
		}
	})
}

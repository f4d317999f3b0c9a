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
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	digest "github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseImageRef(t *testing.T) {
	dg := "sha256:" + strings.Repeat("a", 64)
	// Docker's reference grammar: a bare name is Docker Hub's library/,
	// no tag means latest, a digest wins over a tag.
	for in, want := range map[string][3]string{
		"127.0.0.1:5000/app:v1":       {"127.0.0.1:5000", "app", "v1"},
		"127.0.0.1:5000/team/app":     {"127.0.0.1:5000", "team/app", "latest"},
		"python:3.12-slim":            {"index.docker.io", "library/python", "3.12-slim"},
		"org/app@" + dg:               {"index.docker.io", "org/app", dg},
		"localhost/app:1@" + dg:       {"localhost", "app", dg},
		"myreg.azurecr.io/blog:abc12": {"myreg.azurecr.io", "blog", "abc12"},
		"docker.io/library/python:3":  {"index.docker.io", "library/python", "3"},
		"index.docker.io/org/app":     {"index.docker.io", "org/app", "latest"},
		" 127.0.0.1:5000/app:v1 ":     {"127.0.0.1:5000", "app", "v1"},
		"reg.io:443/a/b/c:1.2-rc_3":   {"reg.io:443", "a/b/c", "1.2-rc_3"},
	} {
		r, err := parseImageRef(in, false)
		require.NoError(t, err, in)
		assert.Equal(t, want, [3]string{r.Context().RegistryStr(), r.Context().RepositoryStr(), r.Identifier()}, in)
	}
	for _, bad := range []string{"", "a b", "reg/App:1", "reg/app@sha256:123", "reg/app@md5:" + strings.Repeat("a", 64)} {
		_, err := parseImageRef(bad, false)
		assert.Error(t, err, bad)
	}
	d, err := digestRef("127.0.0.1:5000/app:v1", dg)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:5000/app@"+dg, d.String())
}

func TestPickPlatform(t *testing.T) {
	d := func(s string) v1.Hash { h, _, _ := v1.SHA256(strings.NewReader(s)); return h }
	idx := &v1.IndexManifest{Manifests: []v1.Descriptor{
		{MediaType: types.OCIManifestSchema1, Digest: d("amd64"), Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		{MediaType: types.OCIManifestSchema1, Digest: d("arm64"), Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{MediaType: types.OCIManifestSchema1, Digest: d("att"), Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
	}}
	got, err := pickPlatform(idx, "linux/arm64")
	require.NoError(t, err)
	assert.Equal(t, d("arm64"), got.Digest)
	_, err = pickPlatform(idx, "windows/amd64")
	assert.ErrorContains(t, err, "no manifest for platform windows/amd64")
	_, err = pickPlatform(idx, "linux")
	assert.ErrorContains(t, err, "want os/arch")
	assert.Equal(t, []string{"linux/amd64", "linux/arm64/v8"}, IndexPlatforms(idx))
	one := &v1.IndexManifest{Manifests: idx.Manifests[1:]}
	got, err = pickPlatform(one, "linux/amd64")
	require.NoError(t, err)
	assert.Equal(t, d("arm64"), got.Digest, "the only image, whatever its platform")
}

func TestReadSizeFromLayoutErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadSizeFromLayout(context.Background(), dir, "", SizeOptions{})
	assert.ErrorContains(t, err, "index.json")
	idx := ocispecs.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []ocispecs.Descriptor{{MediaType: ocispecs.MediaTypeImageManifest, Digest: digest.FromString("x")}, {MediaType: ocispecs.MediaTypeImageManifest, Digest: digest.FromString("y")}}}
	data, _ := json.Marshal(idx)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644))
	_, err = ReadSizeFromLayout(context.Background(), dir, "", SizeOptions{})
	assert.ErrorContains(t, err, "2 entries")
	_, err = ReadSizeFromLayout(context.Background(), dir, "v9", SizeOptions{})
	assert.ErrorContains(t, err, `no image tagged "v9"`)
	_, err = ReadSizeFromLayout(context.Background(), dir, digest.FromString("x").String(), SizeOptions{})
	assert.Error(t, err, "the blob is missing")
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

// FuzzParseImageRef: no panic on any input; an accepted ref has a
// registry, a repository and a tag or digest, and its string form parses
// back to the same parts.
func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5000/app:v1", "python", "org/app@sha256:" + strings.Repeat("a", 64),
		"localhost/app:1@sha256:" + strings.Repeat("b", 64), "", "a b", "reg/App:1", "::", "a/b:c:d", "x@y", "[::1]:5000/app"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		r, err := parseImageRef(ref, false)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "imagebuild: bad image ref") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if r.Context().RegistryStr() == "" || r.Context().RepositoryStr() == "" || r.Identifier() == "" {
			t.Fatalf("%q: empty part: %v", ref, r)
		}
		r2, err := parseImageRef(r.Name(), false)
		if err != nil || r2.Name() != r.Name() {
			t.Fatalf("%q: round trip gave %v %v", ref, r2, err)
		}
	})
}

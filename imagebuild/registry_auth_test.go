package imagebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// authRegistry is a registry that requires basic auth, started by
// testenv.AuthRegistry.
type authRegistry testenv.AuthRegistryServer

func startAuthRegistry(t *testing.T) authRegistry {
	t.Helper()
	return authRegistry(testenv.AuthRegistry(t))
}

// get GETs a registry path with basic auth, with plain net/http,
// independently of the code under test.
func (r authRegistry) get(t *testing.T, path, accept string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+r.Host+path, nil)
	require.NoError(t, err)
	req.SetBasicAuth(r.User, r.Password)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, body)
	return body
}

// TestReadSizeBasicAuthRegistry pushes an image with the Builder to a real
// registry that requires basic auth (credentials through the session auth
// provider) and reads its size report with and without credentials.
func TestReadSizeBasicAuthRegistry(t *testing.T) {
	testenv.Registry(t)
	b := testBuilder(t)
	base := testBase(t)
	reg := startAuthRegistry(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nCOPY app.txt /app/app.txt\nRUN echo built > /app/stamp\n",
		"app.txt":    "hello " + t.Name(),
	})
	repo := uniqueRepo(t, "auth")
	tag := reg.Host + "/" + repo + ":v1"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	target := Target{Context: dir, Tags: []string{tag}, Push: true, Insecure: true,
		BuildArgs: map[string]string{"BASE": base}}

	// Without credentials buildkitd's push is refused.
	_, err := b.Build(ctx, target)
	require.Error(t, err, "a push without credentials to a registry that requires them")
	t.Logf("push without credentials: %v", err)

	// With them (answered by the session auth provider) it succeeds, and
	// Build reads the pushed image back with the same credentials.
	target.Keychain = Credentials(map[string]BuildCredentials{reg.Host: {Username: reg.User, Password: reg.Password}})
	target.Inspect = true
	res, err := b.Build(ctx, target)
	require.NoError(t, err)
	require.NotNil(t, res.Size)

	// The manifest as the registry serves it, read with plain net/http.
	body := reg.get(t, "/v2/"+repo+"/manifests/v1", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	sum := sha256.Sum256(body)
	wantDigest := "sha256:" + hex.EncodeToString(sum[:])
	var m ocispecs.Manifest
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, wantDigest, res.ManifestDigest)
	var cfg ocispecs.Image
	require.NoError(t, json.Unmarshal(reg.get(t, "/v2/"+repo+"/blobs/"+m.Config.Digest.String(), ""), &cfg))
	var createdBy []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}

	// ReadSize with credentials: the same manifest, layers and history.
	creds := SizeOptions{Insecure: true, Files: true, Keychain: Credentials(map[string]BuildCredentials{reg.Host: {Username: reg.User, Password: reg.Password}})}
	rep, err := ReadSize(ctx, tag, creds)
	require.NoError(t, err)
	assert.Equal(t, wantDigest, rep.ManifestDigest)
	assert.Equal(t, m.Config.Digest.String(), rep.ConfigDigest)
	require.Len(t, rep.Layers, len(m.Layers))
	var total int64
	for i, l := range m.Layers {
		assert.Equal(t, l.Digest.String(), rep.Layers[i].Digest)
		assert.Equal(t, l.Size, rep.Layers[i].Size)
		assert.Equal(t, createdBy[i], rep.Layers[i].CreatedBy)
		assert.Greater(t, rep.Layers[i].UncompressedSize, int64(0))
		total += l.Size
	}
	assert.Equal(t, total, rep.Size)
	require.NotNil(t, rep.Waste)
	last := rep.Layers[len(rep.Layers)-1]
	var paths []string
	for _, f := range last.Files {
		paths = append(paths, f.Path)
	}
	assert.Contains(t, paths, "app/stamp", "the RUN layer, downloaded and decompressed")
	require.Len(t, res.Size.Layers, len(rep.Layers))
	for i, l := range res.Size.Layers {
		assert.Equal(t, rep.Layers[i].Digest, l.Digest, "Build's own read-back agrees")
		assert.Equal(t, rep.Layers[i].UncompressedSize, l.UncompressedSize)
	}

	// Without credentials: a clear error that says what is missing.
	_, err = ReadSize(ctx, tag, SizeOptions{Insecure: true})
	require.ErrorIs(t, err, ErrRegistryAuth)
	t.Logf("read without credentials: %v", err)
	assert.ErrorContains(t, err, "registry "+reg.Host+" refused access (401 Unauthorized)")
	assert.ErrorContains(t, err, "no credentials were given")

	// A wrong password is refused too, naming the user.
	_, err = ReadSize(ctx, tag, SizeOptions{Insecure: true, Keychain: Credentials(map[string]BuildCredentials{reg.Host: {Username: reg.User, Password: "wrong"}})})
	require.ErrorIs(t, err, ErrRegistryAuth)
	assert.ErrorContains(t, err, fmt.Sprintf("to user %q", reg.User))
	assert.NotContains(t, err.Error(), "wrong", "the password never appears")

	// Without Insecure the credentials are not sent over plain HTTP, even
	// to a loopback address.
	_, err = ReadSize(ctx, tag, SizeOptions{Keychain: Credentials(map[string]BuildCredentials{reg.Host: {Username: reg.User, Password: reg.Password}})})
	require.Error(t, err)
	assert.ErrorContains(t, err, "plain HTTP to "+reg.Host+" is not allowed without Insecure")
}

package imagebuild

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv/actionscachefake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildGHACacheV2 exports a build cache to the fake service v2 through
// buildkitd and imports it into a build whose local cache cannot help (a
// new scope key written by another content), then checks the token rule.
func TestBuildGHACacheV2(t *testing.T) {
	// The fake cache service v2 of internal/testenv, as BuildKit's
	// remotecache/gha (through tonistiigi/go-actions-cache) speaks to it;
	// go-actions-cache reads the token as a JWT, so it is one.
	svc := actionscachefake.New(t, actionscachefake.Options{Token: testRuntimeToken(time.Now().Add(time.Hour))})
	url := svc.URL + "/"
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": chownDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload.bin"), 20_000)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	scope := fmt.Sprintf("deploykit-%d", time.Now().UnixNano())
	spec := GHACache(scope, url, svc.Token)
	spec.Attrs["mode"] = "max"
	_, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{spec}})
	require.NoError(t, err)
	entries := svc.Entries()
	require.NotEmpty(t, entries, "buildkitd saved the cache: %v", svc.Calls())
	var index, blobs int
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Key, "index-"+scope+"-"):
			index++
		case strings.HasPrefix(e.Key, "buildkit-blob-"):
			blobs++
		}
	}
	assert.Equal(t, 1, index, "one cache index for the scope: %v", entries)
	assert.GreaterOrEqual(t, blobs, 1, "layer blobs uploaded to the signed URLs")

	// Import: buildkitd asks the service for the scope's index.
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheFrom: []CacheSpec{GHACache(scope, url, svc.Token)}})
	require.NoError(t, err)
	calls := svc.Calls()
	var looked bool
	for _, c := range calls {
		if strings.HasPrefix(c.String(), "GetCacheEntryDownloadURL index-"+scope) {
			looked = true
		}
	}
	assert.True(t, looked, "the import read the scope's index: %v", calls)

	// No token: refused before anything is sent.
	noToken := GHACache(scope, url, "")
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{noToken}})
	require.Error(t, err)
	assert.ErrorContains(t, err, "token= is missing")

	// A wrong token: the service refuses it, the secret appears nowhere.
	before := svc.Denied()
	wrongToken := testRuntimeToken(time.Now().Add(2 * time.Hour))
	wrong := GHACache(scope+"-x", url, wrongToken)
	wrong.Attrs["mode"] = "max"
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{wrong}, NoCache: true})
	after := svc.Denied()
	assert.Greater(t, after, before, "the service saw and refused the wrong token")
	if err != nil {
		assert.NotContains(t, err.Error(), wrongToken)
	}
}

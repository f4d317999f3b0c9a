package imagebuild

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appDockerfile installs "dependencies" (random bytes: a re-run would
// give a different layer digest, so an equal digest proves a cache hit)
// before copying the source.
const appDockerfile = `ARG BASE
FROM ${BASE}
WORKDIR /app
COPY deps.txt .
RUN dd if=/dev/urandom of=/app/deps.bin bs=1024 count=256 2>/dev/null
COPY src/ ./src/
RUN cat src/main.txt > /app/compiled
`

func TestBuildCacheExportImportOnFreshDaemon(t *testing.T) {
	reg := testenv.Registry(t)
	base := testBase(t)
	shared := testBuilder(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "django==4.2\n", "src/main.txt": "v1 " + t.Name()})
	repo := reg + "/" + uniqueRepo(t, "cache")
	cacheRef := repo + ":buildcache"
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	target := Target{
		Context: dir, Tags: []string{repo + ":v1"}, Push: true, Insecure: true,
		BuildArgs: map[string]string{"BASE": base},
		CacheTo:   []CacheSpec{{Type: CacheRegistry, Attrs: map[string]string{"ref": cacheRef, "mode": "max"}}},
	}
	first, err := shared.Build(ctx, target)
	require.NoError(t, err)
	require.NotNil(t, first.Size)

	// A new buildkitd with an empty root: only the registry cache can help.
	fresh := freshBuilder(t, startBuildkitd(t))
	target.CacheTo = nil
	target.CacheFrom = []CacheSpec{{Type: CacheRegistry, Attrs: map[string]string{"ref": cacheRef}}}
	target.Tags = []string{repo + ":v2"}
	second, err := fresh.Build(ctx, target)
	require.NoError(t, err)
	t.Logf("fresh daemon: %d of %d steps cached", second.Cache.Cached, second.Cache.Steps)
	assert.Greater(t, second.Cache.Steps, 0)
	assert.Equal(t, second.Cache.Steps, second.Cache.Cached, "every step comes from the imported cache")
	assert.InDelta(t, 1.0, second.Cache.HitRatio(), 1e-9)
	assert.Equal(t, first.ManifestDigest, second.ManifestDigest, "the same image, not a rebuild")

	// A source-only change: the dependency layer is reused (same digest
	// although a re-run would write new random bytes), only the layers of
	// the source COPY and the step after it change.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "src/main.txt"), []byte("v2 "+t.Name()), 0o644))
	target.Tags = []string{repo + ":v3"}
	var progress strings.Builder
	target.Progress, target.ProgressMode = &progress, ProgressPlain
	third, err := fresh.Build(ctx, target)
	defer func() {
		if t.Failed() {
			t.Log(progress.String())
		}
	}()
	require.NoError(t, err)
	n := len(third.Size.Layers)
	require.Equal(t, len(first.Size.Layers), n)
	for i := 0; i < n-2; i++ {
		assert.Equal(t, first.Size.Layers[i].Digest, third.Size.Layers[i].Digest, "layer %d (%s) reused", i, third.Size.Layers[i].CreatedBy)
	}
	for i := n - 2; i < n; i++ {
		assert.NotEqual(t, first.Size.Layers[i].Digest, third.Size.Layers[i].Digest, "layer %d (%s) rebuilt", i, third.Size.Layers[i].CreatedBy)
	}
	assert.Len(t, third.Cache.Ran, 2, "exactly the COPY src/ and the RUN after it ran: %q", third.Cache.Ran)
}

func TestBuildLocalCacheRoundTrip(t *testing.T) {
	base := testBase(t)
	shared := testBuilder(t)
	dir := t.TempDir()
	cacheDir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "x\n", "src/main.txt": "local " + t.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tg := Target{Context: dir, BuildArgs: map[string]string{"BASE": base},
		CacheTo: []CacheSpec{{Type: CacheLocal, Attrs: map[string]string{"dest": cacheDir, "mode": "max"}}}}
	first, err := shared.Build(ctx, tg)
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(cacheDir, "index.json"))
	require.NoError(t, err, "the local cache is an OCI layout")

	fresh := freshBuilder(t, startBuildkitd(t))
	tg.CacheTo = nil
	tg.CacheFrom = []CacheSpec{{Type: CacheLocal, Attrs: map[string]string{"src": cacheDir}}}
	second, err := fresh.Build(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, second.Cache.Steps, second.Cache.Cached)
	assert.Equal(t, first.ManifestDigest, second.ManifestDigest)
}

func TestBuildRefusesCacheRefEqualToImageRef(t *testing.T) {
	// Refused before anything is sent: no daemon is needed.
	b, err := NewBuilder(context.Background(), BuilderConfig{Addr: "unix:///nonexistent/buildkitd.sock"})
	require.NoError(t, err)
	defer b.Close()
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n"})
	_, err = b.Build(context.Background(), Target{
		Context: dir, Tags: []string{"127.0.0.1:5000/app:v1"}, Push: true,
		CacheTo: []CacheSpec{{Type: CacheRegistry, Attrs: map[string]string{"ref": "127.0.0.1:5000/app:v1", "mode": "max"}}},
	})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrCacheRefIsImageRef), "%v", err)
}

func TestBuildAzblobCacheOnAzurite(t *testing.T) {
	az := testenv.Azurite(t)
	base := testBase(t)
	shared := testBuilder(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "az\n", "src/main.txt": "azblob " + t.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A container of its own, deleted at the end (BuildKit creates it).
	container := fmt.Sprintf("deploykit-cache-%d", time.Now().UnixNano())
	t.Cleanup(func() {
		c, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
		if err == nil {
			_, err = c.DeleteContainer(context.Background(), container, nil)
		}
		if err != nil {
			t.Logf("deleting container %s: %v", container, err)
		}
	})
	attrs := map[string]string{"account_url": az.URL, "account_name": az.AccountName, "secret_access_key": az.AccountKey,
		"container": container, "name": "main"}
	to := CacheSpec{Type: CacheAzblob, Attrs: maps.Clone(attrs)}
	to.Attrs["mode"] = "max"
	tg := Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{to}}
	first, err := shared.Build(ctx, tg)
	require.NoError(t, err)

	fresh := freshBuilder(t, startBuildkitd(t))
	tg.CacheTo = nil
	tg.CacheFrom = []CacheSpec{{Type: CacheAzblob, Attrs: attrs}}
	second, err := fresh.Build(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, second.Cache.Steps, second.Cache.Cached, "ran: %v", second.Cache.Ran)
	assert.Equal(t, first.ManifestDigest, second.ManifestDigest)
}

func TestBuildBranchCacheFallsBackToDefaultBranch(t *testing.T) {
	reg := testenv.Registry(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "b\n", "src/main.txt": "branch " + t.Name()})
	repo := reg + "/" + uniqueRepo(t, "branch")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	from, to := BranchCache(repo, "main", "main")
	tg := Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, Insecure: true, CacheFrom: from, CacheTo: []CacheSpec{to}}
	first, err := testBuilder(t).Build(ctx, tg)
	require.NoError(t, err, "importing the not-yet-existing main cache is not an error")

	// The first build of a new branch, on a daemon that has seen nothing:
	// its own cache does not exist yet, main's does.
	from, to = BranchCache(repo, "feature/login", "main")
	tg.CacheFrom, tg.CacheTo = from, []CacheSpec{to}
	second, err := freshBuilder(t, startBuildkitd(t)).Build(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, second.Cache.Steps, second.Cache.Cached, "ran: %v", second.Cache.Ran)
	assert.Equal(t, first.ManifestDigest, second.ManifestDigest)
	// ...and it exported its own cache for the next build of the branch.
	registryManifest(t, reg, strings.TrimPrefix(repo, reg+"/"), "buildcache-feature-login")
}

func TestBuildInlineCache(t *testing.T) {
	reg := testenv.Registry(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "inline\n", "src/main.txt": "inline " + t.Name()})
	ref := reg + "/" + uniqueRepo(t, "inline") + ":v1"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The cache metadata travels in the image config; the image itself is
	// the cache source (inline caches the final stage's steps: mode=min).
	tg := Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, Tags: []string{ref}, Push: true, Insecure: true,
		CacheTo: []CacheSpec{{Type: CacheInline}}}
	first, err := testBuilder(t).Build(ctx, tg)
	require.NoError(t, err)
	tg.CacheTo = nil
	tg.CacheFrom = []CacheSpec{{Type: CacheRegistry, Attrs: map[string]string{"ref": ref}}}
	second, err := freshBuilder(t, startBuildkitd(t)).Build(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, second.Cache.Steps, second.Cache.Cached, "ran: %v", second.Cache.Ran)
	// The same layers; the config differs only by the inline cache
	// metadata the second build does not write.
	require.Equal(t, len(first.Size.Layers), len(second.Size.Layers))
	for i := range first.Size.Layers {
		assert.Equal(t, first.Size.Layers[i].Digest, second.Size.Layers[i].Digest)
	}
}

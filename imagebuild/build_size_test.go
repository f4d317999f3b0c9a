package imagebuild

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chownDockerfile copies a payload and then changes its owner, which
// copies every byte up into a new layer (the seed Dockerfile's defect).
const chownDockerfile = `ARG BASE
FROM ${BASE}
WORKDIR /app
COPY payload.bin ./
RUN chown -R 1000:1000 /app
`

func writeRandomFile(t testing.TB, path string, n int) {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

func TestBuildWasteMeasuresChownCopyUp(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	const payload = 300 * 1000
	writeBuildTree(t, dir, map[string]string{"Dockerfile": chownDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload.bin"), payload)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base},
		Tags: []string{reg + "/" + uniqueRepo(t, "chown") + ":v1"}, Push: true, Insecure: true, Inspect: true})
	require.NoError(t, err)
	require.NotNil(t, res.Size.Waste)
	w := res.Size.Waste
	// The payload is stored twice, identical but for its owner: exactly
	// its size is reclaimable, and it is all chown copy-up.
	assert.Equal(t, int64(payload), w.CopyUpBytes)
	assert.Equal(t, int64(payload), w.ReclaimableBytes)
	require.NotEmpty(t, w.Files)
	assert.Equal(t, "app/payload.bin", w.Files[0].Path)
	assert.Equal(t, WasteCopyUp, w.Files[0].Kind)
	n := len(res.Size.Layers)
	assert.Equal(t, []int{n - 2, n - 1}, w.Files[0].Layers)
	assert.Equal(t, 5, res.Size.Layers[n-1].Line, "the chown on line 5")
}

func TestBuildSizeBudget(t *testing.T) {
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": chownDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload.bin"), 100*1000)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// No push, no output: the image goes to a temporary OCI layout and is
	// measured there. It holds 2×100kB of incompressible bytes.
	res, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, MaxSize: 150_000})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrSizeBudgetExceeded), "%v", err)
	require.NotNil(t, res)
	require.NotNil(t, res.Size)
	assert.Greater(t, res.Size.Size, int64(200_000))

	res, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, MaxSize: 100_000_000})
	require.NoError(t, err)
	assert.NotEmpty(t, res.ManifestDigest)
}

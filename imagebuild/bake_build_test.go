package imagebuild

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildAllFromBakeFile(t *testing.T) {
	b := testBuilder(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{
		"Dockerfile": "FROM scratch AS common\nCOPY shared.txt /\n\nFROM common AS web\nCOPY web.txt /\n\nFROM common AS worker\nCOPY worker.txt /\n",
		"shared.txt": "shared " + t.Name(), "web.txt": "web", "worker.txt": "worker",
		"docker-bake.json": `{
  "group": {"default": {"targets": ["web", "worker"]}},
  "target": {
    "common": {"context": ".", "labels": {"org.opencontainers.image.title": "blog"}},
    "web": {"inherits": ["common"], "target": "web"},
    "worker": {"inherits": ["common"], "target": "worker", "max-size": "1MB"}
  }
}`,
	})
	f, err := LoadBakeFile(filepath.Join(dir, "docker-bake.json"))
	require.NoError(t, err)
	targets, err := f.Targets(nil, []string{"worker.max-size=10B"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := b.BuildAll(ctx, targets)
	// The worker is over its (overridden) 10-byte budget; the web target
	// is unaffected.
	require.ErrorIs(t, err, ErrSizeBudgetExceeded)
	assert.ErrorContains(t, err, "target worker")
	require.Len(t, results, 2)
	web, worker := results[0], results[1]
	require.NotNil(t, web.Size)
	require.NotNil(t, worker.Size)
	assert.Equal(t, "web", web.Target)
	assert.NotEqual(t, web.ManifestDigest, worker.ManifestDigest)
	require.Len(t, web.Size.Layers, 2)
	require.Len(t, worker.Size.Layers, 2)
	assert.Equal(t, web.Size.Layers[0].Digest, worker.Size.Layers[0].Digest, "the common stage's layer is shared")
	assert.NotEqual(t, web.Size.Layers[1].Digest, worker.Size.Layers[1].Digest)
}

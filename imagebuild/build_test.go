package imagebuild

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const multiStageDockerfile = `ARG BASE
FROM ${BASE} AS builder
WORKDIR /src
COPY app.txt .
RUN mkdir -p /out && cp app.txt /out/app.txt && echo built > /out/stamp

FROM ${BASE}
COPY --from=builder /out /app
RUN echo hi > /app/hi
`

func TestBuildMultiStagePush(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": multiStageDockerfile, "app.txt": "hello " + t.Name()})
	repo := uniqueRepo(t, "multistage")
	tag := reg + "/" + repo + ":v1"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := b.Build(ctx, Target{
		Context: dir, Tags: []string{tag}, Push: true, Insecure: true,
		BuildArgs: map[string]string{"BASE": base}, Inspect: true,
	})
	require.NoError(t, err)

	// Digests as the registry sees them, read without the code under test.
	m, dgst := registryManifest(t, reg, repo, "v1")
	assert.Equal(t, dgst, res.ManifestDigest)
	assert.Equal(t, m.Config.Digest.String(), res.ConfigDigest)
	require.NotNil(t, res.Size)
	require.Len(t, res.Size.Layers, len(m.Layers))
	var total int64
	for i, l := range m.Layers {
		assert.Equal(t, l.Digest.String(), res.Size.Layers[i].Digest)
		assert.Equal(t, l.Size, res.Size.Layers[i].Size)
		assert.Greater(t, res.Size.Layers[i].UncompressedSize, int64(0))
		total += l.Size
	}
	assert.Equal(t, total, res.Size.Size)

	// The base has 4 layers (two COPY, two RUN); the final stage adds the
	// COPY --from and the RUN: 6 in all.
	baseM, _ := registryManifest(t, reg, "deploykit-test/busybox", base[strings.LastIndex(base, "@")+1:])
	require.Len(t, m.Layers, len(baseM.Layers)+2)
	cfg := registryConfig(t, reg, repo, m.Config.Digest.String())
	var createdBy []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}
	for i := range createdBy {
		assert.Equal(t, createdBy[i], res.Size.Layers[i].CreatedBy)
	}
	last := res.Size.Layers[len(res.Size.Layers)-1]
	assert.Contains(t, last.CreatedBy, "echo hi > /app/hi")
	assert.Equal(t, 9, last.Line, "the RUN on line 9 made the last layer")
	assert.Equal(t, 8, res.Size.Layers[len(res.Size.Layers)-2].Line, "COPY --from on line 8")

	// The builder stage's output is in the image, its sources are not.
	var paths []string
	for _, l := range res.Size.Layers[len(baseM.Layers):] {
		for _, f := range l.Files {
			paths = append(paths, f.Path)
		}
	}
	assert.Contains(t, paths, "app/app.txt")
	assert.Contains(t, paths, "app/stamp")
	assert.Contains(t, paths, "app/hi")
	assert.NotContains(t, paths, "src/app.txt")

	// Every step ran (a fresh repo, first build of this content).
	assert.Greater(t, res.Cache.Steps, 0)

	// The same digest is read back by ReadSize.
	rep, err := ReadSize(ctx, tag, SizeOptions{Insecure: true})
	require.NoError(t, err)
	assert.Equal(t, dgst, rep.ManifestDigest)
}

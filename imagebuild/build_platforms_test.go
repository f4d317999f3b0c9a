package imagebuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// platformDockerfile copies a payload whose size depends on the target
// architecture; FROM scratch and no RUN, so no emulation is needed.
const platformDockerfile = `FROM scratch
ARG TARGETARCH
COPY payload-${TARGETARCH}.bin /payload.bin
`

func TestBuildMultiPlatformSizes(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": platformDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload-amd64.bin"), 50_000)
	writeRandomFile(t, filepath.Join(dir, "payload-arm64.bin"), 200_000)
	repo := uniqueRepo(t, "multiarch")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	target := Target{Context: dir, Platforms: []string{"linux/amd64", "linux/arm64"},
		Tags: []string{reg + "/" + repo + ":v1"}, Push: true, Insecure: true,
		MaxSizeByPlatform: map[string]int64{"linux/amd64": 100_000}, MaxSize: 150_000}
	res, err := b.Build(ctx, target)

	// The arm64 image (200 kB of random bytes) is over the 150 kB budget;
	// amd64 has its own 100 kB budget and fits.
	require.Error(t, err)
	var be *SizeBudgetError
	require.True(t, errors.As(err, &be), "%v", err)
	assert.Equal(t, "linux/arm64", be.Platform)
	assert.ErrorContains(t, err, "linux/arm64 image is")
	require.NotNil(t, res)
	assert.Empty(t, res.ManifestDigest, "no single manifest for a multi-platform build")
	assert.Nil(t, res.Size)
	require.NotEmpty(t, res.IndexDigest)

	// The index as the registry serves it, read with plain net/http.
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/manifests/v1", reg, repo), nil)
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var idx ocispecs.Index
	require.NoError(t, json.Unmarshal(body, &idx))
	byArch := map[string]string{}
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS == "linux" {
			byArch["linux/"+m.Platform.Architecture] = m.Digest.String()
		}
	}
	require.Len(t, res.Sizes, 2)
	for pl, payload := range map[string]int64{"linux/amd64": 50_000, "linux/arm64": 200_000} {
		rep := res.Sizes[pl]
		require.NotNil(t, rep, pl)
		assert.Equal(t, byArch[pl], rep.ManifestDigest, "%s: its own manifest, not the index", pl)
		assert.NotEqual(t, res.IndexDigest, rep.ManifestDigest)
		assert.Equal(t, res.IndexDigest, rep.IndexDigest)
		assert.Equal(t, pl, rep.Platform)
		require.NotEmpty(t, rep.Layers)
		assert.Equal(t, 3, rep.Layers[len(rep.Layers)-1].Line, "%s: the COPY, from the platform's own source map", pl)
		assert.InDelta(t, payload, rep.Size, float64(payload)/20+2000, "%s: the payload, gzip-compressed (random bytes do not shrink)", pl)
	}

	// A budget for a platform that is not built is refused up front.
	target.MaxSizeByPlatform = map[string]int64{"linux/s390x": 1}
	_, err = b.Build(ctx, target)
	assert.ErrorContains(t, err, `MaxSizeByPlatform names "linux/s390x"`)
}

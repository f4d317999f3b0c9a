package imagebuild

import (
	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
)

func TestIsBuildStep(t *testing.T) {
	for name, want := range map[string]bool{
		"[builder 2/4] RUN pip install -r requirements.txt": true,
		"[stage-1 3/3] COPY . .":                            true,
		"[2/6] WORKDIR /app":                                true,
		"[1/6] FROM docker.io/library/python:3.12-slim":     false,
		"[builder 1/8] FROM 127.0.0.1:5000/base@sha256:abc": false,
		"[internal] load build definition from Dockerfile":  false,
		"[internal] load metadata for docker.io/library/x":  false,
		"[auth] library/python:pull token":                  false,
		"[context base] OCI load from client":               false,
		"exporting to image":                                false,
		"importing cache manifest from reg/app:buildcache":  false,
	} {
		assert.Equal(t, want, isBuildStep(name), name)
	}
}

func TestStatusCollector(t *testing.T) {
	now := time.Now()
	c := newStatusCollector()
	d := func(s string) digest.Digest { return digest.FromString(s) }
	c.update(&client.SolveStatus{Vertexes: []*client.Vertex{
		{Digest: d("a"), Name: "[1/4] FROM base", Started: &now, Completed: &now},
		{Digest: d("b"), Name: "[2/4] COPY deps .", Cached: true, Completed: &now},
		{Digest: d("c"), Name: "[3/4] RUN install", Started: &now},
		{Digest: d("e"), Name: "[internal] load build context", Started: &now, Completed: &now},
	}})
	// A cached vertex updated again without the flag stays cached; the RUN
	// completes; a step that never completes does not count.
	c.update(&client.SolveStatus{Vertexes: []*client.Vertex{
		{Digest: d("b"), Name: "[2/4] COPY deps .", Started: &now, Completed: &now},
		{Digest: d("c"), Name: "[3/4] RUN install", Started: &now, Completed: &now},
		{Digest: d("f"), Name: "[4/4] RUN never", Started: &now},
	}})
	st := c.stats()
	assert.Equal(t, 2, st.Steps)
	assert.Equal(t, 1, st.Cached)
	assert.Equal(t, []string{"[3/4] RUN install"}, st.Ran)
	assert.Equal(t, 0.5, st.HitRatio())
	assert.Equal(t, 0.0, BuildCacheStats{}.HitRatio())

	w := &client.VertexWarning{
		Short:      []byte("FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)"),
		URL:        "https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
		SourceInfo: &pb.SourceInfo{Filename: "Dockerfile"},
		Range:      []*pb.Range{{Start: &pb.Position{Line: 1}}},
	}
	c.update(&client.SolveStatus{Warnings: []*client.VertexWarning{w, w}})
	diags := c.diagnostics()
	assert.Len(t, diags, 1, "duplicates dropped")
	assert.Equal(t, Diagnostic{Rule: "FromAsCasing", Severity: SeverityWarning, Pos: dockerfile.Position{File: "Dockerfile", Line: 1},
		Message: "'as' and 'FROM' keywords' casing do not match", URL: "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"}, diags[0])
}

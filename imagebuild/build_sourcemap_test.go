package imagebuild

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Dockerfile whose history text does not match its lines: an expanded
// variable, a continued RUN, a WORKDIR.
const sourceMapDockerfile = `ARG BASE
FROM ${BASE}
ARG GREETING=hello
WORKDIR /app
RUN echo ${GREETING} > a.txt \
 && echo two > b.txt
COPY payload.bin ./
RUN chown -R 1000:1000 /app
`

func TestBuildLayerLinesFromSourceMap(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	base := testBase(t)
	baseRep, err := ReadSize(context.Background(), base, SizeOptions{Insecure: true})
	require.NoError(t, err)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": sourceMapDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload.bin"), 10_000)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base},
		Tags: []string{reg + "/" + uniqueRepo(t, "srcmap") + ":v1"}, Push: true, Insecure: true})
	require.NoError(t, err)
	require.NotNil(t, res.Size)
	var lines []int
	for _, l := range res.Size.Layers {
		lines = append(lines, l.Line)
	}
	want := []int{}
	for range baseRep.Layers {
		want = append(want, 2) // the base image's layers: FROM
	}
	want = append(want, 4, 5, 7, 8)
	assert.Equal(t, want, lines)
	n := len(res.Size.Layers)
	assert.Equal(t, "RUN echo ${GREETING} > a.txt \\\n && echo two > b.txt", res.Size.Layers[n-3].Instruction)
	assert.Equal(t, "Dockerfile", res.Size.Layers[n-1].SourceFile)
}

func TestLayerSourcesFromProvenance(t *testing.T) {
	// The shape of buildkitd's history provenance (SLSA v1 predicate,
	// solver/llbsolver/provenance/types): step0 is the base image with
	// two layers, step1 a RUN adding one.
	doc := `{"runDetails":{"metadata":{"buildkit_metadata":{
	  "source":{"locations":{
	    "step0":{"locations":[{"ranges":[{"start":{"line":1},"end":{"line":1}}]}]},
	    "step1":{"locations":[{"ranges":[{"start":{"line":3},"end":{"line":4}}]}]}},
	   "infos":[{"filename":"Dockerfile","language":"Dockerfile","data":"RlJPTSBiYXNlCiMgYQpSVU4gZWNobyBcCiBoaQo="}]},
	  "layers":{
	    "step0:0":[[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:aa","size":1},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bb","size":1}]],
	    "step1:0":[[{"digest":"sha256:aa","size":1},{"digest":"sha256:bb","size":1},{"digest":"sha256:cc","size":1}]]}}}}}`
	var p provenanceSLSA1
	require.NoError(t, json.Unmarshal([]byte(doc), &p))
	src := p.layerSources()
	assert.Equal(t, 1, src["sha256:aa"].line)
	assert.Equal(t, 1, src["sha256:bb"].line)
	assert.Equal(t, 3, src["sha256:cc"].line)
	assert.Equal(t, "RUN echo \\\n hi", src["sha256:cc"].instruction)
	rep := &SizeReport{Layers: []Layer{{Digest: "sha256:aa"}, {Digest: "sha256:cc"}, {Digest: "sha256:zz"}}}
	assert.Equal(t, 2, attributeFromSourceMap(rep, src))
	assert.Equal(t, 0, rep.Layers[2].Line, "unknown layer stays unknown")
}

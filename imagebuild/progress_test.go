package imagebuild

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProgressMode(t *testing.T) {
	for in, want := range map[string]ProgressMode{"": ProgressAuto, "PLAIN": ProgressPlain, "tty": ProgressTTY, "rawjson": ProgressRawJSON, "quiet": ProgressQuiet} {
		got, err := ParseProgressMode(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseProgressMode("fancy")
	assert.ErrorContains(t, err, `unknown progress mode "fancy"`)
}

func TestProgressPrinters(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(1500 * time.Millisecond)
	run, cached := digest.FromString("run"), digest.FromString("cached")
	updates := []*client.SolveStatus{
		{Vertexes: []*client.Vertex{{Digest: run, Name: "[2/3] RUN make", Started: &t0}, {Digest: cached, Name: "[1/3] COPY . .", Cached: true}}},
		{Logs: []*client.VertexLog{{Vertex: run, Data: []byte("compiling\nlinking\n")}}},
		{Vertexes: []*client.Vertex{{Digest: run, Name: "[2/3] RUN make", Started: &t0, Completed: &t1}}},
		{Vertexes: []*client.Vertex{{Digest: run, Name: "[2/3] RUN make", Started: &t0, Completed: &t1}}},
	}
	var plain strings.Builder
	p := newProgressPrinter(&plain, ProgressPlain, "[web] ")
	for _, u := range updates {
		p.update(u)
	}
	p.done()
	assert.Equal(t, strings.Join([]string{
		"[web] #1 [2/3] RUN make",
		"[web] #2 [1/3] COPY . .",
		"[web] #2 CACHED",
		"[web] #1 compiling",
		"[web] #1 linking",
		"[web] #1 DONE 1.5s",
	}, "\n")+"\n", plain.String())

	var raw strings.Builder
	p = newProgressPrinter(&raw, ProgressRawJSON, "")
	for _, u := range updates {
		p.update(u)
	}
	lines := strings.Split(strings.TrimSpace(raw.String()), "\n")
	require.Len(t, lines, len(updates))
	var back client.SolveStatus
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &back))
	assert.Equal(t, "[2/3] RUN make", back.Vertexes[0].Name)

	var quiet strings.Builder
	p = newProgressPrinter(&quiet, ProgressQuiet, "")
	p.update(updates[0])
	assert.Empty(t, quiet.String())
}

package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/imagebuild"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A FROM scratch image needs no base image, so no registry access beyond
// the test's own.
const dockerfile = `FROM scratch
COPY payload.bin /payload.bin
COPY hello.txt /hello.txt
`

func fixture(t *testing.T, payload int) string {
	dir := t.TempDir()
	b := make([]byte, payload)
	_, _ = rand.Read(b)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "payload.bin"), b, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello "+t.Name()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644))
	return dir
}

type metadata struct {
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
	Layers []struct {
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
		CreatedBy string `json:"created_by"`
	} `json:"layers"`
	CacheHitRatio *float64 `json:"cache_hit_ratio"`
}

func TestBuildPushMetadataAndSize(t *testing.T) {
	addr := testenv.BuildKit(t)
	reg := testenv.Registry(t)
	dir := fixture(t, 50_000)
	ref := fmt.Sprintf("%s/deploykit-example/app-%d:v1", reg, time.Now().UnixNano())
	meta := filepath.Join(t.TempDir(), "meta.json")
	var out, errb bytes.Buffer
	code := run([]string{"build", "-addr", addr, "-context", dir, "-tag", ref, "-push", "-insecure",
		"-cache-to", "type=registry,ref=" + ref[:len(ref)-3] + ":buildcache,mode=max",
		"-progress", "rawjson", "-metadata-file", meta}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s", errb.String())

	data, err := os.ReadFile(meta)
	require.NoError(t, err)
	var m metadata
	require.NoError(t, json.Unmarshal(data, &m))
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, m.Digest)
	require.Len(t, m.Layers, 2)
	var sum int64
	for _, l := range m.Layers {
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, l.Digest)
		sum += l.Size
	}
	assert.Equal(t, sum, m.Size)
	assert.Greater(t, m.Layers[0].Size, int64(50_000), "random bytes do not compress")
	assert.Contains(t, m.Layers[0].CreatedBy, "COPY payload.bin /payload.bin")
	require.NotNil(t, m.CacheHitRatio)
	assert.GreaterOrEqual(t, *m.CacheHitRatio, 0.0)
	assert.LessOrEqual(t, *m.CacheHitRatio, 1.0)
	// rawjson progress: every line on stderr that starts with { is JSON.
	for _, line := range bytes.Split(errb.Bytes(), []byte("\n")) {
		if len(line) > 0 && line[0] == '{' {
			assert.True(t, json.Valid(line), "%s", line)
		}
	}

	// The same build again is fully cached.
	meta2 := filepath.Join(t.TempDir(), "meta.json")
	code = run([]string{"build", "-addr", addr, "-context", dir, "-tag", ref, "-push", "-insecure",
		"-progress", "quiet", "-metadata-file", meta2}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s", errb.String())
	data, err = os.ReadFile(meta2)
	require.NoError(t, err)
	var m2 metadata
	require.NoError(t, json.Unmarshal(data, &m2))
	assert.Equal(t, m.Digest, m2.Digest)
	assert.Equal(t, 1.0, *m2.CacheHitRatio)

	out.Reset()
	code = run([]string{"size", "-insecure", ref}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s", errb.String())
	assert.Contains(t, out.String(), m.Digest)
	assert.Contains(t, out.String(), "efficiency 100.0%")
}

func TestBuildBudgetExceededExits1(t *testing.T) {
	addr := testenv.BuildKit(t)
	dir := fixture(t, 120_000)
	var out, errb bytes.Buffer
	code := run([]string{"build", "-addr", addr, "-context", dir, "-max-size", "100kB", "-progress", "quiet"}, &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "budget")
}

func TestBuildFailureExits1(t *testing.T) {
	addr := testenv.BuildKit(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY missing.txt /\n"), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{"build", "-addr", addr, "-context", dir, "-progress", "quiet"}, &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "Dockerfile:2")
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"build"},
		{"build", "-addr", "unix:///x", "-context", "."},
		{"build", "-addr", "unix:///x", "-context", ".", "-cache-to", "type=nope"},
		{"build", "-addr", "unix:///x", "-context", ".", "-max-size", "lots"},
		{"build", "-addr", "unix:///x", "-context", ".", "-progress", "fancy"},
		{"build", "-addr", "unix:///x", "-context", ".", "-push"},
		{"build", "-addr", "unix:///x", "-context", ".", "-tag", "r/a:1", "-push", "-cache-to", "type=registry,ref=r/a:1"},
		{"build", "-addr", "unix:///x", "-context", ".", "-cache-to", "type=gha,scope=main"},
		{"build", "-addr", "unix:///x", "-context", ".", "-cache-from", "type=gha,scope=main,url=https://artifactcache.actions.githubusercontent.com/x/"},
		{"size"},
	} {
		t.Setenv("ACTIONS_RUNTIME_TOKEN", "")
		t.Setenv("ACTIONS_RESULTS_URL", "")
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if len(args) == 5 {
			// valid flags, but no Dockerfile in "." of this package
			assert.NotEqual(t, 0, code, "%v", args)
			continue
		}
		assert.Equal(t, 2, code, "%v: %s", args, errb.String())
	}
}

func TestBuildAndSizeWithRegistryCredentials(t *testing.T) {
	addr := testenv.BuildKit(t)
	testenv.Registry(t)
	reg := testenv.AuthRegistry(t)
	host, user, password := reg.Host, reg.User, reg.Password
	dir := fixture(t, 20_000)
	ref := fmt.Sprintf("%s/deploykit-example/auth-%d:v1", host, time.Now().UnixNano())
	t.Setenv("DEPLOYKIT_REGISTRY_USERNAME", user)
	t.Setenv("DEPLOYKIT_REGISTRY_PASSWORD", password)
	var out, errb bytes.Buffer
	code := run([]string{"build", "-addr", addr, "-context", dir, "-tag", ref, "-push", "-insecure", "-progress", "quiet"}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s", errb.String())

	out.Reset()
	code = run([]string{"size", "-insecure", "-json", ref}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s", errb.String())
	var rep struct {
		Digest string `json:"digest"`
		Layers []struct {
			Digest string `json:"digest"`
		} `json:"layers"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), "%s", out.String())
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, rep.Digest)
	assert.Len(t, rep.Layers, 2, "the two COPY layers")

	// The same read without credentials fails with a clear message.
	t.Setenv("DEPLOYKIT_REGISTRY_USERNAME", "")
	t.Setenv("DEPLOYKIT_REGISTRY_PASSWORD", "")
	out.Reset()
	errb.Reset()
	code = run([]string{"size", "-insecure", ref}, &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "registry "+host+" refused access (401 Unauthorized) and no credentials were given")
}

func TestGHAFromEnv(t *testing.T) {
	t.Setenv("ACTIONS_RESULTS_URL", "https://results-receiver.actions.githubusercontent.com/")
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "tok")
	s := ghaFromEnv(imagebuild.CacheSpec{Type: imagebuild.CacheGHA, Attrs: map[string]string{"scope": "main"}})
	assert.Equal(t, "https://results-receiver.actions.githubusercontent.com/", s.Attrs["url_v2"])
	assert.Equal(t, "tok", s.Attrs["token"])
	s = ghaFromEnv(imagebuild.CacheSpec{Type: imagebuild.CacheGHA, Attrs: map[string]string{"token": "mine"}})
	assert.Equal(t, "mine", s.Attrs["token"], "the spec's own value wins")
	r := ghaFromEnv(imagebuild.CacheSpec{Type: imagebuild.CacheRegistry, Attrs: map[string]string{"ref": "r/a:c"}})
	assert.NotContains(t, r.Attrs, "token")
}

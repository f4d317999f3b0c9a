package imagebuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// layerContents downloads every layer of repo@dgst with plain net/http and
// returns the uncompressed tars concatenated plus the regular files.
func layerContents(t *testing.T, reg, repo, dgst string) ([]byte, map[string]string) {
	t.Helper()
	m, _ := registryManifest(t, reg, repo, dgst)
	var all bytes.Buffer
	files := map[string]string{}
	for _, l := range m.Layers {
		resp, err := http.Get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", reg, repo, l.Digest))
		require.NoError(t, err)
		zr, err := gzip.NewReader(resp.Body)
		require.NoError(t, err)
		raw, err := io.ReadAll(zr)
		resp.Body.Close()
		require.NoError(t, err)
		all.Write(raw)
		tr := tar.NewReader(bytes.NewReader(raw))
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			if h.Typeflag == tar.TypeReg && h.Size < 1<<16 {
				b, _ := io.ReadAll(tr)
				files[h.Name] = string(b)
			}
		}
	}
	return all.Bytes(), files
}

const secretDockerfile = `ARG BASE
FROM ${BASE}
RUN --mount=type=secret,id=token cp /run/secrets/token /tmp/used && wc -c < /tmp/used | tr -d ' ' > /secret-size && rm /tmp/used
RUN --mount=type=secret,id=token,env=TOKEN test -n "$TOKEN" && echo ok > /env-ok
`

func TestBuildSecretsNeverInALayer(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": secretDockerfile})
	secret := fmt.Sprintf("s3cr3t-%d-do-not-leak", time.Now().UnixNano())
	repo := uniqueRepo(t, "secret")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base},
		Secrets: []Secret{{ID: "token", Value: []byte(secret)}},
		Tags:    []string{reg + "/" + repo + ":v1"}, Push: true, Insecure: true})
	require.NoError(t, err)
	all, files := layerContents(t, reg, repo, res.ManifestDigest)
	// The secret was there during the build...
	assert.Equal(t, fmt.Sprintf("%d\n", len(secret)), files["secret-size"])
	assert.Equal(t, "ok\n", files["env-ok"])
	// ...and is in no layer and not in the config.
	assert.False(t, bytes.Contains(all, []byte(secret)), "the secret is in a layer")
	resp, err := http.Get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", reg, repo, res.ConfigDigest))
	require.NoError(t, err)
	cfg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(cfg), secret)
}

func TestBuildBrokenDockerfilePositionedError(t *testing.T) {
	b := testBuilder(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name, dockerfile string
		line             int
		msg              string
	}{
		{"unknown instruction", "FROM scratch\nCOPY a.txt /\nRUNN echo hi\n", 3, "RUNN"},
		{"missing source", "FROM scratch\n\nCOPY a.txt /\nCOPY missing.txt /\n", 4, "missing.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBuildTree(t, dir, map[string]string{"Dockerfile": tc.dockerfile, "a.txt": "a"})
			_, err := b.Build(ctx, Target{Context: dir})
			require.Error(t, err)
			var be *BuildError
			require.True(t, errors.As(err, &be), "%T %v", err, err)
			assert.Equal(t, "Dockerfile", be.File)
			assert.Equal(t, tc.line, be.Line, "%v", err)
			assert.Contains(t, be.Message, tc.msg)
			assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("Dockerfile:%d", tc.line)), "%v", err)
		})
	}
}

func TestBuildFailingRunPositionedError(t *testing.T) {
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN true\nRUN echo failing; exit 3\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}})
	var be *BuildError
	require.True(t, errors.As(err, &be), "%v", err)
	assert.Equal(t, 4, be.Line)
	assert.Contains(t, be.Message, "exit code: 3")
}

func TestCheckReportsBuildKitChecks(t *testing.T) {
	b := testBuilder(t)
	dir := t.TempDir()
	// FromAsCasing (line 1: "as" vs "FROM") and JSONArgsRecommended (line 3).
	writeBuildTree(t, dir, map[string]string{"Dockerfile": "FROM scratch as base\nCOPY a.txt /\nCMD echo hi\n", "a.txt": "a"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	diags, err := b.Check(ctx, Target{Context: dir})
	require.NoError(t, err)
	rules := map[string]int{}
	for _, d := range diags {
		rules[d.Rule] = d.Pos.Line
		assert.Equal(t, "Dockerfile", d.Pos.File)
		assert.Equal(t, SeverityWarning, d.Severity)
	}
	assert.Equal(t, 1, rules["FromAsCasing"], "%v", diags)
	assert.Equal(t, 3, rules["JSONArgsRecommended"], "%v", diags)

	// As the first step of Build: fail fast, nothing is built.
	res, err := b.Build(ctx, Target{Context: dir, Checks: BuildCheckFail})
	require.ErrorIs(t, err, ErrBuildChecksFailed)
	assert.Empty(t, res.ManifestDigest)
	// Warn mode builds and returns the findings once each.
	res, err = b.Build(ctx, Target{Context: dir, Checks: BuildCheckWarn})
	require.NoError(t, err)
	n := 0
	for _, d := range res.Warnings {
		if d.Rule == "FromAsCasing" {
			n++
		}
	}
	assert.Equal(t, 1, n, "%v", res.Warnings)
	// The streamed warnings alone (no check pass) carry the same findings.
	res, err = b.Build(ctx, Target{Context: dir})
	require.NoError(t, err)
	streamed := map[string]int{}
	for _, d := range res.Warnings {
		streamed[d.Rule] = d.Pos.Line
	}
	assert.Equal(t, rules, streamed)
}

// lineNotifier signals when a line containing marker is written.
type lineNotifier struct {
	mu     sync.Mutex
	marker string
	buf    strings.Builder
	hit    chan struct{}
	once   sync.Once
}

func (l *lineNotifier) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if strings.Contains(l.buf.String(), l.marker) {
		l.once.Do(func() { close(l.hit) })
	}
	return len(p), nil
}

func TestBuildKilledDaemonCleanError(t *testing.T) {
	base := testBase(t)
	d := startBuildkitd(t)
	b := freshBuilder(t, d)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": fmt.Sprintf("ARG BASE\nFROM ${BASE}\nRUN echo started-%d && sleep 120\n", time.Now().UnixNano())})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	progress := &lineNotifier{marker: "started-", hit: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		_, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, Progress: progress, ProgressMode: ProgressPlain})
		errc <- err
	}()
	select {
	case <-progress.hit:
	case err := <-errc:
		t.Fatalf("build ended before the RUN started: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("the RUN did not start within 60s")
	}
	killed := time.Now()
	d.Kill()
	select {
	case err := <-errc:
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrBuilderUnavailable), "%v", err)
		assert.False(t, errors.Is(err, context.DeadlineExceeded), "not a timeout: %v", err)
		t.Logf("error %v after %v", err, time.Since(killed))
	case <-time.After(30 * time.Second):
		t.Fatal("Build still running 30s after buildkitd was killed")
	}
}

func TestBuildOCILayoutNamedContext(t *testing.T) {
	b := testBuilder(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Export the busybox base as an OCI layout directory...
	baseDir, layout := t.TempDir(), t.TempDir()
	baseContext(t, baseDir)
	baseRes, err := b.Build(ctx, Target{Context: baseDir, Outputs: []Output{{Type: OutputOCI, Dest: layout}}})
	require.NoError(t, err)
	require.NotNil(t, baseRes.Size)
	// ...and build on it with no registry at all: FROM base resolves to
	// the layout on the client.
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": "FROM base\nRUN echo air-gapped > /proof\n"})
	res, err := b.Build(ctx, Target{Context: dir, NamedContexts: map[string]string{"base": "oci-layout://" + layout + "@" + baseRes.ManifestDigest}, Inspect: true})
	require.NoError(t, err)
	require.Len(t, res.Size.Layers, len(baseRes.Size.Layers)+1)
	for i, l := range baseRes.Size.Layers {
		assert.Equal(t, l.Digest, res.Size.Layers[i].Digest)
	}
	var found bool
	for _, f := range res.Size.Layers[len(res.Size.Layers)-1].Files {
		found = found || f.Path == "proof"
	}
	assert.True(t, found)
}

package testenv_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/jackc/pgx/v5"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tonistiigi/fsutil"

	"github.com/deploykit/deploykit/internal/testenv"
)

func TestPostgresFreshDatabase(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	var version, db string
	require.NoError(t, conn.QueryRow(ctx, "SELECT version(), current_database()").Scan(&version, &db))
	assert.True(t, strings.HasPrefix(version, "PostgreSQL "), version)
	assert.True(t, strings.HasPrefix(db, "dk_"), "each test gets its own database, got %q", db)

	var tables int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables))
	assert.Zero(t, tables, "a fresh database has no tables")

	var super bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super))
	assert.True(t, super, "the harness hands out a superuser URL")
}

// TestBuildKitRunsAndPushes solves a two-step image on the real buildkitd: a
// RUN executed by runc inside a busybox root file system made here, then
// pushes the result to the real registry and reads it back over the
// registry's HTTP API.
func TestBuildKitRunsAndPushes(t *testing.T) {
	addr := testenv.BuildKit(t)
	reg := testenv.Registry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	busybox, err := os.ReadFile("/bin/busybox")
	require.NoError(t, err, "busybox-static provides /bin/busybox")
	rootfs := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(rootfs, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), busybox, 0o755))
	fs, err := fsutil.NewFS(rootfs)
	require.NoError(t, err)

	base := llb.Scratch().File(llb.Copy(llb.Local("rootfs"), "/", "/"))
	run := base.Run(llb.Args([]string{"/bin/busybox", "sh", "-c", "echo built-by-runc > /proof.txt"})).Root()
	def, err := run.Marshal(ctx)
	require.NoError(t, err)

	c, err := client.New(ctx, addr)
	require.NoError(t, err)
	defer c.Close()

	repo := "testenv/proof"
	tag := fmt.Sprintf("t%d", time.Now().UnixNano())
	_, err = c.Solve(ctx, def, client.SolveOpt{
		LocalMounts: map[string]fsutil.FS{"rootfs": fs},
		Exports: []client.ExportEntry{{
			Type:  client.ExporterImage,
			Attrs: map[string]string{"name": reg + "/" + repo + ":" + tag, "push": "true", "registry.insecure": "true"},
		}},
	}, nil)
	require.NoError(t, err)

	files := pulledFiles(t, reg, repo, tag)
	assert.Equal(t, "built-by-runc\n", files["proof.txt"], "the RUN step ran and its output is in the pushed image")
	assert.Contains(t, files, "bin/busybox")
}

// pulledFiles fetches an image manifest and its layers from the registry's
// HTTP API and returns the regular files of all layers, later layers winning.
func pulledFiles(t *testing.T, reg, repo, tag string) map[string]string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+reg+"/v2/"+repo+"/manifests/"+tag, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var manifest struct {
		Layers []struct{ Digest, MediaType string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&manifest))
	require.NotEmpty(t, manifest.Layers)

	files := map[string]string{}
	for _, l := range manifest.Layers {
		resp, err := http.Get("http://" + reg + "/v2/" + repo + "/blobs/" + l.Digest)
		require.NoError(t, err)
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(l.MediaType, "gzip"), "layer media type %s", l.MediaType)
		zr, err := gzip.NewReader(bytes.NewReader(data))
		require.NoError(t, err)
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			if h.Typeflag == tar.TypeReg {
				b, err := io.ReadAll(tr)
				require.NoError(t, err)
				files[strings.TrimPrefix(h.Name, "./")] = string(b)
			}
		}
	}
	return files
}

func TestAzuriteBlobRoundTrip(t *testing.T) {
	az := testenv.Azurite(t)
	ctx := context.Background()
	cl, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	require.NoError(t, err)
	container := fmt.Sprintf("testenv-%d", time.Now().UnixNano())
	_, err = cl.CreateContainer(ctx, container, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = cl.DeleteContainer(context.Background(), container, nil) })

	payload := bytes.Repeat([]byte("deploykit "), 100_000) // 1 MB: several blocks
	_, err = cl.UploadBuffer(ctx, container, "dir/blob.bin", payload, &azblob.UploadBufferOptions{BlockSize: 256 << 10, Metadata: map[string]*string{"k": to.Ptr("v")}})
	require.NoError(t, err)

	got := make([]byte, len(payload))
	n, err := cl.DownloadBuffer(ctx, container, "dir/blob.bin", got, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(payload)), n)
	assert.True(t, bytes.Equal(payload, got), "downloaded bytes equal uploaded bytes")

	pager := cl.NewListBlobsFlatPager(container, nil)
	var names []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	assert.Equal(t, []string{"dir/blob.bin"}, names)
}

func TestGunicornServesAndStops(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir := t.TempDir()
	app := `def application(environ, start_response):
    body = b"hello " + environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hello.py"), []byte(app), 0o644))
	srv := g.Start(t, testenv.GunicornApp{Dir: dir, App: "hello:application", Args: []string{"--workers", "3"}})

	resp, err := http.Get(srv.URL + "/x")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "hello /x", string(body))

	// Workers fork right after the master binds; give them a moment.
	var workers []int
	require.Eventually(t, func() bool {
		workers, err = srv.Workers()
		return err == nil && len(workers) == 3
	}, 10*time.Second, 50*time.Millisecond, "gunicorn --workers 3 has 3 worker processes")

	require.NoError(t, srv.Stop(20*time.Second), "SIGTERM stops gunicorn gracefully (exit 0)\n%s", srv.Output())
	_, err = http.Get(srv.URL + "/")
	assert.Error(t, err, "nothing listens after the stop")
}

func TestDjangoAvailable(t *testing.T) {
	testenv.Gunicorn(t)
	out, err := execOutput(testenv.DebianPython, "-c", "import django, whitenoise, psycopg2; print(django.get_version())")
	require.NoError(t, err, out)
	assert.Regexp(t, `^\d+\.\d+`, out)
}

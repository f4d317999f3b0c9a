package cdn

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func azuriteContainer(t *testing.T, name string) *container.Client {
	t.Helper()
	az := testenv.Azurite(t)
	name = strings.ToLower(regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(name, ""))
	if len(name) > 50 {
		name = name[len(name)-50:]
	}
	name = "cdn" + name
	c, err := container.NewClientFromConnectionString(az.ConnectionString(), name, nil)
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = c.Delete(ctx, nil)
	_, err = c.Create(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = c.Delete(context.Background(), nil) })
	return c
}

type blobState struct {
	contentType, cacheControl, encoding string
	md5                                 []byte
}

func blobsIn(t *testing.T, c *container.Client) map[string]blobState {
	t.Helper()
	out := map[string]blobState{}
	pager := c.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		require.NoError(t, err)
		for _, b := range page.Segment.BlobItems {
			p := b.Properties
			out[*b.Name] = blobState{deref(p.ContentType), deref(p.CacheControl), deref(p.ContentEncoding), p.ContentMD5}
		}
	}
	return out
}

// TestUploadCollectstaticToAzurite uploads a real collectstatic output.
func TestUploadCollectstaticToAzurite(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir := djangoProject(t, g, "")
	static := filepath.Join(dir, "staticfiles")
	m := readManifest(t, dir)
	c := azuriteContainer(t, t.Name())
	ctx := context.Background()

	var progress []UploadProgress
	res, err := Upload(ctx, c, UploadOptions{Dir: static, Prefix: "static", Concurrency: 4, Progress: func(p UploadProgress) { progress = append(progress, p) }})
	require.NoError(t, err)
	assert.Len(t, res.Uploaded, 10, "5 plain + 5 hashed names; .gz siblings and staticfiles.json left out")
	require.Len(t, progress, 10)
	assert.Equal(t, 10, progress[9].Done)
	assert.Equal(t, 10, progress[9].Total)

	blobs := blobsIn(t, c)
	hashedCSS := "static/" + m.Paths["css/site.css"]
	assert.Equal(t, blobState{"text/css; charset=utf-8", "public, max-age=315360000, immutable", "", md5Of(t, filepath.Join(static, m.Paths["css/site.css"]))}, blobs[hashedCSS])
	assert.Equal(t, "public, max-age=60", blobs["static/css/site.css"].cacheControl)
	assert.Equal(t, "font/woff2", blobs["static/"+m.Paths["fonts/body.woff2"]].contentType)
	assert.Equal(t, "image/png", blobs["static/img/logo.png"].contentType)
	assert.Equal(t, "text/plain; charset=utf-8", blobs["static/robots.txt"].contentType)
	assert.NotContains(t, blobs, "static/staticfiles.json")

	// Unchanged files are skipped by MD5.
	res, err = Upload(ctx, c, UploadOptions{Dir: static, Prefix: "static"})
	require.NoError(t, err)
	assert.Empty(t, res.Uploaded)
	assert.Len(t, res.Skipped, 10)

	// Pre-compressed variants: NAME.gz with the original's type and Content-Encoding gzip.
	res, err = Upload(ctx, c, UploadOptions{Dir: static, Prefix: "static", Precompressed: true})
	require.NoError(t, err)
	assert.Contains(t, res.Uploaded, "static/css/site.css.gz")
	assert.Equal(t, blobState{"text/css; charset=utf-8", "public, max-age=315360000, immutable", "gzip", md5Of(t, filepath.Join(static, m.Paths["css/site.css"]+".gz"))}, blobsIn(t, c)[hashedCSS+".gz"])

	// A removed file is stale: reported, deleted only when asked.
	require.NoError(t, os.Remove(filepath.Join(static, "robots.txt")))
	res, err = Upload(ctx, c, UploadOptions{Dir: static, Prefix: "static", Precompressed: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"static/robots.txt"}, res.Stale)
	assert.Contains(t, blobsIn(t, c), "static/robots.txt")
	res, err = Upload(ctx, c, UploadOptions{Dir: static, Prefix: "static", Precompressed: true, DeleteStale: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"static/robots.txt"}, res.Deleted)
	assert.NotContains(t, blobsIn(t, c), "static/robots.txt")
}

func md5Of(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	s := md5.Sum(b)
	return s[:]
}

// TestUploadResumesAfterKill starts an upload in a child process, kills it
// with SIGKILL halfway, and runs the upload again: nothing is lost (every
// file ends up with its MD5 and headers) and nothing is uploaded twice.
func TestUploadResumesAfterKill(t *testing.T) {
	c := azuriteContainer(t, t.Name())
	dir := t.TempDir()
	const n = 120
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("d%d", i%4), fmt.Sprintf("f%03d.css", i))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte(fmt.Sprintf(".c%d{}\n", i)), 2000), 0o644))
	}
	az := testenv.Azurite(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestUploadChild$", "-test.v")
	cmd.Env = append(os.Environ(), "CDN_UPLOAD_CHILD=1", "CDN_UPLOAD_DIR="+dir, "CDN_UPLOAD_CONN="+az.ConnectionString(), "CDN_UPLOAD_CONTAINER="+containerName(c))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	reported := map[string]bool{}
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "uploaded "); ok {
			reported[name] = true
			if len(reported) == n/2 {
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				break
			}
		}
	}
	_ = cmd.Wait()
	require.Len(t, reported, n/2, "the child was killed halfway")

	before := blobsIn(t, c)
	assert.GreaterOrEqual(t, len(before), n/2)
	assert.Less(t, len(before), n, "the kill landed before the end")
	for name := range reported {
		assert.Contains(t, before, name, "reported uploaded => present")
	}
	for name, b := range before {
		assert.Equal(t, md5Of(t, filepath.Join(dir, name)), b.md5, "a killed upload leaves no partial blob: %s", name)
	}

	res, err := Upload(context.Background(), c, UploadOptions{Dir: dir})
	require.NoError(t, err)
	// Uploads in flight at the kill may still be committed by the service
	// after the listing above, so the second run skips at least what was
	// listed, and uploads only what it did not skip.
	assert.Len(t, res.Uploaded, n-len(res.Skipped))
	assert.GreaterOrEqual(t, len(res.Skipped), len(before))
	for name := range before {
		assert.Contains(t, res.Skipped, name, "a complete blob is not uploaded again")
	}
	for _, u := range res.Uploaded {
		assert.NotContains(t, before, u, "nothing uploaded twice")
	}
	after := blobsIn(t, c)
	require.Len(t, after, n, "nothing lost")
	for name, b := range after {
		assert.Equal(t, md5Of(t, filepath.Join(dir, name)), b.md5, name)
		assert.Equal(t, "text/css; charset=utf-8", b.contentType, name)
	}
}

func containerName(c *container.Client) string {
	u := strings.TrimRight(c.URL(), "/")
	return u[strings.LastIndexByte(u, '/')+1:]
}

// TestUploadChild is the child process of TestUploadResumesAfterKill.
func TestUploadChild(t *testing.T) {
	if os.Getenv("CDN_UPLOAD_CHILD") != "1" {
		t.Skip("child process of TestUploadResumesAfterKill")
	}
	c, err := container.NewClientFromConnectionString(os.Getenv("CDN_UPLOAD_CONN"), os.Getenv("CDN_UPLOAD_CONTAINER"), nil)
	require.NoError(t, err)
	_, err = Upload(context.Background(), c, UploadOptions{Dir: os.Getenv("CDN_UPLOAD_DIR"), Concurrency: 2, Progress: func(p UploadProgress) {
		fmt.Printf("%s %s\n", p.Action, p.Name)
	}})
	require.NoError(t, err)
}

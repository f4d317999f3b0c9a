package cdn

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSig = "c2VjcmV0LXNhcy1zaWduYXR1cmU%3D"

func sasContainer(t *testing.T, base string) *container.Client {
	t.Helper()
	u := base + "/static?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=" + testSig
	c, err := container.NewClientWithNoCredential(u, &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: -1},
	}})
	require.NoError(t, err)
	return c
}

func staticDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"a.css", "b.js", "c.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("body{}"), 0o644))
	}
	return dir
}

// settledGoroutines waits until the goroutine count drops to at most n.
func settledGoroutines(n int) int {
	deadline := time.Now().Add(3 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUploadErrorsNeverCarryTheSAS: a transport failure while listing or
// putting blobs must not put the SAS signature into the error, and Upload
// leaves no goroutine behind.
func TestUploadErrorsNeverCarryTheSAS(t *testing.T) {
	sig := strings.ReplaceAll(testSig, "%3D", "")
	t.Run("list fails", func(t *testing.T) {
		before := runtime.NumGoroutine()
		ln := httptest.NewServer(http.NotFoundHandler())
		addr := ln.URL
		ln.Close() // nothing listens any more: connection refused
		_, err := Upload(context.Background(), sasContainer(t, addr), UploadOptions{Dir: staticDir(t)})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), sig)
		http.DefaultClient.CloseIdleConnections()
		assert.LessOrEqual(t, settledGoroutines(before), before, "goroutines left behind")
	})
	t.Run("put fails", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				w.Header().Set("Content-Type", "application/xml")
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="static"><Blobs></Blobs><NextMarker /></EnumerationResults>`))
				return
			}
			hj, ok := w.(http.Hijacker)
			if !ok {
				w.WriteHeader(500)
				return
			}
			conn, _, _ := hj.Hijack()
			_ = conn.Close() // the connection drops mid-request
		}))
		defer srv.Close()
		before := runtime.NumGoroutine()
		_, err := Upload(context.Background(), sasContainer(t, srv.URL), UploadOptions{Dir: staticDir(t), Concurrency: 2})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), sig)
		srv.CloseClientConnections()
		assert.LessOrEqual(t, settledGoroutines(before), before, "goroutines left behind")
	})
}

// TestVerifyLeavesNoGoroutines: after Verify returns, finished or
// cancelled, none of its connections or workers stay behind (the server
// stays up, so lingering keep-alive connections would show).
func TestVerifyLeavesNoGoroutines(t *testing.T) {
	srv := httptest.NewServer(edgeHandler("TCP_HIT", nil, nil, 5*time.Millisecond))
	defer srv.Close()
	before := runtime.NumGoroutine()
	_, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: manyFiles(20), Concurrency: 4, UnhashedSample: -1})
	require.NoError(t, err)
	assert.LessOrEqual(t, settledGoroutines(before), before, "goroutines left behind by a finished Verify")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = Verify(ctx, VerifyOptions{BaseURL: srv.URL, Manifest: manyFiles(200), Concurrency: 4, UnhashedSample: -1})
	require.Error(t, err)
	assert.LessOrEqual(t, settledGoroutines(before), before, "goroutines left behind by a cancelled Verify")
}

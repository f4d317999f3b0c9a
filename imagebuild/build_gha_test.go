package imagebuild

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ghaService is a local stand-in for the GitHub Actions cache service v2
// as BuildKit's remotecache/gha (through tonistiigi/go-actions-cache)
// speaks it: Twirp JSON at /twirp/github.actions.results.api.v1.CacheService/
// (CreateCacheEntry, FinalizeCacheEntryUpload, GetCacheEntryDownloadURL)
// with a bearer token, and signed Azure Blob URLs (on Azurite) for the
// data.
type ghaService struct {
	token string
	cc    *container.Client
	cred  *azblob.SharedKeyCredential
	name  string

	mu      sync.Mutex
	seq     int
	pending map[string]string // key+version -> blob
	entries []ghaEntry
	calls   []string
	denied  int
}

type ghaEntry struct {
	key, version, blob string
	size               int64
}

func newGHAService(t *testing.T) (*ghaService, string) {
	az := testenv.Azurite(t)
	client, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	require.NoError(t, err)
	name := fmt.Sprintf("gha-%d", time.Now().UnixNano())
	cc := client.ServiceClient().NewContainerClient(name)
	_, err = cc.Create(context.Background(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = cc.Delete(context.Background(), nil) })
	cred, err := azblob.NewSharedKeyCredential(az.AccountName, az.AccountKey)
	require.NoError(t, err)
	s := &ghaService{token: testRuntimeToken(time.Now().Add(time.Hour)), cc: cc, cred: cred, name: name, pending: map[string]string{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL + "/"
}

func (s *ghaService) signed(blob string, perm sas.BlobPermissions) string {
	qp, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		Permissions: perm.String(), ContainerName: s.name, BlobName: blob}.SignWithSharedKey(s.cred)
	if err != nil {
		panic(err)
	}
	return s.cc.NewBlobClient(blob).URL() + "?" + qp.Encode()
}

func (s *ghaService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/twirp/github.actions.results.api.v1.CacheService/")
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if !ok || r.Method != http.MethodPost {
		reply(http.StatusNotFound, map[string]string{"code": "bad_route", "msg": r.URL.Path})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		s.denied++
		reply(http.StatusUnauthorized, map[string]string{"code": "unauthenticated", "msg": "bad token"})
		return
	}
	var req struct {
		Key         string          `json:"key"`
		Version     string          `json:"version"`
		RestoreKeys []string        `json:"restore_keys"`
		SizeBytes   json.RawMessage `json:"size_bytes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		reply(http.StatusBadRequest, map[string]string{"code": "malformed", "msg": err.Error()})
		return
	}
	s.calls = append(s.calls, method+" "+req.Key)
	switch method {
	case "CreateCacheEntry":
		for _, e := range s.entries {
			if e.key == req.Key && e.version == req.Version {
				reply(http.StatusOK, map[string]any{"ok": false, "message": "already exists"})
				return
			}
		}
		s.seq++
		blob := fmt.Sprintf("b%d", s.seq)
		s.pending[req.Key+"\x00"+req.Version] = blob
		reply(http.StatusOK, map[string]any{"ok": true, "signed_upload_url": s.signed(blob, sas.BlobPermissions{Create: true, Write: true})})
	case "FinalizeCacheEntryUpload":
		blob, ok := s.pending[req.Key+"\x00"+req.Version]
		var size int64
		_ = json.Unmarshal([]byte(strings.Trim(string(req.SizeBytes), `"`)), &size)
		props, err := s.cc.NewBlobClient(blob).GetProperties(r.Context(), nil)
		if !ok || err != nil || props.ContentLength == nil || *props.ContentLength != size {
			reply(http.StatusOK, map[string]any{"ok": false, "message": "no complete upload"})
			return
		}
		delete(s.pending, req.Key+"\x00"+req.Version)
		s.entries = append(s.entries, ghaEntry{req.Key, req.Version, blob, size})
		reply(http.StatusOK, map[string]any{"ok": true, "entry_id": fmt.Sprint(len(s.entries))})
	case "GetCacheEntryDownloadURL":
		for _, k := range append([]string{req.Key}, req.RestoreKeys...) {
			for i := len(s.entries) - 1; i >= 0; i-- {
				e := s.entries[i]
				if e.version == req.Version && (e.key == k || k != req.Key && strings.HasPrefix(e.key, k)) {
					reply(http.StatusOK, map[string]any{"ok": true, "signed_download_url": s.signed(e.blob, sas.BlobPermissions{Read: true}), "matched_key": e.key})
					return
				}
			}
		}
		reply(http.StatusOK, map[string]any{"ok": false})
	default:
		reply(http.StatusNotFound, map[string]string{"code": "bad_route", "msg": method})
	}
}

func (s *ghaService) snapshot() (calls []string, entries []ghaEntry, denied int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...), append([]ghaEntry(nil), s.entries...), s.denied
}

// TestBuildGHACacheV2 exports a build cache to the fake service v2 through
// buildkitd and imports it into a build whose local cache cannot help (a
// new scope key written by another content), then checks the token rule.
func TestBuildGHACacheV2(t *testing.T) {
	svc, url := newGHAService(t)
	b := testBuilder(t)
	base := testBase(t)
	dir := t.TempDir()
	writeBuildTree(t, dir, map[string]string{"Dockerfile": chownDockerfile})
	writeRandomFile(t, filepath.Join(dir, "payload.bin"), 20_000)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	scope := fmt.Sprintf("deploykit-%d", time.Now().UnixNano())
	spec := GHACache(scope, url, svc.token)
	spec.Attrs["mode"] = "max"
	_, err := b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{spec}})
	require.NoError(t, err)
	calls, entries, _ := svc.snapshot()
	require.NotEmpty(t, entries, "buildkitd saved the cache: %v", calls)
	var index, blobs int
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.key, "index-"+scope+"-"):
			index++
		case strings.HasPrefix(e.key, "buildkit-blob-"):
			blobs++
		}
	}
	assert.Equal(t, 1, index, "one cache index for the scope: %v", entries)
	assert.GreaterOrEqual(t, blobs, 1, "layer blobs uploaded to the signed URLs")

	// Import: buildkitd asks the service for the scope's index.
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheFrom: []CacheSpec{GHACache(scope, url, svc.token)}})
	require.NoError(t, err)
	calls, _, _ = svc.snapshot()
	var looked bool
	for _, c := range calls {
		if strings.HasPrefix(c, "GetCacheEntryDownloadURL index-"+scope) {
			looked = true
		}
	}
	assert.True(t, looked, "the import read the scope's index: %v", calls)

	// No token: refused before anything is sent.
	noToken := GHACache(scope, url, "")
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{noToken}})
	require.Error(t, err)
	assert.ErrorContains(t, err, "token= is missing")

	// A wrong token: the service refuses it, the secret appears nowhere.
	_, _, before := svc.snapshot()
	wrongToken := testRuntimeToken(time.Now().Add(2 * time.Hour))
	wrong := GHACache(scope+"-x", url, wrongToken)
	wrong.Attrs["mode"] = "max"
	_, err = b.Build(ctx, Target{Context: dir, BuildArgs: map[string]string{"BASE": base}, CacheTo: []CacheSpec{wrong}, NoCache: true})
	_, _, after := svc.snapshot()
	assert.Greater(t, after, before, "the service saw and refused the wrong token")
	if err != nil {
		assert.NotContains(t, err.Error(), wrongToken)
	}
}

package cache

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
	"github.com/stretchr/testify/require"
)

// fakeCacheService is a local stand-in for the GitHub Actions cache service
// v2: the three Twirp methods @actions/cache calls (plus deploykit's
// ListCacheEntries and DeleteCacheEntry), signed upload and download URLs
// on a real Azure Blob container (Azurite), and in-memory entry records.
// CreateCacheEntry never blocks a key (an abandoned upload must not);
// FinalizeCacheEntryUpload commits the first complete upload of the
// requested size, later ones are refused with ok=false.
type fakeCacheService struct {
	token     string
	container *container.Client
	cred      *azblob.SharedKeyCredential
	name      string

	mu      sync.Mutex
	seq     int
	uploads []fakeUpload
	entries []fakeEntry
}

type fakeUpload struct {
	e    Entry
	blob string
	done bool
}

type fakeEntry struct {
	e    Entry
	blob string
}

func newFakeCacheService(t *testing.T) (*fakeCacheService, string) {
	az := testenv.Azurite(t)
	client, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	require.NoError(t, err)
	name := fmt.Sprintf("cachesvc-%d", time.Now().UnixNano())
	cc := client.ServiceClient().NewContainerClient(name)
	_, err = cc.Create(context.Background(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = cc.Delete(context.Background(), nil) })
	cred, err := azblob.NewSharedKeyCredential(az.AccountName, az.AccountKey)
	require.NoError(t, err)
	f := &fakeCacheService{token: "test-runtime-token", container: cc, cred: cred, name: name}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeCacheService) signedURL(blobName string, perm sas.BlobPermissions) (string, error) {
	qp, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		Permissions: perm.String(), ContainerName: f.name, BlobName: blobName,
	}.SignWithSharedKey(f.cred)
	if err != nil {
		return "", err
	}
	return f.container.NewBlobClient(blobName).URL() + "?" + qp.Encode(), nil
}

type fakeRequest struct {
	Key         string         `json:"key"`
	Version     string         `json:"version"`
	RestoreKeys []string       `json:"restore_keys"`
	SizeBytes   twirpInt64     `json:"size_bytes"`
	Metadata    *twirpMetadata `json:"metadata"`
}

func (r fakeRequest) scopes() []string {
	var out []string
	if r.Metadata != nil {
		for _, s := range r.Metadata.Scope {
			out = append(out, s.Scope)
		}
	}
	return out
}

func (r fakeRequest) scope() string {
	if s := r.scopes(); len(s) > 0 {
		return s[0]
	}
	return "refs/heads/main" // what a token-less call writes to
}

func twirpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "msg": msg})
}

func (f *fakeCacheService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/twirp/"+CacheServiceName+"/")
	if !ok || r.Method != http.MethodPost {
		twirpError(w, http.StatusNotFound, "bad_route", "no such method: "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		twirpError(w, http.StatusUnauthorized, "unauthenticated", "missing or wrong token")
		return
	}
	var req fakeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		twirpError(w, http.StatusBadRequest, "malformed", err.Error())
		return
	}
	out, status, err := f.handle(r.Context(), method, req)
	if err != nil {
		twirpError(w, status, "internal", err.Error())
		return
	}
	if out == nil {
		twirpError(w, http.StatusNotFound, "bad_route", "no such method: "+method)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeCacheService) handle(ctx context.Context, method string, req fakeRequest) (any, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "CreateCacheEntry":
		if req.Key == "" || req.Version == "" {
			return nil, http.StatusBadRequest, fmt.Errorf("key and version are required")
		}
		e := Entry{Key: req.Key, Version: req.Version, Scope: req.scope()}
		if f.find(e) >= 0 {
			return map[string]any{"ok": false, "message": "cache entry already exists"}, 0, nil
		}
		f.seq++
		blobName := fmt.Sprintf("upload-%d", f.seq)
		u, err := f.signedURL(blobName, sas.BlobPermissions{Create: true, Write: true})
		if err != nil {
			return nil, http.StatusInternalServerError, err
		}
		f.uploads = append(f.uploads, fakeUpload{e: e, blob: blobName})
		return map[string]any{"ok": true, "signed_upload_url": u}, 0, nil
	case "FinalizeCacheEntryUpload":
		e := Entry{Key: req.Key, Version: req.Version, Scope: req.scope()}
		if f.find(e) >= 0 {
			return map[string]any{"ok": false, "message": "cache entry already exists"}, 0, nil
		}
		for i := range f.uploads {
			u := &f.uploads[i]
			if u.done || u.e != e {
				continue
			}
			props, err := f.container.NewBlobClient(u.blob).GetProperties(ctx, nil)
			if err != nil || props.ContentLength == nil || *props.ContentLength != int64(req.SizeBytes) {
				continue // not (completely) uploaded
			}
			u.done = true
			e.Size, e.Created = int64(req.SizeBytes), time.Now().UTC()
			f.entries = append(f.entries, fakeEntry{e: e, blob: u.blob})
			return map[string]any{"ok": true, "entry_id": twirpInt64(len(f.entries))}, 0, nil
		}
		return map[string]any{"ok": false, "message": "no complete upload of that size"}, 0, nil
	case "GetCacheEntryDownloadURL":
		var list []Entry
		for _, fe := range f.entries {
			list = append(list, fe.e)
		}
		res, ok := Resolve(list, RestoreRequest{Key: req.Key, RestoreKeys: req.RestoreKeys, Version: req.Version, Scopes: req.scopes()})
		if !ok {
			return map[string]any{"ok": false}, 0, nil
		}
		u, err := f.signedURL(f.entries[f.find(res.Entry)].blob, sas.BlobPermissions{Read: true})
		if err != nil {
			return nil, http.StatusInternalServerError, err
		}
		return map[string]any{"ok": true, "signed_download_url": u, "matched_key": res.Entry.Key}, 0, nil
	case "ListCacheEntries":
		var list []twirpEntry
		for _, fe := range f.entries {
			list = append(list, twirpEntry{Key: fe.e.Key, Version: fe.e.Version, Scope: fe.e.Scope,
				SizeBytes: twirpInt64(fe.e.Size), CreatedAt: fe.e.Created.Format(time.RFC3339Nano)})
		}
		return map[string]any{"entries": list}, 0, nil
	case "DeleteCacheEntry":
		i := f.find(Entry{Key: req.Key, Version: req.Version, Scope: req.scope()})
		if i < 0 {
			return map[string]any{"ok": false}, 0, nil
		}
		_, _ = f.container.NewBlobClient(f.entries[i].blob).Delete(ctx, nil)
		f.entries = append(f.entries[:i], f.entries[i+1:]...)
		return map[string]any{"ok": true}, 0, nil
	}
	return nil, 0, nil
}

// find returns the index of the committed entry with e's key, version and
// scope, or -1.
func (f *fakeCacheService) find(e Entry) int {
	for i, fe := range f.entries {
		if fe.e.Key == e.Key && fe.e.Version == e.Version && fe.e.Scope == e.Scope {
			return i
		}
	}
	return -1
}

func TestCacheServiceStore(t *testing.T) {
	f, url := newFakeCacheService(t)
	testStore(t, &CacheServiceStore{BaseURL: url, Token: f.token, BlockSize: 1 << 20})
}

func TestCacheServiceStoreErrors(t *testing.T) {
	_, url := newFakeCacheService(t)
	s := &CacheServiceStore{BaseURL: url, Token: "wrong-secret-token"}
	_, err := s.Save(context.Background(), Entry{Key: "k", Version: "v"}, strings.NewReader("x"))
	var ce *CacheServiceError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, http.StatusUnauthorized, ce.Status)
	require.NotContains(t, err.Error(), "wrong-secret-token")
}

func TestCacheServiceWithActionsCache(t *testing.T) {
	// The real @actions/cache saveCache and restoreCache talk to the fake
	// service; deploykit restores what they saved and the reverse.
	f, url := newFakeCacheService(t)
	env := map[string]string{"ACTIONS_CACHE_SERVICE_V2": "true", "ACTIONS_RESULTS_URL": url + "/",
		"ACTIONS_RUNTIME_TOKEN": f.token, "GITHUB_SERVER_URL": "https://github.com", "RUNNER_TEMP": t.TempDir()}
	ctx := context.Background()
	paths := []string{"~/.cache/pypoetry", ".venv"}
	store := &CacheServiceStore{BaseURL: url, Token: f.token}
	ws, home := seedLayout(t)
	want := snapshot(t, filepath.Dir(ws), "ws/.venv", "home/.cache/pypoetry")

	var id json.Number
	actionsCache(t, map[string]any{"op": "save", "paths": paths, "key": "Linux-poetry-node", "workspace": ws, "home": home, "env": env}, &id)
	dst := t.TempDir()
	cp := CachePaths{Paths: paths, Workspace: filepath.Join(dst, "ws"), Home: filepath.Join(dst, "home")}
	res, ok, err := RestoreCache(ctx, store, RestoreRequest{Key: "Linux-poetry-zzz", RestoreKeys: []string{"Linux-poetry-"}, Scopes: Scopes("main", "", "")}, cp, ArchiveOptions{})
	require.NoError(t, err)
	require.True(t, ok, "deploykit finds the entry @actions/cache saved (same version)")
	require.Equal(t, "Linux-poetry-node", res.Entry.Key)
	require.Equal(t, RestoreKeyMatch, res.Match)
	require.Equal(t, want, snapshot(t, dst, "ws/.venv", "home/.cache/pypoetry"))

	_, err = SaveCache(ctx, store, Entry{Key: "Linux-poetry-go", Scope: "refs/heads/main"}, CachePaths{Paths: paths, Workspace: ws, Home: home}, ArchiveOptions{})
	require.NoError(t, err)
	dst2 := t.TempDir()
	var matched string
	actionsCache(t, map[string]any{"op": "restore", "paths": paths, "key": "Linux-poetry-go", "workspace": filepath.Join(dst2, "ws"), "home": filepath.Join(dst2, "home"), "env": env}, &matched)
	require.Equal(t, "Linux-poetry-go", matched, "@actions/cache finds the entry deploykit saved")
	require.Equal(t, want, snapshot(t, dst2, "ws/.venv", "home/.cache/pypoetry"))
}

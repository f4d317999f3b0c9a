package cache

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv/actionscachefake"
	"github.com/stretchr/testify/require"
)

// The tests here run CacheServiceStore against internal/testenv's fake of
// the GitHub Actions cache service v2 (actionscachefake: Twirp JSON, signed
// Azure Blob URLs on Azurite), which also serves deploykit's
// ListCacheEntries and DeleteCacheEntry extensions.

func TestCacheServiceStore(t *testing.T) {
	f := actionscachefake.New(t, actionscachefake.Options{})
	testStore(t, &CacheServiceStore{BaseURL: f.URL, Token: f.Token, BlockSize: 1 << 20})
}

func TestCacheServiceStoreWithoutExtensions(t *testing.T) {
	// GitHub's own service has no ListCacheEntries or DeleteCacheEntry.
	f := actionscachefake.New(t, actionscachefake.Options{GitHubOnly: true})
	s := &CacheServiceStore{BaseURL: f.URL, Token: f.Token}
	_, err := s.List(context.Background())
	require.ErrorIs(t, err, ErrNotSupported)
	err = s.Delete(context.Background(), Entry{Key: "k", Version: "v"})
	require.ErrorIs(t, err, ErrNotSupported)
}

func TestCacheServiceStoreErrors(t *testing.T) {
	f := actionscachefake.New(t, actionscachefake.Options{})
	s := &CacheServiceStore{BaseURL: f.URL, Token: "wrong-secret-token"}
	_, err := s.Save(context.Background(), Entry{Key: "k", Version: "v"}, strings.NewReader("x"))
	var ce *CacheServiceError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, http.StatusUnauthorized, ce.Status)
	require.NotContains(t, err.Error(), "wrong-secret-token")
}

func TestCacheServiceWithActionsCache(t *testing.T) {
	// The real @actions/cache saveCache and restoreCache talk to the fake
	// service; deploykit restores what they saved and the reverse.
	f := actionscachefake.New(t, actionscachefake.Options{})
	env := map[string]string{"ACTIONS_CACHE_SERVICE_V2": "true", "ACTIONS_RESULTS_URL": f.URL + "/",
		"ACTIONS_RUNTIME_TOKEN": f.Token, "GITHUB_SERVER_URL": "https://github.com", "RUNNER_TEMP": t.TempDir()}
	ctx := context.Background()
	paths := []string{"~/.cache/pypoetry", ".venv"}
	store := &CacheServiceStore{BaseURL: f.URL, Token: f.Token}
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

package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deploykit/deploykit/cache"
)

// The key from the seed workflow, computed outside the runner.
func Example() {
	ws, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(ws)
	_ = os.WriteFile(filepath.Join(ws, "poetry.lock"), []byte("x"), 0o644)

	h, err := cache.HashFiles(context.Background(), ws, []string{"**/poetry.lock"}, cache.HashOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h)

	key, _ := cache.EvalKey(context.Background(),
		"${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}",
		cache.KeyContext{RunnerOS: "Linux", Workspace: ws})
	fmt.Println(key)
	// Output:
	// 0a325ca303eb3014c43ae004970f343634db176fa1697bcc8c9efac94626488d
	// Linux-poetry-0a325ca303eb3014c43ae004970f343634db176fa1697bcc8c9efac94626488d
}

func ExampleCacheVersion() {
	fmt.Println(cache.CacheVersion([]string{"~/.cache/pypoetry", ".venv"}, cache.CompressionZstdWithoutLong, false, false))
	// Output: 548dc157d50c998179e1188e4ec4803ff683561169f04603b034b716ea8f4ac2
}

func ExampleResolve() {
	entries := []cache.Entry{
		{Key: "Linux-poetry-old", Version: "v", Scope: "refs/heads/main"},
	}
	res, ok := cache.Resolve(entries, cache.RestoreRequest{
		Key:         "Linux-poetry-new",
		RestoreKeys: []string{"Linux-poetry-"},
		Version:     "v",
		Scopes:      cache.Scopes("feature/login", "", "main"),
	})
	fmt.Println(ok, res.Entry.Key, res.Match, res.CacheHit())
	// Output: true Linux-poetry-old restore-key false
}

func ExampleLayerCacheRefs() {
	refs := cache.LayerCacheRefs{Repository: "myregistry.azurecr.io/minimalwave-blog"}
	fmt.Println(refs.RegistryCacheFrom("main"))
	fmt.Println(refs.RegistryCacheTo("main"))
	// Output:
	// [type=registry,ref=myregistry.azurecr.io/minimalwave-blog:buildcache-main]
	// type=registry,ref=myregistry.azurecr.io/minimalwave-blog:buildcache-main,mode=max
}

// The seed workflow caches Poetry's cache and the project's .venv in one
// entry; deploykit saves and restores it like actions/cache (the same
// archive, paths outside the workspace stored as "../", the same version).
func ExampleSaveCache() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(tmp)
	ws, home := filepath.Join(tmp, "ci", "ws"), filepath.Join(tmp, "ci", "home")
	_ = os.MkdirAll(filepath.Join(ws, ".venv/lib"), 0o755)
	_ = os.WriteFile(filepath.Join(ws, ".venv/lib/site.py"), []byte("site"), 0o644)
	_ = os.MkdirAll(filepath.Join(home, ".cache/pypoetry/artifacts"), 0o755)
	_ = os.WriteFile(filepath.Join(home, ".cache/pypoetry/artifacts/django.whl"), []byte("whl"), 0o644)

	store := &cache.DirStore{Dir: filepath.Join(tmp, "store")}
	paths := []string{"~/.cache/pypoetry", ".venv"}
	saved, err := cache.SaveCache(ctx, store, cache.Entry{Key: "Linux-poetry-abc", Scope: "refs/heads/main"},
		cache.CachePaths{Paths: paths, Workspace: ws, Home: home}, cache.ArchiveOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(saved.Version == cache.CacheVersion(paths, cache.CompressionZstdWithoutLong, false, false))

	// Another machine: a fresh workspace and home.
	ws2, home2 := filepath.Join(tmp, "laptop", "ws"), filepath.Join(tmp, "laptop", "home")
	res, ok, err := cache.RestoreCache(ctx, store, cache.RestoreRequest{
		Key: "Linux-poetry-def", RestoreKeys: []string{"Linux-poetry-"}, Scopes: cache.Scopes("feature/x", "", "main"),
	}, cache.CachePaths{Paths: paths, Workspace: ws2, Home: home2}, cache.ArchiveOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	whl, _ := os.ReadFile(filepath.Join(home2, ".cache/pypoetry/artifacts/django.whl"))
	site, _ := os.ReadFile(filepath.Join(ws2, ".venv/lib/site.py"))
	fmt.Println(ok, res.Entry.Key, res.Match, string(whl), string(site))
	// Output:
	// true
	// true Linux-poetry-abc restore-key whl site
}

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

package deploykit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deploykit/deploykit/cache"
	"github.com/deploykit/deploykit/gunicornconf"
)

// Example composes two packages the way a pipeline does: the CI cache key
// of a Poetry project's dependencies, and the gunicorn sizing for the App
// Service plan the project deploys to.
func Example() {
	dir, err := os.MkdirTemp("", "deploykit-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "poetry.lock"), []byte("# a lockfile\n"), 0o644); err != nil {
		panic(err)
	}
	key, err := cache.EvalKey(context.Background(), "${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}",
		cache.KeyContext{RunnerOS: "Linux", Workspace: dir})
	if err != nil {
		panic(err)
	}
	fmt.Println(key[:len("Linux-poetry-")], len(key)-len("Linux-poetry-"), "hex digits")

	sku, _ := gunicornconf.LookupSKU("P1v3")
	s, err := gunicornconf.SizeForSKU(sku, gunicornconf.SizingInput{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d %s workers x %d threads\n", sku.Name, s.Workers, s.WorkerClass, s.Threads)
	// P1v3 has 2 vCPU: gunicorn's (2 x cores + 1) = 5 concurrent requests over
	// 2 threads per worker is 3 workers.

	// Output:
	// Linux-poetry- 64 hex digits
	// P1v3: 3 gthread workers x 2 threads
}

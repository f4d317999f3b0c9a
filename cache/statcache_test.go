package cache

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deploykit/deploykit/cache/internal/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatCacheSkipsUnchangedAndRereadsChanged(t *testing.T) {
	ws := tree(t, map[string]string{"a/poetry.lock": "one", "b/poetry.lock": "two"})
	sc, err := OpenStatCache(StatCacheOptions{Dir: t.TempDir(), RacyWindow: time.Nanosecond})
	require.NoError(t, err)
	opts := HashOptions{StatCache: sc}
	ctx := context.Background()

	r1, err := HashFilesDetailed(ctx, ws, []string{"**/poetry.lock"}, opts)
	require.NoError(t, err)
	assert.Equal(t, expectHash("one", "two"), r1.Hash)
	assert.Equal(t, 0, r1.CacheHits)

	r2, err := HashFilesDetailed(ctx, ws, []string{"**/poetry.lock"}, opts)
	require.NoError(t, err)
	assert.Equal(t, r1.Hash, r2.Hash)
	assert.Equal(t, 2, r2.CacheHits)
	assert.Zero(t, r2.BytesRead)

	// Same size, mtime put back: ctime still moves, so the file is re-read.
	p := filepath.Join(ws, "b/poetry.lock")
	st, err := os.Stat(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte("TWO"), 0o644))
	require.NoError(t, os.Chtimes(p, st.ModTime(), st.ModTime()))
	r3, err := HashFilesDetailed(ctx, ws, []string{"**/poetry.lock"}, opts)
	require.NoError(t, err)
	assert.Equal(t, expectHash("one", "TWO"), r3.Hash)
	assert.Equal(t, 1, r3.CacheHits)
	assert.Equal(t, int64(3), r3.BytesRead)
}

func TestStatCacheRacyGuard(t *testing.T) {
	ws := tree(t, map[string]string{"f": "fresh"})
	sc, err := OpenStatCache(StatCacheOptions{Dir: t.TempDir()}) // 2 s window
	require.NoError(t, err)
	for range 2 {
		r, err := HashFilesDetailed(context.Background(), ws, []string{"f"}, HashOptions{StatCache: sc})
		require.NoError(t, err)
		assert.Equal(t, expectHash("fresh"), r.Hash)
		assert.Equal(t, 0, r.CacheHits, "a file modified within the racy window is never trusted")
	}
}

func TestStatCachePersistsAndToleratesCorruption(t *testing.T) {
	ws := tree(t, map[string]string{"f": "content"})
	dir := t.TempDir()
	sc, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
	require.NoError(t, err)
	_, err = HashFiles(context.Background(), ws, []string{"f"}, HashOptions{StatCache: sc})
	require.NoError(t, err)
	require.NoError(t, sc.Save())

	sc2, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
	require.NoError(t, err)
	assert.Equal(t, 1, sc2.Len())
	r, err := HashFilesDetailed(context.Background(), ws, []string{"f"}, HashOptions{StatCache: sc2})
	require.NoError(t, err)
	assert.Equal(t, 1, r.CacheHits)

	file := filepath.Join(dir, "statcache.bin")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, bad := range [][]byte{b[:len(b)/2], append(append([]byte{}, b[:len(b)-1]...), b[len(b)-1]^1), []byte("garbage")} {
		require.NoError(t, os.WriteFile(file, bad, 0o644))
		sc3, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
		require.NoError(t, err)
		assert.Equal(t, 0, sc3.Len())
		r, err := HashFilesDetailed(context.Background(), ws, []string{"f"}, HashOptions{StatCache: sc3})
		require.NoError(t, err)
		assert.Equal(t, expectHash("content"), r.Hash)
	}
}

func TestStatCacheConcurrentSaves(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 8 {
		ws := tree(t, map[string]string{"f": string(rune('a' + i))})
		files = append(files, ws)
	}
	var wg sync.WaitGroup
	for _, ws := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
			if !assert.NoError(t, err) {
				return
			}
			_, err = HashFiles(context.Background(), ws, []string{"f"}, HashOptions{StatCache: sc})
			assert.NoError(t, err)
			assert.NoError(t, sc.Save())
		}()
	}
	wg.Wait()
	sc, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
	require.NoError(t, err)
	assert.Equal(t, len(files), sc.Len(), "saves merge")
}

func TestGenerateWorkspace(t *testing.T) {
	dir := t.TempDir()
	st, err := workspace.Generate(dir, workspace.Spec{Files: 300})
	require.NoError(t, err)
	assert.Equal(t, 300, st.Files)
	assert.Equal(t, 3, st.PoetryLock)
	r, err := HashFilesDetailed(context.Background(), dir, []string{"**/poetry.lock"}, HashOptions{})
	require.NoError(t, err)
	assert.Len(t, r.Files, 3)
	r, err = HashFilesDetailed(context.Background(), dir, []string{"**/*.py"}, HashOptions{})
	require.NoError(t, err)
	assert.Len(t, r.Files, st.PyFiles)
}

func TestStatCacheDirectoryListingsFollowChanges(t *testing.T) {
	ws := tree(t, map[string]string{"d/a.py": "a", "d/sub/b.py": "b"})
	dir := t.TempDir()
	ctx := context.Background()
	hash := func() (string, *StatCache) {
		sc, err := OpenStatCache(StatCacheOptions{Dir: dir, RacyWindow: time.Nanosecond})
		require.NoError(t, err)
		r, err := HashFilesDetailed(ctx, ws, []string{"**/*.py"}, HashOptions{StatCache: sc})
		require.NoError(t, err)
		require.NoError(t, sc.Save())
		return r.Hash, sc
	}
	h, sc := hash()
	assert.Equal(t, expectHash("a", "b"), h)
	assert.Positive(t, len(sc.dirs)+sc.disk.nDirsOrZero(), "listings are remembered")
	h, _ = hash()
	assert.Equal(t, expectHash("a", "b"), h)

	// A new file, a removed file, a file replaced by a directory: each
	// changes the directory's mtime/ctime, so the listing is read again.
	require.NoError(t, os.WriteFile(filepath.Join(ws, "d/c.py"), []byte("c"), 0o644))
	h, _ = hash()
	assert.Equal(t, expectHash("a", "c", "b"), h)
	require.NoError(t, os.Remove(filepath.Join(ws, "d/a.py")))
	h, _ = hash()
	assert.Equal(t, expectHash("c", "b"), h)
	require.NoError(t, os.Remove(filepath.Join(ws, "d/c.py")))
	require.NoError(t, os.MkdirAll(filepath.Join(ws, "d/c.py"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(ws, "d/c.py/x.py"), []byte("x"), 0o644))
	h, _ = hash()
	assert.Equal(t, expectHash("x", "b"), h)
}

// FuzzStatCacheFile feeds arbitrary bytes to the stat cache file parser
// (the file lives in a shared cache directory): no panic, and a file that
// parses answers lookups without reading out of bounds.
func FuzzStatCacheFile(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "statcache.bin")
	list := []statEntry{{stamp: stamp{dev: 1, ino: 2, size: 3}, written: 4}}
	dirs := []dirCacheEntry{{stamp: stamp{dev: 1, ino: 9}, entries: []dirEntry{{name: "a"}, {name: "sub", typ: os.ModeDir}}}}
	if err := writeStatCacheFile(path, list, dirs); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	f.Add(good)
	f.Add([]byte(statCacheMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		sf, err := parseStatFile(data)
		if err != nil {
			return
		}
		sf.eachFile(func(statEntry) {})
		sf.eachDir(func(dirCacheEntry) {})
		_, _ = sf.file(inodeKey{1, 2})
		_, _ = sf.dir(inodeKey{1, 9}, stamp{dev: 1, ino: 9})
	})
}

package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirStore(t *testing.T) {
	testStore(t, &DirStore{Dir: filepath.Join(t.TempDir(), "store")})
}

func TestAzureBlobStore(t *testing.T) {
	az := testenv.Azurite(t)
	client, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	require.NoError(t, err)
	name := fmt.Sprintf("cache-test-%d", time.Now().UnixNano())
	cc := client.ServiceClient().NewContainerClient(name)
	s := &AzureBlobStore{Container: cc, Prefix: "ci/", BlockSize: 1 << 20}
	ctx := context.Background()
	require.NoError(t, s.EnsureContainer(ctx))
	require.NoError(t, s.EnsureContainer(ctx), "idempotent")
	t.Cleanup(func() { _, _ = cc.Delete(context.Background(), nil) })
	testStore(t, s)
}

type failingReader struct {
	r     io.Reader
	after int
	n     int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n >= f.after {
		return 0, errors.New("connection reset")
	}
	if len(p) > f.after-f.n {
		p = p[:f.after-f.n]
	}
	n, err := f.r.Read(p)
	f.n += n
	return n, err
}

func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	version := CacheVersion([]string{".venv"}, CompressionZstd, false, false)
	src := tree(t, map[string]string{".venv/lib/site.py": "v1", ".venv/pyvenv.cfg": "cfg"})

	// Save and restore by exact key.
	e1, err := SaveCache(ctx, s, Entry{Key: "Linux-poetry-aaa", Version: version, Scope: "refs/heads/main"}, CachePaths{Workspace: src, Paths: []string{".venv"}}, ArchiveOptions{})
	require.NoError(t, err)
	assert.Positive(t, e1.Size)
	dst := t.TempDir()
	res, ok, err := RestoreCache(ctx, s, RestoreRequest{Key: "Linux-poetry-aaa", Version: version, Scopes: Scopes("main", "", "main")}, CachePaths{Workspace: dst, Paths: []string{".venv"}}, ArchiveOptions{})
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, res.CacheHit())
	b, err := os.ReadFile(filepath.Join(dst, ".venv/lib/site.py"))
	require.NoError(t, err)
	assert.Equal(t, "v1", string(b))

	// Entries are immutable.
	_, err = SaveCache(ctx, s, Entry{Key: "Linux-poetry-aaa", Version: version, Scope: "refs/heads/main"}, CachePaths{Workspace: src, Paths: []string{".venv"}}, ArchiveOptions{})
	require.ErrorIs(t, err, ErrEntryExists)

	// A newer entry on main; a feature branch restores through restore keys,
	// from the default branch, and gets the most recent one.
	require.NoError(t, os.WriteFile(filepath.Join(src, ".venv/lib/site.py"), []byte("v2"), 0o644))
	time.Sleep(20 * time.Millisecond)
	_, err = SaveCache(ctx, s, Entry{Key: "Linux-poetry-bbb", Version: version, Scope: "refs/heads/main"}, CachePaths{Workspace: src, Paths: []string{".venv"}}, ArchiveOptions{})
	require.NoError(t, err)
	dst2 := t.TempDir()
	res, ok, err = RestoreCache(ctx, s, RestoreRequest{Key: "Linux-poetry-zzz", RestoreKeys: []string{"Linux-poetry-"}, Version: version, Scopes: Scopes("feature/x", "", "main")}, CachePaths{Workspace: dst2, Paths: []string{".venv"}}, ArchiveOptions{})
	require.NoError(t, err)
	require.True(t, ok)
	assert.False(t, res.CacheHit())
	assert.Equal(t, "Linux-poetry-bbb", res.Entry.Key)
	b, _ = os.ReadFile(filepath.Join(dst2, ".venv/lib/site.py"))
	assert.Equal(t, "v2", string(b))

	// Another version never matches.
	_, ok, err = RestoreCache(ctx, s, RestoreRequest{Key: "Linux-poetry-aaa", Version: "other", Scopes: Scopes("main", "", "")}, CachePaths{Workspace: t.TempDir(), Paths: []string{".venv"}}, ArchiveOptions{})
	require.NoError(t, err)
	assert.False(t, ok)

	// An interrupted save leaves no entry, and the key stays free.
	var arch bytes.Buffer
	require.NoError(t, WriteArchive(ctx, &arch, src, []string{".venv"}, ArchiveOptions{}))
	partial := Entry{Key: "Linux-partial", Version: version, Scope: "refs/heads/main"}
	_, err = s.Save(ctx, partial, &failingReader{r: bytes.NewReader(arch.Bytes()), after: arch.Len() / 2})
	require.Error(t, err)
	list, err := s.List(ctx)
	require.NoError(t, err)
	for _, e := range list {
		assert.NotEqual(t, partial.Key, e.Key)
	}
	_, err = s.Save(ctx, partial, bytes.NewReader(arch.Bytes()))
	require.NoError(t, err)

	// Concurrent saves of one key: exactly one wins, the archive is whole.
	contents := make([][]byte, 6)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte(fmt.Sprintf("writer-%d;", i)), 200_000)
	}
	race := Entry{Key: "Linux-race", Version: version, Scope: "refs/heads/main"}
	var wg sync.WaitGroup
	errs := make([]error, len(contents))
	for i := range contents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Save(ctx, race, bytes.NewReader(contents[i]))
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else {
			assert.ErrorIs(t, err, ErrEntryExists)
		}
	}
	assert.Equal(t, 1, wins)
	rc, err := s.Open(ctx, race)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	whole := false
	for _, c := range contents {
		if bytes.Equal(c, got) {
			whole = true
		}
	}
	assert.True(t, whole, "the stored archive is one writer's complete content (got %d bytes, %q...)", len(got), strings.SplitN(string(got[:min(20, len(got))]), ";", 2)[0])

	// Delete.
	require.NoError(t, s.Delete(ctx, race))
	_, err = s.Open(ctx, race)
	assert.ErrorIs(t, err, ErrEntryNotFound)
	assert.ErrorIs(t, s.Delete(ctx, race), ErrEntryNotFound)
}

func TestDirStoreRecoversOrphanedArchive(t *testing.T) {
	ctx := context.Background()
	s := &DirStore{Dir: t.TempDir()}
	e := Entry{Key: "k", Version: "v", Scope: "refs/heads/main"}
	// A crash after claiming the name but before writing the metadata.
	final := filepath.Join(s.Dir, entryID(e)+".tzst")
	require.NoError(t, os.WriteFile(final, []byte("partial"), 0o644))
	_, err := s.Save(ctx, e, strings.NewReader("new"))
	require.ErrorIs(t, err, ErrEntryExists, "a fresh claim is respected")
	old := time.Now().Add(-2 * orphanAge)
	require.NoError(t, os.Chtimes(final, old, old))
	_, err = s.Save(ctx, e, strings.NewReader("new"))
	require.NoError(t, err)
	rc, err := s.Open(ctx, e)
	require.NoError(t, err)
	b, _ := io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, "new", string(b))
}

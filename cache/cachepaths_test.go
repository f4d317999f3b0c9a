package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedCachePathsRoundTrip(t *testing.T) {
	// The design document caches ~/.cache/pypoetry and .venv in one entry.
	ctx := context.Background()
	ws, home := seedLayout(t)
	cp := CachePaths{Paths: []string{"~/.cache/pypoetry", ".venv"}, Workspace: ws, Home: home}
	var arch bytes.Buffer
	names, err := WriteCacheArchive(ctx, &arch, cp, ArchiveOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"../home/.cache/pypoetry", ".venv"}, names)

	dst := t.TempDir()
	cp2 := CachePaths{Paths: cp.Paths, Workspace: filepath.Join(dst, "ws"), Home: filepath.Join(dst, "home")}
	require.NoError(t, ExtractCacheArchive(ctx, bytes.NewReader(arch.Bytes()), cp2, ArchiveOptions{}))
	b, err := os.ReadFile(filepath.Join(dst, "home/.cache/pypoetry/artifacts/x/django-5.0.whl"))
	require.NoError(t, err)
	assert.Equal(t, "whl", string(b))
	b, err = os.ReadFile(filepath.Join(dst, "ws/.venv/lib64/python3.12/site-packages/django/__init__.py"))
	require.NoError(t, err)
	assert.Equal(t, "django", string(b))
	_, err = os.Stat(filepath.Join(dst, "home/.cache/pip"))
	assert.True(t, os.IsNotExist(err), "only the cached paths are restored")

	// The version is actions/cache's for these lines as written.
	assert.Equal(t, CacheVersion(cp.Paths, CompressionZstdWithoutLong, false, false), cp.Version(CompressionZstdWithoutLong))
}

func TestExtractCacheArchiveStaysInTheCachePaths(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	cp := CachePaths{Paths: []string{".venv", "~/.cache/pip"}, Workspace: ws, Home: filepath.Join(root, "home")}
	for name, entries := range map[string][]tarEntry{
		"beside a cache path":       {{name: "src/app.py", body: "x", typ: tar.TypeReg}},
		"outside the workspace":     {{name: "../evil", body: "x", typ: tar.TypeReg}},
		"home but not the cache":    {{name: "../home/.bashrc", body: "x", typ: tar.TypeReg}},
		"dot dot after a name":      {{name: ".venv/../../home/.bashrc", body: "x", typ: tar.TypeReg}},
		"link out of the workspace": {{name: ".venv/l", link: "../../home/.ssh", typ: tar.TypeSymlink}},
		"the issue's pair":          {{name: ".venv/d", link: ".", typ: tar.TypeSymlink}, {name: ".venv/d/l", link: "../../outside", typ: tar.TypeSymlink}},
	} {
		t.Run(name, func(t *testing.T) {
			err := ExtractCacheArchive(ctx, bytes.NewReader(rawArchive(t, entries)), cp, ArchiveOptions{})
			require.ErrorIs(t, err, ErrUnsafeArchive)
			_, err = os.Stat(filepath.Join(root, "evil"))
			assert.True(t, os.IsNotExist(err))
			_, err = os.Stat(filepath.Join(root, "home/.bashrc"))
			assert.True(t, os.IsNotExist(err))
			assertNoLinkLeaves(t, ws)
		})
	}
	// A glob cache path opens the workspace only to what it matches.
	glob := CachePaths{Paths: []string{"**/node_modules", "!**/node_modules/.cache"}, Workspace: ws}
	for _, name := range []string{".git/hooks/pre-commit", "src/settings.py", "nodemodules/x"} {
		err := ExtractCacheArchive(ctx, bytes.NewReader(rawArchive(t, []tarEntry{{name: name, body: "x", typ: tar.TypeReg}})), glob, ArchiveOptions{})
		require.ErrorIs(t, err, ErrUnsafeArchive, name)
		_, err = os.Stat(filepath.Join(ws, name))
		assert.True(t, os.IsNotExist(err), name)
	}
	require.NoError(t, ExtractCacheArchive(ctx, bytes.NewReader(rawArchive(t, []tarEntry{
		{name: "web/", typ: tar.TypeDir}, {name: "web/node_modules/a/index.js", body: "a", typ: tar.TypeReg},
		// Excluded items only drop out when matched themselves: tar archives
		// a matched node_modules whole, so its .cache is restorable.
		{name: "node_modules/.cache/x", body: "x", typ: tar.TypeReg},
	})), glob, ArchiveOptions{}))

	// A cache path that matches nothing cannot be saved.
	_, err := WriteCacheArchive(ctx, &bytes.Buffer{}, CachePaths{Paths: []string{"nothing/here"}, Workspace: ws}, ArchiveOptions{})
	require.ErrorIs(t, err, ErrNoCachePaths)
}

// FuzzExtractCacheArchive is FuzzExtractArchive for cache paths, where
// names may lead with "../": nothing may appear outside the two cache
// paths (and the directories leading to them), and every link created
// must resolve inside the workspace or a cache path.
func FuzzExtractCacheArchive(f *testing.F) {
	for _, seed := range [][]tarEntry{
		{{name: ".venv/lib/a.py", body: "a", typ: tar.TypeReg}, {name: "../home/.cache/pip/w", body: "w", typ: tar.TypeReg}},
		{{name: ".venv/d", link: ".", typ: tar.TypeSymlink}, {name: ".venv/d/l", link: "../../outside", typ: tar.TypeSymlink}},
		{{name: "../home/.cache/pip", link: "../../ws", typ: tar.TypeSymlink}, {name: "../evil", body: "x", typ: tar.TypeReg}},
		{{name: ".venv/", typ: tar.TypeDir}, {name: ".venv/h", link: ".venv/lib/a.py", typ: tar.TypeLink}},
	} {
		f.Add(rawTar(f, seed))
		f.Add(rawArchive(f, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		ws, home := filepath.Join(root, "ws"), filepath.Join(root, "home")
		cp := CachePaths{Paths: []string{".venv", "~/.cache/pip"}, Workspace: ws, Home: home}
		_ = ExtractCacheArchive(context.Background(), bytes.NewReader(data), cp, ArchiveOptions{MaxSize: 1 << 20, MaxEntries: 1000})
		allowed := []string{filepath.Join(ws, ".venv"), filepath.Join(home, ".cache/pip")}
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || p == root {
				return nil
			}
			inside := false
			for _, a := range allowed {
				if p == a || strings.HasPrefix(p, a+"/") || strings.HasPrefix(a, p+"/") {
					inside = true
				}
			}
			if !inside {
				t.Fatalf("extraction created %s, outside the cache paths", p)
			}
			return nil
		})
		assertNoLinkLeaves(t, ws, allowed...)
		assertNoLinkLeaves(t, home, append(allowed, ws)...)
	})
}

package cache

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type realPaths struct {
	source string
	paths  []string
}

func readRealWorldPaths(t *testing.T) []realPaths {
	f, err := os.Open("testdata/realworld/cache-paths.tsv")
	require.NoError(t, err)
	defer f.Close()
	var out []realPaths
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		src, p, ok := strings.Cut(line, "\t")
		require.True(t, ok, line)
		var paths []string
		for _, x := range strings.Split(p, " | ") {
			paths = append(paths, strings.TrimSpace(x))
		}
		out = append(out, realPaths{src, paths})
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(out), 20)
	return out
}

// realLayout gives every literal path of the inputs some content (a file
// and a nested one) in a workspace and a home beside it, plus node_modules
// at two depths for the globs.
func realLayout(t *testing.T, inputs []realPaths) (ws, home string) {
	root := t.TempDir()
	ws, home = filepath.Join(root, "ws"), filepath.Join(root, "home")
	mk := func(dir string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte(dir), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "g"), []byte("g"), 0o644))
	}
	for _, in := range inputs {
		for _, p := range in.paths {
			p = strings.TrimPrefix(p, "!")
			switch {
			case strings.Contains(p, "*"):
			case strings.HasPrefix(p, "~/"):
				mk(filepath.Join(home, p[2:]))
			default:
				mk(filepath.Join(ws, p))
			}
		}
	}
	mk(filepath.Join(ws, "pkg/a/node_modules/left-pad"))
	return ws, home
}

// TestRealWorldCachePaths runs the path inputs of real workflows (and of
// actions/cache's own examples) through ResolveCachePaths and CacheVersion
// against @actions/cache, and through a save and restore.
func TestRealWorldCachePaths(t *testing.T) {
	inputs := readRealWorldPaths(t)
	ws, home := realLayout(t, inputs)
	ctx := context.Background()

	// Deploykit alone: every input saves and restores to the same places.
	for _, in := range inputs {
		cp := CachePaths{Paths: in.paths, Workspace: ws, Home: home}
		var arch bytes.Buffer
		names, err := WriteCacheArchive(ctx, &arch, cp, ArchiveOptions{})
		require.NoError(t, err, in.source)
		dst := t.TempDir()
		cp2 := CachePaths{Paths: in.paths, Workspace: filepath.Join(dst, "ws"), Home: filepath.Join(dst, "home")}
		require.NoError(t, ExtractCacheArchive(ctx, bytes.NewReader(arch.Bytes()), cp2, ArchiveOptions{}), in.source)
		for _, n := range names {
			want := snapshot(t, filepath.Dir(ws), filepath.Join("ws", n))
			got := snapshot(t, dst, filepath.Join("ws", n))
			assert.Equal(t, want, got, "%s: %s", in.source, n)
		}
	}

	// Against @actions/cache.
	var cases [][]string
	type vcase struct {
		Paths       []string          `json:"paths"`
		Compression CompressionMethod `json:"compression"`
	}
	var vcases []vcase
	for _, in := range inputs {
		cases = append(cases, in.paths)
		vcases = append(vcases, vcase{in.paths, CompressionZstdWithoutLong}, vcase{in.paths, CompressionGzip})
	}
	var resolved [][]string
	actionsCache(t, map[string]any{"op": "resolves", "cases": cases, "workspace": ws, "home": home}, &resolved)
	var versions []string
	actionsCache(t, map[string]any{"op": "versions", "cases": vcases}, &versions)
	for i, in := range inputs {
		got, err := ResolveCachePaths(ctx, CachePaths{Paths: in.paths, Workspace: ws, Home: home})
		require.NoError(t, err)
		want := resolved[i]
		if want == nil {
			want = []string{}
		}
		if got == nil {
			got = []string{}
		}
		assert.Equal(t, want, got, "resolved paths, %s", in.source)
		assert.Equal(t, versions[2*i], CacheVersion(in.paths, CompressionZstdWithoutLong, false, false), in.source)
		assert.Equal(t, versions[2*i+1], CacheVersion(in.paths, CompressionGzip, false, false), in.source)
	}
}

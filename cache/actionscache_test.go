package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// actionsCache runs testdata/actionscache.mjs, which calls @actions/cache's
// own functions (getCacheVersion, resolvePaths, createTar, extractTar; the
// last two run GNU tar and zstd exactly as a runner does).
func actionsCache(t *testing.T, req map[string]any, out any) {
	t.Helper()
	mods := testenv.ActionsCache(t)
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Unavailable(t, "node is not installed")
	}
	dir := t.TempDir()
	reqPath, resPath := filepath.Join(dir, "req.json"), filepath.Join(dir, "res.json")
	b, err := json.Marshal(req)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(reqPath, b, 0o644))
	script, err := filepath.Abs("testdata/actionscache.mjs")
	require.NoError(t, err)
	cmd := exec.Command(node, script, mods, reqPath, resPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	res, err := os.ReadFile(resPath)
	require.NoError(t, err, stderr.String())
	var r struct {
		OK    json.RawMessage `json:"ok"`
		Error string          `json:"error"`
	}
	require.NoError(t, json.Unmarshal(res, &r))
	require.Empty(t, r.Error, "@actions/cache failed")
	if out != nil {
		require.NoError(t, json.Unmarshal(r.OK, out))
	}
}

func TestCacheVersionMatchesActionsCache(t *testing.T) {
	type vcase struct {
		Paths       []string          `json:"paths"`
		Compression CompressionMethod `json:"compression"`
		Cross       bool              `json:"enableCrossOsArchive"`
	}
	var cases []vcase
	for _, paths := range [][]string{
		{"~/.cache/pypoetry", ".venv"},
		{".venv", "~/.cache/pypoetry"},
		{"staticfiles/"},
		{"**/node_modules", "!**/node_modules/.cache"},
		{"/opt/hostedtoolcache/Python", "path with spaces", "ünïcødé|pipe"},
		{""},
		{},
	} {
		for _, c := range []CompressionMethod{"", CompressionGzip, CompressionZstdWithoutLong, CompressionZstd} {
			for _, cross := range []bool{false, true} {
				cases = append(cases, vcase{paths, c, cross})
			}
		}
	}
	var want []string
	actionsCache(t, map[string]any{"op": "versions", "cases": cases}, &want)
	require.Len(t, want, len(cases))
	for i, c := range cases {
		assert.Equal(t, want[i], CacheVersion(c.Paths, c.Compression, false, c.Cross), "%+v", c)
	}
}

func TestActionsCacheCompressionMethod(t *testing.T) {
	// @actions/cache 6 never uses --long: with zstd installed the method
	// (and so the version) is zstd-without-long, our default.
	var m CompressionMethod
	actionsCache(t, map[string]any{"op": "compression"}, &m)
	assert.Equal(t, CompressionZstdWithoutLong, m)
	assert.Equal(t, m, ArchiveOptions{}.compression())
}

// seedLayout builds a workspace and a home beside it (so "~" paths are
// outside the workspace and stored with "../") holding what the seed
// caches: Poetry's cache and the project's .venv, plus globbing material.
func seedLayout(t *testing.T) (ws, home string) {
	root := t.TempDir()
	ws, home = filepath.Join(root, "ws"), filepath.Join(root, "home")
	files := map[string]string{
		"home/.cache/pypoetry/cache/repositories/pypi/_http/a":     "http",
		"home/.cache/pypoetry/artifacts/x/django-5.0.whl":          "whl",
		"home/.cache/pip/wheels/w":                                 "pip",
		"ws/.venv/pyvenv.cfg":                                      "home = /usr/bin",
		"ws/.venv/lib/python3.12/site-packages/django/__init__.py": "django",
		"ws/.venv/lib64":                                           "->lib",
		"ws/.venv/bin/python":                                      "->python3.12",
		"ws/.venv/bin/python3.12":                                  "elf",
		"ws/.venv/bin/dangling":                                    "->nowhere",
		"ws/staticfiles/app.css":                                   "css",
		"ws/staticfiles/app.css.map":                               "map",
		"ws/staticfiles/img/logo.svg":                              "svg",
		"ws/web/node_modules/a/index.js":                           "a",
		"ws/web/node_modules/a/node_modules/b/index.js":            "b",
		"ws/api/node_modules/c/index.js":                           "c",
		"ws/poetry.lock":                                           "lock",
		"ws/linked-static":                                         "->staticfiles",
		"ws/empty/":                                                "",
	}
	for p, c := range files {
		full := filepath.Join(root, p)
		if c == "" && p[len(p)-1] == '/' {
			require.NoError(t, os.MkdirAll(full, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if len(c) > 2 && c[:2] == "->" {
			require.NoError(t, os.Symlink(c[2:], full))
			continue
		}
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	require.NoError(t, os.Chmod(filepath.Join(ws, ".venv/bin/python3.12"), 0o755))
	return ws, home
}

var cachePathCases = [][]string{
	{"~/.cache/pypoetry", ".venv"}, // the seed's
	{"staticfiles/"},
	{"**/node_modules"},
	{"staticfiles/**", "!staticfiles/**/*.map"},
	{"staticfiles/*.css*", "!staticfiles/*.map"},
	{"~/.cache/*", "!~/.cache/pip"},
	{"linked-static"},
	{"poetry.lock", "missing/dir"},
	{".venv/bin/*"},
	{"empty", "~"},
}

func TestResolveCachePathsMatchesActionsCache(t *testing.T) {
	ws, home := seedLayout(t)
	for _, paths := range cachePathCases {
		t.Run(fmt.Sprint(paths), func(t *testing.T) {
			var want []string
			actionsCache(t, map[string]any{"op": "resolve", "paths": paths, "workspace": ws, "home": home}, &want)
			got, err := ResolveCachePaths(context.Background(), CachePaths{Paths: paths, Workspace: ws, Home: home})
			require.NoError(t, err)
			if want == nil {
				want = []string{}
			}
			if got == nil {
				got = []string{}
			}
			assert.Equal(t, want, got)
		})
	}
}

// snapshot lists everything under the given roots: type, mode, content or
// link text, keyed by path relative to parent.
func snapshot(t *testing.T, parent string, roots ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range roots {
		_ = filepath.WalkDir(filepath.Join(parent, r), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(parent, p)
			info, err := d.Info()
			require.NoError(t, err)
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				l, _ := os.Readlink(p)
				out[rel] = "link:" + l
			case d.IsDir():
				out[rel] = "dir"
			default:
				b, _ := os.ReadFile(p)
				out[rel] = fmt.Sprintf("file %v:%s", info.Mode().Perm(), b)
			}
			return nil
		})
	}
	return out
}

func TestArchivesRoundTripWithActionsCache(t *testing.T) {
	ctx := context.Background()
	// Not CompressionZstd: @actions/cache 6.3.0 never picks it, and on
	// Linux its tar command line for it fails (the unquoted
	// "zstdmt --long=30" reaches tar as two arguments: exit 64).
	for _, comp := range []CompressionMethod{CompressionZstdWithoutLong, CompressionGzip} {
		for _, paths := range cachePathCases {
			if paths[len(paths)-1] == "~" {
				continue // the whole home: the test's own tree, not a cache
			}
			t.Run(fmt.Sprint(comp, paths), func(t *testing.T) {
				ws, home := seedLayout(t)
				src := filepath.Dir(ws)

				// deploykit saves, actions/cache restores.
				var arch bytes.Buffer
				_, err := WriteCacheArchive(ctx, &arch, CachePaths{Paths: paths, Workspace: ws, Home: home}, ArchiveOptions{Compression: comp})
				if err != nil {
					require.ErrorIs(t, err, ErrNoCachePaths)
					return
				}
				dst1 := t.TempDir()
				archive := filepath.Join(t.TempDir(), "cache.tzst")
				require.NoError(t, os.WriteFile(archive, arch.Bytes(), 0o644))
				actionsCache(t, map[string]any{"op": "extract", "archive": archive, "compression": comp,
					"workspace": filepath.Join(dst1, "ws"), "home": filepath.Join(dst1, "home")}, nil)

				// actions/cache saves, deploykit restores.
				var made struct {
					Files   []string
					Archive string
				}
				actionsCache(t, map[string]any{"op": "create", "paths": paths, "compression": comp,
					"archiveFolder": t.TempDir(), "workspace": ws, "home": home}, &made)
				dst2 := t.TempDir()
				f, err := os.Open(made.Archive)
				require.NoError(t, err)
				defer f.Close()
				require.NoError(t, ExtractCacheArchive(ctx, f, CachePaths{Paths: paths,
					Workspace: filepath.Join(dst2, "ws"), Home: filepath.Join(dst2, "home")}, ArchiveOptions{}))

				got1 := snapshot(t, dst1, "ws", "home")
				got2 := snapshot(t, dst2, "ws", "home")
				assert.Equal(t, got2, got1, "both tools restore the same tree")
				// And it is the source's content at those paths.
				full := snapshot(t, src, "ws", "home")
				for p, v := range got2 {
					if v != "dir" {
						assert.Equal(t, full[p], v, p)
					}
				}
				assert.NotEmpty(t, got2)
			})
		}
	}
}

func TestExtractLongWindowZstd(t *testing.T) {
	// Archives from older actions/cache (and the "zstd --long=30")
	// declare a 1 GiB window; the extractor reads them.
	zstdBin, err := exec.LookPath("zstd")
	if err != nil {
		testenv.Unavailable(t, "zstd is not installed (apt-get install zstd)")
	}
	tarData := rawTar(t, []tarEntry{{name: "a/b", body: "long window", typ: '0'}})
	cmd := exec.Command(zstdBin, "-q", "-c", "--long=30", "-T0")
	cmd.Stdin = bytes.NewReader(tarData)
	out, err := cmd.Output()
	require.NoError(t, err)
	dst := t.TempDir()
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(out), dst, ArchiveOptions{}))
	b, err := os.ReadFile(filepath.Join(dst, "a/b"))
	require.NoError(t, err)
	assert.Equal(t, "long window", string(b))
}

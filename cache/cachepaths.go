package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// CachePaths is the path input of actions/cache: what to save and where
// to restore it. The zero Workspace is the current directory; the zero
// Home is the user's home directory.
type CachePaths struct {
	// Paths are the lines of the path input as written (see
	// ParseMultiline): relative to the workspace, absolute, starting with
	// "~", glob patterns, and exclusions starting with "!".
	Paths []string
	// Workspace is GITHUB_WORKSPACE: where relative paths start and what
	// archive entry names are relative to (outside it, with "../").
	Workspace string
	// Home replaces a leading "~". Empty: the user's home directory.
	Home string
	// EnableCrossOSArchive is actions/cache's enableCrossOsArchive input;
	// it only changes the version on Windows.
	EnableCrossOSArchive bool
}

// Version is the cache version actions/cache sends for these paths when it
// compresses with compression (see CacheVersion).
func (cp CachePaths) Version(compression CompressionMethod) string {
	return CacheVersion(cp.Paths, compression, runtime.GOOS == "windows", cp.EnableCrossOSArchive)
}

func (cp CachePaths) resolve() (ws, home string, lines []string, err error) {
	dir := cp.Workspace
	if dir == "" {
		dir = "."
	}
	if ws, err = resolveWorkspace(dir); err != nil {
		return "", "", nil, fmt.Errorf("cache paths: workspace: %w", err)
	}
	home = cp.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		home = "/"
	}
	for _, p := range cp.Paths {
		if p = strings.TrimSpace(p); p != "" {
			lines = append(lines, p)
		}
	}
	if len(lines) == 0 {
		return "", "", nil, errors.New("cache paths: no path given")
	}
	return ws, home, lines, nil
}

// ResolveCachePaths returns what actions/cache archives for cp, in its
// order: the files and directories its glob (@actions/glob without
// implicit descendants, following symbolic links) matches, relative to the
// workspace with '/' separators ("." for the workspace itself, "../" for
// paths outside it). An exclusion removes matched items only: a directory
// that is matched is archived whole, as tar recurses into it.
func ResolveCachePaths(ctx context.Context, cp CachePaths) ([]string, error) {
	ws, home, lines, err := cp.resolve()
	if err != nil {
		return nil, err
	}
	abs, err := globCachePaths(ctx, ws, home, lines)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(abs))
	for _, a := range abs {
		out = append(out, relToWorkspace(ws, a))
	}
	return out, nil
}

func relToWorkspace(ws, abs string) string {
	rel, err := filepath.Rel(ws, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// globCachePaths is @actions/glob's globGenerator with implicitDescendants
// false, followSymbolicLinks and matchDirectories true: search paths in
// order, depth first, children in byte order; a matched directory is
// yielded and still descended; broken links are omitted; a directory whose
// real path is an ancestor's is skipped.
func globCachePaths(ctx context.Context, ws, home string, lines []string) ([]string, error) {
	set, err := compilePatternsWith(strings.Join(lines, "\n"), ws, home, false)
	if err != nil {
		return nil, fmt.Errorf("cache paths: %w", err)
	}
	var out []string
	var buf []uint16
	var chain []string
	var walk func(p string, level int) error
	walk = func(p string, level int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		segs := splitSlashes(p)
		isRoot := p == "/"
		if isRoot {
			segs = []string{"", ""}
		}
		m := set.match(segs, isRoot, &buf)
		if m == matchNone && !set.partialMatch(segs, isRoot, &buf) {
			return nil
		}
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a broken symbolic link is omitted
			}
			return fmt.Errorf("cache paths: %w", err)
		}
		if !st.IsDir() {
			if m&matchFile != 0 {
				out = append(out, p)
			}
			return nil
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("cache paths: %w", err)
		}
		if len(chain) > level-1 {
			chain = chain[:level-1]
		}
		if slices.Contains(chain, real) {
			return nil // symbolic link cycle
		}
		chain = append(chain, real)
		if m&matchDirectory != 0 {
			out = append(out, p)
		}
		names, err := readDirNames(p)
		if err != nil {
			return fmt.Errorf("cache paths: %w", err)
		}
		for _, n := range names {
			if err := walk(filepath.Join(p, n), level+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, sp := range set.searchPaths() {
		if _, err := os.Lstat(sp); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("cache paths: %w", err)
		}
		chain = chain[:0]
		if err := walk(sp, 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

// restoreRegions are the directories (or files) an archive for cp may
// write: the literal prefix of every path that is not an exclusion; within
// them, only what the compiled set matches (or lies beneath a match).
func restoreRegions(ws, home string, lines []string) ([]string, *patternSet, error) {
	set, err := compilePatternsWith(strings.Join(lines, "\n"), ws, home, false)
	if err != nil {
		return nil, nil, fmt.Errorf("cache paths: %w", err)
	}
	var out []string
	for _, p := range set.patterns {
		if r := filepath.Clean(p.searchPath); !p.negate && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, set, nil
}

// WriteCacheArchive writes the archive actions/cache would save for cp:
// the paths ResolveCachePaths returns, each recursively, links not
// followed, names relative to the workspace ("../" outside it), in GNU
// tar's posix format, compressed with opts.Compression (zstd by default).
// It returns the resolved paths; none matched is an error, as in
// actions/cache.
func WriteCacheArchive(ctx context.Context, w io.Writer, cp CachePaths, opts ArchiveOptions) ([]string, error) {
	ws, home, lines, err := cp.resolve()
	if err != nil {
		return nil, err
	}
	abs, err := globCachePaths(ctx, ws, home, lines)
	if err != nil {
		return nil, err
	}
	if len(abs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoCachePaths, strings.Join(lines, ", "))
	}
	aw, err := newArchiveWriter(ctx, w, opts)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(abs))
	for _, a := range abs {
		name := relToWorkspace(ws, a)
		names = append(names, name)
		if err := aw.addTree(a, name); err != nil {
			aw.comp.Close()
			return nil, fmt.Errorf("archive %s: %w", name, err)
		}
	}
	return names, aw.close()
}

// ErrNoCachePaths is returned when the cache paths match nothing
// (actions/cache then saves nothing and warns).
var ErrNoCachePaths = errors.New("no file or directory matched the cache paths")

// ExtractCacheArchive restores an archive saved for cp (by
// WriteCacheArchive or by actions/cache) to the same places: entry names
// are relative to the workspace, "../" leading outside it. Only what the
// save could have archived may be written: an item the cache paths match,
// or anything beneath one (for "**/node_modules" any node_modules
// directory, but not src/settings.py or .git/hooks); an entry elsewhere is
// refused with ErrUnsafeArchive, as are all the entries ExtractArchive
// refuses.
func ExtractCacheArchive(ctx context.Context, r io.Reader, cp CachePaths, opts ArchiveOptions) error {
	if cp.Workspace != "" {
		if err := os.MkdirAll(cp.Workspace, 0o755); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
	}
	ws, home, lines, err := cp.resolve()
	if err != nil {
		return err
	}
	regions, set, err := restoreRegions(ws, home, lines)
	if err != nil {
		return err
	}
	return extractInto(ctx, r, ws, regions, set, opts)
}

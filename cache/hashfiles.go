package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

// FollowSymbolicLinksOption is the only option hashFiles accepts, and only
// as its first argument (compared case-insensitively).
const FollowSymbolicLinksOption = "--follow-symbolic-links"

// MaxHashFilesArgs is the most arguments a hashFiles call may have.
const MaxHashFilesArgs = 255

// ErrRunnerFailure matches (with errors.Is) every error for which the
// GitHub runner's hashFiles would fail the step: invalid arguments or
// patterns, a matched dangling symbolic link, unreadable files or
// directories.
var ErrRunnerFailure = errors.New("hashFiles would fail on the runner")

// HashFilesError describes a failure the runner would also fail on.
type HashFilesError struct {
	// Op is what failed: "args", "pattern", "lstat", "stat", "readdir",
	// "realpath", "read".
	Op string
	// Path is the file or directory involved, if any.
	Path string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *HashFilesError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("hashFiles: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("hashFiles: %s %s: %v", e.Op, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *HashFilesError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrRunnerFailure) true.
func (e *HashFilesError) Is(target error) bool { return target == ErrRunnerFailure }

// HashOptions configures HashFiles. The zero value hashes like the runner
// with one worker per CPU and no stat cache.
type HashOptions struct {
	// FollowSymbolicLinks is the same as passing
	// "--follow-symbolic-links" as the first argument.
	FollowSymbolicLinks bool
	// HomeDir replaces a leading "~" in patterns. Empty: the user's home
	// directory.
	HomeDir string
	// Workers is how many files are hashed at once. Zero: GOMAXPROCS.
	// The result never depends on it.
	Workers int
	// StatCache, when set, remembers file digests by inode and timestamps
	// so unchanged files are not read again. Nil: every file is read.
	StatCache *StatCache
	// Progress, when set, is called about four times a second while the
	// call runs, and once at the end.
	Progress func(HashProgress)
	// Logger receives debug records. Nil: discard.
	Logger *slog.Logger
}

// HashProgress is a snapshot of a running HashFiles call.
type HashProgress struct {
	// Elapsed is the time since the call started.
	Elapsed time.Duration
	// Visited counts directory entries examined.
	Visited int64
	// Matched counts files found so far.
	Matched int64
	// Hashed counts files whose digest is known.
	Hashed int64
	// BytesRead counts file content read (not served by the stat cache).
	BytesRead int64
	// Done is true on the final call.
	Done bool
}

// HashResult is the detailed outcome of HashFilesDetailed.
type HashResult struct {
	// Hash is what hashFiles returns: lowercase hex, or "" when no file
	// matched.
	Hash string
	// Files are the hashed files (absolute paths), in hash order.
	Files []string
	// CacheHits counts files whose digest came from the stat cache.
	CacheHits int
	// BytesRead counts file content read.
	BytesRead int64
}

// ParseHashFilesArgs applies the runner's argument rules: 1 to 255
// arguments, of which only the first may be an option, and only
// "--follow-symbolic-links" (any case). It returns the patterns joined
// with newlines, the way the runner hands them to its glob.
func ParseHashFilesArgs(args []string) (patterns string, follow bool, err error) {
	if len(args) == 0 || len(args) > MaxHashFilesArgs {
		return "", false, &HashFilesError{Op: "args", Err: fmt.Errorf("hashFiles takes 1 to %d arguments, got %d", MaxHashFilesArgs, len(args))}
	}
	if strings.HasPrefix(args[0], "--") {
		if !strings.EqualFold(args[0], FollowSymbolicLinksOption) {
			return "", false, &HashFilesError{Op: "args", Err: fmt.Errorf("invalid glob option %s, available option: '%s'", args[0], FollowSymbolicLinksOption)}
		}
		follow = true
		args = args[1:]
	}
	return strings.Join(args, "\n"), follow, nil
}

// HashFiles computes exactly what the GitHub Actions expression
// hashFiles(args...) evaluates to when the workspace is dir, on a Linux or
// macOS runner: the lowercase hex sha256 over the sha256 digests of the
// matched files in the runner's walk order, or "" when nothing matched.
// Errors the runner would fail on match ErrRunnerFailure.
func HashFiles(ctx context.Context, dir string, args []string, opts HashOptions) (string, error) {
	r, err := HashFilesDetailed(ctx, dir, args, opts)
	if err != nil {
		return "", err
	}
	return r.Hash, nil
}

// HashFilesDetailed is HashFiles returning the file list and statistics.
func HashFilesDetailed(ctx context.Context, dir string, args []string, opts HashOptions) (*HashResult, error) {
	text, follow, err := ParseHashFilesArgs(args)
	if err != nil {
		return nil, err
	}
	return hashPatterns(ctx, dir, text, follow || opts.FollowSymbolicLinks, opts)
}

// resolveWorkspace mirrors process.cwd(): absolute and physical.
func resolveWorkspace(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("workspace %s is not a directory", dir)
	}
	return real, nil
}

type fileJob struct {
	idx    int
	path   string
	digest [32]byte
	skip   bool // a directory reached through a symlink: not hashed
}

type hashRun struct {
	ctx     context.Context
	set     *patternSet
	follow  bool
	wsSlash string
	chain   []string
	buf     []uint16
	pf      *prefetcher
	jobs    chan *fileJob
	files   []*fileJob
	cache   *StatCache
	log     *slog.Logger

	visited, matched, hashed, bytesRead, cacheHits atomic.Int64

	errMu  sync.Mutex
	errIdx int
	err    error
	cancel context.CancelFunc
}

func (h *hashRun) fail(idx int, err error) {
	h.errMu.Lock()
	if h.err == nil || idx < h.errIdx {
		h.err, h.errIdx = err, idx
	}
	h.errMu.Unlock()
	h.cancel()
}

func hashPatterns(ctx context.Context, dir, text string, follow bool, opts HashOptions) (*HashResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ws, err := resolveWorkspace(dir)
	if err != nil {
		return nil, fmt.Errorf("hashFiles workspace: %w", err)
	}
	home := opts.HomeDir
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		home = "/"
	}
	text, _ = lossyString(text)
	set, err := compilePatterns(text, ws, home)
	if err != nil {
		return nil, &HashFilesError{Op: "pattern", Err: err}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := &hashRun{
		ctx: runCtx, set: set, follow: follow, wsSlash: ws + "/",
		jobs: make(chan *fileJob, 4096), cache: opts.StatCache, log: log, cancel: cancel,
	}
	start := time.Now()
	progressDone := make(chan struct{})
	var progressWG sync.WaitGroup
	snapshot := func(done bool) HashProgress {
		return HashProgress{Elapsed: time.Since(start), Visited: h.visited.Load(), Matched: h.matched.Load(),
			Hashed: h.hashed.Load(), BytesRead: h.bytesRead.Load(), Done: done}
	}
	if opts.Progress != nil {
		progressWG.Add(1)
		go func() {
			defer progressWG.Done()
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-progressDone:
					return
				case <-t.C:
					opts.Progress(snapshot(false))
				}
			}
		}()
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for j := range h.jobs {
				if h.ctx.Err() != nil {
					continue
				}
				h.hashFile(j, buf)
			}
		}()
	}

	h.pf = newPrefetcher(runCtx, set, opts.StatCache, workers)
	for _, sp := range set.searchPaths() {
		if h.ctx.Err() != nil {
			break
		}
		if _, err := os.Lstat(sp); err != nil {
			if errors.Is(err, fs.ErrNotExist) && isENOENT(err) {
				continue
			}
			h.fail(len(h.files), &HashFilesError{Op: "lstat", Path: sp, Err: err})
			break
		}
		h.chain = h.chain[:0]
		if err := h.walk(sp, splitSlashes(sp), 1, fs.ModeIrregular, "", ""); err != nil {
			h.fail(len(h.files), err)
			break
		}
	}
	h.pf.close()
	close(h.jobs)
	wg.Wait()
	if opts.Progress != nil {
		close(progressDone)
		progressWG.Wait()
	}
	if h.err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, h.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &HashResult{CacheHits: int(h.cacheHits.Load()), BytesRead: h.bytesRead.Load()}
	total := sha256.New()
	for _, j := range h.files {
		if j.skip {
			continue
		}
		total.Write(j.digest[:])
		res.Files = append(res.Files, j.path)
	}
	if len(res.Files) > 0 {
		res.Hash = hex.EncodeToString(total.Sum(nil))
	}
	if opts.Progress != nil {
		opts.Progress(snapshot(true))
	}
	log.Debug("hashFiles", "workspace", ws, "files", len(res.Files), "cache_hits", res.CacheHits,
		"bytes_read", res.BytesRead, "elapsed", time.Since(start))
	return res, nil
}

func isENOENT(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && errno == syscall.ENOENT
}

// walk visits one item like @actions/glob's globGenerator loop body, then
// its children in byte order (depth-first, pre-order). typ is the entry
// type from the parent's directory listing (fs.ModeIrregular when
// unknown); realParent is the parent's real path in follow mode.
func (h *hashRun) walk(raw string, segs []string, level int, typ fs.FileMode, name, realParent string) error {
	h.visited.Add(1)
	isRoot := raw == "/"
	matchSegs := segs
	if isRoot {
		matchSegs = []string{"", ""}
	}
	lossy := false
	if name != "" {
		if dec, ok := lossyString(name); !ok {
			lossy = true
			matchSegs = append(segs[:len(segs)-1:len(segs)-1], dec)
		}
	}
	m := h.set.match(matchSegs, isRoot, &h.buf)
	if m == matchNone && !h.set.partialMatch(matchSegs, isRoot, &h.buf) {
		return nil
	}
	// Node would use the lossily decoded name, which does not exist.
	if lossy {
		if h.follow {
			return nil
		}
		return &HashFilesError{Op: "lstat", Path: raw, Err: syscall.ENOENT}
	}
	isDir := false
	isLink := typ&fs.ModeSymlink != 0
	known := typ != fs.ModeIrregular
	if !known {
		st, err := os.Lstat(raw)
		if err != nil {
			if h.follow && isENOENT(err) {
				return nil
			}
			return &HashFilesError{Op: "lstat", Path: raw, Err: err}
		}
		typ = st.Mode().Type()
		isLink = typ&fs.ModeSymlink != 0
	}
	isDir = typ.IsDir()
	if h.follow && isLink {
		st, err := os.Stat(raw)
		if err != nil {
			if isENOENT(err) {
				return nil // omitted broken symbolic link
			}
			return &HashFilesError{Op: "stat", Path: raw, Err: err}
		}
		isDir = st.IsDir()
	}
	var real string
	if isDir && h.follow {
		if realParent != "" && !isLink {
			real = realParent + "/" + name
			if realParent == "/" {
				real = "/" + name
			}
		} else {
			r, err := filepath.EvalSymlinks(raw)
			if err != nil {
				return &HashFilesError{Op: "realpath", Path: raw, Err: err}
			}
			real = r
		}
		if len(h.chain) > level-1 {
			h.chain = h.chain[:level-1]
		}
		for _, a := range h.chain {
			if a == real {
				return nil // symbolic link cycle
			}
		}
		h.chain = append(h.chain, real)
	}
	if isDir {
		if err := h.ctx.Err(); err != nil {
			return err
		}
		entries, err := h.pf.list(raw, segs, &h.buf)
		if err != nil {
			return &HashFilesError{Op: "readdir", Path: raw, Err: err}
		}
		clean := isCleanAbs(raw)
		// One segment slice per directory, its last element set per entry
		// (nothing keeps it beyond the entry's own walk).
		var shared []string
		if clean {
			if isRoot {
				shared = []string{"", ""}
			} else {
				shared = make([]string, len(segs)+1)
				copy(shared, segs)
			}
		}
		for _, e := range entries {
			if clean {
				shared[len(shared)-1] = e.name
				// A regular file the patterns do not select needs no
				// stat and no path: skip it here (what walk would do).
				if e.typ == 0 && utf8.ValidString(e.name) {
					if h.set.match(shared, false, &h.buf)&matchFile == 0 {
						h.visited.Add(1)
						continue
					}
				}
				child := raw + "/" + e.name
				if isRoot {
					child = "/" + e.name
				}
				if err := h.walk(child, shared, level+1, e.typ, e.name, real); err != nil {
					return err
				}
				continue
			}
			child := filepath.Join(raw, e.name)
			if err := h.walk(child, splitSlashes(child), level+1, e.typ, e.name, real); err != nil {
				return err
			}
		}
		return nil
	}
	if m&matchFile == 0 {
		return nil
	}
	if !strings.HasPrefix(raw, h.wsSlash) {
		h.log.Debug("hashFiles: ignoring file outside the workspace", "path", raw)
		return nil
	}
	j := &fileJob{idx: len(h.files), path: raw}
	h.files = append(h.files, j)
	h.matched.Add(1)
	select {
	case h.jobs <- j:
	case <-h.ctx.Done():
		return h.ctx.Err()
	}
	return nil
}

// isCleanAbs reports whether Node's path.join(p, name) is p + "/" + name.
func isCleanAbs(p string) bool {
	return p == "/" || (filepath.Clean(p) == p)
}

type dirEntry struct {
	name string
	typ  fs.FileMode
}

// hashFile does what hashFiles does with each yielded path: stat
// (following links; a directory is skipped), then sha256 of the content.
func (h *hashRun) hashFile(j *fileJob, buf []byte) {
	defer func() { h.hashed.Add(1) }()
	st, err := os.Stat(j.path)
	if err != nil {
		h.fail(j.idx, &HashFilesError{Op: "stat", Path: j.path, Err: err})
		return
	}
	if st.IsDir() {
		j.skip = true
		return
	}
	if !st.Mode().IsRegular() && st.Mode()&fs.ModeCharDevice == 0 {
		h.fail(j.idx, &HashFilesError{Op: "read", Path: j.path, Err: fmt.Errorf("not a regular file (%s)", st.Mode().Type())})
		return
	}
	if h.cache != nil {
		if d, ok := h.cache.lookup(st); ok {
			j.digest = d
			h.cacheHits.Add(1)
			return
		}
	}
	f, err := os.Open(j.path)
	if err != nil {
		h.fail(j.idx, &HashFilesError{Op: "read", Path: j.path, Err: err})
		return
	}
	defer f.Close()
	sum := sha256.New()
	// A plain read loop: io.CopyBuffer would defer to (*os.File).WriteTo,
	// which allocates its own buffer per file.
	var n int64
	for {
		k, rerr := f.Read(buf)
		sum.Write(buf[:k])
		n += int64(k)
		if rerr == io.EOF {
			err = nil
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	h.bytesRead.Add(n)
	if err != nil {
		h.fail(j.idx, &HashFilesError{Op: "read", Path: j.path, Err: err})
		return
	}
	copy(j.digest[:], sum.Sum(nil))
	if h.cache != nil {
		// Re-check the file did not change while it was read.
		if st2, err := f.Stat(); err == nil {
			h.cache.store(st2, j.digest)
		}
	}
}

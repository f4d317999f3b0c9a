package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"
)

// stamp identifies one version of a file's content without reading it.
type stamp struct {
	dev, ino           uint64
	size, mtime, ctime int64
}

type statEntry struct {
	stamp
	written int64 // when the digest was computed (Unix ns)
	digest  [32]byte
}

type inodeKey struct{ dev, ino uint64 }

// dirCacheEntry remembers a directory listing (names and entry types).
type dirCacheEntry struct {
	stamp
	written int64
	entries []dirEntry
}

// StatCacheOptions configures OpenStatCache. The zero value stores the
// cache under the user cache directory with Git's racy-timestamp guard of
// two seconds.
type StatCacheOptions struct {
	// Dir holds the cache file. Empty: <os.UserCacheDir>/deploykit/hashfiles.
	Dir string
	// RacyWindow: a digest is only remembered when the file's mtime and
	// ctime are at least this much older than the moment it was read, so
	// a change within one timestamp tick is never missed. Zero: 2s.
	RacyWindow time.Duration
	// MaxEntries caps the file; the oldest entries go first. Zero: 2,000,000.
	MaxEntries int
	// Logger receives a warning when the cache file is corrupt. Nil: discard.
	Logger *slog.Logger
}

// StatCache maps (device, inode, size, mtime ns, ctime ns) to the sha256
// of a file's content so HashFiles can skip reading unchanged files. It is
// safe for concurrent use by goroutines; several processes may share the
// directory (saves merge under a lock and replace the file atomically). A
// corrupt or truncated file is ignored and rebuilt.
//
// The file is mapped into memory once (mmap on Linux and macOS) and
// searched in place: opening it costs a checksum pass, not a parse, and a
// lookup is a binary search over its sorted records. Entries learnt in
// this process live beside it until Save.
type StatCache struct {
	path  string
	racy  int64
	max   int
	log   *slog.Logger
	mu    sync.RWMutex
	disk  *statFile // the mapped file; nil when there is none
	hold  *mappingHolder
	m     map[inodeKey]statEntry
	dirs  map[inodeKey]dirCacheEntry
	dirty bool
}

// mappingHolder owns the current mapping so a cleanup can release it when
// the StatCache is collected without Close.
type mappingHolder struct{ f *statFile }

const statCacheMagic = "DKSTATC3"

// DefaultStatCacheDir returns where the stat cache lives by default.
func DefaultStatCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("stat cache: %w", err)
	}
	return filepath.Join(d, "deploykit", "hashfiles"), nil
}

// OpenStatCache loads (or starts) the stat cache.
func OpenStatCache(opts StatCacheOptions) (*StatCache, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultStatCacheDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("stat cache: %w", err)
	}
	c := &StatCache{
		path: filepath.Join(dir, "statcache.bin"),
		racy: int64(opts.RacyWindow),
		max:  opts.MaxEntries,
		log:  opts.Logger,
		m:    map[inodeKey]statEntry{},
		dirs: map[inodeKey]dirCacheEntry{},
	}
	if c.racy == 0 {
		c.racy = int64(2 * time.Second)
	}
	if c.max <= 0 {
		c.max = 2_000_000
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	f, err := openStatFile(c.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("stat cache unreadable, starting empty", "path", c.path, "err", err)
	}
	c.disk = f
	c.hold = &mappingHolder{f: f}
	runtime.AddCleanup(c, func(h *mappingHolder) { h.f.close() }, c.hold)
	return c, nil
}

// Len returns the number of remembered files.
func (c *StatCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.disk.fileCount()
	for k := range c.m {
		if _, ok := c.disk.file(k); !ok {
			n++
		}
	}
	return n
}

func (c *StatCache) lookup(fi fs.FileInfo) ([32]byte, bool) {
	s, ok := fileStamp(fi)
	if !ok {
		return [32]byte{}, false
	}
	k := inodeKey{s.dev, s.ino}
	c.mu.RLock()
	e, ok := c.m[k]
	if !ok {
		e, ok = c.disk.file(k)
	}
	c.mu.RUnlock()
	if !ok || e.stamp != s {
		return [32]byte{}, false
	}
	// Racy entry: the file may have changed within the same tick as the
	// read that produced the digest.
	if c.racyAt(s, e.written) {
		return [32]byte{}, false
	}
	return e.digest, true
}

func (c *StatCache) store(fi fs.FileInfo, d [32]byte) {
	s, ok := fileStamp(fi)
	if !ok {
		return
	}
	now := time.Now().UnixNano()
	if c.racyAt(s, now) {
		return // too fresh to trust later
	}
	c.mu.Lock()
	c.m[inodeKey{s.dev, s.ino}] = statEntry{stamp: s, written: now, digest: d}
	c.dirty = true
	c.mu.Unlock()
}

// racy reports whether a stamp is too close to the moment t to be trusted.
func (c *StatCache) racyAt(s stamp, t int64) bool {
	return t-s.mtime < c.racy || t-s.ctime < c.racy
}

// lookupDir returns a remembered listing of the directory described by fi
// (from stat taken before the listing is needed).
func (c *StatCache) lookupDir(fi fs.FileInfo) ([]dirEntry, bool) {
	s, ok := fileStamp(fi)
	if !ok {
		return nil, false
	}
	k := inodeKey{s.dev, s.ino}
	c.mu.RLock()
	d, ok := c.dirs[k]
	if !ok {
		d, ok = c.disk.dir(k, s)
	}
	c.mu.RUnlock()
	if !ok || d.stamp != s || c.racyAt(s, d.written) {
		return nil, false
	}
	return d.entries, true
}

// storeDir remembers a listing read after fi was taken. Any change to the
// directory's entries changes its mtime and ctime.
func (c *StatCache) storeDir(fi fs.FileInfo, entries []dirEntry) {
	s, ok := fileStamp(fi)
	if !ok {
		return
	}
	now := time.Now().UnixNano()
	if c.racyAt(s, now) {
		return
	}
	c.mu.Lock()
	c.dirs[inodeKey{s.dev, s.ino}] = dirCacheEntry{stamp: s, written: now, entries: entries}
	c.dirty = true
	c.mu.Unlock()
}

// Save merges the in-memory entries with the file on disk (another process
// may have saved meanwhile) and atomically replaces it.
func (c *StatCache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	unlock, err := lockFile(c.path + ".lock")
	if err != nil {
		return fmt.Errorf("stat cache lock: %w", err)
	}
	defer unlock()
	// Merge what another process saved meanwhile, what this one mapped and
	// what it learnt; the most recently written record of an inode wins.
	fresh, _ := openStatFile(c.path)
	defer fresh.close()
	files := map[inodeKey]statEntry{}
	dirs := map[inodeKey]dirCacheEntry{}
	for _, src := range []*statFile{fresh, c.disk} {
		src.eachFile(func(e statEntry) {
			k := inodeKey{e.dev, e.ino}
			if old, ok := files[k]; !ok || old.written <= e.written {
				files[k] = e
			}
		})
		src.eachDir(func(d dirCacheEntry) {
			k := inodeKey{d.dev, d.ino}
			if old, ok := dirs[k]; !ok || old.written <= d.written {
				dirs[k] = d
			}
		})
	}
	for k, e := range c.m {
		if old, ok := files[k]; !ok || old.written <= e.written {
			files[k] = e
		}
	}
	for k, d := range c.dirs {
		if old, ok := dirs[k]; !ok || old.written <= d.written {
			dirs[k] = d
		}
	}
	list := make([]statEntry, 0, len(files))
	for _, e := range files {
		list = append(list, e)
	}
	if len(list) > c.max {
		sort.Slice(list, func(i, j int) bool { return list[i].written > list[j].written })
		list = list[:c.max]
	}
	dirList := make([]dirCacheEntry, 0, len(dirs))
	for _, d := range dirs {
		dirList = append(dirList, d)
	}
	if len(dirList) > c.max/8 {
		sort.Slice(dirList, func(i, j int) bool { return dirList[i].written > dirList[j].written })
		dirList = dirList[:c.max/8]
	}
	if err := writeStatCacheFile(c.path, list, dirList); err != nil {
		return err
	}
	// Map the new file; the old mapping goes (lookups hold the read lock
	// and copy what they return).
	f, err := openStatFile(c.path)
	if err != nil {
		return fmt.Errorf("stat cache: re-reading %s: %w", c.path, err)
	}
	c.disk.close()
	c.disk, c.hold.f = f, f
	c.m = map[inodeKey]statEntry{}
	c.dirs = map[inodeKey]dirCacheEntry{}
	c.dirty = false
	return nil
}

// Close saves the cache and releases the mapped file. The cache must not
// be used by HashFiles calls after Close (lookups then simply miss).
func (c *StatCache) Close() error {
	err := c.Save()
	c.mu.Lock()
	c.disk.close()
	c.disk, c.hold.f = nil, nil
	c.mu.Unlock()
	return err
}

func readStamp(r []byte, s *stamp) {
	s.dev = binary.LittleEndian.Uint64(r[0:])
	s.ino = binary.LittleEndian.Uint64(r[8:])
	s.size = int64(binary.LittleEndian.Uint64(r[16:]))
	s.mtime = int64(binary.LittleEndian.Uint64(r[24:]))
	s.ctime = int64(binary.LittleEndian.Uint64(r[32:]))
}

func appendStamp(buf []byte, s stamp) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, s.dev)
	buf = binary.LittleEndian.AppendUint64(buf, s.ino)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(s.size))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(s.mtime))
	return binary.LittleEndian.AppendUint64(buf, uint64(s.ctime))
}

// Entry types in the cache file; anything else is stored as "unknown",
// which makes the walker lstat the entry.
func typeCode(t fs.FileMode) byte {
	switch t {
	case 0:
		return 1
	case fs.ModeDir:
		return 2
	case fs.ModeSymlink:
		return 3
	}
	return 0
}

func typeFromCode(c byte) fs.FileMode {
	switch c {
	case 1:
		return 0
	case 2:
		return fs.ModeDir
	case 3:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}

// writeFileAtomic writes data to a temporary file in the same directory,
// syncs it and renames it over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
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
type StatCache struct {
	path  string
	racy  int64
	max   int
	log   *slog.Logger
	mu    sync.Mutex
	m     map[inodeKey]statEntry
	dirs  map[inodeKey]dirCacheEntry
	dirty bool
}

const statCacheMagic = "DKSTATC2"

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
	entries, dirs, err := readStatCacheFile(c.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("stat cache unreadable, starting empty", "path", c.path, "err", err)
	}
	for _, e := range entries {
		c.m[inodeKey{e.dev, e.ino}] = e
	}
	for _, d := range dirs {
		c.dirs[inodeKey{d.dev, d.ino}] = d
	}
	return c, nil
}

// Len returns the number of remembered files.
func (c *StatCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *StatCache) lookup(fi fs.FileInfo) ([32]byte, bool) {
	s, ok := fileStamp(fi)
	if !ok {
		return [32]byte{}, false
	}
	c.mu.Lock()
	e, ok := c.m[inodeKey{s.dev, s.ino}]
	c.mu.Unlock()
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
	c.mu.Lock()
	d, ok := c.dirs[inodeKey{s.dev, s.ino}]
	c.mu.Unlock()
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
	disk, diskDirs, _ := readStatCacheFile(c.path)
	mergedDirs := make(map[inodeKey]dirCacheEntry, len(c.dirs)+len(diskDirs))
	for _, d := range diskDirs {
		mergedDirs[inodeKey{d.dev, d.ino}] = d
	}
	for k, d := range c.dirs {
		if old, ok := mergedDirs[k]; !ok || old.written <= d.written {
			mergedDirs[k] = d
		}
	}
	dirList := make([]dirCacheEntry, 0, len(mergedDirs))
	for _, d := range mergedDirs {
		dirList = append(dirList, d)
	}
	sort.Slice(dirList, func(i, j int) bool { return dirList[i].written > dirList[j].written })
	if len(dirList) > c.max/8 {
		dirList = dirList[:c.max/8]
	}
	merged := make(map[inodeKey]statEntry, len(c.m)+len(disk))
	for _, e := range disk {
		merged[inodeKey{e.dev, e.ino}] = e
	}
	for k, e := range c.m {
		if old, ok := merged[k]; !ok || old.written <= e.written {
			merged[k] = e
		}
	}
	list := make([]statEntry, 0, len(merged))
	for _, e := range merged {
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].written > list[j].written })
	if len(list) > c.max {
		list = list[:c.max]
	}
	if err := writeStatCacheFile(c.path, list, dirList); err != nil {
		return err
	}
	c.dirty = false
	return nil
}

// Close saves the cache.
func (c *StatCache) Close() error { return c.Save() }

const statRecordSize = 8*6 + 32

func readStatCacheFile(path string) ([]statEntry, []dirCacheEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < len(statCacheMagic)+8+32 || string(b[:len(statCacheMagic)]) != statCacheMagic {
		return nil, nil, errors.New("bad header")
	}
	body, sum := b[:len(b)-32], b[len(b)-32:]
	want := sha256.Sum256(body)
	if !bytes.Equal(want[:], sum) {
		return nil, nil, errors.New("checksum mismatch")
	}
	p := body[len(statCacheMagic):]
	n := binary.LittleEndian.Uint64(p)
	p = p[8:]
	if n > uint64(len(p))/statRecordSize {
		return nil, nil, errors.New("bad length")
	}
	out := make([]statEntry, n)
	for i := range out {
		r := p[i*statRecordSize:]
		e := &out[i]
		readStamp(r, &e.stamp)
		e.written = int64(binary.LittleEndian.Uint64(r[40:]))
		copy(e.digest[:], r[48:80])
	}
	p = p[n*statRecordSize:]
	if len(p) < 8 {
		return nil, nil, errors.New("bad length")
	}
	nd := binary.LittleEndian.Uint64(p)
	p = p[8:]
	var dirs []dirCacheEntry
	for k := uint64(0); k < nd; k++ {
		if len(p) < 52 {
			return nil, nil, errors.New("bad directory record")
		}
		var d dirCacheEntry
		readStamp(p, &d.stamp)
		d.written = int64(binary.LittleEndian.Uint64(p[40:]))
		cnt := binary.LittleEndian.Uint32(p[48:])
		p = p[52:]
		d.entries = make([]dirEntry, 0, cnt)
		for e := uint32(0); e < cnt; e++ {
			if len(p) < 3 {
				return nil, nil, errors.New("bad directory record")
			}
			typ := p[0]
			l := int(binary.LittleEndian.Uint16(p[1:]))
			if len(p) < 3+l {
				return nil, nil, errors.New("bad directory record")
			}
			d.entries = append(d.entries, dirEntry{name: string(p[3 : 3+l]), typ: typeFromCode(typ)})
			p = p[3+l:]
		}
		dirs = append(dirs, d)
	}
	if len(p) != 0 {
		return nil, nil, errors.New("trailing data")
	}
	return out, dirs, nil
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

func writeStatCacheFile(path string, list []statEntry, dirs []dirCacheEntry) error {
	buf := make([]byte, 0, len(statCacheMagic)+16+len(list)*statRecordSize+32)
	buf = append(buf, statCacheMagic...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(list)))
	for _, e := range list {
		buf = appendStamp(buf, e.stamp)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.written))
		buf = append(buf, e.digest[:]...)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(dirs)))
	for _, d := range dirs {
		buf = appendStamp(buf, d.stamp)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(d.written))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(d.entries)))
		for _, e := range d.entries {
			buf = append(buf, typeCode(e.typ))
			buf = binary.LittleEndian.AppendUint16(buf, uint16(len(e.name)))
			buf = append(buf, e.name...)
		}
	}
	sum := sha256.Sum256(buf)
	buf = append(buf, sum[:]...)
	return writeFileAtomic(path, buf, 0o644)
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

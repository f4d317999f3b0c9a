package cache

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"sort"
)

// The stat cache file, version 3 (all integers little endian):
//
//	magic "DKSTATC3"
//	nFiles, nDirs, namesLen uint64; crc32c uint32 of everything after the
//	header; 4 bytes zero
//	nFiles file records (80 bytes, sorted by device, inode):
//	  dev, ino, size, mtime ns, ctime ns, written ns, sha256
//	nDirs directory records (72 bytes, sorted by device, inode):
//	  dev, ino, size, mtime ns, ctime ns, written ns, names offset, names
//	  length (uint64), entry count (uint32), 4 bytes zero
//	names: per listed entry a type code byte, a uint16 length, the name
//
// It is written whole to a temporary file and renamed into place, never
// changed in place, so a mapping of it stays valid while other processes
// save.
const (
	statHeaderSize = 8 + 8*3 + 4 + 4
	statRecordSize = 8*6 + 32
	dirRecordSize  = 8*6 + 8*2 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// statFile is a validated, mapped stat cache file. A nil *statFile is an
// empty one.
type statFile struct {
	data   []byte
	unmap  func()
	nFiles int
	nDirs  int
	files  []byte
	dirs   []byte
	names  []byte
}

func openStatFile(path string) (*statFile, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parseStatFile(data)
	if err != nil {
		unmap()
		return nil, err
	}
	f.unmap = unmap
	return f, nil
}

func parseStatFile(b []byte) (*statFile, error) {
	if len(b) < statHeaderSize || string(b[:8]) != statCacheMagic {
		return nil, errors.New("bad header")
	}
	nFiles := binary.LittleEndian.Uint64(b[8:])
	nDirs := binary.LittleEndian.Uint64(b[16:])
	namesLen := binary.LittleEndian.Uint64(b[24:])
	body := uint64(len(b) - statHeaderSize)
	if nFiles > body/statRecordSize || nDirs > body/dirRecordSize || namesLen > body ||
		nFiles*statRecordSize+nDirs*dirRecordSize+namesLen != body {
		return nil, errors.New("bad length")
	}
	if crc32.Checksum(b[statHeaderSize:], castagnoli) != binary.LittleEndian.Uint32(b[32:]) {
		return nil, errors.New("checksum mismatch")
	}
	p := b[statHeaderSize:]
	f := &statFile{data: b, nFiles: int(nFiles), nDirs: int(nDirs)}
	f.files, p = p[:nFiles*statRecordSize], p[nFiles*statRecordSize:]
	f.dirs, f.names = p[:nDirs*dirRecordSize], p[nDirs*dirRecordSize:]
	return f, nil
}

// close releases the mapping; the statFile is empty afterwards.
func (f *statFile) close() {
	if f == nil {
		return
	}
	if f.unmap != nil {
		f.unmap()
	}
	*f = statFile{}
}

func (f *statFile) fileCount() int {
	if f == nil {
		return 0
	}
	return f.nFiles
}

func (f *statFile) nDirsOrZero() int {
	if f == nil {
		return 0
	}
	return f.nDirs
}

func recordKey(r []byte) inodeKey {
	return inodeKey{binary.LittleEndian.Uint64(r), binary.LittleEndian.Uint64(r[8:])}
}

func keyLess(a, b inodeKey) bool { return a.dev < b.dev || (a.dev == b.dev && a.ino < b.ino) }

func search(recs []byte, n, size int, k inodeKey) ([]byte, bool) {
	i := sort.Search(n, func(i int) bool { return !keyLess(recordKey(recs[i*size:]), k) })
	if i == n {
		return nil, false
	}
	r := recs[i*size : (i+1)*size]
	return r, recordKey(r) == k
}

func decodeFile(r []byte) statEntry {
	var e statEntry
	readStamp(r, &e.stamp)
	e.written = int64(binary.LittleEndian.Uint64(r[40:]))
	copy(e.digest[:], r[48:80])
	return e
}

// file returns the record of inode k.
func (f *statFile) file(k inodeKey) (statEntry, bool) {
	if f == nil || f.data == nil {
		return statEntry{}, false
	}
	r, ok := search(f.files, f.nFiles, statRecordSize, k)
	if !ok {
		return statEntry{}, false
	}
	return decodeFile(r), true
}

// dir returns the listing of directory k when its stamp is want (the
// names are decoded only then, into one string per directory).
func (f *statFile) dir(k inodeKey, want stamp) (dirCacheEntry, bool) {
	if f == nil || f.data == nil {
		return dirCacheEntry{}, false
	}
	r, ok := search(f.dirs, f.nDirs, dirRecordSize, k)
	if !ok {
		return dirCacheEntry{}, false
	}
	var d dirCacheEntry
	readStamp(r, &d.stamp)
	if d.stamp != want {
		return d, true // stale: the caller sees the stamp differ
	}
	return f.decodeDir(r)
}

func (f *statFile) decodeDir(r []byte) (dirCacheEntry, bool) {
	var d dirCacheEntry
	readStamp(r, &d.stamp)
	d.written = int64(binary.LittleEndian.Uint64(r[40:]))
	off := binary.LittleEndian.Uint64(r[48:])
	n := binary.LittleEndian.Uint64(r[56:])
	cnt := binary.LittleEndian.Uint32(r[64:])
	if off > uint64(len(f.names)) || n > uint64(len(f.names))-off {
		return dirCacheEntry{}, false
	}
	block := string(f.names[off : off+n]) // one copy per directory
	d.entries = make([]dirEntry, 0, cnt)
	for i := uint32(0); i < cnt; i++ {
		if len(block) < 3 {
			return dirCacheEntry{}, false
		}
		typ := block[0]
		l := int(block[1]) | int(block[2])<<8
		if len(block) < 3+l {
			return dirCacheEntry{}, false
		}
		d.entries = append(d.entries, dirEntry{name: block[3 : 3+l], typ: typeFromCode(typ)})
		block = block[3+l:]
	}
	if len(block) != 0 {
		return dirCacheEntry{}, false
	}
	return d, true
}

func (f *statFile) eachFile(fn func(statEntry)) {
	if f == nil || f.data == nil {
		return
	}
	for i := range f.nFiles {
		fn(decodeFile(f.files[i*statRecordSize:]))
	}
}

func (f *statFile) eachDir(fn func(dirCacheEntry)) {
	if f == nil || f.data == nil {
		return
	}
	for i := range f.nDirs {
		if d, ok := f.decodeDir(f.dirs[i*dirRecordSize : (i+1)*dirRecordSize]); ok {
			fn(d)
		}
	}
}

func writeStatCacheFile(path string, list []statEntry, dirs []dirCacheEntry) error {
	sort.Slice(list, func(i, j int) bool {
		return keyLess(inodeKey{list[i].dev, list[i].ino}, inodeKey{list[j].dev, list[j].ino})
	})
	sort.Slice(dirs, func(i, j int) bool {
		return keyLess(inodeKey{dirs[i].dev, dirs[i].ino}, inodeKey{dirs[j].dev, dirs[j].ino})
	})
	var names []byte
	recs := make([]byte, 0, len(dirs)*dirRecordSize)
	for _, d := range dirs {
		off := len(names)
		cnt := 0
		for _, e := range d.entries {
			if len(e.name) > 0xffff {
				continue
			}
			names = append(names, typeCode(e.typ))
			names = binary.LittleEndian.AppendUint16(names, uint16(len(e.name)))
			names = append(names, e.name...)
			cnt++
		}
		if cnt != len(d.entries) {
			names = names[:off] // a name too long to store: do not remember the listing
			continue
		}
		recs = appendStamp(recs, d.stamp)
		recs = binary.LittleEndian.AppendUint64(recs, uint64(d.written))
		recs = binary.LittleEndian.AppendUint64(recs, uint64(off))
		recs = binary.LittleEndian.AppendUint64(recs, uint64(len(names)-off))
		recs = binary.LittleEndian.AppendUint32(recs, uint32(cnt))
		recs = binary.LittleEndian.AppendUint32(recs, 0)
	}
	buf := make([]byte, statHeaderSize, statHeaderSize+len(list)*statRecordSize+len(recs)+len(names))
	copy(buf, statCacheMagic)
	binary.LittleEndian.PutUint64(buf[8:], uint64(len(list)))
	binary.LittleEndian.PutUint64(buf[16:], uint64(len(recs)/dirRecordSize))
	binary.LittleEndian.PutUint64(buf[24:], uint64(len(names)))
	for _, e := range list {
		buf = appendStamp(buf, e.stamp)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.written))
		buf = append(buf, e.digest[:]...)
	}
	buf = append(buf, recs...)
	buf = append(buf, names...)
	binary.LittleEndian.PutUint32(buf[32:], crc32.Checksum(buf[statHeaderSize:], castagnoli))
	return writeFileAtomic(path, buf, 0o644)
}

// readWholeFile is mapFile's fallback: the file read into memory.
func readWholeFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}

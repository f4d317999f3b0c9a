//go:build linux || darwin

package cache

import (
	"os"
	"syscall"
)

// mapFile maps path read-only. The mapping stays valid after the file is
// replaced by a rename (it keeps the old inode).
func mapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size == 0 || size != int64(int(size)) {
		return readWholeFile(path)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return readWholeFile(path)
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

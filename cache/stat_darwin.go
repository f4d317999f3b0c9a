//go:build darwin

package cache

import (
	"io/fs"
	"syscall"
)

// fileStamp extracts what the stat cache compares.
func fileStamp(fi fs.FileInfo) (stamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return stamp{}, false
	}
	return stamp{
		dev:   uint64(st.Dev),
		ino:   st.Ino,
		size:  st.Size,
		mtime: st.Mtimespec.Sec*1e9 + st.Mtimespec.Nsec,
		ctime: st.Ctimespec.Sec*1e9 + st.Ctimespec.Nsec,
	}, true
}

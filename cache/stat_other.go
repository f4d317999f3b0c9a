//go:build !linux && !darwin

package cache

import "io/fs"

// fileStamp is unavailable on this platform: the stat cache never hits.
func fileStamp(fs.FileInfo) (stamp, bool) { return stamp{}, false }

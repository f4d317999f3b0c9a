//go:build !linux && !darwin

package cache

// mapFile reads path into memory (no mmap on this system).
func mapFile(path string) ([]byte, func(), error) { return readWholeFile(path) }

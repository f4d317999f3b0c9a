//go:build !linux

package cache

import "os"

func readDirSorted(dir string) ([]dirEntry, error) {
	list, err := os.ReadDir(dir) // sorted by name, byte-wise
	if err != nil {
		return nil, err
	}
	out := make([]dirEntry, len(list))
	for i, e := range list {
		out[i] = dirEntry{name: e.Name(), typ: e.Type()}
	}
	return out, nil
}

//go:build !linux

package dockerfile

import (
	"context"
	"io/fs"
	"path/filepath"
)

// walkContext visits every directory (visitDir decides whether to descend)
// and every non-directory below root, in lexical order per directory.
func walkContext(ctx context.Context, root string, visitDir func(rel string) (bool, error), visitFile func(rel string, size int64, regular bool) error) error {
	n := 0
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			descend, err := visitDir(rel)
			if err != nil || descend {
				return err
			}
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return visitFile(rel, info.Size(), info.Mode().IsRegular())
	})
}

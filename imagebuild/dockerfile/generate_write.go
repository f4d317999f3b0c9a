package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is wrapped by WriteGenerated's error when a file it would
// write exists and overwriting was not asked for.
var ErrExists = errors.New("dockerfile: file exists")

// WriteGenerated writes a generated Dockerfile and .dockerignore into dir.
// Unless force is set it refuses, before writing anything, when either
// file exists (the error wraps ErrExists and names the file): a
// hand-written Dockerfile is never replaced by accident.
func WriteGenerated(dir string, dockerfile, dockerignore []byte, force bool) error {
	files := []struct {
		name string
		data []byte
	}{{"Dockerfile", dockerfile}, {".dockerignore", dockerignore}}
	if !force {
		for _, f := range files {
			p := filepath.Join(dir, f.name)
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%w: %s (pass force to overwrite it)", ErrExists, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("dockerfile: %w", err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dockerfile: %w", err)
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if !force {
			flags |= os.O_EXCL // no race with a file created since the check
		}
		fh, err := os.OpenFile(p, flags, 0o644)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%w: %s (pass force to overwrite it)", ErrExists, p)
			}
			return fmt.Errorf("dockerfile: %w", err)
		}
		_, werr := fh.Write(f.data)
		cerr := fh.Close()
		if err := errors.Join(werr, cerr); err != nil {
			return fmt.Errorf("dockerfile: %s: %w", p, err)
		}
	}
	return nil
}

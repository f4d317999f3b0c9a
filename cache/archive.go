package cache

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// ErrUnsafeArchive matches errors for archive entries that would land
// outside the extraction directory (absolute paths, "..", links that
// escape).
var ErrUnsafeArchive = errors.New("unsafe archive entry")

// ArchiveOptions configures WriteArchive and ExtractArchive. The zero
// value uses zstd's default level and a discarding logger.
type ArchiveOptions struct {
	// Level is the zstd encoder level. Zero: zstd.SpeedDefault.
	Level zstd.EncoderLevel
	// Logger receives notes about skipped entries. Nil: discard.
	Logger *slog.Logger
}

func (o ArchiveOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// WriteArchive writes the given paths (relative to root; files,
// directories and symbolic links, directories recursively) to w as a
// zstd-compressed tar. Entry names are relative, with '/' separators.
func WriteArchive(ctx context.Context, w io.Writer, root string, paths []string, opts ArchiveOptions) error {
	level := opts.Level
	if level == 0 {
		level = zstd.SpeedDefault
	}
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(level))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	tw := tar.NewWriter(zw)
	seen := map[string]bool{}
	for _, p := range paths {
		rel := filepath.Clean(p)
		if !filepath.IsLocal(rel) {
			zw.Close()
			return fmt.Errorf("archive path %q: %w: must be relative to %s and stay inside it", p, ErrUnsafeArchive, root)
		}
		err := filepath.WalkDir(filepath.Join(root, rel), func(full string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			name, err := filepath.Rel(root, full)
			if err != nil {
				return err
			}
			name = filepath.ToSlash(name)
			if seen[name] {
				return nil
			}
			seen[name] = true
			return addTarEntry(tw, full, name, d)
		})
		if err != nil {
			zw.Close()
			return fmt.Errorf("archive %s: %w", p, err)
		}
	}
	if err := tw.Close(); err != nil {
		zw.Close()
		return fmt.Errorf("archive: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

func addTarEntry(tw *tar.Writer, full, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(full); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(full)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}

// ExtractArchive restores an archive written by WriteArchive into dest
// (created if missing). It refuses absolute names, names with "..",
// symbolic and hard links that point outside dest, and writing through
// links (all file system access is confined with os.Root). Each file is
// written to a temporary name and renamed into place, so an interrupted
// restore never leaves a truncated file under its final name.
func ExtractArchive(ctx context.Context, r io.Reader, dest string, opts ArchiveOptions) error {
	log := opts.logger()
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	defer root.Close()
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("extract: reading archive: %w", err)
		}
		name, err := safeEntryName(hdr.Name)
		if err != nil {
			return err
		}
		if err := extractEntry(root, tr, hdr, name, log); err != nil {
			return fmt.Errorf("extract %s: %w", hdr.Name, err)
		}
	}
}

func safeEntryName(n string) (string, error) {
	if n == "" || strings.ContainsRune(n, 0) || strings.HasPrefix(n, "/") || strings.Contains(n, `\`) {
		return "", fmt.Errorf("%w: %q", ErrUnsafeArchive, n)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: %q", ErrUnsafeArchive, n)
		}
	}
	c := path.Clean(n)
	if c == "." {
		return c, nil
	}
	if !filepath.IsLocal(filepath.FromSlash(c)) {
		return "", fmt.Errorf("%w: %q", ErrUnsafeArchive, n)
	}
	return c, nil
}

// linkStaysInside reports whether a symbolic link at name pointing to
// target resolves (lexically) inside the extraction root.
func linkStaysInside(name, target string) bool {
	if target == "" || path.IsAbs(target) || strings.ContainsRune(target, 0) {
		return false
	}
	return filepath.IsLocal(filepath.FromSlash(path.Join(path.Dir(name), target)))
}

func extractEntry(root *os.Root, tr *tar.Reader, hdr *tar.Header, name string, log *slog.Logger) error {
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		if name == "." {
			return nil
		}
		if err := root.MkdirAll(name, 0o755); err != nil {
			return err
		}
		return root.Chmod(name, mode|0o700)
	case tar.TypeReg:
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		tmp := path.Join(path.Dir(name), "."+path.Base(name)+".tmp-"+randomSuffix())
		f, err := root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode|0o200)
		if err != nil {
			return err
		}
		_, err = io.CopyN(f, tr, hdr.Size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = root.Chmod(tmp, mode)
		}
		if err == nil {
			err = root.Rename(tmp, name)
		}
		if err != nil {
			_ = root.Remove(tmp)
			return err
		}
		return root.Chtimes(name, hdr.ModTime, hdr.ModTime)
	case tar.TypeSymlink:
		if !linkStaysInside(name, hdr.Linkname) {
			return fmt.Errorf("%w: symbolic link %q -> %q leaves the target directory", ErrUnsafeArchive, name, hdr.Linkname)
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		_ = root.Remove(name)
		return root.Symlink(hdr.Linkname, name)
	case tar.TypeLink:
		target, err := safeEntryName(hdr.Linkname)
		if err != nil {
			return err
		}
		_ = root.Remove(name)
		return root.Link(target, name)
	default:
		log.Debug("extract: skipping special file", "name", hdr.Name, "type", string(hdr.Typeflag))
		return nil
	}
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

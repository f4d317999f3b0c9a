package cache

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
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

	"github.com/klauspost/compress/zstd"
)

// ErrUnsafeArchive matches errors for archive entries that would land
// outside the extraction directories or be created through a link:
// absolute names, "..", entries beneath a symbolic link, links that
// resolve outside, hard links to anything but a file of the same archive,
// device files.
var ErrUnsafeArchive = errors.New("unsafe archive entry")

// ErrArchiveLimit matches errors for archives over ArchiveOptions.MaxSize
// or MaxEntries (a decompression bomb, or a cache far larger than
// expected).
var ErrArchiveLimit = errors.New("archive limit exceeded")

// Default extraction limits: the size limit is GitHub's cache size limit
// per repository (10 GiB, CacheFileSizeLimit in @actions/cache).
const (
	DefaultMaxArchiveSize    int64 = 10 << 30
	DefaultMaxArchiveEntries       = 5_000_000
)

// ArchiveOptions configures archive writing and extraction. The zero value
// writes zstd at its default level, extracts at most DefaultMaxArchiveSize
// bytes in DefaultMaxArchiveEntries entries, allows no symbolic link out of
// the restored directories and logs nothing.
type ArchiveOptions struct {
	// Compression is what archives are written with and what their cache
	// version says: CompressionZstdWithoutLong (what @actions/cache 6
	// uses whenever zstd is installed), CompressionZstd (the same frames:
	// they need no long window, so both unzstd and unzstd --long=30 read
	// them) or CompressionGzip (runners without zstd). Empty:
	// CompressionZstdWithoutLong. Extraction detects the compression from
	// the data, including zstd --long=30 frames.
	Compression CompressionMethod
	// Level is the zstd encoder level. Zero: zstd.SpeedDefault.
	Level zstd.EncoderLevel
	// MaxSize caps the total size of the regular files an extraction
	// writes. Zero: DefaultMaxArchiveSize; negative: no limit.
	MaxSize int64
	// MaxEntries caps the number of archive entries. Zero:
	// DefaultMaxArchiveEntries; negative: no limit.
	MaxEntries int
	// LinkTargets are absolute directories outside the restored ones that
	// symbolic links may point into, for example the interpreter a
	// virtualenv's bin/python links to ("/usr/bin",
	// "/opt/hostedtoolcache"). Empty: none.
	LinkTargets []string
	// Logger receives notes about skipped entries. Nil: discard.
	Logger *slog.Logger
}

func (o ArchiveOptions) compression() CompressionMethod {
	if o.Compression == "" {
		return CompressionZstdWithoutLong
	}
	return o.Compression
}

func (o ArchiveOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// archiveWriter writes tar entries the way GNU tar --posix does (PAX
// format, directories with a trailing '/', names relative to the
// workspace) through a zstd or gzip compressor.
type archiveWriter struct {
	ctx  context.Context
	comp io.WriteCloser
	tw   *tar.Writer
	seen map[string]bool
	log  *slog.Logger
}

func newArchiveWriter(ctx context.Context, w io.Writer, opts ArchiveOptions) (*archiveWriter, error) {
	var comp io.WriteCloser
	switch opts.Compression {
	case "", CompressionZstd, CompressionZstdWithoutLong:
		level := opts.Level
		if level == 0 {
			level = zstd.SpeedDefault
		}
		zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(level))
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		comp = zw
	case CompressionGzip:
		comp = gzip.NewWriter(w)
	default:
		return nil, fmt.Errorf("archive: unknown compression %q: expected %q or %q", opts.Compression, CompressionZstd, CompressionGzip)
	}
	return &archiveWriter{ctx: ctx, comp: comp, tw: tar.NewWriter(comp), seen: map[string]bool{}, log: opts.logger()}, nil
}

// addTree adds full (a file, link or directory, recursively, never
// following links) under the entry name name.
func (a *archiveWriter) addTree(full, name string) error {
	return filepath.WalkDir(full, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := a.ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(full, p)
		if err != nil {
			return err
		}
		n := name
		if rel != "." {
			n = path.Join(name, filepath.ToSlash(rel))
			if name == "." {
				n = filepath.ToSlash(rel)
			}
		}
		if a.seen[n] {
			return nil
		}
		a.seen[n] = true
		return a.add(p, n, d)
	})
}

func (a *archiveWriter) add(full, name string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	t := info.Mode().Type()
	if t != 0 && t != fs.ModeDir && t != fs.ModeSymlink {
		a.log.Debug("archive: skipping special file", "path", full, "type", t.String())
		return nil
	}
	if name == "." && t == fs.ModeDir {
		return nil
	}
	link := ""
	if t == fs.ModeSymlink {
		if link, err = os.Readlink(full); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Format = tar.FormatPAX
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	if err := a.tw.WriteHeader(hdr); err != nil {
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
	_, err = io.CopyN(a.tw, f, hdr.Size)
	return err
}

func (a *archiveWriter) close() error {
	if err := a.tw.Close(); err != nil {
		a.comp.Close()
		return fmt.Errorf("archive: %w", err)
	}
	if err := a.comp.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// WriteArchive writes the given paths (relative to root; files,
// directories and symbolic links, directories recursively, links never
// followed) to w as a compressed tar in GNU tar's posix format. Entry
// names are relative to root, with '/' separators. For actions/cache path
// lists (globs, "~", absolute paths, exclusions) use WriteCacheArchive.
func WriteArchive(ctx context.Context, w io.Writer, root string, paths []string, opts ArchiveOptions) error {
	for _, p := range paths {
		if !filepath.IsLocal(filepath.Clean(p)) && filepath.Clean(p) != "." {
			return fmt.Errorf("archive path %q: %w: must be relative to %s and stay inside it", p, ErrUnsafeArchive, root)
		}
	}
	aw, err := newArchiveWriter(ctx, w, opts)
	if err != nil {
		return err
	}
	for _, p := range paths {
		rel := filepath.Clean(p)
		if err := aw.addTree(filepath.Join(root, rel), filepath.ToSlash(rel)); err != nil {
			aw.comp.Close()
			return fmt.Errorf("archive %s: %w", p, err)
		}
	}
	return aw.close()
}

// ExtractArchive restores an archive (zstd, gzip or plain tar, detected
// from the data) into dest, created if missing. Nothing is written outside
// dest: every write goes through an os.Root at dest; names that are
// absolute or contain "..", entries beneath a symbolic link (on disk or in
// the archive), symbolic links that do not resolve inside dest, hard links
// to anything but a regular file extracted before them, and device files
// are refused with ErrUnsafeArchive. Links are created after every file
// and directory, and each symbolic link created is resolved on disk at the
// end; one that ends outside is removed. Each file is written to a
// temporary name and renamed into place, so an interrupted restore never
// leaves a truncated file under its final name. The size and entry caps of
// opts apply (ErrArchiveLimit).
func ExtractArchive(ctx context.Context, r io.Reader, dest string, opts ArchiveOptions) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	return extractInto(ctx, r, abs, []string{abs}, nil, opts)
}

func extractInto(ctx context.Context, r io.Reader, ws string, regions []string, set *patternSet, opts ArchiveOptions) (err error) {
	cachePaths := set != nil
	x, err := newExtractor(ctx, ws, regions, cachePaths, cachePaths, opts)
	if err != nil {
		return err
	}
	x.set = set
	defer x.close()
	dr, closeDR, err := decompress(r)
	if err != nil {
		return err
	}
	defer closeDR()
	tr := tar.NewReader(dr)
	for {
		if err := ctx.Err(); err != nil {
			return errors.Join(err, x.finish())
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return x.finish()
		}
		if err != nil {
			return errors.Join(fmt.Errorf("extract: reading archive: %w", err), x.finish())
		}
		if err := x.entry(tr, hdr); err != nil {
			if !errors.Is(err, ErrUnsafeArchive) && !errors.Is(err, ErrArchiveLimit) {
				err = fmt.Errorf("extract %s: %w", hdr.Name, err)
			}
			return errors.Join(err, x.verifyLinks())
		}
	}
}

// decompress detects zstd and gzip by their magic numbers; anything else
// is read as a plain tar.
func decompress(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// zstd --long=30 frames declare a window of up to 1 GiB.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(1<<30), zstd.WithDecoderMaxMemory(1<<31))
		if err != nil {
			return nil, nil, fmt.Errorf("extract: %w", err)
		}
		return zr, zr.Close, nil
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("extract: %w", err)
		}
		return gr, func() { gr.Close() }, nil
	}
	return br, func() {}, nil
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

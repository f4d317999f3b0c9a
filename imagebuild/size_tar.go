package imagebuild

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ReadLayerFiles reads an uncompressed layer tar (v1.Layer.Uncompressed
// of go-containerregistry gives one for a gzip or zstd blob) and returns
// its entries and the size of the tar stream. Whiteouts are returned as
// LayerFileWhiteout / LayerFileOpaque entries naming the path they delete.
func ReadLayerFiles(layerTar io.Reader) ([]LayerFile, int64, error) {
	raw := bufio.NewReaderSize(layerTar, 64<<10)
	cr := &countingReader{r: raw}
	tr := tar.NewReader(cr)
	var files []LayerFile
	h := sha256.New()
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("imagebuild: layer: tar: %w", err)
		}
		p := cleanLayerPath(hdr.Name)
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		f := LayerFile{Path: p, Mode: hdr.Mode & 0o7777, UID: hdr.Uid, GID: hdr.Gid}
		switch {
		case base == ".wh..wh..opq":
			f.Type, f.Path = LayerFileOpaque, dir
		case strings.HasPrefix(base, ".wh."):
			f.Type, f.Path = LayerFileWhiteout, path.Join(dir, strings.TrimPrefix(base, ".wh."))
		case hdr.Typeflag == tar.TypeReg || hdr.Typeflag == '\x00': // '\x00' is the pre-POSIX regular file
			f.Type, f.Size = LayerFileRegular, hdr.Size
			h.Reset()
			if _, err := io.Copy(h, tr); err != nil {
				return nil, 0, fmt.Errorf("imagebuild: layer: reading %s: %w", p, err)
			}
			f.ContentDigest = "sha256:" + hex.EncodeToString(h.Sum(nil))
		case hdr.Typeflag == tar.TypeDir:
			f.Type = LayerFileDir
		case hdr.Typeflag == tar.TypeSymlink:
			f.Type = LayerFileSymlink
		case hdr.Typeflag == tar.TypeLink:
			f.Type = LayerFileHardlink
		default:
			f.Type = LayerFileOther
		}
		files = append(files, f)
	}
	// Drain the padding after the end-of-archive marker so the count is
	// the full tar size.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return nil, 0, fmt.Errorf("imagebuild: layer: %w", err)
	}
	return files, cr.n, nil
}

func cleanLayerPath(name string) string {
	p := path.Clean("/" + name)
	return strings.TrimPrefix(p, "/")
}

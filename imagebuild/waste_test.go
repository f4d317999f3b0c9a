package imagebuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func wasteFile(path string, size int64, uid int, content string) LayerFile {
	return LayerFile{Path: path, Type: LayerFileRegular, Size: size, UID: uid, GID: uid, Mode: 0o644, ContentDigest: content}
}

func TestAnalyzeWaste(t *testing.T) {
	layers := []Layer{
		{Files: []LayerFile{wasteFile("app/a", 100, 0, "A"), wasteFile("app/b", 50, 0, "B"), wasteFile("app/c", 30, 0, "C"), wasteFile("d/e", 10, 0, "E"), wasteFile("keep", 7, 0, "K")}},
		{Files: []LayerFile{wasteFile("app/a", 100, 1000, "A")}},                              // chown copy-up of a
		{Files: []LayerFile{wasteFile("app/b", 20, 0, "B2")}},                                 // b overwritten, smaller
		{Files: []LayerFile{{Path: "app/c", Type: LayerFileWhiteout}}},                        // c deleted
		{Files: []LayerFile{{Path: "d", Type: LayerFileOpaque}, wasteFile("d/f", 5, 0, "F")}}, // d emptied, f added
		{Files: []LayerFile{wasteFile("keep", 7, 0, "K")}},                                    // exact duplicate
	}
	w := AnalyzeWaste(layers)
	// Spec: reclaimable = Σ over paths (cumulative − smallest copy), a
	// path gone from the final image counting a copy of size 0.
	//   app/a: 200 − 100 = 100 (copy-up)
	//   app/b:  70 −  20 =  50 (overwritten)
	//   app/c:  30 −   0 =  30 (deleted)
	//   d/e:    10 −   0 =  10 (deleted by the opaque dir)
	//   keep:   14 −   7 =   7 (duplicate)
	assert.Equal(t, int64(100+50+30+10+7+100+20+5+7), w.TotalBytes)
	assert.Equal(t, int64(100+50+30+10+7), w.ReclaimableBytes)
	assert.Equal(t, int64(100), w.CopyUpBytes)
	assert.InDelta(t, 1-float64(197)/float64(329), w.Efficiency, 1e-12)
	byPath := map[string]WasteFile{}
	for _, f := range w.Files {
		byPath[f.Path] = f
	}
	require.Len(t, byPath, 5)
	assert.Equal(t, WasteCopyUp, byPath["app/a"].Kind)
	assert.Equal(t, []int{0, 1}, byPath["app/a"].Layers)
	assert.Equal(t, WasteOverwritten, byPath["app/b"].Kind)
	assert.Equal(t, int64(20), byPath["app/b"].SmallestBytes)
	assert.Equal(t, WasteDeleted, byPath["app/c"].Kind)
	assert.Equal(t, WasteDeleted, byPath["d/e"].Kind)
	assert.Equal(t, WasteDuplicate, byPath["keep"].Kind)
	assert.Equal(t, "app/a", w.Files[0].Path, "most reclaimable first")
	_, hasF := byPath["d/f"]
	assert.False(t, hasF, "a file added in the opaque layer itself is not deleted")
}

func TestAnalyzeWasteReAddedAfterDelete(t *testing.T) {
	w := AnalyzeWaste([]Layer{
		{Files: []LayerFile{wasteFile("x", 10, 0, "X")}},
		{Files: []LayerFile{{Path: "x", Type: LayerFileWhiteout}}},
		{Files: []LayerFile{wasteFile("x", 4, 0, "Y")}},
	})
	// x is in the final image (4 bytes): cumulative 14 − smallest 4.
	assert.Equal(t, int64(10), w.ReclaimableBytes)
	require.Len(t, w.Files, 1)
	assert.Equal(t, WasteOverwritten, w.Files[0].Kind)
}

func TestAnalyzeWasteEmpty(t *testing.T) {
	w := AnalyzeWaste(nil)
	assert.Equal(t, 1.0, w.Efficiency)
	assert.Zero(t, w.ReclaimableBytes)
}

func buildTarLayer(t *testing.T, entries []tar.Header, contents map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		c := contents[h.Name]
		h.Size = int64(len(c))
		require.NoError(t, tw.WriteHeader(&h))
		_, err := tw.Write([]byte(c))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func TestReadLayerFiles(t *testing.T) {
	raw := buildTarLayer(t, []tar.Header{
		{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "app/main.py", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 1000, Gid: 1000},
		{Name: "app/.wh.old.py", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "venv/.wh..wh..opq", Typeflag: tar.TypeReg},
		{Name: "bin/python", Typeflag: tar.TypeSymlink, Linkname: "python3"},
	}, map[string]string{"app/main.py": "print('hi')\n"})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	require.NoError(t, zw.Close())
	var zs bytes.Buffer
	enc, err := zstd.NewWriter(&zs)
	require.NoError(t, err)
	_, _ = enc.Write(raw)
	require.NoError(t, enc.Close())

	sum := sha256.Sum256([]byte("print('hi')\n"))
	want := []LayerFile{
		{Path: "app", Type: LayerFileDir, Mode: 0o755},
		{Path: "app/main.py", Type: LayerFileRegular, Size: 12, Mode: 0o644, UID: 1000, GID: 1000, ContentDigest: "sha256:" + hex.EncodeToString(sum[:])},
		{Path: "app/old.py", Type: LayerFileWhiteout, Mode: 0o644},
		{Path: "venv", Type: LayerFileOpaque},
		{Path: "bin/python", Type: LayerFileSymlink},
	}
	// The blob as a registry serves it, decompressed by go-containerregistry.
	for name, blob := range map[string][]byte{"plain": raw, "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		t.Run(name, func(t *testing.T) {
			l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil })
			require.NoError(t, err)
			rc, err := l.Uncompressed()
			require.NoError(t, err)
			defer rc.Close()
			files, n, err := ReadLayerFiles(rc)
			require.NoError(t, err)
			assert.Equal(t, int64(len(raw)), n, "uncompressed size is the tar's length")
			assert.Equal(t, want, files)
		})
	}
	_, _, err = ReadLayerFiles(bytes.NewReader([]byte("not a tar, 512 bytes or more" + strings.Repeat("x", 600))))
	assert.Error(t, err)
}

func FuzzReadLayerFiles(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Add(bytes.Repeat([]byte{0}, 1024))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, _, err := ReadLayerFiles(bytes.NewReader(b))
		if err == nil {
			_ = AnalyzeWaste([]Layer{{Files: files}, {Files: files}})
		}
	})
}

func TestAnalyzeWasteDeletedDirectory(t *testing.T) {
	w := AnalyzeWaste([]Layer{
		{Files: []LayerFile{{Path: "tmp/build", Type: LayerFileDir}, wasteFile("tmp/build/a.o", 40, 0, "A"), wasteFile("tmp/buildx", 3, 0, "X")}},
		{Files: []LayerFile{{Path: "tmp/build", Type: LayerFileWhiteout}}},
	})
	// rm -rf tmp/build: a.o is gone (40 reclaimable), tmp/buildx is not.
	assert.Equal(t, int64(40), w.ReclaimableBytes)
	require.Len(t, w.Files, 1)
	assert.Equal(t, "tmp/build/a.o", w.Files[0].Path)
}

// BenchmarkAnalyzeWaste: an image of 10 layers, 20,000 files each in 500
// directories, half of them rewritten by the next layer, and 200 deleted
// directories.
func BenchmarkAnalyzeWaste(b *testing.B) {
	var layers []Layer
	for l := 0; l < 10; l++ {
		var files []LayerFile
		for d := 0; d < 500; d++ {
			files = append(files, LayerFile{Path: fmt.Sprintf("venv/lib/pkg%d", d), Type: LayerFileDir})
		}
		for i := 0; i < 20000; i++ {
			p := fmt.Sprintf("venv/lib/pkg%d/mod%d.py", i%500, (i+l*10000)%40000)
			files = append(files, wasteFile(p, int64(100+i%900), l%2, fmt.Sprint(i)))
		}
		for d := 0; d < 20; d++ {
			files = append(files, LayerFile{Path: fmt.Sprintf("venv/lib/pkg%d", l*20+d), Type: LayerFileWhiteout})
		}
		layers = append(layers, Layer{Files: files})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = AnalyzeWaste(layers)
	}
}

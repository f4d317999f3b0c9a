package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArchiveRoundTrip(t *testing.T) {
	src := tree(t, map[string]string{
		".venv/lib/a.py": "a", ".venv/bin/python": "->../lib/a.py", "cache/x": "x", "empty/": "",
		"other": "not archived",
	})
	var buf bytes.Buffer
	require.NoError(t, WriteArchive(context.Background(), &buf, src, []string{".venv", "cache", "empty"}, ArchiveOptions{}))
	dst := t.TempDir()
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(buf.Bytes()), dst, ArchiveOptions{}))
	b, err := os.ReadFile(filepath.Join(dst, ".venv/lib/a.py"))
	require.NoError(t, err)
	assert.Equal(t, "a", string(b))
	link, err := os.Readlink(filepath.Join(dst, ".venv/bin/python"))
	require.NoError(t, err)
	assert.Equal(t, "../lib/a.py", link)
	st, err := os.Stat(filepath.Join(dst, "empty"))
	require.NoError(t, err)
	assert.True(t, st.IsDir())
	_, err = os.Stat(filepath.Join(dst, "other"))
	assert.True(t, os.IsNotExist(err))

	// Paths outside the root are refused when saving.
	err = WriteArchive(context.Background(), &bytes.Buffer{}, src, []string{"../x"}, ArchiveOptions{})
	assert.ErrorIs(t, err, ErrUnsafeArchive)
}

type tarEntry struct {
	name, link, body string
	typ              byte
}

func rawArchive(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	require.NoError(t, err)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		if e.typ == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestExtractRejectsTraversal(t *testing.T) {
	cases := map[string][]tarEntry{
		"parent":             {{name: "../evil", body: "x", typ: tar.TypeReg}},
		"nested parent":      {{name: "a/../../evil", body: "x", typ: tar.TypeReg}},
		"absolute":           {{name: "/tmp/evil", body: "x", typ: tar.TypeReg}},
		"absolute symlink":   {{name: "l", link: "/etc", typ: tar.TypeSymlink}},
		"escaping symlink":   {{name: "a/l", link: "../../x", typ: tar.TypeSymlink}},
		"escaping hard link": {{name: "h", link: "../x", typ: tar.TypeLink}},
		"backslash":          {{name: `a\..\..\x`, body: "x", typ: tar.TypeReg}},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "dst")
			err := ExtractArchive(context.Background(), bytes.NewReader(rawArchive(t, entries)), dst, ArchiveOptions{})
			require.ErrorIs(t, err, ErrUnsafeArchive)
			left, _ := os.ReadDir(parent)
			assert.Len(t, left, 1, "nothing written beside the target")
		})
	}
}

func TestExtractDoesNotWriteThroughLinks(t *testing.T) {
	// A link that stays inside is fine, but a file written "through" a link
	// pointing at the parent directory must not land outside.
	parent := t.TempDir()
	dst := filepath.Join(parent, "dst")
	require.NoError(t, os.MkdirAll(filepath.Join(dst, "d"), 0o755))
	require.NoError(t, os.Symlink("..", filepath.Join(dst, "d", "up")))     // points to dst: inside
	require.NoError(t, os.Symlink("../..", filepath.Join(dst, "d", "out"))) // planted, escapes
	err := ExtractArchive(context.Background(), bytes.NewReader(rawArchive(t, []tarEntry{
		{name: "d/out/evil", body: "x", typ: tar.TypeReg},
	})), dst, ArchiveOptions{})
	require.Error(t, err)
	_, statErr := os.Stat(filepath.Join(parent, "evil"))
	assert.True(t, os.IsNotExist(statErr))
}

func TestExtractInterruptedLeavesNoPartialFile(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	full := rawArchive(t, []tarEntry{{name: "f", body: string(big), typ: tar.TypeReg}})
	dst := t.TempDir()
	err := ExtractArchive(context.Background(), bytes.NewReader(full[:len(full)/2]), dst, ArchiveOptions{})
	require.Error(t, err)
	left, _ := os.ReadDir(dst)
	assert.Empty(t, left, "neither the final file nor a temporary one remains")

	// An existing file keeps its old content when a restore is interrupted.
	require.NoError(t, os.WriteFile(filepath.Join(dst, "f"), []byte("old"), 0o644))
	err = ExtractArchive(context.Background(), bytes.NewReader(full[:len(full)/2]), dst, ArchiveOptions{})
	require.Error(t, err)
	b, _ := os.ReadFile(filepath.Join(dst, "f"))
	assert.Equal(t, "old", string(b))
}

// FuzzExtractArchive feeds arbitrary bytes (and mutated archives) to the
// extractor: it must not panic and must never write beside the target.
func FuzzExtractArchive(f *testing.F) {
	var ok bytes.Buffer
	zw, _ := zstd.NewWriter(&ok)
	tw := tar.NewWriter(zw)
	_ = tw.WriteHeader(&tar.Header{Name: "a/b", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("x"))
	_ = tw.WriteHeader(&tar.Header{Name: "l", Linkname: "a/b", Typeflag: tar.TypeSymlink})
	_ = tw.Close()
	_ = zw.Close()
	f.Add(ok.Bytes())
	f.Add([]byte{})
	f.Add([]byte("not zstd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "dst")
		_ = ExtractArchive(context.Background(), bytes.NewReader(data), dst, ArchiveOptions{})
		left, _ := os.ReadDir(parent)
		if len(left) != 1 {
			t.Fatalf("extraction wrote beside the target: %v", left)
		}
	})
}

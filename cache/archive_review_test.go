package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtractRejectsMoreAttacks covers the review's further attempts: long
// (PAX / GNU longlink) names and link texts that escape, hard links that
// open a path beneath them, links replaced mid-archive and a symbolic link
// already on disk.
func TestExtractRejectsMoreAttacks(t *testing.T) {
	long := strings.Repeat("d/", 80)
	reg := func(name string) tarEntry { return tarEntry{name: name, body: "x", typ: tar.TypeReg} }
	sym := func(name, link string) tarEntry { return tarEntry{name: name, link: link, typ: tar.TypeSymlink} }
	hard := func(name, link string) tarEntry { return tarEntry{name: name, link: link, typ: tar.TypeLink} }
	dir := func(name string) tarEntry { return tarEntry{name: name, typ: tar.TypeDir} }
	cases := map[string][]tarEntry{
		"long name escaping":          {reg(long + strings.Repeat("../", 81) + "evil")},
		"long link text escaping":     {sym("l", strings.Repeat("../", 90)+"etc")},
		"entry beneath a hard link":   {reg("f"), hard("d", "f"), reg("d/x")},
		"hard link through a symlink": {dir("sub/"), reg("sub/f"), sym("l", "sub"), hard("h", "l/f")},
		"symlink on symlink":          {sym("a", "."), sym("a", "../x")},
		"dot as a symlink":            {sym(".", "/tmp")},
		"dot as a file":               {reg(".")},
		"trailing slash symlink":      {sym("l/", "../../x")},
		"dir then symlink then file":  {dir("d/"), sym("d", "."), reg("d/f")},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "dst")
			err := ExtractArchive(context.Background(), bytes.NewReader(rawArchive(t, entries)), dst, ArchiveOptions{})
			require.Error(t, err)
			left, _ := os.ReadDir(parent)
			assert.Len(t, left, 1, "nothing written beside the target")
			assertNoLinkLeaves(t, dst)
		})
	}
	t.Run("symbolic link already on disk", func(t *testing.T) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "dst")
		outside := filepath.Join(parent, "outside")
		require.NoError(t, os.MkdirAll(dst, 0o755))
		require.NoError(t, os.MkdirAll(outside, 0o755))
		require.NoError(t, os.Symlink(outside, filepath.Join(dst, "l")))
		err := ExtractArchive(context.Background(), bytes.NewReader(rawArchive(t, []tarEntry{reg("l/x")})), dst, ArchiveOptions{})
		require.ErrorIs(t, err, ErrUnsafeArchive)
		left, _ := os.ReadDir(outside)
		assert.Empty(t, left)
	})
}

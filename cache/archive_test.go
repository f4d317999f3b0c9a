package cache

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
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

func rawArchive(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	require.NoError(t, err)
	_, err = zw.Write(rawTar(t, entries))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// rawTar is an uncompressed tar of entries (extraction reads plain tar
// too, which lets the fuzzer mutate headers directly).
func rawTar(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
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
	return buf.Bytes()
}

func TestExtractRejectsTraversal(t *testing.T) {
	reg := func(name string) tarEntry { return tarEntry{name: name, body: "x", typ: tar.TypeReg} }
	sym := func(name, link string) tarEntry { return tarEntry{name: name, link: link, typ: tar.TypeSymlink} }
	dir := func(name string) tarEntry { return tarEntry{name: name, typ: tar.TypeDir} }
	cases := map[string][]tarEntry{
		"parent":                   {reg("../evil")},
		"nested parent":            {reg("a/../../evil")},
		"dot dot after a name":     {dir("a/"), reg("a/../evil")},
		"absolute":                 {reg("/tmp/evil")},
		"absolute symlink":         {sym("l", "/etc")},
		"escaping symlink":         {sym("a/l", "../../x")},
		"escaping hard link":       {{name: "h", link: "../x", typ: tar.TypeLink}},
		"hard link to outside abs": {{name: "h", link: "/etc/passwd", typ: tar.TypeLink}},
		"hard link to no member":   {{name: "h", link: "other", typ: tar.TypeLink}},
		"backslash":                {reg(`a\..\..\x`)},
		// The case: a link to "." and then a link beneath it that
		// is "inside" when read literally but escapes through the first.
		"link through a link to dot": {sym("d", "."), sym("d/l", "../outside")},
		"file through a link to dot": {sym("d", "."), reg("d/x")},
		"chain that escapes":         {sym("a", "b"), sym("b", "..")},
		"dotdot inside a link text":  {sym("x", "."), sym("l", "x/../y")},
		"link chain to parent":       {dir("s/"), sym("s/up", ".."), sym("s/up2", "up/..")},
		"directory replaced by link": {dir("d/"), reg("d/f"), sym("d", "..")},
		"link then dir under it":     {sym("d", "sub"), dir("d/x/")},
		"duplicate link escapes":     {sym("l", "a"), sym("l", "../x")},
		"character device":           {{name: "null", typ: tar.TypeChar}},
		"block device":               {{name: "sda", typ: tar.TypeBlock}},
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
}

func TestExtractAcceptsWhatTarDoes(t *testing.T) {
	reg := func(name, body string) tarEntry { return tarEntry{name: name, body: body, typ: tar.TypeReg} }
	sym := func(name, link string) tarEntry { return tarEntry{name: name, link: link, typ: tar.TypeSymlink} }
	dst := t.TempDir()
	arch := rawArchive(t, []tarEntry{
		reg("./venv/lib/python3.12/site.py", "v1"),
		sym("venv/lib64", "lib"),
		sym("venv/bin/python", "python3.12"),
		reg("venv/bin/python3.12", "elf"),
		sym("venv/up", "../venv/lib"),
		{name: "venv/hard", link: "venv/bin/python3.12", typ: tar.TypeLink},
		reg("dup", "first"),
		reg("dup", "second"),
		sym("l", "dup"),
		reg("l", "file wins"), // the last entry for a name wins
		{name: "venv/", typ: tar.TypeDir},
	})
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(arch), dst, ArchiveOptions{}))
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dst, p))
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, "v1", read("venv/lib64/python3.12/site.py"))
	assert.Equal(t, "elf", read("venv/bin/python"))
	assert.Equal(t, "elf", read("venv/hard"))
	assert.Equal(t, "v1", read("venv/up/python3.12/site.py"))
	assert.Equal(t, "second", read("dup"))
	assert.Equal(t, "file wins", read("l"))
	st, err := os.Lstat(filepath.Join(dst, "l"))
	require.NoError(t, err)
	assert.True(t, st.Mode().IsRegular())
}

func TestExtractLinkTargets(t *testing.T) {
	// A virtualenv's interpreter link points outside; allowed only into a
	// directory the caller names.
	arch := rawArchive(t, []tarEntry{{name: ".venv/bin/python", link: "/usr/bin/python3", typ: tar.TypeSymlink}})
	err := ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{})
	require.ErrorIs(t, err, ErrUnsafeArchive)
	dst := t.TempDir()
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(arch), dst, ArchiveOptions{LinkTargets: []string{"/usr/bin"}}))
	l, err := os.Readlink(filepath.Join(dst, ".venv/bin/python"))
	require.NoError(t, err)
	assert.Equal(t, "/usr/bin/python3", l)
	arch = rawArchive(t, []tarEntry{{name: "l", link: "/usr/bin/../../etc", typ: tar.TypeSymlink}})
	require.ErrorIs(t, ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{LinkTargets: []string{"/usr/bin"}}), ErrUnsafeArchive)
}

func TestExtractLimits(t *testing.T) {
	arch := rawArchive(t, []tarEntry{
		{name: "a", body: "12345", typ: tar.TypeReg}, {name: "b", body: "12345", typ: tar.TypeReg},
	})
	err := ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{MaxSize: 9})
	require.ErrorIs(t, err, ErrArchiveLimit)
	err = ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{MaxEntries: 1})
	require.ErrorIs(t, err, ErrArchiveLimit)
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{MaxSize: 10, MaxEntries: 2}))
	require.NoError(t, ExtractArchive(context.Background(), bytes.NewReader(arch), t.TempDir(), ArchiveOptions{MaxSize: -1, MaxEntries: -1}))
}

// assertNoLinkLeaves resolves every symbolic link under dst with the
// standard library and fails if one ends outside dst. A dangling link is
// resolved as far as the disk goes and the rest read literally.
func assertNoLinkLeaves(t testing.TB, dst string, alsoAllowed ...string) {
	t.Helper()
	realDst, err := filepath.EvalSymlinks(dst)
	if err != nil {
		return // nothing was extracted
	}
	allowed := []string{realDst}
	for _, a := range alsoAllowed {
		if r, err := filepath.EvalSymlinks(a); err == nil {
			allowed = append(allowed, r)
		}
	}
	_ = filepath.WalkDir(realDst, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&os.ModeSymlink == 0 {
			return nil
		}
		end := resolveForTest(p)
		for _, a := range allowed {
			if end == a || strings.HasPrefix(end, a+"/") {
				return nil
			}
		}
		target, _ := os.Readlink(p)
		t.Fatalf("link %s -> %s resolves to %s, outside %v", p, target, end, allowed)
		return nil
	})
}

func resolveForTest(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	// Dangling: resolve the link's own text against its directory, then
	// the longest existing prefix.
	target, err := os.Readlink(p)
	if err != nil {
		return p
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p), target)
	}
	rest := ""
	cur := filepath.Clean(target)
	for cur != "/" {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = filepath.Dir(cur)
	}
	return filepath.Join("/", rest)
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
	for _, seed := range [][]tarEntry{
		{{name: "d", link: ".", typ: tar.TypeSymlink}, {name: "d/l", link: "../outside", typ: tar.TypeSymlink}},
		{{name: "x", link: ".", typ: tar.TypeSymlink}, {name: "l", link: "x/../y", typ: tar.TypeSymlink}},
		{{name: "a/", typ: tar.TypeDir}, {name: "a/f", body: "x", typ: tar.TypeReg}, {name: "h", link: "a/f", typ: tar.TypeLink}},
	} {
		f.Add(rawArchive(f, seed))
		f.Add(rawTar(f, seed))
	}
	f.Add([]byte{})
	f.Add([]byte("not zstd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "dst")
		_ = ExtractArchive(context.Background(), bytes.NewReader(data), dst, ArchiveOptions{})
		left, _ := os.ReadDir(parent)
		if len(left) > 1 {
			t.Fatalf("extraction wrote beside the target: %v", left)
		}
		assertNoLinkLeaves(t, dst)
	})
}

// TestExtractLimitSizeOverflow: a header whose size is near MaxInt64 must
// not wrap the running total past MaxSize (a tiny archive of zeros would
// otherwise write until the disk is full).
func TestExtractLimitSizeOverflow(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644, Format: tar.FormatPAX}))
	_, err := tw.Write([]byte("x"))
	require.NoError(t, err)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "b", Typeflag: tar.TypeReg, Size: 1<<63 - 1, Mode: 0o644, Format: tar.FormatPAX}))
	_, err = tw.Write(make([]byte, 1<<20))
	require.NoError(t, err)
	dst := t.TempDir()
	err = ExtractArchive(context.Background(), bytes.NewReader(buf.Bytes()), dst, ArchiveOptions{MaxSize: 1 << 10})
	require.ErrorIs(t, err, ErrArchiveLimit)
	_, statErr := os.Stat(filepath.Join(dst, "b"))
	assert.True(t, os.IsNotExist(statErr), "b must not be written")
}

package cache

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// extractBase is one place an archive may write: entries whose absolute
// path is region or lies beneath it. They are created through root, opened
// at rootDir: the region itself, or its parent when the region may be a
// file or a link (a cache path names a file as often as a directory).
type extractBase struct {
	region  string
	rootDir string
	root    *os.Root
}

type pendingLink struct {
	name   string // as in the archive, for messages
	abs    string
	base   *extractBase
	rel    string
	target string // symbolic link text, or the hard link target's rel
	hard   bool
	active bool
}

// extractor restores one archive. Every write goes through an os.Root (no
// operation can leave it, whatever links exist on disk); on top of that,
// entries whose parent is a symbolic link (on disk or earlier in the
// archive) are refused, links are created only after every regular file and
// directory, and every symbolic link created is resolved at the end.
type extractor struct {
	ctx        context.Context
	ws         string
	bases      []*extractBase
	linkOK     []string    // regions and ArchiveOptions.LinkTargets
	dotdot     bool        // entry names may start with ".." (cache paths)
	set        *patternSet // cache paths: what the save could have archived
	buf        []uint16
	maxSize    int64
	maxEntries int
	log        *slog.Logger

	files   map[string]*extractBase // regular files extracted, by absolute path
	pending []*pendingLink
	byAbs   map[string]*pendingLink
	created []string // symbolic links created (absolute)
	size    int64
	entries int
}

func newExtractor(ctx context.Context, ws string, regions []string, rootAtParent, dotdot bool, opts ArchiveOptions) (*extractor, error) {
	x := &extractor{
		ctx: ctx, ws: ws, dotdot: dotdot, log: opts.logger(),
		maxSize: opts.MaxSize, maxEntries: opts.MaxEntries,
		files: map[string]*extractBase{}, byAbs: map[string]*pendingLink{},
	}
	if x.maxSize == 0 {
		x.maxSize = DefaultMaxArchiveSize
	}
	if x.maxEntries == 0 {
		x.maxEntries = DefaultMaxArchiveEntries
	}
	for _, r := range regions {
		b := &extractBase{region: r, rootDir: r}
		if rootAtParent && r != "/" {
			b.rootDir = filepath.Dir(r)
		}
		x.bases = append(x.bases, b)
		x.linkOK = append(x.linkOK, r)
	}
	if !rootAtParent {
		// ExtractArchive's dest is created even for an empty archive.
		for _, b := range x.bases {
			if err := b.open(); err != nil {
				x.close()
				return nil, fmt.Errorf("extract: %w", err)
			}
		}
	}
	if dotdot {
		// Cache paths: a link may also point anywhere in the workspace.
		x.linkOK = append(x.linkOK, ws)
	}
	for _, t := range opts.LinkTargets {
		if !filepath.IsAbs(t) {
			x.close()
			return nil, fmt.Errorf("extract: LinkTargets entry %q: expected an absolute directory", t)
		}
		x.linkOK = append(x.linkOK, filepath.Clean(t))
	}
	return x, nil
}

// open opens b's root on first use (creating the directory), so that a
// cache path the archive has nothing for is not created.
func (b *extractBase) open() error {
	if b.root != nil {
		return nil
	}
	if err := os.MkdirAll(b.rootDir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(b.rootDir)
	if err != nil {
		return err
	}
	b.root = root
	return nil
}

func (x *extractor) close() {
	for _, b := range x.bases {
		if b.root != nil {
			b.root.Close()
		}
	}
}

func unsafeEntry(name, format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrUnsafeArchive, name, fmt.Sprintf(format, args...))
}

// within reports whether p is dir or lies beneath it (both clean, absolute).
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func withinAny(p string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return within(p, d) })
}

// checkComponents refuses names and link texts in which ".." follows a
// name ("a/../b"): what such a path means depends on whether "a" is a
// link. Leading ".." components are allowed when dotdot is set.
func checkComponents(name, s string, dotdot bool) error {
	if s == "" || strings.ContainsRune(s, 0) || strings.Contains(s, `\`) {
		return unsafeEntry(name, "empty, NUL or backslash in %q", s)
	}
	seenName := false
	for _, c := range strings.Split(s, "/") {
		switch c {
		case "", ".":
		case "..":
			if seenName || !dotdot {
				return unsafeEntry(name, "%q contains \"..\"", s)
			}
		default:
			seenName = true
		}
	}
	return nil
}

// locate maps an entry name to its absolute path and base.
func (x *extractor) locate(name string, dir bool) (abs string, b *extractBase, rel string, skip bool, err error) {
	if path.IsAbs(name) {
		return "", nil, "", false, unsafeEntry(name, "absolute name")
	}
	if err := checkComponents(name, name, x.dotdot); err != nil {
		return "", nil, "", false, err
	}
	abs = filepath.Join(x.ws, filepath.FromSlash(name))
	for _, cand := range x.bases {
		if within(abs, cand.region) && (b == nil || len(cand.region) > len(b.region)) {
			b = cand
		}
	}
	if b == nil {
		// A directory entry for an ancestor of a cache path carries nothing.
		if dir && slices.ContainsFunc(x.bases, func(c *extractBase) bool { return within(c.region, abs) }) {
			return abs, nil, "", true, nil
		}
		return "", nil, "", false, unsafeEntry(name, "outside the directories being restored")
	}
	if x.set != nil && !x.archivable(abs, b.region) {
		if dir && x.set.partialMatch(splitSlashes(abs), false, &x.buf) {
			return abs, nil, "", true, nil // a directory leading to matches
		}
		return "", nil, "", false, unsafeEntry(name, "not matched by the cache paths")
	}
	rel, err = filepath.Rel(b.rootDir, abs)
	if err != nil || !filepath.IsLocal(rel) {
		if rel == "." && dir {
			return abs, b, rel, true, nil
		}
		return "", nil, "", false, unsafeEntry(name, "replaces the extraction root")
	}
	return abs, b, rel, false, nil
}

// archivable reports whether abs, or one of its ancestors up to region,
// is an item the cache paths match (what the save archived, recursively).
// Exclusions count only for the item itself, as in actions/cache, where
// tar archives a matched directory whole.
func (x *extractor) archivable(abs, region string) bool {
	for a := abs; within(a, region); a = filepath.Dir(a) {
		if x.set.match(splitSlashes(a), a == "/", &x.buf) != matchNone {
			return true
		}
		if a == "/" {
			break
		}
	}
	return false
}

// underPendingLink reports whether an ancestor of abs is a symbolic or
// hard link entry met earlier in the archive.
func (x *extractor) underPendingLink(abs string) bool {
	for a := filepath.Dir(abs); ; a = filepath.Dir(a) {
		if l := x.byAbs[a]; l != nil && l.active {
			return true
		}
		if a == "/" || a == "." {
			return false
		}
	}
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	x.entries++
	if x.maxEntries > 0 && x.entries > x.maxEntries {
		return fmt.Errorf("%w: more than %d entries", ErrArchiveLimit, x.maxEntries)
	}
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil
	case tar.TypeChar, tar.TypeBlock:
		return unsafeEntry(hdr.Name, "device file")
	case tar.TypeDir, tar.TypeReg, tar.TypeGNUSparse, tar.TypeSymlink, tar.TypeLink: // archive/tar reports old TypeRegA entries as TypeReg
	default:
		x.log.Debug("extract: skipping special entry", "name", hdr.Name, "type", string(hdr.Typeflag))
		return nil
	}
	isDir := hdr.Typeflag == tar.TypeDir
	abs, b, rel, skip, err := x.locate(hdr.Name, isDir)
	if err != nil || skip {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if x.underPendingLink(abs) {
		return unsafeEntry(hdr.Name, "lies beneath a link in the archive")
	}
	isLink := hdr.Typeflag == tar.TypeSymlink || hdr.Typeflag == tar.TypeLink
	if l := x.byAbs[abs]; l != nil && l.active {
		l.active = false // the last entry for a name wins, as with tar
		delete(x.byAbs, abs)
	}
	if !isLink {
		delete(x.files, abs)
	}
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := x.ensureParents(hdr.Name, b, rel); err != nil {
			return err
		}
		st, err := b.root.Lstat(rel)
		switch {
		case err == nil && st.IsDir():
		case err == nil:
			if err := b.root.Remove(rel); err != nil {
				return err
			}
			fallthrough
		case errors.Is(err, fs.ErrNotExist):
			if err := b.root.Mkdir(rel, 0o755); err != nil {
				return err
			}
		default:
			return err
		}
		return b.root.Chmod(rel, mode|0o700)
	case tar.TypeSymlink:
		if err := x.checkSymlink(hdr.Name, abs, hdr.Linkname); err != nil {
			return err
		}
		x.addPending(&pendingLink{name: hdr.Name, abs: abs, base: b, rel: rel, target: hdr.Linkname})
		return nil
	case tar.TypeLink:
		if path.IsAbs(hdr.Linkname) {
			return unsafeEntry(hdr.Name, "hard link to an absolute path")
		}
		if err := checkComponents(hdr.Name, hdr.Linkname, x.dotdot); err != nil {
			return err
		}
		tabs := filepath.Join(x.ws, filepath.FromSlash(hdr.Linkname))
		if tabs == abs && x.files[abs] == b {
			return nil // GNU tar's entry for a file named twice: a link to itself
		}
		if tb := x.files[tabs]; tb != b {
			return unsafeEntry(hdr.Name, "hard link to %q, which is not a regular file extracted before it in the same directory", hdr.Linkname)
		}
		trel, err := filepath.Rel(b.rootDir, tabs)
		if err != nil || !filepath.IsLocal(trel) {
			return unsafeEntry(hdr.Name, "hard link target %q leaves the target directory", hdr.Linkname)
		}
		x.addPending(&pendingLink{name: hdr.Name, abs: abs, base: b, rel: rel, target: trel, hard: true})
		return nil
	}
	// Regular file.
	if hdr.Size < 0 || (x.maxSize > 0 && hdr.Size > x.maxSize-x.size) { // no overflow: x.size <= x.maxSize
		return fmt.Errorf("%w: more than %d bytes of file content", ErrArchiveLimit, x.maxSize)
	}
	x.size += hdr.Size
	if err := x.ensureParents(hdr.Name, b, rel); err != nil {
		return err
	}
	if st, err := b.root.Lstat(rel); err == nil && st.IsDir() {
		if err := b.root.Remove(rel); err != nil {
			return fmt.Errorf("a directory is in the way: %w", err)
		}
	}
	dir := filepath.Dir(rel)
	tmp := filepath.Join(dir, "."+filepath.Base(rel)+".tmp-"+randomSuffix())
	f, err := b.root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode|0o200)
	if err != nil {
		return err
	}
	_, err = io.CopyN(f, ctxReader{x.ctx, tr}, hdr.Size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = b.root.Chmod(tmp, mode)
	}
	if err == nil {
		err = b.root.Rename(tmp, rel)
	}
	if err != nil {
		_ = b.root.Remove(tmp)
		return err
	}
	x.files[abs] = b
	return b.root.Chtimes(rel, hdr.ModTime, hdr.ModTime)
}

func (x *extractor) addPending(l *pendingLink) {
	l.active = true
	x.pending = append(x.pending, l)
	x.byAbs[l.abs] = l
}

// checkSymlink refuses a symbolic link whose text does not land (read
// literally) in one of the restored directories or LinkTargets.
func (x *extractor) checkSymlink(name, abs, target string) error {
	if err := checkComponents(name, target, true); err != nil {
		return err
	}
	dest := target
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(filepath.Dir(abs), dest)
	}
	dest = filepath.Clean(dest)
	if !withinAny(dest, x.linkOK) {
		return unsafeEntry(name, "symbolic link to %q leaves the directories being restored", target)
	}
	return nil
}

// ensureParents creates the missing parents of rel beneath b and refuses a
// parent that exists as a symbolic link or as something else than a
// directory.
func (x *extractor) ensureParents(name string, b *extractBase, rel string) error {
	dir := filepath.Dir(rel)
	if dir == "." {
		return nil
	}
	cur := ""
	for _, c := range strings.Split(dir, string(filepath.Separator)) {
		cur = filepath.Join(cur, c)
		st, err := b.root.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			if err := b.root.Mkdir(cur, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			if st, err = b.root.Lstat(cur); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return unsafeEntry(name, "parent %s is a symbolic link", filepath.ToSlash(cur))
		}
		if !st.IsDir() {
			return fmt.Errorf("parent %s is not a directory", filepath.ToSlash(cur))
		}
	}
	return nil
}

// removeForLink clears the place of a link: a file or link is removed, an
// empty directory too; a non-empty directory is an error.
func removeForLink(b *extractBase, rel string) error {
	st, err := b.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := b.root.Remove(rel); err != nil {
		if st.IsDir() {
			return fmt.Errorf("a directory that is not empty is in the way: %w", err)
		}
		return err
	}
	return nil
}

// finish creates the links (hard links first, then symbolic links, each
// in archive order) and resolves every symbolic link it created.
func (x *extractor) finish() (err error) {
	defer func() {
		if verr := x.verifyLinks(); verr != nil && err == nil {
			err = verr
		}
	}()
	for _, hard := range []bool{true, false} {
		for _, l := range x.pending {
			if !l.active || l.hard != hard {
				continue
			}
			if err := x.ctx.Err(); err != nil {
				return err
			}
			if err := x.ensureParents(l.name, l.base, l.rel); err != nil {
				return fmt.Errorf("extract %s: %w", l.name, err)
			}
			if err := removeForLink(l.base, l.rel); err != nil {
				return fmt.Errorf("extract %s: %w", l.name, err)
			}
			if hard {
				err = l.base.root.Link(l.target, l.rel)
			} else {
				err = l.base.root.Symlink(l.target, l.rel)
				if err == nil {
					x.created = append(x.created, l.abs)
				}
			}
			if err != nil {
				return fmt.Errorf("extract %s: %w", l.name, err)
			}
		}
	}
	return nil
}

// verifyLinks resolves every symbolic link this extraction created, on
// disk, and removes those that end outside the allowed directories.
func (x *extractor) verifyLinks() error {
	var bad []string
	for _, l := range x.created {
		dest, err := resolveAll(l)
		if err != nil {
			continue // a loop or an unreadable component points nowhere
		}
		if !withinAny(dest, x.linkOK) {
			bad = append(bad, l)
		}
	}
	for _, l := range bad {
		_ = os.Remove(l)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: symbolic link %s resolves outside the directories being restored (removed)", ErrUnsafeArchive, bad[0])
	}
	return nil
}

// errLinkLoop reports too many links while resolving a path.
var errLinkLoop = errors.New("too many levels of symbolic links")

// resolveAll follows every symbolic link in the absolute path p; from the
// first component that does not exist the rest is taken literally.
func resolveAll(p string) (string, error) {
	todo := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	cur := "/"
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		st, err := os.Lstat(next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return filepath.Join(append([]string{next}, todo...)...), nil
			}
			return "", err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > 255 {
			return "", errLinkLoop
		}
		t, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(t) {
			cur = "/"
		}
		todo = append(strings.Split(t, "/"), todo...)
	}
	return cur, nil
}

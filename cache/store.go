package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrEntryExists is returned by Store.Save when an entry with the same
// key, version and scope already exists: entries are immutable, as in
// actions/cache, and the first complete save wins.
var ErrEntryExists = errors.New("cache entry already exists")

// ErrEntryNotFound is returned by Store.Open for a missing entry.
var ErrEntryNotFound = errors.New("cache entry not found")

// Store keeps cache archives. Implementations make Save atomic: a reader
// never sees a partial archive and concurrent saves of one entry leave
// exactly one complete archive.
type Store interface {
	// Save stores the archive read from r as entry e (Key, Version and
	// Scope are used; Created and Size are filled in and returned).
	Save(ctx context.Context, e Entry, r io.Reader) (Entry, error)
	// Open returns an entry's archive.
	Open(ctx context.Context, e Entry) (io.ReadCloser, error)
	// List returns every complete entry.
	List(ctx context.Context) ([]Entry, error)
	// Delete removes an entry.
	Delete(ctx context.Context, e Entry) error
}

// entryID is the storage name of an entry: keys may hold any character,
// so the name is a hash of scope, version and key.
func entryID(e Entry) string {
	sum := sha256.Sum256([]byte(e.Scope + "\x00" + e.Version + "\x00" + e.Key))
	return hex.EncodeToString(sum[:])
}

// SaveCache archives the cache paths (see WriteCacheArchive) and saves
// them to s as entry e, after validating the key. An empty e.Version is
// filled in with cp.Version for the archive's compression.
func SaveCache(ctx context.Context, s Store, e Entry, cp CachePaths, opts ArchiveOptions) (Entry, error) {
	if err := ValidateKey(e.Key); err != nil {
		return Entry{}, err
	}
	if e.Version == "" {
		e.Version = cp.Version(opts.compression())
	}
	// Resolve first, so that "nothing matched" is an error before any
	// entry exists.
	if _, err := ResolveCachePaths(ctx, cp); err != nil {
		return Entry{}, err
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := WriteCacheArchive(ctx, pw, cp, opts)
		pw.CloseWithError(err)
	}()
	saved, err := s.Save(ctx, e, pr)
	pr.CloseWithError(err)
	return saved, err
}

// RestoreCache resolves req against the entries of s (see Resolve) and
// extracts the chosen archive to the cache paths' places (see
// ExtractCacheArchive). An empty req.Version is cp.Version for
// zstd-without-long, what actions/cache asks for on a runner with zstd. ok
// is false on a cache miss.
func RestoreCache(ctx context.Context, s Store, req RestoreRequest, cp CachePaths, opts ArchiveOptions) (res Resolution, ok bool, err error) {
	if err := ValidateKeys(req.Key, req.RestoreKeys); err != nil {
		return Resolution{}, false, err
	}
	if req.Version == "" {
		req.Version = cp.Version(CompressionZstdWithoutLong)
	}
	var rc io.ReadCloser
	if cs, isService := s.(*CacheServiceStore); isService {
		// The service resolves; it has no listing.
		var url string
		res, url, ok, err = cs.Lookup(ctx, req)
		if err != nil || !ok {
			return res, false, err
		}
		if rc, err = cs.download(ctx, url); err != nil {
			return res, false, err
		}
	} else {
		entries, err := s.List(ctx)
		if err != nil {
			return Resolution{}, false, err
		}
		res, ok = Resolve(entries, req)
		if !ok {
			return res, false, nil
		}
		if rc, err = s.Open(ctx, res.Entry); err != nil {
			return res, false, err
		}
	}
	defer rc.Close()
	if err := ExtractCacheArchive(ctx, rc, cp, opts); err != nil {
		return res, false, err
	}
	return res, true, nil
}

// DirStore is a Store in a local directory: <Dir>/<id>.tzst holds the
// archive and <id>.json its entry. The zero value is not usable; set Dir.
type DirStore struct {
	// Dir is the directory holding the entries (created on first save).
	Dir string
}

// Save implements Store. The archive is written to a temporary file, then
// hard-linked to its final name, which fails if another save got there
// first (ErrEntryExists).
func (d *DirStore) Save(ctx context.Context, e Entry, r io.Reader) (Entry, error) {
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return Entry{}, fmt.Errorf("dir store: %w", err)
	}
	id := entryID(e)
	final := filepath.Join(d.Dir, id+".tzst")
	metaPath := filepath.Join(d.Dir, id+".json")
	if _, err := os.Lstat(final); err == nil && !d.removeOrphan(final, metaPath) {
		return Entry{}, fmt.Errorf("dir store %q: %w", e.Key, ErrEntryExists)
	}
	f, err := os.CreateTemp(d.Dir, ".save-"+id[:12]+"-*")
	if err != nil {
		return Entry{}, fmt.Errorf("dir store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Entry{}, fmt.Errorf("dir store: writing %q: %w", e.Key, err)
	}
	e.Size = n
	e.Created = time.Now().UTC()
	meta, _ := json.Marshal(e)
	// Claim the name (hard links never replace), then write the metadata
	// atomically: List only shows entries that have both.
	if err := os.Link(tmp, final); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return Entry{}, fmt.Errorf("dir store: %w", err)
		}
		if !d.removeOrphan(final, metaPath) {
			return Entry{}, fmt.Errorf("dir store %q: %w", e.Key, ErrEntryExists)
		}
		if err := os.Link(tmp, final); err != nil {
			return Entry{}, fmt.Errorf("dir store %q: %w", e.Key, ErrEntryExists)
		}
	}
	if err := writeFileAtomic(metaPath, meta, 0o644); err != nil {
		os.Remove(final)
		return Entry{}, fmt.Errorf("dir store: %w", err)
	}
	return e, nil
}

// orphanAge is how long an archive without metadata may exist before a
// save treats it as left over from a crashed save (between claiming the
// name and writing the metadata, which takes microseconds).
const orphanAge = time.Minute

// removeOrphan removes an archive that has had no metadata for orphanAge
// and reports whether it did.
func (d *DirStore) removeOrphan(final, metaPath string) bool {
	if _, err := os.Stat(metaPath); err == nil {
		return false
	}
	st, err := os.Stat(final)
	if err != nil || time.Since(st.ModTime()) < orphanAge {
		return false
	}
	return os.Remove(final) == nil
}

// Open implements Store.
func (d *DirStore) Open(_ context.Context, e Entry) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.Dir, entryID(e)+".tzst"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dir store %q: %w", e.Key, ErrEntryNotFound)
	}
	return f, err
}

// List implements Store.
func (d *DirStore) List(ctx context.Context) ([]Entry, error) {
	list, err := os.ReadDir(d.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dir store: %w", err)
	}
	var out []Entry
	for _, de := range list {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := de.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		id := strings.TrimSuffix(name, ".json")
		if _, err := os.Stat(filepath.Join(d.Dir, id+".tzst")); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.Dir, name))
		if err != nil {
			continue
		}
		var e Entry
		if json.Unmarshal(b, &e) != nil || entryID(e) != id {
			continue // corrupt or foreign: ignore
		}
		out = append(out, e)
	}
	return out, nil
}

// Delete implements Store.
func (d *DirStore) Delete(_ context.Context, e Entry) error {
	id := entryID(e)
	err := os.Remove(filepath.Join(d.Dir, id+".tzst"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dir store %q: %w", e.Key, ErrEntryNotFound)
	}
	if err != nil {
		return err
	}
	return os.Remove(filepath.Join(d.Dir, id+".json"))
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package cdn

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// UploadOptions says what Upload sends.
type UploadOptions struct {
	// Dir is collectstatic's output (STATIC_ROOT).
	Dir string
	// Prefix is put before every blob name, e.g. "static/"; "" means none.
	Prefix string
	// Manifest tells hashed names from plain ones; nil means
	// Dir/staticfiles.json when it exists (without one every file is plain).
	Manifest *Manifest
	// Precompressed also uploads WhiteNoise's NAME.gz and NAME.br siblings as
	// their own blobs, with the original's Content-Type and Content-Encoding
	// gzip or br. Off, they are left out: Blob Storage does not negotiate
	// encodings, and Front Door compresses on its own.
	Precompressed bool
	// UnhashedMaxAge is the max-age of plain names; 0 means
	// WhiteNoiseDefaultMaxAge (60). Hashed names get
	// "public, max-age=315360000, immutable".
	UnhashedMaxAge int
	// Concurrency bounds uploads in flight; 0 means 8.
	Concurrency int
	// DeleteStale deletes blobs under Prefix that Dir no longer has. Off,
	// they are only reported in UploadResult.Stale.
	DeleteStale bool
	// Progress, when set, is called once per file (never concurrently),
	// after the file was uploaded, skipped or deleted.
	Progress func(UploadProgress)
}

// UploadAction is what happened to one file.
type UploadAction string

// The actions.
const (
	Uploaded UploadAction = "uploaded"
	Skipped  UploadAction = "skipped"
	Deleted  UploadAction = "deleted"
)

// UploadProgress reports one finished file.
type UploadProgress struct {
	Name   string
	Action UploadAction
	Bytes  int64
	// Done counts finished files, Total all files to consider (uploads and
	// deletions).
	Done, Total int
}

// UploadResult lists what Upload did, names sorted.
type UploadResult struct {
	Uploaded []string
	Skipped  []string
	Deleted  []string
	// Stale are blobs under Prefix with no local file, left in place
	// because DeleteStale was off.
	Stale []string
	// Bytes is the size of what was uploaded.
	Bytes int64
}

type localFile struct {
	rel      string // path relative to Dir, forward slashes
	blobName string
	abs      string
	size     int64
	md5      []byte
	headers  blob.HTTPHeaders
}

// Upload copies collectstatic output to a Blob container: each file with
// its Content-Type, a Cache-Control fit for its name (immutable for hashed
// names, short for plain ones) and its Content-MD5. A blob whose MD5 and
// headers already match is skipped, so a run killed halfway is resumed by
// running it again: every blob is written by one Put Blob, which either
// lands whole or not at all, and the second run uploads only what is
// missing. Uploads run in parallel.
func Upload(ctx context.Context, c *container.Client, opts UploadOptions) (*UploadResult, error) {
	if c == nil {
		return nil, errors.New("upload: no container client")
	}
	files, err := localFiles(opts)
	if err != nil {
		return nil, err
	}
	remote, err := listBlobs(ctx, c, opts.Prefix)
	if err != nil {
		return nil, scrubSAS(err)
	}
	var todo []localFile
	res := &UploadResult{}
	local := map[string]bool{}
	for _, f := range files {
		local[f.blobName] = true
		if r, ok := remote[f.blobName]; ok && sameBlob(r, f) {
			res.Skipped = append(res.Skipped, f.blobName)
			continue
		}
		todo = append(todo, f)
	}
	var stale []string
	for name := range remote {
		if !local[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	total := len(files)
	if opts.DeleteStale {
		total += len(stale)
	}
	var mu sync.Mutex
	done := 0
	report := func(name string, a UploadAction, n int64) {
		mu.Lock()
		defer mu.Unlock()
		done++
		switch a {
		case Uploaded:
			res.Uploaded = append(res.Uploaded, name)
			res.Bytes += n
		case Deleted:
			res.Deleted = append(res.Deleted, name)
		}
		if opts.Progress != nil {
			opts.Progress(UploadProgress{Name: name, Action: a, Bytes: n, Done: done, Total: total})
		}
	}
	for _, s := range res.Skipped {
		report(s, Skipped, 0)
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 8
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	fail := func(err error) {
		errMu.Lock()
		errs = append(errs, err)
		errMu.Unlock()
		cancel()
	}
	for _, f := range todo {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := uploadOne(ctx, c.NewBlockBlobClient(f.blobName), f); err != nil {
				fail(err)
				return
			}
			report(f.blobName, Uploaded, f.size)
		}()
	}
	wg.Wait()
	if len(errs) == 0 && ctx.Err() == nil {
		if opts.DeleteStale {
			for _, name := range stale {
				if _, err := c.NewBlobClient(name).Delete(ctx, nil); err != nil {
					errs = append(errs, fmt.Errorf("delete stale blob %s: %w", name, scrubSAS(err)))
					break
				}
				report(name, Deleted, 0)
			}
		} else {
			res.Stale = stale
		}
	}
	sort.Strings(res.Uploaded)
	sort.Strings(res.Skipped)
	sort.Strings(res.Deleted)
	if len(errs) > 0 {
		return res, scrubSAS(errors.Join(errs...))
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

func uploadOne(ctx context.Context, bb *blockblob.Client, f localFile) error {
	fh, err := os.Open(f.abs)
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.rel, err)
	}
	defer fh.Close()
	h := f.headers
	if _, err := bb.Upload(ctx, fh, &blockblob.UploadOptions{HTTPHeaders: &h}); err != nil {
		return fmt.Errorf("upload %s: %w", f.rel, scrubSAS(err))
	}
	return nil
}

type remoteBlob struct {
	md5                            []byte
	contentType, cacheControl, enc string
}

func sameBlob(r remoteBlob, f localFile) bool {
	return bytes.Equal(r.md5, f.md5) && r.contentType == deref(f.headers.BlobContentType) &&
		r.cacheControl == deref(f.headers.BlobCacheControl) && r.enc == deref(f.headers.BlobContentEncoding)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func listBlobs(ctx context.Context, c *container.Client, prefix string) (map[string]remoteBlob, error) {
	out := map[string]remoteBlob{}
	opts := &container.ListBlobsFlatOptions{}
	if prefix != "" {
		opts.Prefix = to.Ptr(prefix)
	}
	pager := c.NewListBlobsFlatPager(opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list blobs: %w", scrubSAS(err))
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name == nil {
				continue
			}
			r := remoteBlob{}
			if p := b.Properties; p != nil {
				r.md5 = p.ContentMD5
				r.contentType, r.cacheControl, r.enc = deref(p.ContentType), deref(p.CacheControl), deref(p.ContentEncoding)
			}
			out[*b.Name] = r
		}
	}
	return out, nil
}

// localFiles walks Dir and computes names, MD5s and headers.
func localFiles(opts UploadOptions) ([]localFile, error) {
	if opts.Dir == "" {
		return nil, errors.New("upload: no directory")
	}
	m := opts.Manifest
	if m == nil {
		mf := filepath.Join(opts.Dir, "staticfiles.json")
		if _, err := os.Stat(mf); err == nil {
			if m, err = ReadManifest(mf); err != nil {
				return nil, err
			}
		}
	}
	hashed := map[string]bool{}
	if m != nil {
		hashed = m.hashedSet()
	}
	maxAge := opts.UnhashedMaxAge
	if maxAge <= 0 {
		maxAge = WhiteNoiseDefaultMaxAge
	}
	all := map[string]bool{}
	var rels []string
	err := filepath.WalkDir(opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil // directories; symlinks are not followed
		}
		rel, err := filepath.Rel(opts.Dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		all[rel] = true
		rels = append(rels, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upload: walk %s: %w", opts.Dir, err)
	}
	sort.Strings(rels)
	var files []localFile
	for _, rel := range rels {
		if rel == "staticfiles.json" {
			continue // the manifest is for Django, not for browsers
		}
		name, enc := rel, ""
		for _, e := range []struct{ ext, enc string }{{".gz", "gzip"}, {".br", "br"}} {
			if base, ok := strings.CutSuffix(rel, e.ext); ok && all[base] {
				name, enc = base, e.enc
			}
		}
		if enc != "" && !opts.Precompressed {
			continue
		}
		abs := filepath.Join(opts.Dir, filepath.FromSlash(rel))
		sum, size, err := fileMD5(abs)
		if err != nil {
			return nil, err
		}
		ct := ContentType(name)
		if ct == "" {
			ct = "application/octet-stream"
		}
		cc := "public, max-age=" + strconv.Itoa(maxAge)
		if hashed[name] {
			cc = "public, max-age=" + strconv.Itoa(WhiteNoiseForever) + ", immutable"
		}
		h := blob.HTTPHeaders{BlobContentType: to.Ptr(ct), BlobCacheControl: to.Ptr(cc), BlobContentMD5: sum}
		if enc != "" {
			h.BlobContentEncoding = to.Ptr(enc)
		}
		files = append(files, localFile{rel: rel, blobName: path.Join(opts.Prefix, rel), abs: abs, size: size, md5: sum, headers: h})
	}
	return files, nil
}

func fileMD5(p string) ([]byte, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, 0, fmt.Errorf("upload: read %s: %w", p, err)
	}
	return h.Sum(nil), n, nil
}

package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// CacheServiceName is the Twirp service of the GitHub Actions cache
// service, version 2 (what @actions/cache 4 and later speak).
const CacheServiceName = "github.actions.results.api.v1.CacheService"

// ErrNotSupported is returned by CacheServiceStore.List and Delete when the
// server does not offer deploykit's listing extension (GitHub's own
// service does not).
var ErrNotSupported = errors.New("not supported by the cache service")

// CacheServiceError is a Twirp error answer of the cache service.
type CacheServiceError struct {
	// Method is the RPC that failed, like "CreateCacheEntry".
	Method string
	// Status is the HTTP status code.
	Status int
	// Code and Msg are the Twirp error code and message.
	Code, Msg string
}

// Error implements error.
func (e *CacheServiceError) Error() string {
	return fmt.Sprintf("cache service %s: HTTP %d %s: %s", e.Method, e.Status, e.Code, e.Msg)
}

// CacheServiceStore is a Store that talks to a server speaking the GitHub
// Actions cache service protocol v2 (Twirp, JSON): CreateCacheEntry, an
// upload to the signed Azure Blob URL it returns, FinalizeCacheEntryUpload;
// GetCacheEntryDownloadURL and a download for restores. That is
// ACTIONS_RESULTS_URL inside a GitHub Actions job, or a self-hosted cache
// server. Entry scopes travel in the requests' metadata; GitHub's service
// takes them from the token instead. List and Delete need the
// ListCacheEntries and DeleteCacheEntry methods, which GitHub's service does
// not have (ErrNotSupported); RestoreCache does not need them: it asks the
// server to resolve (see Lookup).
type CacheServiceStore struct {
	// BaseURL is the service root, like ACTIONS_RESULTS_URL.
	BaseURL string
	// Token is sent as a bearer token (ACTIONS_RUNTIME_TOKEN). It never
	// appears in errors.
	Token string
	// HTTPClient makes the RPCs. Nil: http.DefaultClient.
	HTTPClient *http.Client
	// BlockSize is the upload block size. Zero: 8 MiB.
	BlockSize int64
}

// twirpInt64 is a proto3 JSON int64: a string, or a number from lenient
// servers.
type twirpInt64 int64

// MarshalJSON implements json.Marshaler.
func (n twirpInt64) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(n), 10) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *twirpInt64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = twirpInt64(v)
	return err
}

type twirpScope struct {
	Scope      string     `json:"scope"`
	Permission twirpInt64 `json:"permission"`
}

type twirpMetadata struct {
	RepositoryID twirpInt64   `json:"repository_id,omitempty"`
	Scope        []twirpScope `json:"scope,omitempty"`
}

type twirpEntry struct {
	Key       string     `json:"key"`
	Version   string     `json:"version"`
	Scope     string     `json:"scope"`
	SizeBytes twirpInt64 `json:"size_bytes"`
	CreatedAt string     `json:"created_at"`
}

func scopesMetadata(scopes ...string) *twirpMetadata {
	var m twirpMetadata
	for _, s := range scopes {
		if s != "" {
			m.Scope = append(m.Scope, twirpScope{Scope: s, Permission: 3})
		}
	}
	if len(m.Scope) == 0 {
		return nil
	}
	return &m
}

func (c *CacheServiceStore) call(ctx context.Context, method string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	url := strings.TrimRight(c.BaseURL, "/") + "/twirp/" + CacheServiceName + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("cache service %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cache service %s: %w", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("cache service %s: %w", method, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var te struct{ Code, Msg string }
		_ = json.Unmarshal(b, &te)
		return &CacheServiceError{Method: method, Status: resp.StatusCode, Code: te.Code, Msg: te.Msg}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("cache service %s: decoding the answer: %w", method, err)
	}
	return nil
}

// Save implements Store: reserve, upload to the signed URL, finalize. A
// server that refuses the reservation or the finalization (the entry
// exists) gives ErrEntryExists.
func (c *CacheServiceStore) Save(ctx context.Context, e Entry, r io.Reader) (Entry, error) {
	var created struct {
		OK        bool   `json:"ok"`
		UploadURL string `json:"signed_upload_url"`
		Message   string `json:"message"`
	}
	err := c.call(ctx, "CreateCacheEntry", map[string]any{
		"key": e.Key, "version": e.Version, "metadata": scopesMetadata(e.Scope),
	}, &created)
	if err != nil {
		return Entry{}, err
	}
	if !created.OK {
		return Entry{}, fmt.Errorf("cache service %q: %w: %s", e.Key, ErrEntryExists, created.Message)
	}
	bs := c.BlockSize
	if bs == 0 {
		bs = 8 << 20
	}
	bc, err := blockblob.NewClientWithNoCredential(created.UploadURL, nil)
	if err != nil {
		return Entry{}, fmt.Errorf("cache service: upload %q: %w", e.Key, err)
	}
	cr := &countingReader{r: r}
	if _, err := bc.UploadStream(ctx, cr, &blockblob.UploadStreamOptions{BlockSize: bs, Concurrency: 2}); err != nil {
		return Entry{}, fmt.Errorf("cache service: upload %q: %w", e.Key, redactURLs(err))
	}
	var fin struct {
		OK      bool       `json:"ok"`
		EntryID twirpInt64 `json:"entry_id"`
		Message string     `json:"message"`
	}
	err = c.call(ctx, "FinalizeCacheEntryUpload", map[string]any{
		"key": e.Key, "version": e.Version, "size_bytes": twirpInt64(cr.n), "metadata": scopesMetadata(e.Scope),
	}, &fin)
	if err != nil {
		return Entry{}, err
	}
	if !fin.OK {
		return Entry{}, fmt.Errorf("cache service %q: %w: %s", e.Key, ErrEntryExists, fin.Message)
	}
	e.Size = cr.n
	e.Created = time.Now().UTC()
	return e, nil
}

// redactURLs keeps signed URLs (their SAS tokens are credentials) out of
// error messages.
func redactURLs(err error) error {
	msg := err.Error()
	for _, scheme := range []string{"https://", "http://"} {
		for {
			i := strings.Index(msg, scheme)
			if i < 0 {
				break
			}
			j := i + strings.IndexAny(msg[i:]+" ", " \n\t\"'")
			msg = msg[:i] + "<signed URL>" + msg[j:]
		}
	}
	return errors.New(msg)
}

// Lookup asks the server to resolve req (exact key, then prefixes, then
// restore keys, in the scopes given) and returns the entry it chose and
// its signed download URL. The URL carries a SAS token, a credential: do
// not log it. The returned Entry has Key and Version only (the protocol
// tells neither scope nor creation time). ok is false on a miss.
func (c *CacheServiceStore) Lookup(ctx context.Context, req RestoreRequest) (res Resolution, downloadURL string, ok bool, err error) {
	var out struct {
		OK          bool   `json:"ok"`
		DownloadURL string `json:"signed_download_url"`
		MatchedKey  string `json:"matched_key"`
	}
	err = c.call(ctx, "GetCacheEntryDownloadURL", map[string]any{
		"key": req.Key, "restore_keys": req.RestoreKeys, "version": req.Version, "metadata": scopesMetadata(req.Scopes...),
	}, &out)
	if err != nil {
		return Resolution{}, "", false, err
	}
	if !out.OK || out.DownloadURL == "" {
		return Resolution{}, "", false, nil
	}
	res.Entry = Entry{Key: out.MatchedKey, Version: req.Version}
	switch {
	case out.MatchedKey == req.Key:
		res.Match = ExactMatch
	case strings.HasPrefix(out.MatchedKey, req.Key):
		res.Match = PrefixMatch
	default:
		res.Match = RestoreKeyMatch
		for _, rk := range req.RestoreKeys {
			if strings.HasPrefix(out.MatchedKey, rk) {
				res.RestoreKey = rk
				break
			}
		}
	}
	return res, out.DownloadURL, true, nil
}

func (c *CacheServiceStore) download(ctx context.Context, url string) (io.ReadCloser, error) {
	bc, err := blob.NewClientWithNoCredential(url, nil)
	if err != nil {
		return nil, fmt.Errorf("cache service: download: %w", redactURLs(err))
	}
	resp, err := bc.DownloadStream(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cache service: download: %w", redactURLs(err))
	}
	return resp.Body, nil
}

// Open implements Store: the server must resolve e.Key exactly in e.Scope.
func (c *CacheServiceStore) Open(ctx context.Context, e Entry) (io.ReadCloser, error) {
	var scopes []string
	if e.Scope != "" {
		scopes = []string{e.Scope}
	}
	res, url, ok, err := c.Lookup(ctx, RestoreRequest{Key: e.Key, Version: e.Version, Scopes: scopes})
	if err != nil {
		return nil, err
	}
	if !ok || res.Match != ExactMatch {
		return nil, fmt.Errorf("cache service %q: %w", e.Key, ErrEntryNotFound)
	}
	return c.download(ctx, url)
}

func (c *CacheServiceStore) extension(ctx context.Context, method string, in, out any) error {
	err := c.call(ctx, method, in, out)
	var ce *CacheServiceError
	if errors.As(err, &ce) && (ce.Status == http.StatusNotFound || ce.Code == "bad_route" || ce.Code == "unimplemented") {
		return fmt.Errorf("cache service %s: %w", method, ErrNotSupported)
	}
	return err
}

// List implements Store through the ListCacheEntries extension.
func (c *CacheServiceStore) List(ctx context.Context) ([]Entry, error) {
	var out struct {
		Entries []twirpEntry `json:"entries"`
	}
	if err := c.extension(ctx, "ListCacheEntries", map[string]any{}, &out); err != nil {
		return nil, err
	}
	list := make([]Entry, 0, len(out.Entries))
	for _, te := range out.Entries {
		created, _ := time.Parse(time.RFC3339Nano, te.CreatedAt)
		list = append(list, Entry{Key: te.Key, Version: te.Version, Scope: te.Scope, Size: int64(te.SizeBytes), Created: created})
	}
	return list, nil
}

// Delete implements Store through the DeleteCacheEntry extension.
func (c *CacheServiceStore) Delete(ctx context.Context, e Entry) error {
	var out struct {
		OK bool `json:"ok"`
	}
	if err := c.extension(ctx, "DeleteCacheEntry", map[string]any{
		"key": e.Key, "version": e.Version, "metadata": scopesMetadata(e.Scope),
	}, &out); err != nil {
		return err
	}
	if !out.OK {
		return fmt.Errorf("cache service %q: %w", e.Key, ErrEntryNotFound)
	}
	return nil
}

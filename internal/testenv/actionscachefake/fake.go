// Package actionscachefake is a local stand-in for the GitHub Actions cache
// service v2, for tests only: import it from _test.go files. It serves the
// Twirp JSON protocol on an httptest server and keeps the data in a real
// Azure Blob container (Azurite, from testenv.Azurite), so clients upload
// and download through signed blob URLs exactly as they do against GitHub.
//
// What it models, and where each fact comes from:
//
//   - The three methods @actions/cache 6.3.0 calls (the version
//     internal/testenv/actionscache pins), with the request and response
//     field names of its generated Twirp client
//     (lib/generated/results/api/v1/cache.d.ts and cache.twirp-client.js of
//     the npm package): POST /twirp/github.actions.results.api.v1.CacheService/
//     CreateCacheEntry {metadata, key, version} -> {ok, signed_upload_url,
//     message}; FinalizeCacheEntryUpload {metadata, key, size_bytes, version}
//     -> {ok, entry_id, message}; GetCacheEntryDownloadURL {metadata, key,
//     restore_keys, version} -> {ok, signed_download_url, matched_key};
//     metadata is CacheMetadata {repository_id, scope: [{scope, permission}]}
//     (lib/generated/results/entities/v1/cachemetadata.d.ts, cachescope.d.ts).
//   - proto3 JSON (https://protobuf.dev/programming-guides/json/): int64
//     fields are written as strings and read from strings or numbers
//     (@actions/cache sends size_bytes as a string, BuildKit's
//     tonistiigi/go-actions-cache as a number); a field is read under its
//     proto name or its lowerCamelCase JSON name; unknown fields are ignored.
//     Responses carry every field, defaults included, as a Twirp Go server
//     does by default.
//   - Twirp errors (https://twitchtv.github.io/twirp/docs/spec_v7.html):
//     a JSON body {code, msg}; bad_route 404 for a path that is not one of
//     the service's methods, a method other than POST or a Content-Type
//     other than application/json; malformed 400 for a body that does not
//     decode; invalid_argument 400 for a missing key or version;
//     unauthenticated 401 for a missing or wrong bearer token.
//   - Restore matching, GitHub's documented order
//     (https://docs.github.com/en/actions/reference/workflows-and-actions/dependency-caching,
//     "cache action usage" and "Cache key matching"): only entries of the
//     requested version; in each scope in turn, the exact key, else the most
//     recently created entry whose key starts with the key, else each
//     restore key in order, its most recently created partial (prefix)
//     match. matched_key is the key of the entry found.
//   - Entries cannot be changed: CreateCacheEntry and
//     FinalizeCacheEntryUpload answer ok=false for a key, version and scope
//     that already has an entry. CreateCacheEntry never blocks a key for
//     others (an abandoned upload must not); FinalizeCacheEntryUpload
//     commits the first not yet committed upload of that key, version and
//     scope whose blob has exactly size_bytes bytes, else answers ok=false.
//
// Where it differs from GitHub's service, by choice:
//
//   - Scopes come from the request's metadata, not from the token's claims
//     (GitHub's service reads the token). A write without metadata goes to
//     DefaultScope; a lookup without metadata searches every scope.
//     Permissions in metadata and in the token are not checked.
//   - Two extra methods that deploykit's cache.CacheServiceStore uses for
//     List and Delete, which GitHub's service does not have (Options.GitHubOnly
//     turns them off, and they answer bad_route as GitHub's would):
//     ListCacheEntries {} -> {entries: [{key, version, scope, size_bytes,
//     created_at (RFC 3339)}]} and DeleteCacheEntry {metadata, key, version}
//     -> {ok}.
//   - No quotas, eviction, key length limits or upload chunk rules.
package actionscachefake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/deploykit/deploykit/internal/testenv"
)

// ServiceName is the Twirp service of the cache service v2.
const ServiceName = "github.actions.results.api.v1.CacheService"

// DefaultScope is where a write without metadata scopes goes.
const DefaultScope = "refs/heads/main"

// DefaultToken is the bearer token a Service accepts when Options.Token is
// empty.
const DefaultToken = "test-runtime-token"

// Options configure New.
type Options struct {
	// Token is the only bearer token accepted. Empty: DefaultToken.
	Token string
	// GitHubOnly serves only the three methods GitHub's service has;
	// ListCacheEntries and DeleteCacheEntry answer bad_route.
	GitHubOnly bool
}

// Entry is a committed cache entry.
type Entry struct {
	Key, Version, Scope string
	Size                int64
	Created             time.Time
}

// Call is one authenticated, decoded request: the method and the key it
// named ("" for ListCacheEntries).
type Call struct {
	Method, Key string
}

// String is "Method key", handy in assertion messages.
func (c Call) String() string { return c.Method + " " + c.Key }

// Service is a running fake. Its methods are safe for concurrent use.
type Service struct {
	// URL is the server root, without a trailing slash; clients append
	// /twirp/... (ACTIONS_RESULTS_URL is URL + "/").
	URL string
	// Token is the bearer token it accepts.
	Token string

	githubOnly bool
	container  *container.Client
	cred       *azblob.SharedKeyCredential
	name       string

	mu      sync.Mutex
	seq     int
	nextID  int64
	uploads []upload
	entries []stored // in creation order: later is newer
	calls   []Call
	denied  int
}

type upload struct {
	key, version, scope, blob string
	done                      bool
}

type stored struct {
	Entry
	id   int64
	blob string
}

// New starts a fake service on a fresh Azurite container; both go away when
// the test ends.
func New(t testing.TB, opts Options) *Service {
	t.Helper()
	az := testenv.Azurite(t)
	client, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	if err != nil {
		t.Fatalf("actionscachefake: Azurite client: %v", err)
	}
	name := fmt.Sprintf("actionscache-%d", time.Now().UnixNano())
	cc := client.ServiceClient().NewContainerClient(name)
	if _, err := cc.Create(context.Background(), nil); err != nil {
		t.Fatalf("actionscachefake: creating container %s: %v", name, err)
	}
	t.Cleanup(func() { _, _ = cc.Delete(context.Background(), nil) })
	cred, err := azblob.NewSharedKeyCredential(az.AccountName, az.AccountKey)
	if err != nil {
		t.Fatalf("actionscachefake: Azurite credential: %v", err)
	}
	s := &Service{Token: opts.Token, githubOnly: opts.GitHubOnly, container: cc, cred: cred, name: name}
	if s.Token == "" {
		s.Token = DefaultToken
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Entries returns the committed entries, oldest first.
func (s *Service) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.Entry
	}
	return out
}

// Calls returns the authenticated, decoded requests so far, in order.
func (s *Service) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Denied counts the requests refused for a missing or wrong token.
func (s *Service) Denied() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied
}

// twirpError is a Twirp error: its HTTP status, code and message.
type twirpError struct {
	status    int
	code, msg string
}

func (e *twirpError) Error() string { return e.code + ": " + e.msg }

func badRoute(format string, args ...any) *twirpError {
	return &twirpError{http.StatusNotFound, "bad_route", fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements http.Handler.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out, err := s.serve(r)
	if err != nil {
		writeJSON(w, err.status, map[string]string{"code": err.code, "msg": err.msg})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

var methods = map[string]bool{
	"CreateCacheEntry": true, "FinalizeCacheEntryUpload": true, "GetCacheEntryDownloadURL": true,
	"ListCacheEntries": true, "DeleteCacheEntry": true,
}

func (s *Service) serve(r *http.Request) (any, *twirpError) {
	method, ok := strings.CutPrefix(r.URL.Path, "/twirp/"+ServiceName+"/")
	if !ok || !methods[method] || s.githubOnly && (method == "ListCacheEntries" || method == "DeleteCacheEntry") {
		return nil, badRoute("no handler for path %q", r.URL.Path)
	}
	if r.Method != http.MethodPost {
		return nil, badRoute("unsupported method %q (only POST is allowed)", r.Method)
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if strings.ToLower(strings.TrimSpace(ct)) != "application/json" {
		return nil, badRoute("unexpected Content-Type: %q", r.Header.Get("Content-Type"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.denied++
		return nil, &twirpError{http.StatusUnauthorized, "unauthenticated", "missing or wrong bearer token"}
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, &twirpError{http.StatusBadRequest, "malformed", "reading the request body: " + err.Error()}
	}
	req, err := decodeRequest(buf.Bytes())
	if err != nil {
		return nil, &twirpError{http.StatusBadRequest, "malformed", fmt.Sprintf("the json request could not be decoded as %sRequest: %v", method, err)}
	}
	s.calls = append(s.calls, Call{Method: method, Key: req.key})
	if method != "ListCacheEntries" && (req.key == "" || req.version == "") {
		return nil, &twirpError{http.StatusBadRequest, "invalid_argument", "key and version are required"}
	}
	switch method {
	case "CreateCacheEntry":
		return s.create(req)
	case "FinalizeCacheEntryUpload":
		return s.finalize(r.Context(), req)
	case "GetCacheEntryDownloadURL":
		return s.download(req)
	case "ListCacheEntries":
		return s.list(), nil
	default: // DeleteCacheEntry
		return s.delete(r.Context(), req), nil
	}
}

// request holds the fields of every method's request message.
type request struct {
	key, version string
	restoreKeys  []string
	sizeBytes    int64
	scopes       []string
}

// writeScope is the scope a write goes to.
func (q request) writeScope() string {
	if len(q.scopes) > 0 {
		return q.scopes[0]
	}
	return DefaultScope
}

// protoObject is a decoded JSON object whose fields are looked up the way
// a proto3 JSON parser does: by proto name or lowerCamelCase JSON name.
type protoObject map[string]json.RawMessage

func (o protoObject) field(protoName string, v any) error {
	raw, ok := o[protoName]
	if !ok {
		raw, ok = o[lowerCamel(protoName)]
	}
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("field %s: %w", protoName, err)
	}
	return nil
}

func lowerCamel(protoName string) string {
	parts := strings.Split(protoName, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// int64JSON is a proto3 JSON int64: a decimal string or a JSON number.
type int64JSON int64

func (n *int64JSON) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want an int64 as a string or a number, got %s", b)
	}
	*n = int64JSON(v)
	return nil
}

func decodeRequest(body []byte) (request, error) {
	var q request
	var o protoObject
	if err := json.Unmarshal(body, &o); err != nil {
		return q, err
	}
	var size int64JSON
	var meta protoObject
	for _, f := range []struct {
		name string
		v    any
	}{{"key", &q.key}, {"version", &q.version}, {"restore_keys", &q.restoreKeys}, {"size_bytes", &size}, {"metadata", &meta}} {
		if err := o.field(f.name, f.v); err != nil {
			return q, err
		}
	}
	q.sizeBytes = int64(size)
	var scopes []protoObject
	if err := meta.field("scope", &scopes); err != nil {
		return q, fmt.Errorf("metadata: %w", err)
	}
	for _, so := range scopes {
		var name string
		if err := so.field("scope", &name); err != nil {
			return q, fmt.Errorf("metadata.scope: %w", err)
		}
		if name != "" {
			q.scopes = append(q.scopes, name)
		}
	}
	return q, nil
}

func (s *Service) signedURL(blob string, perm sas.BlobPermissions) (string, *twirpError) {
	qp, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		Permissions: perm.String(), ContainerName: s.name, BlobName: blob,
	}.SignWithSharedKey(s.cred)
	if err != nil {
		return "", &twirpError{http.StatusInternalServerError, "internal", "signing a blob URL: " + err.Error()}
	}
	return s.container.NewBlobClient(blob).URL() + "?" + qp.Encode(), nil
}

// find returns the index of the committed entry with that key, version and
// scope, or -1.
func (s *Service) find(key, version, scope string) int {
	for i, e := range s.entries {
		if e.Key == key && e.Version == version && e.Scope == scope {
			return i
		}
	}
	return -1
}

type createResponse struct {
	OK              bool   `json:"ok"`
	SignedUploadURL string `json:"signed_upload_url"`
	Message         string `json:"message"`
}

type finalizeResponse struct {
	OK      bool   `json:"ok"`
	EntryID int64  `json:"entry_id,string"`
	Message string `json:"message"`
}

type downloadResponse struct {
	OK                bool   `json:"ok"`
	SignedDownloadURL string `json:"signed_download_url"`
	MatchedKey        string `json:"matched_key"`
}

type listedEntry struct {
	Key       string `json:"key"`
	Version   string `json:"version"`
	Scope     string `json:"scope"`
	SizeBytes int64  `json:"size_bytes,string"`
	CreatedAt string `json:"created_at"`
}

type listResponse struct {
	Entries []listedEntry `json:"entries"`
}

type deleteResponse struct {
	OK bool `json:"ok"`
}

func (s *Service) create(q request) (any, *twirpError) {
	scope := q.writeScope()
	if s.find(q.key, q.version, scope) >= 0 {
		return createResponse{Message: "cache entry already exists"}, nil
	}
	s.seq++
	blob := fmt.Sprintf("upload-%d", s.seq)
	u, err := s.signedURL(blob, sas.BlobPermissions{Create: true, Write: true})
	if err != nil {
		return nil, err
	}
	s.uploads = append(s.uploads, upload{key: q.key, version: q.version, scope: scope, blob: blob})
	return createResponse{OK: true, SignedUploadURL: u}, nil
}

func (s *Service) finalize(ctx context.Context, q request) (any, *twirpError) {
	scope := q.writeScope()
	if s.find(q.key, q.version, scope) >= 0 {
		return finalizeResponse{Message: "cache entry already exists"}, nil
	}
	for i := range s.uploads {
		u := &s.uploads[i]
		if u.done || u.key != q.key || u.version != q.version || u.scope != scope {
			continue
		}
		props, err := s.container.NewBlobClient(u.blob).GetProperties(ctx, nil)
		if err != nil || props.ContentLength == nil || *props.ContentLength != q.sizeBytes {
			continue // not (completely) uploaded
		}
		u.done = true
		s.nextID++
		s.entries = append(s.entries, stored{
			Entry: Entry{Key: q.key, Version: q.version, Scope: scope, Size: q.sizeBytes, Created: time.Now().UTC()},
			id:    s.nextID, blob: u.blob,
		})
		return finalizeResponse{OK: true, EntryID: s.nextID}, nil
	}
	return finalizeResponse{Message: "no complete upload of that key and size"}, nil
}

// resolve is GitHub's restore order (see the package doc); it returns the
// index of the entry found, or -1.
func (s *Service) resolve(q request) int {
	scopes := q.scopes
	if len(scopes) == 0 {
		scopes = []string{""} // every scope
	}
	newest := func(scope string, match func(key string) bool) int {
		for i := len(s.entries) - 1; i >= 0; i-- {
			e := s.entries[i]
			if e.Version == q.version && (scope == "" || e.Scope == scope) && match(e.Key) {
				return i
			}
		}
		return -1
	}
	for _, scope := range scopes {
		if i := newest(scope, func(k string) bool { return k == q.key }); i >= 0 {
			return i
		}
		if i := newest(scope, func(k string) bool { return strings.HasPrefix(k, q.key) }); i >= 0 {
			return i
		}
		for _, rk := range q.restoreKeys {
			if i := newest(scope, func(k string) bool { return strings.HasPrefix(k, rk) }); i >= 0 {
				return i
			}
		}
	}
	return -1
}

func (s *Service) download(q request) (any, *twirpError) {
	i := s.resolve(q)
	if i < 0 {
		return downloadResponse{}, nil
	}
	u, err := s.signedURL(s.entries[i].blob, sas.BlobPermissions{Read: true})
	if err != nil {
		return nil, err
	}
	return downloadResponse{OK: true, SignedDownloadURL: u, MatchedKey: s.entries[i].Key}, nil
}

func (s *Service) list() listResponse {
	out := listResponse{Entries: []listedEntry{}}
	for _, e := range s.entries {
		out.Entries = append(out.Entries, listedEntry{Key: e.Key, Version: e.Version, Scope: e.Scope,
			SizeBytes: e.Size, CreatedAt: e.Created.Format(time.RFC3339Nano)})
	}
	return out
}

func (s *Service) delete(ctx context.Context, q request) deleteResponse {
	i := s.find(q.key, q.version, q.writeScope())
	if i < 0 {
		return deleteResponse{}
	}
	_, _ = s.container.NewBlobClient(s.entries[i].blob).Delete(ctx, nil)
	s.entries = append(s.entries[:i], s.entries[i+1:]...)
	return deleteResponse{OK: true}
}

package actionscachefake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/deploykit/deploykit/internal/testenv/actionscachefake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The request bodies below are written as the clients write them:
// @actions/cache 6.3.0's generated Twirp client calls toJson with
// useProtoFieldName and without default values (proto names, int64 as a
// string, empty fields left out); tonistiigi/go-actions-cache (BuildKit's
// gha cache) marshals Go structs (size_bytes a JSON number, no metadata).

// call posts body to method and returns the HTTP status and the decoded
// JSON object of the answer.
func call(t *testing.T, s *actionscachefake.Service, method, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/twirp/github.actions.results.api.v1.CacheService/"+method, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func ok(t *testing.T, s *actionscachefake.Service, method, body string) map[string]any {
	t.Helper()
	status, out := call(t, s, method, s.Token, body)
	require.Equal(t, http.StatusOK, status, "%s: %v", method, out)
	return out
}

func put(t *testing.T, signedURL, data string) {
	t.Helper()
	bc, err := blockblob.NewClientWithNoCredential(signedURL, nil)
	require.NoError(t, err)
	_, err = bc.UploadBuffer(context.Background(), []byte(data), nil)
	require.NoError(t, err)
}

func get(t *testing.T, signedURL string) string {
	t.Helper()
	bc, err := blob.NewClientWithNoCredential(signedURL, nil)
	require.NoError(t, err)
	resp, err := bc.DownloadStream(context.Background(), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// save runs the @actions/cache save sequence: create, upload, finalize.
func save(t *testing.T, s *actionscachefake.Service, key, version, scope, data string) map[string]any {
	t.Helper()
	meta := ""
	if scope != "" {
		meta = `"metadata":{"scope":[{"scope":"` + scope + `","permission":"3"}]},`
	}
	created := ok(t, s, "CreateCacheEntry", `{`+meta+`"key":"`+key+`","version":"`+version+`"}`)
	require.Equal(t, true, created["ok"], "%v", created)
	put(t, created["signed_upload_url"].(string), data)
	return ok(t, s, "FinalizeCacheEntryUpload", `{`+meta+`"key":"`+key+`","size_bytes":"`+itoa(len(data))+`","version":"`+version+`"}`)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSaveAndRestoreAsActionsCacheSpeaks(t *testing.T) {
	s := actionscachefake.New(t, actionscachefake.Options{})

	created := ok(t, s, "CreateCacheEntry", `{"key":"Linux-npm-abc","version":"v1"}`)
	// Every field of CreateCacheEntryResponse, under its proto name.
	assert.Equal(t, map[string]any{"ok": true, "signed_upload_url": created["signed_upload_url"], "message": ""}, created)
	put(t, created["signed_upload_url"].(string), "archive-bytes")

	// A size that is not the uploaded one is refused.
	fin := ok(t, s, "FinalizeCacheEntryUpload", `{"key":"Linux-npm-abc","size_bytes":"5","version":"v1"}`)
	assert.Equal(t, false, fin["ok"])
	assert.NotEmpty(t, fin["message"])
	assert.Empty(t, s.Entries())

	fin = ok(t, s, "FinalizeCacheEntryUpload", `{"key":"Linux-npm-abc","size_bytes":"13","version":"v1"}`)
	assert.Equal(t, true, fin["ok"], "%v", fin)
	assert.Equal(t, "1", fin["entry_id"], "entry_id is a proto3 JSON int64: a string")
	assert.Equal(t, "", fin["message"])
	require.Len(t, s.Entries(), 1)
	e := s.Entries()[0]
	assert.Equal(t, []any{"Linux-npm-abc", "v1", actionscachefake.DefaultScope, int64(13)}, []any{e.Key, e.Version, e.Scope, e.Size})

	dl := ok(t, s, "GetCacheEntryDownloadURL", `{"key":"Linux-npm-abc","restore_keys":["Linux-npm-"],"version":"v1"}`)
	assert.Equal(t, true, dl["ok"])
	assert.Equal(t, "Linux-npm-abc", dl["matched_key"])
	assert.Equal(t, "archive-bytes", get(t, dl["signed_download_url"].(string)))

	// Entries are immutable: both a new reservation and a new finalization
	// of the same key and version are refused.
	again := ok(t, s, "CreateCacheEntry", `{"key":"Linux-npm-abc","version":"v1"}`)
	assert.Equal(t, false, again["ok"])
	assert.Equal(t, "", again["signed_upload_url"])
	again = ok(t, s, "FinalizeCacheEntryUpload", `{"key":"Linux-npm-abc","size_bytes":"13","version":"v1"}`)
	assert.Equal(t, false, again["ok"])

	// A miss: ok false, every field present.
	miss := ok(t, s, "GetCacheEntryDownloadURL", `{"key":"Linux-npm-abc","version":"v2"}`)
	assert.Equal(t, map[string]any{"ok": false, "signed_download_url": "", "matched_key": ""}, miss)

	assert.Equal(t, []string{
		"CreateCacheEntry Linux-npm-abc", "FinalizeCacheEntryUpload Linux-npm-abc", "FinalizeCacheEntryUpload Linux-npm-abc",
		"GetCacheEntryDownloadURL Linux-npm-abc", "CreateCacheEntry Linux-npm-abc", "FinalizeCacheEntryUpload Linux-npm-abc",
		"GetCacheEntryDownloadURL Linux-npm-abc",
	}, callStrings(s))
}

func callStrings(s *actionscachefake.Service) []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, c.String())
	}
	return out
}

// go-actions-cache writes size_bytes as a JSON number; proto3 JSON parsers
// accept both, and the lowerCamelCase field names as well.
func TestProto3JSONSpellings(t *testing.T) {
	s := actionscachefake.New(t, actionscachefake.Options{})
	created := ok(t, s, "CreateCacheEntry", `{"key":"buildkit-blob-1","version":"gha"}`)
	put(t, created["signed_upload_url"].(string), "layer")
	fin := ok(t, s, "FinalizeCacheEntryUpload", `{"key":"buildkit-blob-1","size_bytes":5,"version":"gha"}`)
	assert.Equal(t, true, fin["ok"], "%v", fin)

	dl := ok(t, s, "GetCacheEntryDownloadURL", `{"key":"nothing","restoreKeys":["buildkit-blob-"],"version":"gha","unknownField":1}`)
	assert.Equal(t, "buildkit-blob-1", dl["matched_key"])
}

func TestRestoreOrder(t *testing.T) {
	s := actionscachefake.New(t, actionscachefake.Options{})
	for _, e := range []struct{ key, version, scope string }{
		{"npm-feature-old", "v1", "refs/heads/feature"},
		{"npm-main-a", "v1", "refs/heads/main"},
		{"npm-main-b", "v1", "refs/heads/main"},
		{"npm-main", "v1", "refs/heads/main"},
		{"npm-main-c", "v2", "refs/heads/main"},
	} {
		fin := save(t, s, e.key, e.version, e.scope, e.key)
		require.Equal(t, true, fin["ok"], "%v", fin)
	}
	lookup := func(body string) any {
		return ok(t, s, "GetCacheEntryDownloadURL", body)["matched_key"]
	}
	feature := `"metadata":{"scope":[{"scope":"refs/heads/feature","permission":"1"},{"scope":"refs/heads/main","permission":"1"}]}`
	// The exact key beats newer entries it is a prefix of.
	assert.Equal(t, "npm-main", lookup(`{"key":"npm-main","version":"v1"}`))
	// A prefix of the key: the newest entry of the requested version.
	assert.Equal(t, "npm-main-b", lookup(`{"key":"npm-main-","version":"v1"}`))
	assert.Equal(t, "npm-main-c", lookup(`{"key":"npm-main-","version":"v2"}`))
	// Restore keys in order, the newest partial match of each.
	assert.Equal(t, "npm-main", lookup(`{"key":"pip","restore_keys":["yarn-","npm-"],"version":"v1"}`))
	// Scopes in order: the current branch first, even for an older entry
	// that matches only by a restore key...
	assert.Equal(t, "npm-feature-old", lookup(`{`+feature+`,"key":"npm-main","restore_keys":["npm-"],"version":"v1"}`))
	// ...then the next scope.
	assert.Equal(t, "npm-main", lookup(`{`+feature+`,"key":"npm-main","version":"v1"}`))
	// Only the scopes named.
	assert.Equal(t, "", lookup(`{"metadata":{"scope":[{"scope":"refs/heads/other","permission":"1"}]},"key":"npm-","restore_keys":["npm-"],"version":"v1"}`))
}

func TestTwirpErrors(t *testing.T) {
	s := actionscachefake.New(t, actionscachefake.Options{Token: "the-secret"})
	cases := []struct {
		name, method, token, body string
		status                    int
		code                      string
	}{
		{"no token", "CreateCacheEntry", "", `{"key":"k","version":"v"}`, 401, "unauthenticated"},
		{"wrong token", "CreateCacheEntry", "other", `{"key":"k","version":"v"}`, 401, "unauthenticated"},
		{"unknown method", "LookupCacheEntry", "the-secret", `{}`, 404, "bad_route"},
		{"not JSON", "CreateCacheEntry", "the-secret", `key=k`, 400, "malformed"},
		{"int64 not a number", "FinalizeCacheEntryUpload", "the-secret", `{"key":"k","version":"v","size_bytes":"ten"}`, 400, "malformed"},
		{"no version", "CreateCacheEntry", "the-secret", `{"key":"k"}`, 400, "invalid_argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := call(t, s, c.method, c.token, c.body)
			assert.Equal(t, c.status, status)
			assert.Equal(t, c.code, out["code"])
			assert.NotEmpty(t, out["msg"])
			assert.NotContains(t, out["msg"], "the-secret")
		})
	}
	assert.Equal(t, 2, s.Denied(), "the two refused tokens are counted")
	assert.Empty(t, s.Entries())

	resp, err := http.Get(s.URL + "/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "only POST is routed")

	req, _ := http.NewRequest(http.MethodPost, s.URL+"/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer the-secret")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "only application/json is routed")
}

func TestListAndDeleteExtensions(t *testing.T) {
	s := actionscachefake.New(t, actionscachefake.Options{})
	require.Equal(t, true, save(t, s, "k1", "v", "refs/heads/dev", "one")["ok"])
	list := ok(t, s, "ListCacheEntries", `{}`)
	entries := list["entries"].([]any)
	require.Len(t, entries, 1)
	e := entries[0].(map[string]any)
	assert.Equal(t, "k1", e["key"])
	assert.Equal(t, "refs/heads/dev", e["scope"])
	assert.Equal(t, "3", e["size_bytes"])
	assert.NotEmpty(t, e["created_at"])

	dev := `"metadata":{"scope":[{"scope":"refs/heads/dev","permission":"3"}]}`
	assert.Equal(t, false, ok(t, s, "DeleteCacheEntry", `{"key":"k1","version":"v"}`)["ok"], "another scope")
	assert.Equal(t, true, ok(t, s, "DeleteCacheEntry", `{`+dev+`,"key":"k1","version":"v"}`)["ok"])
	assert.Empty(t, ok(t, s, "ListCacheEntries", `{}`)["entries"])
	assert.Equal(t, false, ok(t, s, "GetCacheEntryDownloadURL", `{"key":"k1","version":"v"}`)["ok"])

	gh := actionscachefake.New(t, actionscachefake.Options{GitHubOnly: true})
	for _, m := range []string{"ListCacheEntries", "DeleteCacheEntry"} {
		status, out := call(t, gh, m, gh.Token, `{"key":"k1","version":"v"}`)
		assert.Equal(t, http.StatusNotFound, status, m)
		assert.Equal(t, "bad_route", out["code"], m)
	}
}

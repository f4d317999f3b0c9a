package imagebuild

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCacheSpec(t *testing.T) {
	tests := []struct {
		in   string
		want CacheSpec
		err  string
	}{
		{in: "type=registry,ref=reg.example.com/app:buildcache,mode=max",
			want: CacheSpec{Type: "registry", Attrs: map[string]string{"ref": "reg.example.com/app:buildcache", "mode": "max"}}},
		{in: "reg.example.com/app:buildcache",
			want: CacheSpec{Type: "registry", Attrs: map[string]string{"ref": "reg.example.com/app:buildcache"}}},
		{in: "type=local,dest=/tmp/cache", want: CacheSpec{Type: "local", Attrs: map[string]string{"dest": "/tmp/cache"}}},
		{in: `type=gha,"scope=a,b"`, want: CacheSpec{Type: "gha", Attrs: map[string]string{"scope": "a,b"}}},
		{in: "type=inline", want: CacheSpec{Type: "inline", Attrs: map[string]string{}}},
		{in: "type=azblob,account_url=https://x.blob.core.windows.net,name=main",
			want: CacheSpec{Type: "azblob", Attrs: map[string]string{"account_url": "https://x.blob.core.windows.net", "name": "main"}}},
		{in: "", err: "empty cache spec"},
		{in: "type=s4,ref=x", err: `unknown type "s4"`},
		{in: "ref=x,mode=max", err: "no type= field"},
		{in: "type=registry,ref=x,mode=all", err: `mode "all"`},
		{in: "type=registry,ref", err: `field 2 "ref" is not key=value`},
		{in: "type=registry,ref=a,ref=b", err: `key "ref" given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCacheSpec(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := ParseCacheSpec(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "String() round-trips")
		})
	}
}

func TestValidateCacheExportRefusesImageRef(t *testing.T) {
	cases := []struct {
		cache, image string
		same         bool
	}{
		{"reg:5000/app:v1", "reg:5000/app:v1", true},
		{"app", "docker.io/library/app:latest", true},
		{"library/app:latest", "app", true},
		{"reg:5000/app:buildcache", "reg:5000/app:v1", false},
		{"reg:5000/app", "reg:5000/app:latest", true},
		{"reg:5000/app-cache:v1", "reg:5000/app:v1", false},
	}
	for _, c := range cases {
		spec := CacheSpec{Type: CacheRegistry, Attrs: map[string]string{"ref": c.cache, "mode": "max"}}
		err := ValidateCacheExport(spec, []string{"other/image:x", c.image})
		if c.same {
			assert.True(t, errors.Is(err, ErrCacheRefIsImageRef), "%s vs %s: %v", c.cache, c.image, err)
		} else {
			assert.NoError(t, err, "%s vs %s", c.cache, c.image)
		}
	}
	assert.ErrorContains(t, ValidateCacheExport(CacheSpec{Type: CacheLocal, Attrs: map[string]string{}}, nil), "dest=DIR")
	assert.ErrorContains(t, ValidateCacheImport(CacheSpec{Type: CacheLocal, Attrs: map[string]string{}}), "src=DIR")
	assert.ErrorContains(t, ValidateCacheImport(CacheSpec{Type: CacheInline}), "inline")
	assert.ErrorContains(t, ValidateCacheExport(CacheSpec{Type: CacheRegistry, Attrs: map[string]string{}}, nil), "ref=")
}

func TestBranchCache(t *testing.T) {
	from, to := BranchCache("reg.example.com/app", "feature/Login#2", "main")
	require.Len(t, from, 2)
	assert.Equal(t, "reg.example.com/app:buildcache-feature-Login-2", from[0].Attrs["ref"])
	assert.Equal(t, "reg.example.com/app:buildcache-main", from[1].Attrs["ref"])
	assert.Equal(t, "reg.example.com/app:buildcache-feature-Login-2", to.Attrs["ref"])
	assert.Equal(t, "max", to.Attrs["mode"])

	from, _ = BranchCache("reg.example.com/app", "main", "main")
	assert.Len(t, from, 1, "no fallback to itself")
}

func FuzzParseCacheSpec(f *testing.F) {
	for _, s := range []string{"type=registry,ref=r/a:c,mode=max", "r/a:c", `type=gha,"scope=a,b"`, "type=local,src=/x", "=,=", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseCacheSpec(s)
		if err != nil {
			return
		}
		again, err := ParseCacheSpec(spec.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, spec.String(), err)
		}
		if again.Type != spec.Type || len(again.Attrs) != len(spec.Attrs) {
			t.Fatalf("round trip of %q: %v != %v", s, again, spec)
		}
		_ = ValidateCacheImport(spec)
		_ = ValidateCacheExport(spec, []string{s})
	})
}

func TestSameImageRef(t *testing.T) {
	// Docker's normalisation: bare names are Docker Hub's library/, no tag
	// is latest, docker.io and index.docker.io are one registry.
	for _, pair := range [][2]string{
		{"python", "docker.io/library/python:latest"},
		{"index.docker.io/org/app:v1", "docker.io/org/app:v1"},
		{"reg.example.com/app", "reg.example.com/app:latest"},
		{" reg.example.com/app:v1 ", "reg.example.com/app:v1"},
	} {
		assert.True(t, sameImageRef(pair[0], pair[1]), "%q = %q", pair[0], pair[1])
	}
	for _, pair := range [][2]string{
		{"reg.example.com/app:v1", "reg.example.com/app:v2"},
		{"reg.example.com/app:buildcache", "reg.example.com/app"},
		{"other.example.com/app:v1", "reg.example.com/app:v1"},
	} {
		assert.False(t, sameImageRef(pair[0], pair[1]), "%q != %q", pair[0], pair[1])
	}
}

func TestGHACacheValidation(t *testing.T) {
	tok := testRuntimeToken(time.Now().Add(time.Hour))
	ok := GHACache("main", "https://results-receiver.actions.githubusercontent.com/", tok)
	require.NoError(t, ValidateCacheImport(ok))
	require.NoError(t, ValidateCacheExport(ok, nil))
	assert.NotContains(t, ok.String(), tok, "a token never prints")
	assert.Contains(t, ok.String(), "token=***")
	for name, c := range map[string]struct {
		attrs map[string]string
		want  string
	}{
		"no token":  {map[string]string{"scope": "main", "url_v2": "https://x/"}, "token= is missing"},
		"v1 url":    {map[string]string{"scope": "main", "url": "https://artifactcache.actions.githubusercontent.com/x/", "token": tok}, "retired v1 cache service"},
		"no url":    {map[string]string{"scope": "main", "token": tok}, "url_v2= is missing"},
		"version 1": {map[string]string{"scope": "main", "url_v2": "https://x/", "token": tok, "version": "1"}, "only the cache service v2"},
		"bad url":   {map[string]string{"scope": "main", "url_v2": "x", "token": tok}, "not an http(s) URL"},
		"not a jwt": {map[string]string{"scope": "main", "url_v2": "https://x/", "token": "secret-not-a-jwt"}, "not an Actions runtime token"},
		"expired":   {map[string]string{"scope": "main", "url_v2": "https://x/", "token": testRuntimeToken(time.Unix(1700000000, 0))}, "the token expired at 2023-11-14T22:13:20Z"},
	} {
		spec := CacheSpec{Type: CacheGHA, Attrs: c.attrs}
		err := ValidateCacheImport(spec)
		require.Error(t, err, name)
		assert.ErrorContains(t, err, c.want, name)
		if tk := c.attrs["token"]; tk != "" {
			assert.NotContains(t, err.Error(), tk, name)
		}
		assert.ErrorContains(t, ValidateCacheExport(spec, nil), c.want, name)
	}
}

// testRuntimeToken mints a JWT shaped like the Actions runtime token
// (claims ac, nbf, exp; the signature is not checked by the client).
func testRuntimeToken(exp time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"ac": `[{"Scope":"refs/heads/main","Permission":3}]`, "nbf": exp.Add(-2 * time.Hour).Unix(), "exp": exp.Unix()}) +
		".c2lnbmF0dXJl"
}

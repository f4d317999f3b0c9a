package imagebuild

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/go-containerregistry/pkg/name"
	"slices"
	"sort"
	"strings"
	"time"
)

// Cache backend types accepted by ParseCacheSpec. They are BuildKit's own
// remote cache backends, named as `docker buildx build --cache-to` names them.
const (
	CacheRegistry = "registry" // a separate ref in an OCI registry (attr ref)
	CacheLocal    = "local"    // a directory on the client (attr src for import, dest for export)
	CacheAzblob   = "azblob"   // Azure Blob Storage (attr account_url, name)
	CacheGHA      = "gha"      // the GitHub Actions cache service v2 (attr scope, url_v2, token)
	CacheInline   = "inline"   // cache metadata inside the image config (export only)
)

// CacheModes returns the values of the mode attribute of an exported
// cache: "min" exports the layers of the final image only, "max" every
// intermediate step too (what multi-stage builds need to be fully cached).
func CacheModes() []string { return []string{"min", "max"} }

// ErrCacheRefIsImageRef is returned (wrapped) when a registry cache ref
// names the image itself. BuildKit would overwrite the image manifest with
// a cache manifest (or the reverse), so deploykit refuses it; use a
// separate tag such as ":buildcache".
var ErrCacheRefIsImageRef = errors.New("imagebuild: the registry cache ref is the image ref; use a separate ref such as :buildcache")

// secretCacheAttrs are the cache attributes that hold credentials.
var secretCacheAttrs = map[string]bool{"token": true, "ghtoken": true, "secret_access_key": true, "session_token": true}

// CacheSpec is one cache import (--cache-from) or export (--cache-to), in
// BuildKit's own terms: a backend type and its attributes.
type CacheSpec struct {
	// Type is one of CacheRegistry, CacheLocal, CacheAzblob, CacheGHA,
	// CacheInline.
	Type string
	// Attrs are the backend's attributes ("ref", "mode", "dest", ...).
	Attrs map[string]string
}

// String renders the spec in buildx syntax with sorted attributes, e.g.
// "type=registry,mode=max,ref=reg/app:buildcache". ParseCacheSpec reads it
// back to an equal spec, except that secret attributes (token, ghtoken,
// secret_access_key) print as "***": a spec in an error or a log line
// never carries a credential.
func (c CacheSpec) String() string {
	keys := make([]string, 0, len(c.Attrs))
	for k := range c.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fields := []string{"type=" + c.Type}
	for _, k := range keys {
		v := c.Attrs[k]
		if secretCacheAttrs[k] && v != "" {
			v = "***"
		}
		fields = append(fields, k+"="+v)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(fields) // a strings.Builder never fails
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// ParseCacheSpec parses a cache spec in buildx syntax: comma-separated
// key=value fields with a type, for example
//
//	type=registry,ref=registry.example.com/app:buildcache,mode=max
//	type=local,dest=/tmp/cache
//	type=gha,scope=main
//
// A value with no "=" at all is a registry ref (buildx's shorthand). Fields
// may be quoted CSV-style when a value contains a comma.
func ParseCacheSpec(s string) (CacheSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return CacheSpec{}, fmt.Errorf("imagebuild: empty cache spec (want type=registry,ref=REF or similar)")
	}
	if !strings.Contains(s, "=") {
		return CacheSpec{Type: CacheRegistry, Attrs: map[string]string{"ref": s}}, nil
	}
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil {
		return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: %w", s, err)
	}
	spec := CacheSpec{Attrs: map[string]string{}}
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: field %d %q is not key=value", s, i+1, f)
		}
		if k == "type" {
			spec.Type = strings.TrimSpace(v)
			continue
		}
		if _, dup := spec.Attrs[k]; dup {
			return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: key %q given twice", s, k)
		}
		spec.Attrs[k] = v
	}
	if spec.Type == "" {
		return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: no type= field (want one of %s)", s, strings.Join(cacheTypes, ", "))
	}
	if !slices.Contains(cacheTypes, spec.Type) {
		return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: unknown type %q (want one of %s)", s, spec.Type, strings.Join(cacheTypes, ", "))
	}
	if m, ok := spec.Attrs["mode"]; ok && !slices.Contains(CacheModes(), m) {
		return CacheSpec{}, fmt.Errorf("imagebuild: cache spec %q: mode %q (want min or max)", s, m)
	}
	return spec, nil
}

var cacheTypes = []string{CacheRegistry, CacheLocal, CacheAzblob, CacheGHA, CacheInline}

// ValidateCacheImport checks that spec can be used as a cache source.
func ValidateCacheImport(spec CacheSpec) error {
	switch spec.Type {
	case CacheRegistry:
		if spec.Attrs["ref"] == "" {
			return fmt.Errorf("imagebuild: cache import %s: registry cache needs ref=", spec)
		}
	case CacheLocal:
		if spec.Attrs["src"] == "" {
			return fmt.Errorf("imagebuild: cache import %s: local cache needs src=DIR", spec)
		}
	case CacheAzblob:
		if spec.Attrs["account_url"] == "" {
			return fmt.Errorf("imagebuild: cache import %s: azblob cache needs account_url=", spec)
		}
	case CacheGHA:
		return validateGHA("import", spec)
	case CacheInline:
		return fmt.Errorf("imagebuild: cache import %s: inline cache is imported from the image itself: use type=registry,ref=IMAGE", spec)
	default:
		return fmt.Errorf("imagebuild: cache import: unknown type %q", spec.Type)
	}
	return nil
}

// ValidateCacheExport checks that spec can be used as a cache destination
// for an image pushed under imageRefs: a registry cache ref must be set and
// must differ from every image ref (ErrCacheRefIsImageRef).
func ValidateCacheExport(spec CacheSpec, imageRefs []string) error {
	switch spec.Type {
	case CacheRegistry:
		ref := spec.Attrs["ref"]
		if ref == "" {
			return fmt.Errorf("imagebuild: cache export %s: registry cache needs ref=", spec)
		}
		for _, img := range imageRefs {
			if sameImageRef(ref, img) {
				return fmt.Errorf("cache export %s vs image %s: %w", spec, img, ErrCacheRefIsImageRef)
			}
		}
	case CacheLocal:
		if spec.Attrs["dest"] == "" {
			return fmt.Errorf("imagebuild: cache export %s: local cache needs dest=DIR", spec)
		}
	case CacheAzblob:
		if spec.Attrs["account_url"] == "" {
			return fmt.Errorf("imagebuild: cache export %s: azblob cache needs account_url=", spec)
		}
	case CacheGHA:
		return validateGHA("export", spec)
	case CacheInline:
	default:
		return fmt.Errorf("imagebuild: cache export: unknown type %q", spec.Type)
	}
	return nil
}

// GHACache returns the spec of a GitHub Actions cache (service v2, as
// BuildKit v0.34 speaks it) for scope, with the results service URL and
// the runtime token. In a workflow they are the runner's
// ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN, which only steps of
// JavaScript actions see; the library never reads the environment, the
// command does (examples/imagebuild).
func GHACache(scope, resultsURL, token string) CacheSpec {
	return CacheSpec{Type: CacheGHA, Attrs: map[string]string{"scope": scope, "url_v2": resultsURL, "token": token, "version": "2"}}
}

// validateGHA checks a gha cache before anything is sent: BuildKit v0.34
// talks to the cache service v2 (Twirp at url_v2, version 2), and without
// a token every request fails once the build is under way.
func validateGHA(dir string, spec CacheSpec) error {
	// The spec's String would print the token: name the scope only.
	what := fmt.Sprintf("imagebuild: cache %s type=gha,scope=%s", dir, spec.Attrs["scope"])
	if spec.Attrs["token"] == "" {
		return fmt.Errorf("%s: token= is missing (in GitHub Actions: ACTIONS_RUNTIME_TOKEN, exposed to run steps by an action such as crazy-max/ghaction-github-runtime)", what)
	}
	if err := checkRuntimeToken(spec.Attrs["token"], time.Now()); err != nil {
		return fmt.Errorf("%s: token=: %w", what, err)
	}
	if v := spec.Attrs["version"]; v != "" && v != "2" {
		return fmt.Errorf("%s: version=%s: only the cache service v2 is supported (the v1 service is retired)", what, v)
	}
	if spec.Attrs["url_v2"] == "" {
		if spec.Attrs["url"] != "" {
			return fmt.Errorf("%s: url= names the retired v1 cache service; pass the results service as url_v2= (ACTIONS_RESULTS_URL)", what)
		}
		return fmt.Errorf("%s: url_v2= is missing (in GitHub Actions: ACTIONS_RESULTS_URL)", what)
	}
	if !strings.HasPrefix(spec.Attrs["url_v2"], "https://") && !strings.HasPrefix(spec.Attrs["url_v2"], "http://") {
		return fmt.Errorf("%s: url_v2=%q is not an http(s) URL", what, spec.Attrs["url_v2"])
	}
	return nil
}

// checkRuntimeToken checks what BuildKit's gha backend checks before its
// first request: the Actions runtime token is a JWT whose claims carry
// the cache access scopes ("ac") and a validity window (nbf, exp). The
// signature is the service's to verify. Errors never quote the token.
func checkRuntimeToken(tok string, now time.Time) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not an Actions runtime token (a JWT of three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return errors.New("not an Actions runtime token (the JWT payload is not base64url)")
	}
	var claims struct {
		AC  *string  `json:"ac"`
		Exp *float64 `json:"exp"`
		Nbf *float64 `json:"nbf"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return errors.New("not an Actions runtime token (the JWT payload is not JSON)")
	}
	switch {
	case claims.AC == nil:
		return errors.New("the token has no cache access scopes (claim ac)")
	case claims.Exp == nil || claims.Nbf == nil:
		return errors.New("the token has no validity window (claims nbf and exp)")
	case now.After(time.Unix(int64(*claims.Exp), 0)):
		return fmt.Errorf("the token expired at %s", time.Unix(int64(*claims.Exp), 0).UTC().Format(time.RFC3339))
	case now.Before(time.Unix(int64(*claims.Nbf), 0)):
		return fmt.Errorf("the token is not valid before %s", time.Unix(int64(*claims.Nbf), 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// sameImageRef reports whether two references name the same image, by
// go-containerregistry's reference grammar: "python" is
// index.docker.io/library/python:latest, and docker.io is index.docker.io.
// References that do not parse are compared as written.
func sameImageRef(a, b string) bool {
	ra, errA := name.ParseReference(strings.TrimSpace(a), name.WeakValidation)
	rb, errB := name.ParseReference(strings.TrimSpace(b), name.WeakValidation)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return ra.Name() == rb.Name()
}

// BranchCache returns the registry caches for a build on branch: the cache
// to export (repo:buildcache-BRANCH, mode=max) and the caches to import, the
// branch's own first, then the default branch's as a fallback so the first
// build of a new branch starts warm. repo is an image repository without a
// tag ("registry.example.com/app"). Branch names are turned into valid tags
// (e.g. "feature/x" → "buildcache-feature-x").
func BranchCache(repo, branch, defaultBranch string) (from []CacheSpec, to CacheSpec) {
	tag := func(b string) string { return repo + ":buildcache-" + cacheTagFor(b) }
	own := tag(branch)
	from = []CacheSpec{{Type: CacheRegistry, Attrs: map[string]string{"ref": own}}}
	if defaultBranch != "" && cacheTagFor(defaultBranch) != cacheTagFor(branch) {
		from = append(from, CacheSpec{Type: CacheRegistry, Attrs: map[string]string{"ref": tag(defaultBranch)}})
	}
	to = CacheSpec{Type: CacheRegistry, Attrs: map[string]string{"ref": own, "mode": "max"}}
	return from, to
}

// cacheTagFor maps a branch name onto the tag grammar
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} (minus the "buildcache-" prefix).
func cacheTagFor(branch string) string {
	var b strings.Builder
	for _, r := range branch {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := b.String()
	if s == "" {
		s = "default"
	}
	const max = 128 - len("buildcache-")
	if len(s) > max {
		s = s[:max]
	}
	return s
}

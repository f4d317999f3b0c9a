package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Limits actions/cache enforces on keys.
const (
	// MaxKeyLength is the longest key, in UTF-16 code units (JavaScript
	// string length).
	MaxKeyLength = 512
	// MaxKeys is the most keys (primary plus restore keys) in one restore.
	MaxKeys = 10
	// CacheVersionSalt is the salt @actions/cache appends to the version
	// components.
	CacheVersionSalt = "1.0"
)

// ErrInvalidKey matches every key validation error.
var ErrInvalidKey = errors.New("invalid cache key")

// KeyError reports a key actions/cache would reject.
type KeyError struct {
	Key    string
	Reason string
}

// Error implements error.
func (e *KeyError) Error() string {
	return fmt.Sprintf("key validation error: %q %s", e.Key, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidKey) true.
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// ValidateKey applies actions/cache's rules to one key: at most 512
// UTF-16 code units and no comma.
func ValidateKey(key string) error {
	if n := len(utf16.Encode([]rune(key))); n > MaxKeyLength {
		return &KeyError{Key: key, Reason: fmt.Sprintf("cannot be larger than %d characters (has %d)", MaxKeyLength, n)}
	}
	if i := strings.IndexByte(key, ','); i >= 0 {
		return &KeyError{Key: key, Reason: fmt.Sprintf("cannot contain commas (column %d)", i+1)}
	}
	return nil
}

// ValidateKeys validates the primary key and restore keys together: each
// key, and at most 10 keys in all.
func ValidateKeys(primary string, restoreKeys []string) error {
	if n := 1 + len(restoreKeys); n > MaxKeys {
		return &KeyError{Key: primary, Reason: fmt.Sprintf("keys are limited to a maximum of %d (got %d)", MaxKeys, n)}
	}
	for _, k := range append([]string{primary}, restoreKeys...) {
		if err := ValidateKey(k); err != nil {
			return err
		}
	}
	return nil
}

// ParseMultiline splits an actions/cache multi-line input (path or
// restore-keys) the way the action reads it: lines without '\r', trimmed,
// empty lines dropped.
func ParseMultiline(input string) []string {
	var out []string
	for _, l := range strings.Split(input, "\n") {
		l = jsTrim(strings.ReplaceAll(l, "\r", ""))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CompressionMethod is how actions/cache compressed an archive; it is part
// of the cache version.
type CompressionMethod string

// The compression methods of @actions/cache.
const (
	CompressionGzip            CompressionMethod = "gzip"
	CompressionZstdWithoutLong CompressionMethod = "zstd-without-long"
	CompressionZstd            CompressionMethod = "zstd"
)

// CacheVersion computes the version @actions/cache sends with a key: the
// sha256 (hex) of the cache paths, then the compression method (if any),
// then "windows-only" on Windows unless cross-OS archives are enabled,
// then the salt "1.0", joined with '|'. paths are the path input lines as
// written (see ParseMultiline); the version differs when they differ.
func CacheVersion(paths []string, compression CompressionMethod, windows, enableCrossOSArchive bool) string {
	components := append([]string(nil), paths...)
	if compression != "" {
		components = append(components, string(compression))
	}
	if windows && !enableCrossOSArchive {
		components = append(components, "windows-only")
	}
	components = append(components, CacheVersionSalt)
	sum := sha256.Sum256([]byte(strings.Join(components, "|")))
	return hex.EncodeToString(sum[:])
}

// Entry is one saved cache entry, as a store lists it.
type Entry struct {
	// Key is the entry's key.
	Key string `json:"key"`
	// Version is the cache version (see CacheVersion).
	Version string `json:"version"`
	// Scope is the git ref the entry was saved from, like "refs/heads/main".
	Scope string `json:"scope"`
	// Created is when the entry was saved.
	Created time.Time `json:"created"`
	// Size is the archive size in bytes.
	Size int64 `json:"size"`
}

// RestoreRequest is what a restore asks for.
type RestoreRequest struct {
	// Key is the primary key.
	Key string
	// RestoreKeys are tried in order, each as a prefix.
	RestoreKeys []string
	// Version must equal the entry's version.
	Version string
	// Scopes are searched in order; see Scopes.
	Scopes []string
}

// MatchType says how a restore matched.
type MatchType int

// How Resolve found an entry.
const (
	NoMatch MatchType = iota
	// ExactMatch: the primary key itself (cache-hit is true).
	ExactMatch
	// PrefixMatch: an entry whose key starts with the primary key.
	PrefixMatch
	// RestoreKeyMatch: an entry matched by a restore key.
	RestoreKeyMatch
)

// String names the match type; an undefined value reads "MatchType(N)".
func (m MatchType) String() string {
	names := [...]string{"none", "exact", "prefix", "restore-key"}
	if m < 0 || int(m) >= len(names) {
		return "MatchType(" + strconv.Itoa(int(m)) + ")"
	}
	return names[m]
}

// Resolution is Resolve's answer.
type Resolution struct {
	Entry Entry
	Match MatchType
	// RestoreKey is the restore key that matched (RestoreKeyMatch only).
	RestoreKey string
}

// CacheHit is the cache-hit output of actions/cache: true only when the
// primary key matched exactly.
func (r Resolution) CacheHit() bool { return r.Match == ExactMatch }

// Scopes returns the refs a run may restore from, in search order: the
// current ref, then the pull request's base branch, then the default
// branch (duplicates and empty values dropped). Branch names are turned
// into refs/heads/... when they are not already refs.
func Scopes(ref, baseBranch, defaultBranch string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range []string{ref, baseBranch, defaultBranch} {
		if r == "" {
			continue
		}
		if !strings.HasPrefix(r, "refs/") {
			r = "refs/heads/" + r
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// Resolve picks the entry a restore gets, following actions/cache: in
// each scope in order, the exact primary key, then the most recently
// created entry whose key has the primary key as prefix, then for each
// restore key in order its exact match or else its most recent prefix
// match. Only entries with the requested version count. With no scopes,
// every entry is in scope.
func Resolve(entries []Entry, req RestoreRequest) (Resolution, bool) {
	scopes := req.Scopes
	if len(scopes) == 0 {
		scopes = []string{"\x00any"}
	}
	for _, scope := range scopes {
		var in []Entry
		for _, e := range entries {
			if e.Version == req.Version && (scope == "\x00any" || e.Scope == scope) {
				in = append(in, e)
			}
		}
		if len(in) == 0 {
			continue
		}
		// Newest first; ties by key for determinism.
		sort.SliceStable(in, func(i, j int) bool {
			if !in[i].Created.Equal(in[j].Created) {
				return in[i].Created.After(in[j].Created)
			}
			return in[i].Key < in[j].Key
		})
		if e, ok := exactIn(in, req.Key); ok {
			return Resolution{Entry: e, Match: ExactMatch}, true
		}
		if e, ok := prefixIn(in, req.Key); ok {
			return Resolution{Entry: e, Match: PrefixMatch}, true
		}
		for _, rk := range req.RestoreKeys {
			if e, ok := exactIn(in, rk); ok {
				return Resolution{Entry: e, Match: RestoreKeyMatch, RestoreKey: rk}, true
			}
			if e, ok := prefixIn(in, rk); ok {
				return Resolution{Entry: e, Match: RestoreKeyMatch, RestoreKey: rk}, true
			}
		}
	}
	return Resolution{}, false
}

func exactIn(newestFirst []Entry, key string) (Entry, bool) {
	for _, e := range newestFirst {
		if e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}

func prefixIn(newestFirst []Entry, prefix string) (Entry, bool) {
	for _, e := range newestFirst {
		if strings.HasPrefix(e.Key, prefix) {
			return e, true
		}
	}
	return Entry{}, false
}

package cdn

import (
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/internal/strictjson"
)

// Manifest is Django's staticfiles.json, written by collectstatic with
// ManifestStaticFilesStorage (or WhiteNoise's CompressedManifestStaticFilesStorage):
// a map from each file's plain name to its content-hashed name.
type Manifest struct {
	// Version is the file's "version" field: "1.0" (Django up to 4.1) or
	// "1.1" (Django 4.2+, which adds Hash).
	Version string
	// Hash is the manifest's own hash (version 1.1), "" for 1.0.
	Hash string
	// Paths maps plain names to hashed names, both relative to STATIC_ROOT
	// with forward slashes: "css/site.css" -> "css/site.dd1dd9204562.css".
	Paths map[string]string
}

// manifestVersions are the staticfiles.json versions ParseManifest reads.
// Django writes "1.0" up to 4.1 and "1.1" from 4.2 (which adds "hash");
// older formats (no version, "0") predate Django 1.7's manifest storage.
var manifestVersions = map[string]bool{"1.0": true, "1.1": true}

// ManifestVersions returns the staticfiles.json versions this package reads.
func ManifestVersions() []string { return []string{"1.0", "1.1"} }

// maxManifestSize bounds what ParseManifest reads (64 MiB holds several
// hundred thousand entries).
const maxManifestSize = 64 << 20

type manifestJSON struct {
	Paths   map[string]string `json:"paths"`
	Version *string           `json:"version"`
	Hash    *string           `json:"hash"`
}

// ReadManifest reads and parses the staticfiles.json at file.
func ReadManifest(file string) (*Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", file, err)
	}
	return ParseManifest(file, src)
}

// ParseManifest parses the content of a staticfiles.json, named file in
// errors. It checks the "version" field rather than assuming one, and
// refuses entries that are not clean relative paths (absolute, "..", empty
// segments, backslashes), since their names become URLs and blob names.
//
// The document is decoded through internal/strictjson: a name given twice
// in one object (in "paths" above all, where encoding/json and Python's
// json keep the last silently) is refused with both positions; wrong kinds
// (a number for a hashed name) are all reported at once; 64 MiB and 64
// levels of nesting at most; values are never quoted in decoding errors.
// Top-level names other than "paths", "version" and "hash" are tolerated:
// Django's own reader (ManifestFilesMixin.load_manifest) reads only those
// three and ignores the rest, so a newer Django adding one, as 4.2 added
// "hash", must not break a deploy. Content errors are an *InputError naming
// file:line:col, in document order.
func ParseManifest(file string, src []byte) (*Manifest, error) {
	var raw manifestJSON
	ix, err := decodeWith(file, src, &raw, &strictjson.Options{MaxBytes: maxManifestSize, MaxDepth: maxJSONDepth, AllowUnknown: true})
	if err != nil {
		return nil, err
	}
	var errs []FieldError
	at := func(ptr, msg string) { // a missing member is placed at the document
		errs = append(errs, FieldError{Pos: ix.position(file, ptr), Field: ptr, Msg: msg})
	}
	m := &Manifest{Paths: make(map[string]string, len(raw.Paths))}
	switch {
	case raw.Version == nil:
		at("/version", "missing \"version\"; is this a staticfiles.json from ManifestStaticFilesStorage?")
	case !manifestVersions[*raw.Version]:
		at("/version", fmt.Sprintf("unsupported manifest version %q (want one of %s)", *raw.Version, strings.Join(ManifestVersions(), ", ")))
	default:
		m.Version = *raw.Version
	}
	if raw.Hash != nil {
		m.Hash = *raw.Hash
	}
	if raw.Paths == nil {
		at("/paths", "missing \"paths\"")
	}
	for k, v := range raw.Paths {
		ptr := "/paths/" + escapePointer(k)
		switch {
		case badStaticPath(k) != "":
			at(ptr, "name "+badStaticPath(k))
		case badStaticPath(v) != "":
			at(ptr, "hashed name "+badStaticPath(v))
		default:
			m.Paths[k] = v
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			a, b := errs[i].Pos, errs[j].Pos
			return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
		})
		return nil, &InputError{File: file, Errors: errs}
	}
	return m, nil
}

// badStaticPath explains why p is not a clean relative static path, "" if it is.
func badStaticPath(p string) string {
	switch {
	case p == "":
		return "is empty"
	case strings.HasPrefix(p, "/"):
		return fmt.Sprintf("%q is absolute (want a path relative to STATIC_ROOT)", p)
	case strings.ContainsAny(p, "\\\x00"):
		return fmt.Sprintf("%q holds a backslash or NUL", p)
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return fmt.Sprintf("%q is not a clean relative path", p)
	}
	return ""
}

// Hashed returns the hashed names, sorted.
func (m *Manifest) Hashed() []string {
	out := make([]string, 0, len(m.Paths))
	seen := map[string]bool{}
	for _, v := range m.Paths {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Unhashed returns the plain names, sorted.
func (m *Manifest) Unhashed() []string {
	out := make([]string, 0, len(m.Paths))
	for k := range m.Paths {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsHashed reports whether name is one of the manifest's hashed names.
func (m *Manifest) IsHashed(name string) bool {
	for _, v := range m.Paths {
		if v == name {
			return true
		}
	}
	return false
}

// hashedSet returns the hashed names as a set.
func (m *Manifest) hashedSet() map[string]bool {
	s := make(map[string]bool, len(m.Paths))
	for _, v := range m.Paths {
		s[v] = true
	}
	return s
}

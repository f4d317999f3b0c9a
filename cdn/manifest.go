package cdn

import (
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
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
// Content errors are an *InputError naming file:line:col.
func ParseManifest(file string, src []byte) (*Manifest, error) {
	if len(src) > maxManifestSize {
		return nil, &InputError{File: file, Errors: []FieldError{{Pos: Position{File: file}, Msg: fmt.Sprintf("larger than %d bytes", maxManifestSize)}}}
	}
	var raw manifestJSON
	// Unknown top-level fields are allowed: Django may add some, as 4.2
	// added "hash". The position index is built only when there is an
	// error to place, which keeps the common path one decode.
	if err := jsonUnmarshalLoose(src, &raw); err != nil {
		ix, ierr := indexJSON(src)
		if ierr != nil {
			return nil, &InputError{File: file, Errors: []FieldError{{Pos: syntaxPos(file, src, ierr), Msg: "invalid JSON: " + ierr.Error()}}}
		}
		ptr := ""
		if te, ok := asTypeError(err); ok {
			ptr = ix.before(te.Offset)
		}
		return nil, &InputError{File: file, Errors: []FieldError{{Pos: ix.position(file, ptr), Field: ptr, Msg: "expected {\"paths\": {NAME: HASHED_NAME, ...}, \"version\": \"1.0\"|\"1.1\"}"}}}
	}
	var errs []FieldError
	m := &Manifest{Paths: make(map[string]string, len(raw.Paths))}
	switch {
	case raw.Version == nil:
		errs = append(errs, FieldError{Field: "/version", Msg: "missing \"version\"; is this a staticfiles.json from ManifestStaticFilesStorage?"})
	case !manifestVersions[*raw.Version]:
		errs = append(errs, FieldError{Field: "/version",
			Msg: fmt.Sprintf("unsupported manifest version %q (want one of %s)", *raw.Version, strings.Join(ManifestVersions(), ", "))})
	default:
		m.Version = *raw.Version
	}
	if raw.Hash != nil {
		m.Hash = *raw.Hash
	}
	if raw.Paths == nil {
		errs = append(errs, FieldError{Field: "/paths", Msg: "missing \"paths\""})
	}
	var bad []string
	for k, v := range raw.Paths {
		if badStaticPath(k) != "" || badStaticPath(v) != "" {
			bad = append(bad, k)
			continue
		}
		m.Paths[k] = v
	}
	sort.Strings(bad)
	for _, k := range bad {
		v := raw.Paths[k]
		ptr := "/paths/" + escapePointer(k)
		if msg := badStaticPath(k); msg != "" {
			errs = append(errs, FieldError{Field: ptr, Msg: "name " + msg})
		} else {
			errs = append(errs, FieldError{Field: ptr, Msg: "hashed name " + badStaticPath(v)})
		}
	}
	if len(errs) > 0 {
		ix, ierr := indexJSON(src)
		for i := range errs {
			switch {
			case ierr != nil:
				errs[i].Pos = Position{File: file, Line: 1, Column: 1}
			case errs[i].Field == "/paths" || (errs[i].Field == "/version" && raw.Version == nil):
				errs[i].Pos = ix.position(file, "")
			default:
				errs[i].Pos = ix.position(file, errs[i].Field)
			}
		}
	}
	if len(errs) > 0 {
		return nil, &InputError{File: file, Errors: errs}
	}
	return m, nil
}

func syntaxPos(file string, src []byte, err error) Position {
	if se, ok := err.(*SyntaxError); ok {
		return offsetPosition(file, src, se.Offset)
	}
	return Position{File: file, Line: 1, Column: 1}
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

package dockerfile

import (
	_ "embed"
	"encoding/json"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/distribution/reference"
)

//go:embed data/python_eol.json
var pythonEOLData []byte

type pythonEOLTable struct {
	Source    string            `json:"source"`
	Retrieved string            `json:"retrieved"`
	EOL       map[string]string `json:"eol"`
}

var pythonEOL = sync.OnceValue(func() map[string]time.Time {
	var t pythonEOLTable
	if err := json.Unmarshal(pythonEOLData, &t); err != nil {
		panic("dockerfile: embedded data/python_eol.json: " + err.Error()) // a build defect, not user input
	}
	out := make(map[string]time.Time, len(t.EOL))
	for v, d := range t.EOL {
		day, err := time.Parse("2006-01-02", d)
		if err != nil {
			panic("dockerfile: embedded data/python_eol.json: " + err.Error())
		}
		out[v] = day
	}
	return out
})

// PythonEOL returns the end-of-life date of a CPython minor version ("3.10")
// from deploykit's table (data/python_eol.json, taken from
// https://devguide.python.org/versions/ with its retrieval date), and
// whether the version is in it.
func PythonEOL(minor string) (time.Time, bool) {
	t, ok := pythonEOL()[minor]
	return t, ok
}

// PythonEOLSource says where the end-of-life table comes from and when it
// was taken.
func PythonEOLSource() (source, retrieved string) {
	var t pythonEOLTable
	_ = json.Unmarshal(pythonEOLData, &t)
	return t.Source, t.Retrieved
}

// eolWarnWindow is how long before end of life DK106 starts reporting (at
// info).
const eolWarnWindow = 180 * 24 * time.Hour

// baseImagePythonVersion returns the Python minor version a base image
// reference names: the tag of the official python image ("python:3.12.4-slim"),
// a "python3.9" in any tag ("tiangolo/uvicorn-gunicorn:python3.9",
// "ghcr.io/astral-sh/uv:python3.12-bookworm"), or the leading version of
// the tag of an image whose repository is named python
// ("cimg/python:3.8", "mcr.microsoft.com/devcontainers/python:3.11").
func baseImagePythonVersion(ref string) string {
	if v := pythonImageVersion(ref); v != "" {
		return v
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	t, ok := named.(reference.Tagged)
	if !ok {
		return ""
	}
	if m := pythonInTagRE.FindStringSubmatch(t.Tag()); m != nil {
		return m[1]
	}
	if path.Base(reference.Path(named)) == "python" {
		if m := pythonTagVersionRE.FindString(t.Tag()); m != "" {
			parts := strings.SplitN(m, ".", 3)
			return parts[0] + "." + parts[1]
		}
	}
	return ""
}

var pythonInTagRE = regexp.MustCompile(`(?:^|[^a-z])(?:python|py)-?([23]\.[0-9]{1,2})(?:[^0-9]|$)`)

// pythonImageVersion returns the "3.12" of an official python image
// reference ("python:3.12.4-slim"), or "".
func pythonImageVersion(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil || reference.FamiliarName(named) != "python" {
		return ""
	}
	t, ok := named.(reference.Tagged)
	if !ok {
		return ""
	}
	v := pythonTagVersionRE.FindString(t.Tag())
	if v == "" {
		return ""
	}
	parts := strings.SplitN(v, ".", 3)
	return parts[0] + "." + parts[1]
}

// floatingTag explains why ref's tag floats, or returns "" for a tag that
// names a full version. Digest-pinned references never float.
func floatingTag(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	if _, ok := named.(reference.Digested); ok {
		return ""
	}
	t, ok := named.(reference.Tagged)
	if !ok || t.Tag() == "latest" {
		return "the implicit or explicit \"latest\" tag points at whatever was pushed last"
	}
	tag := t.Tag()
	v := pythonTagVersionRE.FindString(tag)
	if v == "" {
		// "18", "20-trixie": a major version; "20260904_072102": a
		// date stamp, which does not float.
		if n := leadingNumber(tag); n != "" && len(n) <= 3 && (len(n) == len(tag) || tag[len(n)] == '-') {
			return "tag " + strconv.Quote(tag) + " names a major version only"
		}
		return ""
	}
	if strings.Count(v, ".") < 2 {
		return "tag " + strconv.Quote(tag) + " moves with every patch release and base OS update"
	}
	return ""
}

func leadingNumber(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func hasDigest(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return strings.Contains(ref, "@sha256:")
	}
	_, ok := named.(reference.Digested)
	return ok
}

var pythonTagVersionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?`)

package dockerfile

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
)

// PythonEOL maps CPython minor versions to their end-of-life dates (the
// "end of life" column of https://devguide.python.org/versions/ and the
// release PEPs). Versions not listed are either too old to matter (treated
// as past EOL when below 3.8) or newer than this table.
var PythonEOL = map[string]time.Time{
	"2.7":  eolDate(2020, 1, 1),
	"3.5":  eolDate(2020, 9, 13),
	"3.6":  eolDate(2021, 12, 23),
	"3.7":  eolDate(2023, 6, 27),
	"3.8":  eolDate(2024, 10, 7),
	"3.9":  eolDate(2025, 10, 31),
	"3.10": eolDate(2026, 10, 31),
	"3.11": eolDate(2027, 10, 31),
	"3.12": eolDate(2028, 10, 31),
	"3.13": eolDate(2029, 10, 31),
	"3.14": eolDate(2030, 10, 31),
}

func eolDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// eolWarnWindow is how long before end of life DK106 starts reporting (at
// info).
const eolWarnWindow = 180 * 24 * time.Hour

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
		if n := leadingNumber(tag); n != "" {
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

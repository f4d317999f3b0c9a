package gunicornconf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// MaxLockFileSize is the largest lock or requirements file VersionFromLock
// reads (32 MiB; real poetry.lock and uv.lock files are well under 1 MiB).
const MaxLockFileSize = 32 << 20

// LockError is a lock or requirements file that cannot be read, or whose
// gunicorn pin the catalogue cannot serve: File, the 1-based Line and
// Column (0 when unknown) and what was expected.
type LockError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error formats the error as "file:line:col: msg".
func (e *LockError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// LockedVersion is the gunicorn release a lock or requirements file pins.
type LockedVersion struct {
	// Release is the pinned version as the file writes it ("20.1.0").
	Release string
	// Version is the catalogue's release line for it: the one to pass to
	// Options (and -gunicorn-version).
	Version Version
	// File and Line locate the pin (Line is 0 when it cannot be found).
	File string
	Line int
	// Text reports whether the catalogue was generated from gunicorn's own
	// config.py of exactly this release, as PyPI ships it. It is false for
	// another patch release of a catalogued line (the catalogue holds one
	// text per line), for a line derived from the texts around it, and for
	// 20.1.0, whose text is Debian's patched one.
	Text bool
}

// VersionFromLock reads the gunicorn release pinned in a lock or
// requirements file and maps it to the catalogue. The kind of file comes
// from its base name:
//
//   - poetry.lock, uv.lock, pylock.toml, pylock.*.toml: the [[package]]
//     (or PEP 751 [[packages]]) table named gunicorn;
//   - Pipfile.lock: "default" (else "develop") → "gunicorn" → "version";
//   - requirements*.txt (any *.txt): a `gunicorn==X.Y.Z` line, with
//     extras, environment markers, --hash options and `\` continuations.
//
// Names compare as PEP 503 normalises them ("Gunicorn", "gunicorn").
// found is false when the file does not mention gunicorn. A *LockError
// names file and line when the file is not what its name says, when
// gunicorn is listed but not pinned to one release (`gunicorn>=20`), when
// it is pinned to two different releases, and when the catalogue has no
// entry for the pinned release (a release it does not hold is refused, as
// ParseVersion refuses it).
func VersionFromLock(file string, data []byte) (v LockedVersion, found bool, err error) {
	if len(data) > MaxLockFileSize {
		return LockedVersion{}, false, &LockError{File: file, Line: 1, Msg: fmt.Sprintf("file is %d bytes, more than the %d read", len(data), MaxLockFileSize)}
	}
	var pins []pin
	base := filepath.Base(file)
	switch {
	case base == "poetry.lock" || base == "uv.lock" || base == "pylock.toml" ||
		strings.HasPrefix(base, "pylock.") && strings.HasSuffix(base, ".toml"):
		pins, err = tomlPins(file, data)
	case base == "Pipfile.lock":
		pins, err = pipfilePins(file, data)
	case strings.HasSuffix(base, ".txt"):
		pins, err = requirementsPins(file, data)
	default:
		return LockedVersion{}, false, &LockError{File: file, Msg: "not a lock file deploykit reads (want poetry.lock, uv.lock, pylock.toml, Pipfile.lock or requirements*.txt)"}
	}
	if err != nil || len(pins) == 0 {
		return LockedVersion{}, false, err
	}
	p := pins[0]
	for _, q := range pins[1:] {
		if q.version != p.version {
			return LockedVersion{}, true, &LockError{File: file, Line: q.line, Msg: fmt.Sprintf("gunicorn is locked at two releases (%s at line %d, %s here); deploykit checks against one", clip(p.version), p.line, clip(q.version))}
		}
	}
	if p.unpinned != "" {
		return LockedVersion{}, true, &LockError{File: file, Line: p.line, Msg: fmt.Sprintf("gunicorn is not pinned to one release (%s); pin it with == so deploykit knows which release's settings to check", clip(p.unpinned))}
	}
	m := releaseRE.FindStringSubmatch(strings.TrimSpace(p.version))
	if m == nil {
		return LockedVersion{}, true, &LockError{File: file, Line: p.line, Msg: fmt.Sprintf("gunicorn version %q: want a release such as 23.0.0", clip(p.version))}
	}
	ver, perr := ParseVersion(m[1] + "." + m[2])
	if perr != nil {
		return LockedVersion{}, true, &LockError{File: file, Line: p.line, Msg: fmt.Sprintf("gunicorn %s is pinned here: %s", clip(p.version), strings.TrimPrefix(perr.Error(), "gunicornconf: "))}
	}
	rel := strings.TrimSpace(p.version)
	t := catalogue().texts[ver]
	return LockedVersion{Release: rel, Version: ver, File: file, Line: p.line,
		Text: t.release == rel && !t.patched}, true, nil
}

// releaseRE is a PEP 440 release with an optional pre/post/dev/local
// suffix: "23.0.0", "24.0", "25.0.0rc1", "20.1.0.post1", "21.2.0+local".
var releaseRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.\d+)*(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d*)?(?:[-_.]?(?:post|rev|r)\d*)?(?:[-_.]?dev\d*)?(?:\+[A-Za-z0-9.]+)?$`)

type pin struct {
	version  string // the pinned version, "" when unpinned
	unpinned string // the requirement as written, when it pins no single release
	line     int
}

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// isGunicorn compares a distribution name as PEP 503 normalises it.
func isGunicorn(name string) bool {
	return strings.ToLower(nameSeparators.ReplaceAllString(strings.TrimSpace(name), "-")) == "gunicorn"
}

func tomlPins(file string, data []byte) ([]pin, error) {
	type pkg struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
	}
	var lock struct {
		Package  []pkg `toml:"package"`
		Packages []pkg `toml:"packages"`
	}
	if err := toml.Unmarshal(data, &lock); err != nil {
		le := &LockError{File: file, Line: 1, Msg: "not a TOML lock file: " + err.Error()}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			le.Line, le.Column = de.Position()
			le.Msg = "not a TOML lock file: " + de.Error()
		}
		return nil, le
	}
	var pins []pin
	for _, p := range append(lock.Package, lock.Packages...) {
		if !isGunicorn(p.Name) {
			continue
		}
		if p.Version == "" {
			return nil, &LockError{File: file, Line: lineOf(data, `name = "`+p.Name+`"`), Msg: "the gunicorn package has no version"}
		}
		pins = append(pins, pin{version: p.Version, line: tomlVersionLine(data, p.Name, p.Version)})
	}
	return pins, nil
}

// tomlVersionLine is the 1-based line of `version = "<v>"` in the package
// table named name, 0 when it cannot be found.
func tomlVersionLine(data []byte, name, version string) int {
	lines := strings.Split(string(data), "\n")
	in := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "[["):
			in = false
		case strings.HasPrefix(t, "name") && (strings.Contains(t, `"`+name+`"`) || strings.Contains(t, `'`+name+`'`)):
			in = true
		case in && strings.HasPrefix(t, "version") && strings.Contains(t, version):
			return i + 1
		}
	}
	return 0
}

func lineOf(data []byte, needle string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	return 0
}

func pipfilePins(file string, data []byte) ([]pin, error) {
	type entry struct {
		Version string `json:"version"`
	}
	var lock map[string]json.RawMessage
	if err := json.Unmarshal(data, &lock); err != nil {
		le := &LockError{File: file, Line: 1, Msg: "not a Pipfile.lock (JSON): " + err.Error()}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			le.Line, le.Column = jsonPosition(data, se.Offset)
		}
		return nil, le
	}
	for _, group := range []string{"default", "develop"} {
		raw, ok := lock[group]
		if !ok {
			continue
		}
		var pkgs map[string]entry
		if err := json.Unmarshal(raw, &pkgs); err != nil {
			return nil, &LockError{File: file, Line: lineOf(data, `"`+group+`"`), Msg: fmt.Sprintf("Pipfile.lock %q is not a table of packages: %v", group, err)}
		}
		names := make([]string, 0, len(pkgs))
		for n := range pkgs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !isGunicorn(n) {
				continue
			}
			line := lineOf(data, `"`+n+`"`)
			ver := pkgs[n].Version
			if v, ok := strings.CutPrefix(ver, "==="); ok {
				return []pin{{version: v, line: line}}, nil
			}
			if v, ok := strings.CutPrefix(ver, "=="); ok && !strings.ContainsAny(v, "*,<>!~ ") {
				return []pin{{version: v, line: line}}, nil
			}
			return []pin{{unpinned: n + ver, line: line}}, nil
		}
	}
	return nil, nil
}

// jsonPosition converts a byte offset to a 1-based line and column.
func jsonPosition(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// requirementRE is a PEP 508 requirement's name, extras and version
// specifier, as pip's requirements files write it.
var requirementRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)

func requirementsPins(file string, data []byte) ([]pin, error) {
	var pins []pin
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxLockFileSize)
	lineNo, start := 0, 0
	var logical strings.Builder
	flush := func() {
		l := logical.String()
		logical.Reset()
		if p, ok := requirementPin(l); ok {
			p.line = start
			pins = append(pins, p)
		}
	}
	for sc.Scan() {
		lineNo++
		l := sc.Text()
		if logical.Len() == 0 {
			start = lineNo
		}
		// A comment starts at "#" at the line start or after whitespace.
		if i := strings.Index(l, "#"); i == 0 || i > 0 && (l[i-1] == ' ' || l[i-1] == '\t') {
			l = l[:i]
		}
		if strings.HasSuffix(l, `\`) {
			logical.WriteString(strings.TrimSuffix(l, `\`))
			logical.WriteByte(' ')
			continue
		}
		logical.WriteString(l)
		flush()
	}
	if err := sc.Err(); err != nil {
		return nil, &LockError{File: file, Line: lineNo + 1, Msg: "cannot read requirements: " + err.Error()}
	}
	if logical.Len() > 0 {
		flush()
	}
	return pins, nil
}

// requirementPin reads one logical requirements line: gunicorn pinned with
// == or ===, or listed without a single release.
func requirementPin(l string) (pin, bool) {
	l = strings.TrimSpace(l)
	if l == "" || strings.HasPrefix(l, "-") {
		return pin{}, false // options: -r, -c, -e, --hash, --index-url
	}
	// Options after the requirement (--hash=...) and environment markers.
	if i := strings.Index(l, " --"); i >= 0 {
		l = l[:i]
	}
	if i := strings.Index(l, ";"); i >= 0 {
		l = l[:i]
	}
	m := requirementRE.FindStringSubmatch(strings.TrimSpace(l))
	if m == nil || !isGunicorn(m[1]) {
		return pin{}, false
	}
	spec := strings.TrimSpace(m[3])
	if strings.HasPrefix(spec, "@") {
		return pin{unpinned: strings.TrimSpace(l)}, true // a direct URL
	}
	for _, op := range []string{"===", "=="} {
		if v, ok := strings.CutPrefix(spec, op); ok {
			v = strings.TrimSpace(v)
			if v != "" && !strings.ContainsAny(v, "*,<>!~ ") {
				return pin{version: v}, true
			}
			break
		}
	}
	return pin{unpinned: strings.TrimSpace(l)}, true
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

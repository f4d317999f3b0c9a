package cdn

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// MaxLockFileSize is the largest lock file DjangoVersionFromLock reads
// (32 MiB; real poetry.lock and uv.lock files are well under 1 MiB).
const MaxLockFileSize = 32 << 20

// LockError is a lock file that is not TOML, or not a lock: File, the
// 1-based Line and Column (0 when unknown) and what was expected.
type LockError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error formats the error as "file:line:col: msg".
func (e *LockError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// DjangoVersionFromLock reads the locked Django release from a lock file's
// text: poetry.lock and uv.lock ([[package]] tables) or a PEP 751
// pylock.toml ([[packages]]), with the package name compared as PEP 503
// normalises it ("Django", "django"). file names the lock in errors. It
// returns found=false when the lock has no Django, and a *LockError when
// the text is not TOML or a locked Django version is not MAJOR.MINOR[...].
// Use the result as CheckOptions.Django and SettingsOptions.Django, so the
// storage setting is checked in the form the installed Django reads.
func DjangoVersionFromLock(file string, data []byte) (v DjangoVersion, found bool, err error) {
	if len(data) > MaxLockFileSize {
		return DjangoVersion{}, false, &LockError{File: file, Line: 1, Msg: fmt.Sprintf("lock file is %d bytes, more than the %d read (want poetry.lock, uv.lock or pylock.toml)", len(data), MaxLockFileSize)}
	}
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
		return DjangoVersion{}, false, le
	}
	for _, p := range append(lock.Package, lock.Packages...) {
		if normalizeName(p.Name) != "django" {
			continue
		}
		// PEP 440 releases: "4.2.7", "5.0rc1", "5.1a1", "4.2.post1".
		m := releasePrefix.FindString(strings.TrimSpace(p.Version))
		v, err := ParseDjangoVersion(m)
		if m == "" || err != nil {
			return DjangoVersion{}, false, &LockError{File: file, Line: lineOf(data, p.Version), Msg: fmt.Sprintf("locked Django version %q: want MAJOR.MINOR[.PATCH]", clip(p.Version))}
		}
		return v, true, nil
	}
	return DjangoVersion{}, false, nil
}

var releasePrefix = regexp.MustCompile(`^\d+\.\d+`)

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// normalizeName is PEP 503's name normalisation.
func normalizeName(n string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(n, "-"))
}

// lineOf is the 1-based line of the first `version = "<v>"` line, 0 when
// it cannot be found.
func lineOf(data []byte, version string) int {
	needle := `"` + version + `"`
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, needle) && strings.HasPrefix(strings.TrimSpace(l), "version") {
			return i + 1
		}
	}
	return 0
}

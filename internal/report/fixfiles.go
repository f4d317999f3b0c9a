package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// lineCol formats the line and column only: "3:5".
func (p Position) lineCol() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// MaxFixFileSize is the largest file the fix functions read (64 MiB).
const MaxFixFileSize = 64 << 20

// FileError is a fix that could not be applied to one file: its edits
// overlap or fall outside the file, or the file cannot be read or written.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

// ApplyFixes computes, in memory, what -fix would write: for each file, its
// contents after the edits of the first suggested fix with edits of every
// diagnostic (FixEdits). read returns a file's current contents by path;
// paths are cleaned (filepath.Clean), so "./Dockerfile" and "Dockerfile"
// are one file. Only files whose contents change are in the result.
//
// An insertion whose text is already at its position is skipped, so
// applying the same diagnostics twice inserts once. Overlapping edits in a
// file are refused: the error is a *FileError wrapping ErrOverlap, one per
// failing file (joined), and no result is returned.
func ApplyFixes(diags []Diagnostic, read func(path string) ([]byte, error)) (map[string][]byte, error) {
	out := map[string][]byte{}
	var errs []error
	byFile := mergeAliases(FixEdits(diags))
	for _, file := range sortedFiles(byFile) {
		edits := byFile[file]
		src, err := read(file)
		if err != nil {
			errs = append(errs, &FileError{File: file, Err: err})
			continue
		}
		if len(src) > MaxFixFileSize {
			errs = append(errs, &FileError{File: file, Err: fmt.Errorf("%d bytes, more than the %d the fixer reads", len(src), MaxFixFileSize)})
			continue
		}
		edits = skipApplied(src, edits)
		fixed, err := ApplyEdits(src, edits)
		if err != nil {
			errs = append(errs, &FileError{File: file, Err: err})
			continue
		}
		if !bytes.Equal(fixed, src) {
			out[file] = fixed
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// mergeAliases gathers the edits of paths that name the same file
// ("Dockerfile", "./Dockerfile") under the cleaned name, so that one
// file's fixes are applied together.
func mergeAliases(m map[string][]TextEdit) map[string][]TextEdit {
	out := map[string][]TextEdit{}
	for _, name := range sortedFiles(m) {
		c := filepath.Clean(name)
		out[c] = append(out[c], m[name]...)
	}
	return out
}

func sortedFiles(m map[string][]TextEdit) []string {
	files := make([]string, 0, len(m))
	for f := range m {
		files = append(files, f)
	}
	sort.Strings(files)
	return files
}

// skipApplied drops insertions whose text already sits at their position:
// what a second run over the same diagnostics would insert again. Edits
// whose positions are invalid are kept, for ApplyEdits to report.
func skipApplied(src []byte, edits []TextEdit) []TextEdit {
	out := edits[:0:0]
	idx := newLineIndex(src)
	for _, e := range edits {
		if e.NewText != "" && (!e.End.IsValid() || (e.End.Line == e.Pos.Line && e.End.Column == e.Pos.Column)) {
			if off, err := idx.offset(e.Pos); err == nil && bytes.HasPrefix(src[off:], []byte(e.NewText)) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// FixOptions tunes ApplyFixesToFiles. The zero value resolves relative
// paths against the working directory and allows any path.
type FixOptions struct {
	// Dir resolves relative paths; "" is the working directory.
	Dir string
	// Root, when set, confines writes: a file whose real path (symbolic
	// links resolved) is outside Root is refused.
	Root string
}

// ApplyFixesToFiles applies the fixes of diags (see ApplyFixes) to the
// files on disk and returns the paths it changed, sorted and cleaned
// (filepath.Clean) from the names the diagnostics use.
//
// It is all or nothing for problems it can see before writing: when any
// file fails (unreadable, overlapping edits, outside Root, not a regular
// file), no file is written. Each file is replaced atomically: the new
// contents go to a temporary file in the same directory, with the
// original's permission bits, which is then renamed over the original (a
// symbolic link is followed and its target replaced; owner and group are
// those of the user running the fix). All temporary files are written and
// synced before the first rename, so a full disk changes nothing; only a
// rename failing part-way (which the checks above make unlikely) leaves the
// files renamed so far changed, and returns them with the error.
// Running the analyser again and applying its fixes changes nothing more.
func ApplyFixesToFiles(ctx context.Context, diags []Diagnostic, opts FixOptions) ([]string, error) {
	type target struct {
		name, real string
		mode       fs.FileMode
	}
	targets := map[string]target{}
	var errs []error
	read := func(name string) ([]byte, error) {
		t, err := resolveTarget(name, opts)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(t)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("not a regular file")
		}
		if st.Size() > MaxFixFileSize {
			return nil, fmt.Errorf("%d bytes, more than the %d the fixer reads", st.Size(), MaxFixFileSize)
		}
		targets[name] = target{name: name, real: t, mode: st.Mode().Perm()}
		return os.ReadFile(t)
	}
	fixed, err := ApplyFixes(diags, read)
	if err != nil {
		return nil, err
	}
	byReal := map[string]string{}
	for name := range fixed {
		if other, dup := byReal[targets[name].real]; dup {
			return nil, &FileError{File: name, Err: fmt.Errorf("the same file as %s (a link): refused", other)}
		}
		byReal[targets[name].real] = name
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(fixed))
	for name := range fixed {
		names = append(names, name)
	}
	sort.Strings(names)

	// Phase 1: every temporary file; any failure removes them all.
	temps := map[string]string{}
	cleanup := func() {
		for _, tmp := range temps {
			_ = os.Remove(tmp)
		}
	}
	for _, name := range names {
		t := targets[name]
		tmp, err := writeTemp(t.real, fixed[name], t.mode)
		if err != nil {
			errs = append(errs, &FileError{File: name, Err: err})
			break
		}
		temps[name] = tmp
	}
	if len(errs) == 0 {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		cleanup()
		return nil, errors.Join(errs...)
	}
	// Phase 2: renames, each atomic.
	var changed []string
	for _, name := range names {
		if err := os.Rename(temps[name], targets[name].real); err != nil {
			delete(temps, name)
			cleanup()
			return changed, &FileError{File: name, Err: err}
		}
		delete(temps, name)
		changed = append(changed, name)
	}
	return changed, nil
}

// resolveTarget turns a diagnostic's path into the real file to replace.
func resolveTarget(name string, opts FixOptions) (string, error) {
	p := name
	if !filepath.IsAbs(p) && opts.Dir != "" {
		p = filepath.Join(opts.Dir, p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	if opts.Root != "" {
		root, err := filepath.EvalSymlinks(opts.Root)
		if err != nil {
			return "", fmt.Errorf("root: %w", err)
		}
		ra, err1 := filepath.Abs(root)
		pa, err2 := filepath.Abs(real)
		if err := errors.Join(err1, err2); err != nil {
			return "", err
		}
		rel, err := filepath.Rel(ra, pa)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("outside %s: refused", opts.Root)
		}
	}
	return real, nil
}

// writeTemp writes data to a new temporary file beside path, with mode, and
// returns its name.
func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".fix-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

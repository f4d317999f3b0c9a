package dockerfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// ContextFile is one file of a build context, as BuildKit would send it.
type ContextFile struct {
	// Path is slash-separated and relative to the context root.
	Path string `json:"path"`
	// Size is the file size in bytes (symlinks count as their own size).
	Size int64 `json:"size"`
}

// ContextIndex describes what a build context sends to the builder after
// .dockerignore has been applied. Build one with ContextFromDir (I/O) or by
// hand in tests; Lint only reads it.
type ContextIndex struct {
	// DockerIgnore holds the .dockerignore patterns; nil when the context
	// has no .dockerignore.
	DockerIgnore []string `json:"dockerignore,omitempty"`
	// HasDockerIgnore reports whether a .dockerignore file exists (it may be
	// empty).
	HasDockerIgnore bool `json:"has_dockerignore"`
	// Files is every file sent, sorted by Path.
	Files []ContextFile `json:"files"`
	// Ignored counts the files .dockerignore kept out.
	Ignored int `json:"ignored"`
	// Manifests maps the context paths of the files deploykit reads
	// (pyproject.toml, poetry.lock, uv.lock, requirements*.txt at the root;
	// Django settings modules; configuration files that often hold keys,
	// such as config.yml) to their contents, when they are sent.
	Manifests map[string][]byte `json:"-"`
	// Dir is the directory the index was built from ("" when built by
	// hand); findings about a context file name it joined to Dir.
	Dir string `json:"-"`
}

// ErrContext is wrapped by errors about an unreadable build context.
var ErrContext = errors.New("dockerfile: build context")

// manifestMax bounds how much of a manifest file is kept in memory.
const manifestMax = 4 << 20

func isManifest(rel string) bool {
	if isSettingsFile(rel) || secretConfigNames[path.Base(rel)] && strings.Count(rel, "/") <= 3 {
		return true
	}
	if strings.Contains(rel, "/") {
		return false
	}
	switch rel {
	case "pyproject.toml", "poetry.lock", "uv.lock":
		return true
	}
	return strings.HasPrefix(rel, "requirements") && strings.HasSuffix(rel, ".txt")
}

// isSettingsFile reports whether rel looks like a Django settings module
// (settings.py, settings/*.py), which DK108 reads for SECRET_KEY.
func isSettingsFile(rel string) bool {
	if !strings.HasSuffix(rel, ".py") || strings.Count(rel, "/") > 4 {
		return false
	}
	return path.Base(rel) == "settings.py" || strings.Contains(rel, "/settings/") || strings.HasPrefix(rel, "settings/")
}

// secretConfigNames are configuration files that often hold keys; DK114
// reads them for key-like values.
var secretConfigNames = map[string]bool{
	"config.yml": true, "config.yaml": true, "config.json": true, "secrets.yml": true, "secrets.yaml": true,
	"secrets.json": true, "secrets.toml": true, ".secrets.toml": true, "credentials.yml": true, "credentials.yaml": true,
	"settings.yml": true, "settings.yaml": true, "application.yml": true, "local.yml": true, "production.yml": true,
}

// ContextFromDir walks the build context dir, applies its .dockerignore the
// way BuildKit does (github.com/moby/patternmatcher) and returns the index.
// Directories excluded by a pattern without later "!" exceptions are not
// descended into.
func ContextFromDir(ctx context.Context, dir string) (*ContextIndex, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContext, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrContext, dir)
	}
	idx := &ContextIndex{Manifests: map[string][]byte{}, Dir: dir}
	var pm *patternmatcher.PatternMatcher
	ignorePath := filepath.Join(dir, ".dockerignore")
	if data, err := os.ReadFile(ignorePath); err == nil {
		patterns, err := ignorefile.ReadAll(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrContext, ignorePath, err)
		}
		idx.HasDockerIgnore = true
		idx.DockerIgnore = patterns
		if pm, err = patternmatcher.New(patterns); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrContext, ignorePath, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrContext, err)
	}

	parents := map[string]patternmatcher.MatchInfo{}
	visitDir := func(rel string) (bool, error) {
		if pm == nil {
			return true, nil
		}
		excluded, info, err := pm.MatchesUsingParentResults(rel, parents[path.Dir(rel)])
		if err != nil {
			return false, err
		}
		if excluded && !pm.Exclusions() {
			return false, nil
		}
		parents[rel] = info
		return true, nil
	}
	visitFile := func(rel string, size int64, regular bool) error {
		if pm != nil {
			excluded, _, err := pm.MatchesUsingParentResults(rel, parents[path.Dir(rel)])
			if err != nil {
				return err
			}
			if excluded {
				idx.Ignored++
				return nil
			}
		}
		idx.Files = append(idx.Files, ContextFile{Path: rel, Size: size})
		if isManifest(rel) && regular && size <= manifestMax {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				return err
			}
			idx.Manifests[rel] = data
		}
		return nil
	}
	if err := walkContext(ctx, dir, visitDir, visitFile); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContext, err)
	}
	sort.Slice(idx.Files, func(i, j int) bool { return idx.Files[i].Path < idx.Files[j].Path })
	return idx, nil
}

// Under returns the files at p or below it (p is slash-separated and
// relative; "" or "." means the whole context).
func (c *ContextIndex) Under(p string) []ContextFile {
	if c == nil {
		return nil
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	if p == "" {
		return c.Files
	}
	var out []ContextFile
	i := sort.Search(len(c.Files), func(i int) bool { return c.Files[i].Path >= p })
	if i < len(c.Files) && c.Files[i].Path == p {
		out = append(out, c.Files[i])
	}
	prefix := p + "/"
	j := sort.Search(len(c.Files), func(i int) bool { return c.Files[i].Path >= prefix })
	for ; j < len(c.Files) && strings.HasPrefix(c.Files[j].Path, prefix); j++ {
		out = append(out, c.Files[j])
	}
	return out
}

// Match returns the files a COPY source (a path or glob relative to the
// context) brings, following Dockerfile semantics: a directory brings its
// contents, a glob brings every match and the contents of matched
// directories.
func (c *ContextIndex) Match(src string) []ContextFile {
	if c == nil {
		return nil
	}
	src = strings.Trim(path.Clean("/"+src), "/")
	if !strings.ContainsAny(src, "*?[") {
		return c.Under(src)
	}
	var out []ContextFile
	for _, f := range c.Files {
		if globMatchesPathOrParent(src, f.Path) {
			out = append(out, f)
		}
	}
	return out
}

func globMatchesPathOrParent(pattern, p string) bool {
	for {
		if ok, _ := path.Match(pattern, p); ok {
			return true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

func contextSum(files []ContextFile) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// HashFilesStable hashes the files HashFiles would select, but NOT the
// way hashFiles does: files are taken in sorted order of their
// workspace-relative paths, each path is part of the hash, and CRLF line
// endings are normalised to LF before hashing. The result therefore does
// not change when files are renamed into a different walk order without
// changing the sorted set, or when a checkout converts line endings, but
// it never equals hashFiles(...) and must not be compared with runner
// keys. Format: sha256 over "path\x00sha256(normalised content)\n" per
// file, lowercase hex; "" when nothing matched.
func HashFilesStable(ctx context.Context, dir string, args []string, opts HashOptions) (string, error) {
	r, err := HashFilesDetailed(ctx, dir, args, opts)
	if err != nil {
		return "", err
	}
	if len(r.Files) == 0 {
		return "", nil
	}
	ws, err := resolveWorkspace(dir)
	if err != nil {
		return "", err
	}
	type item struct{ rel, path string }
	items := make([]item, 0, len(r.Files))
	for _, f := range r.Files {
		items = append(items, item{strings.TrimPrefix(f, ws+"/"), f})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].rel < items[j].rel })
	outer := sha256.New()
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		d, err := normalisedDigest(it.path)
		if err != nil {
			return "", fmt.Errorf("stable hash %s: %w", it.rel, err)
		}
		fmt.Fprintf(outer, "%s\x00%x\n", it.rel, d)
	}
	return hex.EncodeToString(outer.Sum(nil)), nil
}

// normalisedDigest is the sha256 of a file with every "\r\n" turned into "\n".
func normalisedDigest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	out := make([]byte, 0, len(buf)+1)
	prevCR := false
	for {
		n, err := f.Read(buf)
		out = out[:0]
		for _, c := range buf[:n] {
			if prevCR {
				if c != '\n' {
					out = append(out, '\r')
				}
				prevCR = false
			}
			if c == '\r' {
				prevCR = true
				continue
			}
			out = append(out, c)
		}
		h.Write(out)
		if err == io.EOF {
			if prevCR {
				h.Write([]byte{'\r'})
			}
			return h.Sum(nil), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// HashFilesGitIndex hashes the tracked files (per the git index of the
// repository containing dir) whose paths match the hashFiles patterns,
// using the blob ids recorded in the index: no file content is read and
// untracked or ignored files never count. It is NOT hashFiles-compatible
// (different inputs, different format) and reflects the index, not
// unstaged edits. Format: sha256 over "path\x00mode\x00blob-id\n" per
// matching entry in index (sorted) order; "" when nothing matched. Paths
// are relative to the repository root; patterns are rooted at dir.
func HashFilesGitIndex(ctx context.Context, dir string, args []string, opts HashOptions) (string, error) {
	text, _, err := ParseHashFilesArgs(args)
	if err != nil {
		return "", err
	}
	ws, err := resolveWorkspace(dir)
	if err != nil {
		return "", fmt.Errorf("git index hash: %w", err)
	}
	top, gitDir, err := findGitDir(ws)
	if err != nil {
		return "", fmt.Errorf("git index hash: %w", err)
	}
	idx, err := readGitIndex(filepath.Join(gitDir, "index"))
	if err != nil {
		return "", fmt.Errorf("git index hash: reading index: %w", err)
	}
	home := opts.HomeDir
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	text, _ = lossyString(text)
	set, err := compilePatterns(text, ws, home)
	if err != nil {
		return "", &HashFilesError{Op: "pattern", Err: err}
	}
	outer := sha256.New()
	n := 0
	var buf []uint16
	for _, e := range idx.Entries {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		full := top + "/" + e.Name
		if top == "/" {
			full = "/" + e.Name
		}
		if set.match(splitSlashes(full), false, &buf)&matchFile == 0 {
			continue
		}
		fmt.Fprintf(outer, "%s\x00%o\x00%s\n", e.Name, uint32(e.Mode), e.Hash)
		n++
	}
	if n == 0 {
		return "", nil
	}
	return hex.EncodeToString(outer.Sum(nil)), nil
}

// findGitDir walks up from dir to the repository top level and returns it
// with the git directory (".git", or where a ".git" file points).
func findGitDir(dir string) (top, gitDir string, err error) {
	for d := dir; ; {
		p := filepath.Join(d, ".git")
		st, err := os.Stat(p)
		if err == nil {
			if st.IsDir() {
				return d, p, nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return "", "", err
			}
			line := strings.TrimSpace(string(b))
			if !strings.HasPrefix(line, "gitdir: ") {
				return "", "", fmt.Errorf("%s: not a gitdir file", p)
			}
			g := strings.TrimPrefix(line, "gitdir: ")
			if !filepath.IsAbs(g) {
				g = filepath.Join(d, g)
			}
			return d, g, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", fmt.Errorf("no git repository at or above %s", dir)
		}
		d = parent
	}
}

func readGitIndex(path string) (*index.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx := &index.Index{}
	if err := index.NewDecoder(f).Decode(idx); err != nil {
		return nil, err
	}
	return idx, nil
}

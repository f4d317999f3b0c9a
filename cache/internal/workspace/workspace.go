// Package workspace generates synthetic Python-project workspaces of any
// size for cache's benchmarks and tests (up to the 100,000 files
// and 2.8 GB). It is internal: a fixture, not part of the cache API.
package workspace

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Spec describes a synthetic Python-project workspace for
// benchmarks: application packages, tests, a vendored node_modules, a
// .venv with site-packages, a .git directory and poetry.lock files. The
// zero value gives a small tree (2,000 files, about 8 MB) that builds in
// well under a second.
type Spec struct {
	// Files is the number of files. Zero: 2,000.
	Files int
	// TotalBytes is the approximate total size. Zero: 4 KiB per file.
	TotalBytes int64
	// Seed makes the tree reproducible. Zero: 1.
	Seed uint64
}

// Stats summarises a generated workspace.
type Stats struct {
	Files      int
	PyFiles    int
	PoetryLock int
	Bytes      int64
	PyBytes    int64
}

// Generate writes a synthetic workspace into dir (which should be
// empty). The mix follows a Django project with vendored dependencies:
// about 45% of files under node_modules, 35% under .venv, 10% under .git
// and 10% application code; roughly 40% of all files are *.py.
func Generate(dir string, spec Spec) (Stats, error) {
	if spec.Files <= 0 {
		spec.Files = 2000
	}
	if spec.TotalBytes <= 0 {
		spec.TotalBytes = int64(spec.Files) * 4096
	}
	seed := spec.Seed
	if seed == 0 {
		seed = 1
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	avg := spec.TotalBytes / int64(spec.Files)
	var st Stats
	chunk := []byte(strings.Repeat("import os\nfrom django.db import models\n# deploykit synthetic file\n", 64))
	write := func(rel string, size int64) error {
		full := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		f, err := os.Create(full)
		if err != nil {
			return err
		}
		// Unique first line so no two files hash alike.
		fmt.Fprintf(f, "# %s %d\n", rel, rng.Uint64())
		for left := size; left > 0; {
			n := int64(len(chunk))
			if n > left {
				n = left
			}
			if _, err := f.Write(chunk[:n]); err != nil {
				f.Close()
				return err
			}
			left -= n
		}
		if err := f.Close(); err != nil {
			return err
		}
		st.Files++
		st.Bytes += size
		if strings.HasSuffix(rel, ".py") {
			st.PyFiles++
			st.PyBytes += size
		}
		if filepath.Base(rel) == "poetry.lock" {
			st.PoetryLock++
		}
		return nil
	}
	size := func() int64 {
		// Mostly small files with a long tail, averaging avg.
		x := rng.ExpFloat64() * float64(avg)
		if x < 16 {
			x = 16
		}
		return int64(x)
	}
	for _, p := range []string{"poetry.lock", "services/api/poetry.lock", "services/worker/poetry.lock"} {
		if err := write(p, size()); err != nil {
			return st, err
		}
	}
	// Directory counts scale with the tree: about 10 files per directory,
	// like real node_modules and site-packages.
	nodePkgs := max(1, spec.Files/60)
	dists := max(1, spec.Files/80)
	fan := min(256, max(1, spec.Files/40))
	for i := 0; st.Files < spec.Files; i++ {
		var rel string
		switch r := rng.IntN(100); {
		case r < 45: // node_modules: package/dir/file.js
			pkg := i % nodePkgs
			rel = fmt.Sprintf("static/node_modules/pkg%03d/lib/d%d/m%d.js", pkg, i%3, i)
			if i%10 == 0 {
				rel = fmt.Sprintf("static/node_modules/pkg%03d/package.json", pkg)
			}
		case r < 80: // .venv site-packages: mostly .py, some .pyc
			rel = fmt.Sprintf(".venv/lib/python3.12/site-packages/dist%03d/sub%d/mod%d.py", i%dists, i%3, i)
			if i%4 == 0 {
				rel = fmt.Sprintf(".venv/lib/python3.12/site-packages/dist%03d/__pycache__/mod%d.cpython-312.pyc", i%dists, i)
			}
		case r < 90: // .git objects
			rel = fmt.Sprintf(".git/objects/%02x/%038x", i%fan, rng.Uint64())
		default: // application code and tests
			app := []string{"blog", "accounts", "api", "core"}[i%4]
			rel = fmt.Sprintf("%s/m%d.py", app, i)
			if i%5 == 0 {
				rel = fmt.Sprintf("%s/tests/test_m%d.py", app, i)
			}
			if i%9 == 0 {
				rel = fmt.Sprintf("%s/templates/%s/t%d.html", app, app, i)
			}
		}
		if _, err := os.Lstat(filepath.Join(dir, rel)); err == nil {
			continue
		}
		if err := write(rel, size()); err != nil {
			return st, err
		}
	}
	return st, nil
}

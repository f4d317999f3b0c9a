package workflow

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// benchFiles is 50 workflows: the real-world set, the seed, the hand-checked
// one and the goldens, repeated to fifty.
func benchFiles(b *testing.B) []File {
	b.Helper()
	var paths []string
	for _, g := range []string{"testdata/realworld/*.yml", "testdata/seed/*.yml", "testdata/good/*.yml", "testdata/golden/*.yml"} {
		m, _ := filepath.Glob(g)
		paths = append(paths, m...)
	}
	var files []File
	for len(files) < 50 {
		for _, p := range paths {
			if len(files) == 50 {
				break
			}
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, File{Name: p, Data: data})
		}
	}
	return files
}

// BenchmarkLint50 lints 50 workflows (actionlint and deploykit's rules);
// the README's target is under 100 ms per run.
func BenchmarkLint50(b *testing.B) {
	files := benchFiles(b)
	var size int
	for _, f := range files {
		size += len(f.Data)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Lint(context.Background(), files, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	// The machines these run on are shared: wall time per op swings with
	// the load, CPU time (this process, GC included) does not.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkGenerate renders one pipeline.
func BenchmarkGenerate(b *testing.B) {
	f := factSets()["poetry-slot"]
	for i := 0; i < b.N; i++ {
		if _, err := Generate(f); err != nil {
			b.Fatal(err)
		}
	}
}

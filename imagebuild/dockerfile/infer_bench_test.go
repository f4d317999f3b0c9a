package dockerfile

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkInferProjects infers the spec of every fixture project (walks,
// lock parsing, marker evaluation, settings chain) and generates its
// Dockerfile and .dockerignore.
func BenchmarkInferProjects(b *testing.B) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "projects", "*"))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range dirs {
			s, err := Infer(context.Background(), d, InferOptions{Now: projectNow})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := Generate(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(dirs)), "µs/project")
}

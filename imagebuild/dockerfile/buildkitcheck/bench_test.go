package buildkitcheck_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/imagebuild/dockerfile/buildkitcheck"
)

// BenchmarkLintWithBuildKit is BenchmarkLint of the parent package with
// BuildKit's full checks added: the seed's Dockerfile padded to 200 lines,
// over a 10,000-file context index.
func BenchmarkLintWithBuildKit(b *testing.B) {
	seed, err := os.ReadFile("../testdata/lint/seed.Dockerfile")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(seed), "\n"), "\n")
	for i := 0; len(lines) < 200; i++ {
		lines = append(lines, fmt.Sprintf("LABEL org.example.pad%d=\"%d\"", i, i))
	}
	src := []byte(strings.Join(lines, "\n") + "\n")
	idx := &dockerfile.ContextIndex{HasDockerIgnore: true, DockerIgnore: []string{".git"}}
	for i := range 10000 {
		idx.Files = append(idx.Files, dockerfile.ContextFile{Path: fmt.Sprintf("app/m%03d/f%05d.py", i%100, i), Size: 1200})
	}
	cfg := dockerfile.LintConfig{Context: idx, BuildKit: buildkitcheck.Checker{}, Now: time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := dockerfile.Lint(context.Background(), src, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

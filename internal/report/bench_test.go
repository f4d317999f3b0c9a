package report

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchFile is a 5000-line Dockerfile-like text.
func benchFile() string {
	var b strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&b, "RUN echo step %d && apt-get install -y pkg%d\n", i, i)
	}
	return b.String()
}

// benchDiags: 1000 findings, each with a one-edit fix, on the 5000 lines.
func benchDiags() []Diagnostic {
	var diags []Diagnostic
	for i := 1; i <= 1000; i++ {
		line := i * 5
		diags = append(diags, Diagnostic{
			Pos: Position{File: "Dockerfile", Line: line, Column: 1}, End: Position{File: "Dockerfile", Line: line, Column: 4},
			Rule: fmt.Sprintf("DK%03d", 100+i%20), Severity: SeverityWarning, URL: "https://example.com/r",
			Message:        fmt.Sprintf("finding %d", i),
			SuggestedFixes: []SuggestedFix{{Message: "fix", TextEdits: []TextEdit{{Pos: Position{Line: line, Column: 1}, End: Position{Line: line, Column: 4}, NewText: "run"}}}},
			Related:        []Related{{Pos: Position{File: "Dockerfile", Line: 1, Column: 1}, Message: "first"}},
		})
	}
	return diags
}

func BenchmarkWriteSARIF(b *testing.B) {
	diags := benchDiags()
	src := []byte(benchFile())
	for _, withSource := range []bool{false, true} {
		opts := SARIFOptions{}
		if withSource {
			opts.Source = func(string) ([]byte, error) { return src, nil }
		}
		b.Run(fmt.Sprintf("1000diags/source=%v", withSource), func(b *testing.B) {
			for b.Loop() {
				if err := WriteSARIFWith(io.Discard, tool, nil, diags, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkApplyEdits(b *testing.B) {
	src := []byte(benchFile())
	edits := FixEdits(benchDiags())["Dockerfile"]
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := ApplyEdits(src, edits); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnifiedDiff(b *testing.B) {
	src := []byte(benchFile())
	read := func(string) ([]byte, error) { return src, nil }
	for _, n := range []int{3, 1000} {
		diags := benchDiags()
		if n < len(diags) {
			diags = []Diagnostic{diags[0], diags[500], diags[999]}
		}
		b.Run(fmt.Sprintf("5000lines/%dfixes", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := UnifiedDiff(diags, read); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

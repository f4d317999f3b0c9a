package dockerfile

import (
	"context"
	"testing"
)

// BenchmarkContextFromDir measures indexing the 10,000-file benchmark context.
func BenchmarkContextFromDir(b *testing.B) {
	dir := benchContext(b)
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := ContextFromDir(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

package gunicornconf

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The machine these run on is shared, so next to wall time (ns/op) every
// benchmark reports the process's CPU time per operation (cpu-ns/op, user
// + system from getrusage, GC included), which waiting for a core does not
// inflate.

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, perOp int) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N*perOp), "cpu-ns/op")
}

// BenchmarkLintFile measures what an editor or CI hook pays per file:
// parse + validate the seed's gunicorn.conf.py.
func BenchmarkLintFile(b *testing.B) {
	src, err := os.ReadFile("testdata/lint/seed.conf.py")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		c, err := Load("gunicorn.conf.py", src)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Validate(Options{Platform: PlatformAppServiceCode})
	}
	reportCPU(b, cpu, 1)
}

// BenchmarkParseValidateRender is the promise: parse + validate +
// render, under 1 ms per file, on the seed's 347-byte file (typical) and
// on the 4 KB runtime-sized file deploykit renders (it has functions and
// conditionals).
func BenchmarkParseValidateRender(b *testing.B) {
	seed, err := os.ReadFile("testdata/lint/seed.conf.py")
	if err != nil {
		b.Fatal(err)
	}
	r, err := Render(RenderOptions{App: "mysite.wsgi:application"})
	if err != nil {
		b.Fatal(err)
	}
	sku, _ := LookupSKU("P1v3")
	for _, in := range []struct {
		name string
		src  []byte
	}{{"seed-347B", seed}, {"rendered-4KB", r.Config}} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				c, err := Load("gunicorn.conf.py", in.src)
				if err != nil {
					b.Fatal(err)
				}
				_ = c.Validate(Options{Platform: PlatformAppServiceCode})
				if _, err := Render(RenderOptions{App: "mysite.wsgi:application", SKU: &sku}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu, 1)
		})
	}
}

// BenchmarkRealWorld is parse + validate + render per file over every
// real-world config in testdata/realworld (ns/op and cpu-ns/op are per
// file).
func BenchmarkRealWorld(b *testing.B) {
	files, _ := filepath.Glob("testdata/realworld/*.py")
	var srcs [][]byte
	total := 0
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
		total += len(src)
	}
	if len(srcs) == 0 {
		b.Fatal("no real-world configs")
	}
	sku, _ := LookupSKU("P1v3")
	b.SetBytes(int64(total / len(srcs)))
	b.ReportAllocs()
	cpu := processCPU()
	start := time.Now()
	for b.Loop() {
		for _, src := range srcs {
			c, err := Load("gunicorn.conf.py", src)
			if err != nil {
				b.Fatal(err)
			}
			_ = c.Validate(Options{Platform: PlatformAppServiceContainer})
			if _, err := Render(RenderOptions{App: "app:app", SKU: &sku}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*len(srcs)), "ns/file")
	reportCPU(b, cpu, len(srcs))
}

// BenchmarkTreeSitterParse is the tree-sitter parse and the flattening of
// its tree into Go memory alone, on the 4 KB rendered file.
func BenchmarkTreeSitterParse(b *testing.B) {
	r, err := Render(RenderOptions{App: "mysite.wsgi:application"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(r.Config)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if root, _, err := flatTree(r.Config, MaxExpressionDepth); err != nil || root == nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, 1)
}

// BenchmarkHeldOut is parse + validate + render on each held-out
// real-world config (testdata/heldout, 0.3-11.9 KB), so "typical" is
// measured on real input. Each file is a sub-benchmark named by its size
// bucket and name (cpu-ns/op is that file's CPU time); the "all"
// sub-benchmark runs every file once per op and reports, over the files,
// the median, 95th percentile and maximum of the per-file CPU time
// (p50-cpu-ns, p95-cpu-ns, max-cpu-ns) and the largest file's size.
func BenchmarkHeldOut(b *testing.B) {
	files, _ := filepath.Glob("testdata/heldout/*.py")
	if len(files) < 25 {
		b.Fatalf("%d held-out configs", len(files))
	}
	type in struct {
		name string
		src  []byte
	}
	var ins []in
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, in{filepath.Base(p), src})
	}
	sort.Slice(ins, func(i, j int) bool { return len(ins[i].src) < len(ins[j].src) })
	sku, _ := LookupSKU("P1v3")
	one := func(b *testing.B, src []byte) {
		c, err := Load("gunicorn.conf.py", src)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Validate(Options{Platform: PlatformAppServiceContainer})
		if _, err := Render(RenderOptions{App: "app:app", SKU: &sku}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("all", func(b *testing.B) {
		per := make([]time.Duration, len(ins))
		b.ReportAllocs()
		for b.Loop() {
			for i, f := range ins {
				t := processCPU()
				one(b, f.src)
				per[i] += processCPU() - t
			}
		}
		ns := make([]float64, len(per))
		for i, d := range per {
			ns[i] = float64(d) / float64(b.N)
		}
		sort.Float64s(ns)
		pct := func(p float64) float64 { return ns[int(p*float64(len(ns)-1)+0.5)] }
		b.ReportMetric(pct(0.5), "p50-cpu-ns")
		b.ReportMetric(pct(0.95), "p95-cpu-ns")
		b.ReportMetric(ns[len(ns)-1], "max-cpu-ns")
		b.ReportMetric(float64(len(ins[len(ins)-1].src)), "max-bytes")
	})
	for _, f := range ins {
		bucket := "lt1KB"
		switch n := len(f.src); {
		case n >= 4096:
			bucket = "ge4KB"
		case n >= 1024:
			bucket = "1-4KB"
		}
		b.Run(bucket+"/"+strings.TrimSuffix(f.name, ".py"), func(b *testing.B) {
			b.SetBytes(int64(len(f.src)))
			cpu := processCPU()
			for b.Loop() {
				one(b, f.src)
			}
			reportCPU(b, cpu, 1)
		})
	}
}

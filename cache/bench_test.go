package cache

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deploykit/deploykit/cache/internal/workspace"
)

// The benchmark workspace is small by default so `go test -bench` stays
// quick. For the workload set, for example:
//
//	DEPLOYKIT_BENCH_FILES=100000 DEPLOYKIT_BENCH_BYTES=2800000000
//
// or point DEPLOYKIT_BENCH_DIR at an existing tree (it is then not
// generated or removed).
var (
	benchOnce  sync.Once
	benchDir   string
	benchStats workspace.Stats
	benchMade  time.Time
	benchErr   error
	benchOwned bool
)

func benchWorkspace(b *testing.B) (string, workspace.Stats) {
	b.Helper()
	benchOnce.Do(func() {
		if d := os.Getenv("DEPLOYKIT_BENCH_DIR"); d != "" {
			if _, err := os.Stat(d + "/poetry.lock"); err == nil {
				benchDir = d
				return
			}
			benchDir = d
			if benchErr = os.MkdirAll(d, 0o755); benchErr != nil {
				return
			}
		} else {
			benchDir, benchErr = os.MkdirTemp("", "deploykit-bench-*")
			benchOwned = true
			if benchErr != nil {
				return
			}
		}
		spec := workspace.Spec{}
		spec.Files, _ = strconv.Atoi(os.Getenv("DEPLOYKIT_BENCH_FILES"))
		n, _ := strconv.ParseInt(os.Getenv("DEPLOYKIT_BENCH_BYTES"), 10, 64)
		spec.TotalBytes = n
		benchStats, benchErr = workspace.Generate(benchDir, spec)
		benchMade = time.Now()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchStats
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchOwned {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchHash(b *testing.B, pattern string, opts HashOptions) {
	dir, _ := benchWorkspace(b)
	ctx := context.Background()
	// Warm the page cache once, as the figures assume.
	r, err := HashFilesDetailed(ctx, dir, []string{pattern}, opts)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, f := range r.Files {
		if st, err := os.Stat(f); err == nil {
			bytes += st.Size()
		}
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := HashFiles(ctx, dir, []string{pattern}, opts); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time (user+system) per call: on a machine shared with other
	// load, wall time stretches but this does not.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(len(r.Files)), "files")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHashFilesPoetryLock: '**/poetry.lock', a walk of the whole
// tree for three small files.
func BenchmarkHashFilesPoetryLock(b *testing.B) { benchHash(b, "**/poetry.lock", HashOptions{}) }

// BenchmarkHashFilesPy: '**/*.py', reading about 40% of the files.
func BenchmarkHashFilesPy(b *testing.B) { benchHash(b, "**/*.py", HashOptions{}) }

// BenchmarkHashFilesPyOneWorker is the same with sequential hashing.
func BenchmarkHashFilesPyOneWorker(b *testing.B) { benchHash(b, "**/*.py", HashOptions{Workers: 1}) }

// BenchmarkHashFilesPyStatCache: '**/*.py' with a warm stat cache (no file
// content is read).
func BenchmarkHashFilesPyStatCache(b *testing.B) {
	_, _ = benchWorkspace(b)
	if wait := 2100*time.Millisecond - time.Since(benchMade); wait > 0 {
		time.Sleep(wait) // let the generated files leave the racy window
	}
	sc, err := OpenStatCache(StatCacheOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	benchHash(b, "**/*.py", HashOptions{StatCache: sc})
}

// BenchmarkHashFilesPoetryLockStatCache: '**/poetry.lock' with a warm
// stat cache, whose directory listings replace reading the directories.
func BenchmarkHashFilesPoetryLockStatCache(b *testing.B) {
	_, _ = benchWorkspace(b)
	if wait := 2100*time.Millisecond - time.Since(benchMade); wait > 0 {
		time.Sleep(wait)
	}
	sc, err := OpenStatCache(StatCacheOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	benchHash(b, "**/poetry.lock", HashOptions{StatCache: sc})
}

// BenchmarkFloorFindCatPy is the I/O floor the issue compares against:
// find -name '*.py' | xargs cat > /dev/null.
func BenchmarkFloorFindCatPy(b *testing.B) {
	dir, _ := benchWorkspace(b)
	if _, err := exec.LookPath("find"); err != nil {
		b.Skip("find not installed")
	}
	var children time.Duration
	for b.Loop() {
		var ru0, ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru0)
		cmd := exec.Command("sh", "-c", "find . -name '*.py' -print0 | xargs -0 cat > /dev/null")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru1)
		children += time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	}
	b.ReportMetric(float64(children)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkFloorFindWalk is the floor for a walk of an unchanged tree: a
// bare `find . > /dev/null` (directory reads only, no stat).
func BenchmarkFloorFindWalk(b *testing.B) {
	dir, _ := benchWorkspace(b)
	if _, err := exec.LookPath("find"); err != nil {
		b.Skip("find not installed")
	}
	var children time.Duration
	for b.Loop() {
		var ru0, ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru0)
		cmd := exec.Command("find", ".")
		cmd.Dir = dir
		cmd.Stdout = nil
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru1)
		children += time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	}
	b.ReportMetric(float64(children)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkHashFilesPyStatCacheOpen is what one `cachekey hash -stat-cache
// DIR '**/*.py'` call does on an unchanged tree: open the cache file, walk,
// save (a no-op when nothing changed).
func BenchmarkHashFilesPyStatCacheOpen(b *testing.B) {
	benchStatCacheOpen(b, "**/*.py")
}

// BenchmarkHashFilesPoetryLockStatCacheOpen is the same for
// '**/poetry.lock'.
func BenchmarkHashFilesPoetryLockStatCacheOpen(b *testing.B) {
	benchStatCacheOpen(b, "**/poetry.lock")
}

func benchStatCacheOpen(b *testing.B, pattern string) {
	dir, _ := benchWorkspace(b)
	if wait := 2100*time.Millisecond - time.Since(benchMade); wait > 0 {
		time.Sleep(wait)
	}
	ctx := context.Background()
	cdir := b.TempDir()
	warm := func() {
		sc, err := OpenStatCache(StatCacheOptions{Dir: cdir})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := HashFiles(ctx, dir, []string{pattern}, HashOptions{StatCache: sc}); err != nil {
			b.Fatal(err)
		}
		if err := sc.Save(); err != nil {
			b.Fatal(err)
		}
	}
	warm()
	warm()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		warm()
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

package gunicornconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSKUTable(t *testing.T) {
	// Azure's App Service pricing page (Linux): vCPU and RAM per plan.
	want := map[string][2]float64{
		"B1": {1, 1.75}, "B2": {2, 3.5}, "B3": {4, 7},
		"S1": {1, 1.75}, "S2": {2, 3.5}, "S3": {4, 7},
		"P1v2": {1, 3.5}, "P2v2": {2, 7}, "P3v2": {4, 14},
		"P0v3": {1, 4}, "P1v3": {2, 8}, "P2v3": {4, 16}, "P3v3": {8, 32},
	}
	require.Len(t, SKUs(), len(want))
	for name, w := range want {
		s, ok := LookupSKU(strings.ToLower(name))
		require.True(t, ok, name)
		assert.Equal(t, w[0], s.VCPU, name)
		assert.Equal(t, int(w[1]*1024), s.MemoryMB, name)
	}
	_, ok := LookupSKU("Z9")
	assert.False(t, ok)
}

func TestSize(t *testing.T) {
	cases := []struct {
		name             string
		in               SizingInput
		workers, threads int
		class, limit     string
	}{
		// sync: 2*cores+1 (gunicorn's design docs).
		{"sync 1 cpu", SizingInput{CPUs: 1, MemoryMB: 1792, WorkerClass: "sync"}, 3, 1, "sync", "cpu"},
		{"sync 4 cpu", SizingInput{CPUs: 4, MemoryMB: 7168, WorkerClass: "sync"}, 9, 1, "sync", "cpu"},
		// memory: (1792-256)/150 = 10.24 -> 10 ; 8 cpus want 17.
		{"sync memory bound", SizingInput{CPUs: 8, MemoryMB: 1792, WorkerClass: "sync"}, 10, 1, "sync", "memory"},
		{"bigger budget", SizingInput{CPUs: 2, MemoryMB: 1792, WorkerClass: "sync", PerWorkerMB: 400}, 3, 1, "sync", "memory"},
		// gthread mixed: ceil(5/2)=3 workers x 2 threads for 2 cores.
		{"gthread mixed", SizingInput{CPUs: 2, MemoryMB: 8192}, 3, 2, "gthread", "cpu"},
		// io: ceil(9/4)=3 workers x 4 threads for 4 cores.
		{"gthread io", SizingInput{CPUs: 4, MemoryMB: 16384, Profile: ProfileIO}, 3, 4, "gthread", "cpu"},
		{"cpu profile picks sync", SizingInput{CPUs: 2, MemoryMB: 8192, Profile: ProfileCPU}, 5, 1, "sync", "cpu"},
		{"gevent", SizingInput{CPUs: 2, MemoryMB: 8192, WorkerClass: "gevent"}, 3, 1, "gevent", "cpu"},
		// fractional quota 1.5 -> 2 cores.
		{"fractional quota", SizingInput{CPUs: 1.5, MemoryMB: 4096, WorkerClass: "sync"}, 5, 1, "sync", "cpu"},
		{"tiny memory", SizingInput{CPUs: 2, MemoryMB: 300, WorkerClass: "sync"}, 1, 1, "sync", "memory"},
		{"WEB_CONCURRENCY", SizingInput{CPUs: 2, MemoryMB: 8192, WorkerClass: "sync", WebConcurrency: 7}, 7, 1, "sync", "WEB_CONCURRENCY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Size(c.in)
			require.NoError(t, err)
			assert.Equal(t, c.workers, s.Workers)
			assert.Equal(t, c.threads, s.Threads)
			assert.Equal(t, c.class, s.WorkerClass)
			assert.Equal(t, c.limit, s.Limit)
			assert.NotEmpty(t, s.Steps)
		})
	}
	_, err := Size(SizingInput{CPUs: 1, Profile: "bursty"})
	assert.Error(t, err)
	_, err = Size(SizingInput{CPUs: -1})
	assert.Error(t, err)
}

func TestDetectResources(t *testing.T) {
	meminfo := "MemTotal:       16384000 kB\nMemFree: 1 kB\n"
	cases := []struct {
		name     string
		files    map[string]string
		affinity int
		cpus     float64
		memMB    int
	}{
		{"v2 quota", map[string]string{"cg/cpu.max": "150000 100000", "cg/memory.max": "2147483648"}, 8, 1.5, 2048},
		{"v2 unlimited", map[string]string{"cg/cpu.max": "max 100000", "cg/memory.max": "max"}, 4, 4, 16000},
		{"v2 quota above affinity", map[string]string{"cg/cpu.max": "800000 100000", "cg/memory.max": "max"}, 2, 2, 16000},
		{"v1 quota", map[string]string{"cg/cpu/cpu.cfs_quota_us": "200000", "cg/cpu/cpu.cfs_period_us": "100000", "cg/memory/memory.limit_in_bytes": "1073741824"}, 16, 2, 1024},
		{"v1 unlimited", map[string]string{"cg/cpu/cpu.cfs_quota_us": "-1", "cg/cpu/cpu.cfs_period_us": "100000", "cg/memory/memory.limit_in_bytes": "9223372036854771712"}, 3, 3, 16000},
		{"no cgroup", map[string]string{}, 2, 2, 16000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"proc/meminfo": {Data: []byte(meminfo)}}
			for p, d := range c.files {
				fsys[p] = &fstest.MapFile{Data: []byte(d + "\n")}
			}
			r, err := DetectResources(fsys, "cg", "/proc/meminfo", c.affinity)
			require.NoError(t, err)
			assert.Equal(t, c.cpus, r.CPUs)
			assert.Equal(t, c.memMB, r.MemoryMB)
		})
	}
}

// TestRuntimeSizingMatchesGo runs the Python that a runtime-sized
// gunicorn.conf.py contains, with real CPython, on fake cgroup trees, and
// checks it sizes exactly as the Go code does.
func TestRuntimeSizingMatchesGo(t *testing.T) {
	py := python(t)
	for _, class := range []string{"sync", "gthread", "gevent"} {
		r, err := Render(RenderOptions{App: "app:application", WorkerClass: class})
		require.NoError(t, err)
		dir := t.TempDir()
		conf := filepath.Join(dir, "conf.py")
		require.NoError(t, os.WriteFile(conf, r.Config, 0o644))
		trees := []map[string]string{
			{"cpu.max": "150000 100000", "memory.max": "2147483648"},
			{"cpu.max": "max 100000", "memory.max": "536870912"},
			{"cpu/cpu.cfs_quota_us": "400000", "cpu/cpu.cfs_period_us": "100000", "memory/memory.limit_in_bytes": "8589934592"},
			{},
		}
		for i, tree := range trees {
			root := filepath.Join(dir, "t"+strconv.Itoa(i))
			fsys := fstest.MapFS{}
			for p, d := range tree {
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, "cg", p)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(root, "cg", p), []byte(d+"\n"), 0o644))
				fsys["cg/"+p] = &fstest.MapFile{Data: []byte(d + "\n")}
			}
			meminfo := "MemTotal:        4096000 kB\n"
			require.NoError(t, os.MkdirAll(root, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, "meminfo"), []byte(meminfo), 0o644))
			fsys["meminfo"] = &fstest.MapFile{Data: []byte(meminfo)}

			script := `import os, runpy, sys
ns = runpy.run_path(sys.argv[1])
root = sys.argv[2]
aff = len(os.sched_getaffinity(0))
cpus = ns["_deploykit_cpus"](os.path.join(root, "cg"))
mem = ns["_deploykit_memory_mb"](os.path.join(root, "cg"), os.path.join(root, "meminfo"))
print(aff, cpus, mem, ns["_deploykit_workers"](cpus, mem))`
			cmd := exec.Command(py, "-c", script, conf, root)
			cmd.Env = []string{"PATH=/usr/bin:/bin"}
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			f := strings.Fields(string(out))
			require.Len(t, f, 4, string(out))
			aff, _ := strconv.Atoi(f[0])
			res, err := DetectResources(fsys, "cg", "meminfo", aff)
			require.NoError(t, err)
			s, err := Size(SizingInput{CPUs: res.CPUs, MemoryMB: res.MemoryMB, WorkerClass: class})
			require.NoError(t, err)
			assert.Equal(t, strconv.Itoa(res.MemoryMB), f[2], "memory, tree %d", i)
			assert.Equal(t, strconv.Itoa(s.Workers), f[3], "workers for %s, tree %d (%v)", class, i, res)
		}
	}
}

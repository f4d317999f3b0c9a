package gunicornconf

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// SKU is an App Service plan size (Linux).
type SKU struct {
	Name     string
	Tier     string
	VCPU     float64
	MemoryMB int
}

// skus is the App Service Linux plan table (vCPU, RAM), from Azure's App
// Service pricing page: Basic and Standard B1/S1 1 core 1.75 GB, B2/S2 2
// cores 3.5 GB, B3/S3 4 cores 7 GB; Premium v2 P1v2..P3v2 1/3.5, 2/7,
// 4/14 GB; Premium v3 P0v3 1 vCPU 4 GB, P1v3 2/8, P2v3 4/16, P3v3 8/32.
var skus = []SKU{
	{"B1", "Basic", 1, 1792},
	{"B2", "Basic", 2, 3584},
	{"B3", "Basic", 4, 7168},
	{"S1", "Standard", 1, 1792},
	{"S2", "Standard", 2, 3584},
	{"S3", "Standard", 4, 7168},
	{"P1v2", "PremiumV2", 1, 3584},
	{"P2v2", "PremiumV2", 2, 7168},
	{"P3v2", "PremiumV2", 4, 14336},
	{"P0v3", "PremiumV3", 1, 4096},
	{"P1v3", "PremiumV3", 2, 8192},
	{"P2v3", "PremiumV3", 4, 16384},
	{"P3v3", "PremiumV3", 8, 32768},
}

// SKUs returns the App Service plan table.
func SKUs() []SKU { return append([]SKU(nil), skus...) }

// LookupSKU finds a plan by name, case-insensitively ("p1v3", "P1V3").
func LookupSKU(name string) (SKU, bool) {
	for _, s := range skus {
		if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
			return s, true
		}
	}
	return SKU{}, false
}

// IOProfile describes how the application spends a request's time.
type IOProfile string

// The I/O profiles. The zero value is ProfileMixed.
const (
	// ProfileCPU: requests mostly compute; threads do not help (the GIL).
	ProfileCPU IOProfile = "cpu"
	// ProfileMixed: a typical Django app, some database and HTTP waits.
	ProfileMixed IOProfile = "mixed"
	// ProfileIO: requests mostly wait on the database or other services.
	ProfileIO IOProfile = "io"
)

// Defaults of SizingInput.
const (
	DefaultPerWorkerMB = 150
	DefaultReserveMB   = 256
)

// SizingInput is what sizing needs to know. Zero values take the
// documented defaults.
type SizingInput struct {
	// CPUs is the number of CPUs the process may use (vCPU of the plan,
	// or a cgroup quota such as 1.5). Values below 1 count as 1.
	CPUs float64
	// MemoryMB is the RAM available to the app.
	MemoryMB int
	// WorkerClass: "" picks sync for ProfileCPU and gthread otherwise.
	WorkerClass string
	// Profile: zero means ProfileMixed.
	Profile IOProfile
	// PerWorkerMB is the memory budget of one worker process (default
	// DefaultPerWorkerMB, 150).
	PerWorkerMB int
	// ReserveMB is memory kept for the master, the OS and platform agents
	// (default DefaultReserveMB, 256).
	ReserveMB int
	// WebConcurrency, when > 0, is $WEB_CONCURRENCY: it replaces the
	// computed worker count, as gunicorn's own default does.
	WebConcurrency int
}

// Sizing is the result: how many workers and threads, and why.
type Sizing struct {
	WorkerClass string
	Workers     int
	Threads     int
	// CPUWorkers and MemoryWorkers are the two limits; Workers is the
	// smaller unless WEB_CONCURRENCY overrides it.
	CPUWorkers, MemoryWorkers int
	// Limit says what decided Workers: "cpu", "memory" or
	// "WEB_CONCURRENCY".
	Limit string
	// Steps is the arithmetic, one line per step, for explain output.
	Steps []string
}

// Size computes workers and threads. The rule:
//
//   - cores = ceil(CPUs), at least 1;
//   - threads: 1 for sync and async workers; for gthread 1 (cpu), 2
//     (mixed) or 4 (io) per worker;
//   - CPU limit: sync and gthread aim at gunicorn's recommended 2*cores+1
//     concurrent requests, so workers = ceil((2*cores+1) / threads);
//     async workers (gevent, eventlet, tornado) use cores+1 processes;
//   - memory limit: floor((MemoryMB - ReserveMB) / PerWorkerMB), at least 1;
//   - workers = min(CPU limit, memory limit), unless WEB_CONCURRENCY is set.
func Size(in SizingInput) (Sizing, error) {
	if math.IsNaN(in.CPUs) || in.CPUs < 0 || in.CPUs > 4096 {
		return Sizing{}, fmt.Errorf("gunicornconf: CPUs %v out of range", in.CPUs)
	}
	if in.MemoryMB < 0 || in.PerWorkerMB < 0 || in.ReserveMB < 0 || in.WebConcurrency < 0 {
		return Sizing{}, errors.New("gunicornconf: negative memory or WEB_CONCURRENCY")
	}
	profile := in.Profile
	if profile == "" {
		profile = ProfileMixed
	}
	if profile != ProfileCPU && profile != ProfileMixed && profile != ProfileIO {
		return Sizing{}, fmt.Errorf("gunicornconf: unknown I/O profile %q (want cpu, mixed or io)", profile)
	}
	class := normalizeWorkerClass(in.WorkerClass)
	if in.WorkerClass == "" {
		class = "gthread"
		if profile == ProfileCPU {
			class = "sync"
		}
	}
	per := in.PerWorkerMB
	if per == 0 {
		per = DefaultPerWorkerMB
	}
	reserve := in.ReserveMB
	if reserve == 0 {
		reserve = DefaultReserveMB
	}
	cores := int(math.Ceil(in.CPUs))
	if cores < 1 {
		cores = 1
	}
	s := Sizing{WorkerClass: class, Threads: 1}
	s.Steps = append(s.Steps, fmt.Sprintf("cores = ceil(%s CPUs) = %d", trimFloat(in.CPUs), cores))
	switch class {
	case "gthread":
		s.Threads = map[IOProfile]int{ProfileCPU: 1, ProfileMixed: 2, ProfileIO: 4}[profile]
		s.CPUWorkers = ceilDiv(2*cores+1, s.Threads)
		s.Steps = append(s.Steps, fmt.Sprintf("threads = %d per worker (gthread, %s I/O profile)", s.Threads, profile),
			fmt.Sprintf("CPU limit = ceil((2 x %d + 1) / %d threads) = %d workers", cores, s.Threads, s.CPUWorkers))
	case "gevent", "eventlet", "tornado", "asgi":
		s.CPUWorkers = cores + 1
		s.Steps = append(s.Steps, fmt.Sprintf("CPU limit = %d cores + 1 = %d workers (%s: one event loop per process)", cores, s.CPUWorkers, class))
	default:
		s.CPUWorkers = 2*cores + 1
		s.Steps = append(s.Steps, fmt.Sprintf("CPU limit = 2 x %d cores + 1 = %d workers (%s)", cores, s.CPUWorkers, class))
	}
	if in.MemoryMB > 0 {
		s.MemoryWorkers = max(1, (in.MemoryMB-reserve)/per)
		s.Steps = append(s.Steps, fmt.Sprintf("memory limit = floor((%d MB - %d MB reserved) / %d MB per worker) = %d workers", in.MemoryMB, reserve, per, s.MemoryWorkers))
	} else {
		s.MemoryWorkers = s.CPUWorkers
		s.Steps = append(s.Steps, "memory limit: unknown memory, not applied")
	}
	s.Workers, s.Limit = s.CPUWorkers, "cpu"
	if s.MemoryWorkers < s.CPUWorkers {
		s.Workers, s.Limit = s.MemoryWorkers, "memory"
	}
	s.Steps = append(s.Steps, fmt.Sprintf("workers = min(%d, %d) = %d (limited by %s)", s.CPUWorkers, s.MemoryWorkers, s.Workers, s.Limit))
	if in.WebConcurrency > 0 {
		s.Workers, s.Limit = in.WebConcurrency, "WEB_CONCURRENCY"
		s.Steps = append(s.Steps, fmt.Sprintf("WEB_CONCURRENCY=%d overrides: workers = %d", in.WebConcurrency, in.WebConcurrency))
	}
	if in.MemoryMB > 0 {
		s.Steps = append(s.Steps, fmt.Sprintf("memory use = %d workers x %d MB = %d MB of %d MB", s.Workers, per, s.Workers*per, in.MemoryMB))
	}
	s.Steps = append(s.Steps, fmt.Sprintf("concurrency = %d workers x %d threads = %d requests at once", s.Workers, s.Threads, s.Workers*s.Threads))
	return s, nil
}

// SizeForSKU sizes for an App Service plan.
func SizeForSKU(sku SKU, in SizingInput) (Sizing, error) {
	in.CPUs, in.MemoryMB = sku.VCPU, sku.MemoryMB
	s, err := Size(in)
	if err != nil {
		return s, err
	}
	s.Steps = append([]string{fmt.Sprintf("plan %s (%s): %s vCPU, %d MB RAM", sku.Name, sku.Tier, trimFloat(sku.VCPU), sku.MemoryMB)}, s.Steps...)
	return s, nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Resources is what a process may use on the host it runs on.
type Resources struct {
	// CPUs is min(affinity, cgroup quota); the quota may be fractional.
	CPUs float64
	// MemoryMB is min(cgroup memory limit, MemTotal).
	MemoryMB int
	// Sources says where each number came from.
	Sources []string
}

// DetectResources reads the CPU and memory limits the way the rendered
// runtime configuration does: the cgroup v2 files (cpu.max, memory.max)
// or, failing that, cgroup v1 (cpu/cpu.cfs_quota_us, cpu.cfs_period_us,
// memory/memory.limit_in_bytes) under cgroupDir, capped by affinity CPUs
// and by MemTotal from the meminfo file. root is the file system the paths
// are read from (os.DirFS("/") on a real host; paths without a leading
// slash).
func DetectResources(root fs.FS, cgroupDir, meminfo string, affinity int) (Resources, error) {
	r := Resources{CPUs: float64(max(1, affinity))}
	r.Sources = append(r.Sources, fmt.Sprintf("affinity: %d CPUs", max(1, affinity)))
	read := func(p string) (string, bool) {
		b, err := fs.ReadFile(root, strings.TrimPrefix(p, "/"))
		if err != nil {
			return "", false
		}
		return strings.TrimSpace(string(b)), true
	}
	join := func(parts ...string) string { return strings.Join(parts, "/") }
	quota := -1.0
	if s, ok := read(join(cgroupDir, "cpu.max")); ok {
		f := strings.Fields(s)
		if len(f) >= 1 && f[0] != "max" {
			q, err1 := strconv.ParseFloat(f[0], 64)
			p := 100000.0
			var err2 error
			if len(f) >= 2 {
				p, err2 = strconv.ParseFloat(f[1], 64)
			}
			if err1 == nil && err2 == nil && q > 0 && p > 0 {
				quota = q / p
				r.Sources = append(r.Sources, fmt.Sprintf("cgroup v2 cpu.max: %s", s))
			}
		}
	} else if qs, ok := read(join(cgroupDir, "cpu", "cpu.cfs_quota_us")); ok {
		ps, _ := read(join(cgroupDir, "cpu", "cpu.cfs_period_us"))
		q, err1 := strconv.ParseFloat(qs, 64)
		p, err2 := strconv.ParseFloat(ps, 64)
		if err1 == nil && err2 == nil && q > 0 && p > 0 {
			quota = q / p
			r.Sources = append(r.Sources, fmt.Sprintf("cgroup v1 cfs quota: %s/%s", qs, ps))
		}
	}
	if quota > 0 && math.Ceil(quota) < r.CPUs {
		r.CPUs = quota
	}
	var limit int64 = -1
	if s, ok := read(join(cgroupDir, "memory.max")); ok {
		if s != "max" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				limit = n
				r.Sources = append(r.Sources, "cgroup v2 memory.max: "+s)
			}
		}
	} else if s, ok := read(join(cgroupDir, "memory", "memory.limit_in_bytes")); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			limit = n
			r.Sources = append(r.Sources, "cgroup v1 memory.limit_in_bytes: "+s)
		}
	}
	total := int64(-1)
	if b, err := fs.ReadFile(root, strings.TrimPrefix(meminfo, "/")); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					total = kb * 1024
				}
			}
		}
	}
	switch {
	case limit > 0 && (total < 0 || limit < total):
		r.MemoryMB = int(limit / (1024 * 1024))
	case total > 0:
		r.MemoryMB = int(total / (1024 * 1024))
		r.Sources = append(r.Sources, "MemTotal")
	default:
		return r, errors.New("gunicornconf: no memory limit and no MemTotal found")
	}
	return r, nil
}

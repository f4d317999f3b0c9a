package imagebuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/require"
)

// EnvBuildctl names the buildctl binary BenchmarkOrchestrationOverhead
// compares against; unset, buildctl is looked up on PATH.
const EnvBuildctl = "DEPLOYKIT_TEST_BUILDCTL"

// BenchmarkOrchestrationOverhead builds the same Dockerfile (no cache, OCI
// layout output) through deploykit and through `buildctl build` on the
// same buildkitd, alternating, and reports both times and their ratio.
// deploykit's time includes reading the image back for its size report.
func BenchmarkOrchestrationOverhead(b *testing.B) {
	addr := testenv.BuildKit(b)
	buildctl := os.Getenv(EnvBuildctl)
	if buildctl == "" {
		// The buildctl pinned by go.mod's tool directive: same version
		// as the buildkitd of the harness.
		out, err := exec.Command("go", "tool", "-n", "buildctl").Output()
		if err != nil {
			b.Skipf("no buildctl: set %s or make `go tool -n buildctl` work: %v", EnvBuildctl, err)
		}
		buildctl = strings.TrimSpace(string(out))
	}
	base := testBase(b)
	bld := testBuilder(b)
	dir := b.TempDir()
	writeBuildTree(b, dir, map[string]string{"Dockerfile": appDockerfile, "deps.txt": "x\n", "src/main.txt": "bench"})
	ctx := context.Background()
	var dk, bc time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := b.TempDir()
		viaDeploykit := func() {
			start := time.Now()
			_, err := bld.Build(ctx, Target{Context: dir, NoCache: true, BuildArgs: map[string]string{"BASE": base},
				Outputs: []Output{{Type: OutputOCI, Dest: filepath.Join(out, "dk")}}})
			require.NoError(b, err)
			dk += time.Since(start)
		}
		viaBuildctl := func() {
			start := time.Now()
			cmd := exec.Command(buildctl, "--addr", addr, "build", "--frontend", "dockerfile.v0",
				"--local", "context="+dir, "--local", "dockerfile="+dir, "--opt", "build-arg:BASE="+base,
				"--no-cache", "--progress", "quiet", "--output", "type=oci,tar=false,dest="+filepath.Join(out, "bc"))
			if outb, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("buildctl: %v\n%s", err, outb)
			}
			bc += time.Since(start)
		}
		// Alternate which goes first, so drift in the machine's load
		// affects both alike.
		if i%2 == 0 {
			viaDeploykit()
			viaBuildctl()
		} else {
			viaBuildctl()
			viaDeploykit()
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(dk.Seconds()/n, "deploykit-s/op")
	b.ReportMetric(bc.Seconds()/n, "buildctl-s/op")
	b.ReportMetric(dk.Seconds()/bc.Seconds(), "ratio")
}

// BenchmarkWarmRebuild builds the generated Dockerfile for the Python-like
// fixture (a 21 MB venv) and pushes it, cold (no cache, a new repository),
// then again after a source-only change, and reports both times and
// warm/cold.
func BenchmarkWarmRebuild(b *testing.B) {
	reg := testenv.Registry(b)
	base := fakePythonBase(b, 21000)
	bld := testBuilder(b)
	dir := pythonProject(b, true)
	ctx := context.Background()
	var cold, warm time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg := pythonTarget(dir, base, true)
		tg.NoCache = true
		tg.Tags = []string{fmt.Sprintf("%s/%s:v1", reg, uniqueRepo(b, "warm"))}
		tg.Push, tg.Insecure = true, true
		start := time.Now()
		_, err := bld.Build(ctx, tg)
		require.NoError(b, err)
		cold += time.Since(start)

		view := fmt.Sprintf("from django.http import HttpResponse\n\n\ndef index(request):\n    return HttpResponse(%q)\n", fmt.Sprint(time.Now().UnixNano()))
		require.NoError(b, os.WriteFile(filepath.Join(dir, "blog", "views.py"), []byte(view), 0o644))
		tg.NoCache = false
		start = time.Now()
		res, err := bld.Build(ctx, tg)
		require.NoError(b, err)
		warm += time.Since(start)
		if len(res.Cache.Ran) > 4 {
			b.Fatalf("a source-only change re-ran %v", res.Cache.Ran)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(cold.Seconds()/n, "cold-s/op")
	b.ReportMetric(warm.Seconds()/n, "warm-s/op")
	b.ReportMetric(warm.Seconds()/cold.Seconds(), "warm/cold")
}

// BenchmarkGeneratedVersusSeedBytes builds the fixture with the generated
// and with the seed's Dockerfile on the same base (21 MB venv) and reports
// the compressed bytes each adds on top of the base, their ratio, and the
// reclaimable bytes of each image.
func BenchmarkGeneratedVersusSeedBytes(b *testing.B) {
	for i := 0; i < b.N; i++ {
		gen, seed, base := compareSeedAndGenerated(b, 21000)
		ga, sa := gen.AddedOnTop(*base), seed.AddedOnTop(*base)
		b.ReportMetric(float64(ga), "generated-B")
		b.ReportMetric(float64(sa), "seed-B")
		b.ReportMetric(float64(ga)/float64(sa), "generated/seed")
		b.ReportMetric(float64(gen.Waste.ReclaimableBytes), "generated-reclaimable-B")
		b.ReportMetric(float64(seed.Waste.ReclaimableBytes), "seed-reclaimable-B")
	}
}

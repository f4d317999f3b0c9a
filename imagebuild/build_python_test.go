package imagebuild

import (
	"context"
	"fmt"
	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	fakePythonMu   sync.Mutex
	fakePythonRefs = map[int]string{}
)

// fakePythonBase builds (once per size) the Python-like base image of
// testdata/build/fakepython, whose stand-in package managers write a venv
// of venvKB kilobytes, and pushes it to the test registry.
func fakePythonBase(tb testing.TB, venvKB int) string {
	tb.Helper()
	reg := testenv.Registry(tb)
	base := testBase(tb)
	fakePythonMu.Lock()
	defer fakePythonMu.Unlock()
	if ref, ok := fakePythonRefs[venvKB]; ok {
		return ref
	}
	tag := fmt.Sprintf("%s/deploykit-test/fakepython:venv%d", reg, venvKB)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := testBuilder(tb).Build(ctx, Target{
		Context:   filepath.Join("testdata", "build", "fakepython"),
		BuildArgs: map[string]string{"BASE": base, "FAKE_VENV_KB": fmt.Sprint(venvKB)},
		Tags:      []string{tag}, Push: true, Insecure: true,
	})
	require.NoError(tb, err, "building the fake Python base")
	ref := mustDigestRef(tb, tag, res.ManifestDigest)
	fakePythonRefs[venvKB] = ref
	return ref
}

// fixtureSpec is the spec of testdata/build/project for Generate.
var fixtureSpec = dockerfile.Spec{
	Manager: dockerfile.ManagerPoetry, PoetryVersion: "1.7.1",
	WSGIApp: "blog.wsgi:application", SettingsModule: "blog.settings", CollectStatic: true,
	BuildPackages: []string{"build-essential", "libpq-dev"}, RuntimePackages: []string{"libpq5"},
}

// pythonProject copies the fixture project into a new directory with
// either the generated Dockerfile (and .dockerignore) or the seed's.
func pythonProject(tb testing.TB, generated bool) string {
	tb.Helper()
	dir := tb.TempDir()
	src := filepath.Join("testdata", "build", "project")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	require.NoError(tb, err)
	if generated {
		df, di, err := dockerfile.Generate(fixtureSpec)
		require.NoError(tb, err)
		require.NoError(tb, os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644))
		require.NoError(tb, os.WriteFile(filepath.Join(dir, ".dockerignore"), di, 0o644))
	} else {
		df, err := os.ReadFile(filepath.Join("testdata", "build", "seed.Dockerfile"))
		require.NoError(tb, err)
		require.NoError(tb, os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644))
	}
	return dir
}

// pythonTarget builds a fixture project on the fake Python base: the
// generated Dockerfile takes the base as its PYTHON_IMAGE argument, the
// seed's `FROM python:3.10-slim` is redirected with a named context.
func pythonTarget(dir, base string, generated bool) Target {
	t := Target{Context: dir, BuiltinFrontend: true,
		Secrets: []Secret{{ID: "django_secret_key", Value: []byte("build-time-only")}}}
	if generated {
		t.BuildArgs = map[string]string{"PYTHON_IMAGE": base}
	} else {
		t.NamedContexts = map[string]string{"python:3.10-slim": "docker-image://" + base}
	}
	return t
}

// compareSeedAndGenerated builds both images of the fixture on a base
// with a venv of venvKB and returns their size reports and the base's.
func compareSeedAndGenerated(tb testing.TB, venvKB int) (gen, seed, base *SizeReport) {
	reg := testenv.Registry(tb)
	b := testBuilder(tb)
	baseRef := fakePythonBase(tb, venvKB)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base, err := ReadSize(ctx, baseRef, SizeOptions{Insecure: true})
	require.NoError(tb, err)
	var reports [2]*SizeReport
	for i, generated := range []bool{true, false} {
		tg := pythonTarget(pythonProject(tb, generated), baseRef, generated)
		tg.Tags = []string{fmt.Sprintf("%s/%s:v1", reg, uniqueRepo(tb, fmt.Sprintf("python-%v", generated)))}
		tg.Push, tg.Insecure, tg.Inspect = true, true, true
		res, err := b.Build(ctx, tg)
		require.NoError(tb, err, "generated=%v", generated)
		reports[i] = res.Size
	}
	return reports[0], reports[1], base
}

func TestGeneratedDockerfileVersusSeed(t *testing.T) {
	const venvKB = 3000
	gen, seed, base := compareSeedAndGenerated(t, venvKB)
	genAdded, seedAdded := gen.AddedOnTop(*base), seed.AddedOnTop(*base)
	t.Logf("added on top of the base: generated %d bytes, seed %d bytes (%.2f×)", genAdded, seedAdded, float64(genAdded)/float64(seedAdded))
	assert.LessOrEqual(t, float64(genAdded), 0.55*float64(seedAdded))

	// The seed's chown -R copies the venv (and the rest of /app) into a
	// new layer: at least the venv's bytes are chown copy-ups.
	venvBytes := int64(venvKB / 6 * 6 * 1024)
	assert.GreaterOrEqual(t, seed.Waste.CopyUpBytes, venvBytes)
	var seedChown bool
	for _, l := range seed.Layers {
		if strings.Contains(l.CreatedBy, "chown -R appuser:appuser /app") {
			seedChown = true
			assert.Greater(t, l.UncompressedSize, venvBytes, "the chown layer holds a second copy of the venv")
		}
	}
	assert.True(t, seedChown)

	// The generated image stores nothing twice: the only reclaimable bytes
	// are the base's account and apt files it must rewrite (adding the
	// user, keeping apt's cache), none of the application's.
	for _, f := range gen.Waste.Files {
		t.Logf("generated image: reclaimable /%s %d bytes (%s)", f.Path, f.ReclaimableBytes, f.Kind)
		assert.True(t, strings.HasPrefix(f.Path, "etc/"), "reclaimable %s (%d bytes, %s)", f.Path, f.ReclaimableBytes, f.Kind)
	}
	assert.Less(t, gen.Waste.ReclaimableBytes, int64(4096))
	assert.Zero(t, gen.Waste.CopyUpBytes)
}

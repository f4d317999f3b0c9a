package imagebuild

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/require"
)

// TestGeneratedProjectsBuild builds the Dockerfile generated for every
// fixture project of imagebuild/dockerfile (projects modelled on real
// layouts) on the harness's BuildKit, over the fake Python base: every
// COPY finds its files through the generated .dockerignore, every RUN
// (apt, uv/Poetry/pip, compileall, collectstatic with its secret mount,
// compress) runs, and the image is pushed.
func TestGeneratedProjectsBuild(t *testing.T) {
	reg := testenv.Registry(t)
	b := testBuilder(t)
	base := fakePythonBase(t, 60)
	root := filepath.Join("dockerfile", "testdata", "projects")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			dir := copyProject(t, filepath.Join(root, e.Name()))
			spec, err := dockerfile.Infer(context.Background(), dir, dockerfile.InferOptions{Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
			require.NoError(t, err)
			df, di, err := dockerfile.Generate(spec)
			require.NoError(t, err)
			require.NoError(t, dockerfile.WriteGenerated(dir, df, di, false))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			res, err := b.Build(ctx, Target{
				Context: dir, BuiltinFrontend: true,
				BuildArgs: map[string]string{"PYTHON_IMAGE": base},
				Secrets:   []Secret{{ID: dockerfile.DefaultSecretID, Value: []byte("build-time-only")}},
				Tags:      []string{fmt.Sprintf("%s/%s:v1", reg, uniqueRepo(t, "project-"+e.Name()))},
				Push:      true, Insecure: true,
			})
			require.NoError(t, err, "%s:\n%s", e.Name(), df)
			require.NotEmpty(t, res.ManifestDigest)
		})
	}
}

func copyProject(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
	return dst
}

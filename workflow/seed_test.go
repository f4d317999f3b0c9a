package workflow

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lintFile(t testing.TB, path string) Result {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	r, err := Lint(context.Background(), []File{{Name: path, Data: b}}, Options{})
	require.NoError(t, err)
	return r
}

// lineOf returns the 1-based line of the first line of path containing s.
func lineOf(t testing.TB, path, s string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s: no line contains %q", path, s)
	return 0
}

// TestSeedPipeline checks the user's pipeline, assembled from the design
// document's snippets, for each defect the issue lists, on its line, and
// nothing else.
func TestSeedPipeline(t *testing.T) {
	path := filepath.Join("testdata", "seed", "ci-cd.yml")
	r := lintFile(t, path)
	type finding struct {
		line int
		rule string
	}
	want := []finding{
		// 1a: .venv cached under a key without the Python version ...
		{lineOf(t, path, "key: ${{ runner.os }}-poetry-"), RuleVenvKeyNoPython},
		// ... restore-keys that restore any Python's venv ...
		{lineOf(t, path, "            ${{ runner.os }}-poetry-"), RuleRestoreKeysCrossPython},
		// ... and poetry install reuses it with no interpreter check.
		{lineOf(t, path, "run: poetry install"), RuleVenvNoInterpreterCheck},
		// 1b: the registry cache is in the image's repository.
		{lineOf(t, path, "cache-from: type=registry"), RuleCacheRefIsImageRef},
		{lineOf(t, path, "cache-to: type=registry"), RuleCacheRefIsImageRef},
		// 5: docker push of a bare name goes to Docker Hub's library.
		{lineOf(t, path, "run: docker push minimalwave-blog"), RuleDockerHubLibraryPush},
		// 5: the deploy uses :latest.
		{lineOf(t, path, "images: ${{ env.REGISTRY }}/minimalwave-blog:latest"), RuleMutableDeployTag},
		// 6: migrations before the deploy with no check ...
		{lineOf(t, path, "- name: Run migrations"), RuleMigrateUnchecked},
		// ... inside the running app (the old image).
		{lineOf(t, path, "az webapp ssh --name minimalwave-app"), RuleMigrateInRunningApp},
		// 6: azure/webapps-deploy with neither images nor package.
		{lineOf(t, path, "- name: Deploy new version"), RuleDeployNotModelled},
	}
	var got []finding
	for _, d := range r.Diagnostics {
		got = append(got, finding{d.Pos.Line, d.Rule})
		assert.Equal(t, path, d.Pos.File)
		assert.Positive(t, d.Pos.Column, "%s has no column", d.Rule)
		assert.NotEmpty(t, d.URL, "%s has no URL", d.Rule)
	}
	less := func(f []finding) func(i, j int) bool {
		return func(i, j int) bool {
			if f[i].line != f[j].line {
				return f[i].line < f[j].line
			}
			return f[i].rule < f[j].rule
		}
	}
	sort.Slice(want, less(want))
	sort.Slice(got, less(got))
	assert.Equal(t, want, got)
}

// TestSeedFixes applies the mechanical fixes to the seed pipeline and checks
// that the findings they address are gone and the file still parses.
func TestSeedFixes(t *testing.T) {
	path := filepath.Join("testdata", "seed", "ci-cd.yml")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	r := lintFile(t, path)
	edits := FixEdits(r.Diagnostics)[path]
	require.NotEmpty(t, edits)
	fixed, err := ApplyEdits(src, edits)
	require.NoError(t, err)
	assert.Contains(t, string(fixed), "docker build -t ${{ env.REGISTRY }}/minimalwave-blog .")
	assert.Contains(t, string(fixed), "docker push ${{ env.REGISTRY }}/minimalwave-blog\n")
	assert.Contains(t, string(fixed), "images: ${{ env.REGISTRY }}/minimalwave-blog:${{ github.sha }}")
	assert.Contains(t, string(fixed), "ref=${{ env.REGISTRY }}/minimalwave-blog-buildcache:buildcache,mode=max")
	r2, err := Lint(context.Background(), []File{{Name: path, Data: fixed}}, Options{})
	require.NoError(t, err)
	for _, d := range r2.Diagnostics {
		switch d.Rule {
		case RuleDockerHubLibraryPush, RuleMutableDeployTag, RuleCacheRefIsImageRef:
			t.Errorf("still reported after its fix: %s %s", d.Pos, d.Rule)
		}
		assert.False(t, strings.HasPrefix(d.Rule, "actionlint/"), "the fix broke the workflow: %s %s", d.Rule, d.Message)
	}
}

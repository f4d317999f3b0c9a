package workflow

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// factSets are the generator's test inputs: each manager, with and without
// a staging slot, ACR and another registry.
func factSets() map[string]Facts {
	base := Facts{Image: "minimalwave.azurecr.io/minimalwave-blog", AppName: "minimalwave-app", ResourceGroup: "minimalwave-rg"}
	poetry := base
	poetry.Manager, poetry.Slot, poetry.PoetryVersion = ManagerPoetry, "staging", "2.1.3"
	poetryNoSlot := base
	poetryNoSlot.Manager = ManagerPoetry
	reqs := base
	reqs.Manager, reqs.Slot = ManagerRequirements, "staging"
	reqs.Lockfiles = []string{"requirements.txt", "requirements-dev.txt"}
	reqs.TestCommand = "python manage.py test --parallel"
	reqs.LintCommand = "ruff check .\nruff format --check ."
	reqsNoSlot := base
	reqsNoSlot.Manager = ManagerRequirements
	uv := base
	uv.Manager, uv.Slot, uv.PythonVersion = ManagerUV, "staging", "3.13"
	uv.MigrationCheckCommand = "python -m deploykit_gate --fail-on error"
	uvOtherRegistry := base
	uvOtherRegistry.Manager, uvOtherRegistry.Image, uvOtherRegistry.Branch = ManagerUV, "ghcr.io/minimalwave/blog", "release/2026"
	return map[string]Facts{
		"poetry-slot": poetry, "poetry-noslot": poetryNoSlot,
		"requirements-slot": reqs, "requirements-noslot": reqsNoSlot,
		"uv-slot": uv, "uv-ghcr-noslot": uvOtherRegistry,
	}
}

var exactPin = regexp.MustCompile(`@(v\d+)\.\d+\.\d+`)

// TestGenerateClean: every generated workflow is byte-stable (golden) and
// passes actionlint and deploykit's rules with zero findings; with the
// exact pins rewritten to their major tag, actionlint's popular-action
// metadata also checks every input name.
func TestGenerateClean(t *testing.T) {
	for name, f := range factSets() {
		t.Run(name, func(t *testing.T) {
			out, err := Generate(f)
			require.NoError(t, err)
			again, err := Generate(f)
			require.NoError(t, err)
			require.Equal(t, out, again, "not byte-stable")

			golden := filepath.Join("testdata", "golden", name+".yml")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, out, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./workflow -run TestGenerateClean -update")
			assert.Equal(t, string(want), string(out))

			for _, variant := range [][]byte{out, exactPin.ReplaceAll(out, []byte("@$1"))} {
				r, err := Lint(context.Background(), []File{{Name: ".github/workflows/ci-cd.yml", Data: variant}}, Options{})
				require.NoError(t, err)
				assert.Empty(t, r.Diagnostics)
			}
		})
	}
}

// TestGenerateShape checks the properties the issue asks of the pipeline on
// the parsed result rather than on text.
func TestGenerateShape(t *testing.T) {
	for name, f := range factSets() {
		out, err := Generate(f)
		require.NoError(t, err)
		w, err := Parse(File{Name: name, Data: out})
		require.NoError(t, err)
		m := w.m
		assert.Equal(t, []string{"test", "lint", "build", "migrate-check", "deploy"}, w.Jobs(), name)
		for _, id := range []string{"test", "lint"} {
			assert.Empty(t, m.byID[id].needs, "%s: %s must run in parallel", name, id)
		}
		deploy := m.byID["deploy"]
		assert.ElementsMatch(t, []string{"test", "lint", "build", "migrate-check"}, deploy.needs, name)
		require.NotNil(t, deploy.a.If)
		assert.Contains(t, deploy.a.If.Value, "github.ref == 'refs/heads/"+f.WithDefaults().Branch+"'")
		require.NotNil(t, deploy.a.Concurrency, name)
		require.NotNil(t, m.ast.Permissions, name)
		text := string(out)
		assert.Contains(t, text, "tags: ${{ env.IMAGE }}:${{ github.sha }}")
		assert.Contains(t, text, "cache-to: type=registry,ref=${{ env.CACHE_REF }},mode=max")
		assert.NotContains(t, text, ":latest")
		for _, l := range strings.Split(text, "\n") {
			if i := strings.Index(l, "uses: "); i >= 0 {
				assert.Regexp(t, `@v\d+\.\d+\.\d+$`, l, "%s: not pinned to an exact version", name)
			}
		}
		// Migrations run from the new image, after the deploy to the slot
		// (or before the direct deploy) and before any swap.
		mig := strings.Index(text, "- name: Apply migrations from the new image")
		require.Positive(t, mig)
		assert.Contains(t, text[mig:], `"${IMAGE}:${{ github.sha }}"`)
		if f.Slot != "" {
			assert.Less(t, strings.Index(text, "slot-name: "+f.Slot), mig)
			assert.Less(t, mig, strings.Index(text, "id: swap"))
			assert.Contains(t, text, "if: failure() && steps.swap.outcome == 'success'")
		} else {
			assert.Less(t, mig, strings.Index(text, "- name: Deploy the new tag"))
			assert.Contains(t, text, "if: failure() && steps.deploy.outcome == 'success'")
		}
		assert.Contains(t, text, "client-id: ${{ secrets.AZURE_CLIENT_ID }}", "OIDC login")
		assert.Contains(t, text, "id-token: write")
	}
}

func TestGenerateRejectsBadFactsAtOnce(t *testing.T) {
	_, err := Generate(Facts{Image: "Minimalwave/Blog:latest", AppName: "bad name", ResourceGroup: "",
		Manager: "pipenv", PythonVersion: "2.7", Slot: "production",
		CacheKey: "venv-${{ hashFiles('poetry.lock') }}", CacheRef: "minimalwave.azurecr.io/x"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalidFacts))
	var fe *FactsError
	require.ErrorAs(t, err, &fe)
	var fields []string
	for _, e := range fe.Fields {
		fields = append(fields, e.Field)
	}
	for _, want := range []string{"image", "app_name", "resource_group", "manager", "python_version", "slot", "cache_key"} {
		assert.Contains(t, fields, want)
	}
	// The cache ref may not share the image's repository.
	_, err = Generate(Facts{Image: "a.azurecr.io/app", CacheRef: "a.azurecr.io/app:buildcache", AppName: "a", ResourceGroup: "r"})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "cache_ref", fe.Fields[0].Field)
}

func TestReadFacts(t *testing.T) {
	f, err := ReadFacts(strings.NewReader(`{"image":"a.azurecr.io/app","app_name":"a","resource_group":"r","manager":"uv"}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"uv.lock"}, f.Lockfiles)
	assert.Equal(t, "a.azurecr.io/app-buildcache:main", f.CacheRef)

	_, err = ReadFacts(strings.NewReader(`{"image":"a.azurecr.io/app","app_nam":"a"}`))
	assert.ErrorContains(t, err, "app_nam")
	_, err = ReadFacts(strings.NewReader(`{"image": 3}`))
	assert.ErrorContains(t, err, "image")
	_, err = ReadFacts(strings.NewReader(`{"image": "x",`))
	assert.Error(t, err)
}

func TestActionVersionsData(t *testing.T) {
	v, source, checked := ActionVersions()
	assert.NotEmpty(t, source)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, checked)
	for _, a := range []string{"actions/checkout", "actions/setup-python", "actions/cache", "azure/login", "azure/webapps-deploy", "docker/build-push-action", "docker/setup-buildx-action", "docker/login-action", "astral-sh/setup-uv"} {
		assert.Regexp(t, `^v\d+\.\d+\.\d+$`, v[a], a)
	}
}

// FuzzFacts: any facts file either is refused with an error or gives a
// workflow that parses (no syntax errors) and whose deploy job keeps its
// gates. Inputs over 64 KiB are skipped (ReadFacts reads at most 1 MiB).
func FuzzFacts(f *testing.F) {
	f.Add([]byte(`{"image":"a.azurecr.io/app","app_name":"a","resource_group":"r"}`))
	f.Add([]byte(`{"image":"ghcr.io/o/app","app_name":"a","resource_group":"r","manager":"uv","slot":"staging","test_command":"  pytest -x\nruff check ."}`))
	f.Add([]byte(`{"image":"a.azurecr.io/app","app_name":"a","resource_group":"r","manager":"requirements","lockfiles":["req/a.txt","req/b.txt"],"lint_command":"echo '${{ x }}'"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		facts, err := ReadFacts(bytes.NewReader(data))
		if err != nil {
			return
		}
		out, err := Generate(facts)
		if err != nil {
			return
		}
		w, err := Parse(File{Name: "ci-cd.yml", Data: out})
		if err != nil {
			t.Fatalf("generated workflow does not parse: %v\n%s", err, out)
		}
		d := w.m.byID["deploy"]
		if d == nil || len(d.needs) != 4 {
			t.Fatalf("deploy job lost its needs:\n%s", out)
		}
	})
}

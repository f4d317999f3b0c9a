package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/cdn"
	"github.com/deploykit/deploykit/cdn/cdntest"
	"github.com/deploykit/deploykit/internal/testenv"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runWith(env{getenv: func(string) string { return "" }}, args, &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, name, body string) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const m1 = `{"paths": {"css/site.css": "css/site.111111111111.css", "robots.txt": "robots.222222222222.txt"}, "version": "1.0"}`
const m2 = `{"paths": {"css/site.css": "css/site.333333333333.css", "robots.txt": "robots.222222222222.txt"}, "version": "1.1", "hash": "x"}`

// TestConventions checks what every deploykit command promises: -h and
// help exit 0 and describe every verb, flags after positional arguments
// work, Go-style single-dash flags work, findings exit 1, usage errors 2.
func TestConventions(t *testing.T) {
	seed := "testdata/seed_settings.py"
	clean := write(t, "ok.py", "WHITENOISE_MAX_AGE = 60\n")
	old, nw := write(t, "old.json", m1), write(t, "new.json", m2)
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"help flag", []string{"-h"}, 0, "verify"},
		{"help verb", []string{"help"}, 0, "purge"},
		{"verb help", []string{"verify", "-h"}, 0, "-manifest"},
		{"settings default 4.2", []string{"settings"}, 0, `"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}`},
		{"settings 3.2", []string{"settings", "-django", "3.2"}, 0, `STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"`},
		{"settings bad version", []string{"settings", "-django", "three"}, 2, ""},
		{"check seed finds the max age", []string{"check", seed}, 1, "testdata/seed_settings.py:13:1: warning: WHITENOISE_MAX_AGE = 31536000 (365 days) applies only to unhashed files"},
		{"check flag after positional", []string{"check", seed, "-format", "json"}, 1, `"rule": "CDN001"`},
		{"check fail-on error passes warnings", []string{"check", seed, "--fail-on", "error"}, 0, "CDN003"},
		{"check sarif", []string{"check", seed, "-format", "sarif"}, 1, `"version": "2.1.0"`},
		{"check github", []string{"check", seed, "-format", "github"}, 1, "::warning file=testdata/seed_settings.py,line=13"},
		{"check clean", []string{"check", clean}, 0, ""},
		{"check missing file", []string{"check", "nope.py"}, 2, ""},
		{"check no file", []string{"check"}, 2, ""},
		{"check bad format", []string{"check", seed, "-format", "xml"}, 2, ""},
		{"cost microsoft scenario", []string{"cost", "-gb", "5000", "-requests", "100000000", "-origin-gb", "2.5"}, 0, "Azure Front Door Standard: $540.05/month"},
		{"cost negative", []string{"cost", "-gb", "-5"}, 2, ""},
		{"purge dry run", []string{"purge", "-old", old, "-new", nw, "-dry-run"}, 0, "would purge (dry run) /static/css/site.css"},
		{"purge missing flag", []string{"purge", "-old", old}, 2, ""},
		{"purge without endpoint", []string{"purge", "-old", old, "-new", nw}, 2, ""},
		{"plan offline create", []string{"plan", "-spec", "testdata/cdn.json", "-current", write(t, "empty.json", "{}")}, 0, "Plan: 8 to create, 0 to change, 0 to destroy."},
		{"plan detailed exit code", []string{"plan", "-spec", "testdata/cdn.json", "-current", write(t, "e.json", "{}"), "-detailed-exitcode"}, 2, "to create"},
		{"plan without spec", []string{"plan"}, 2, ""},
		{"plan bad spec names file:line:col", []string{"plan", "-spec", write(t, "bad.json", "{\n \"resourceGroup\": 1\n}"), "-current", write(t, "e2.json", "{}")}, 2, ""},
		{"verify without base", []string{"verify", "-manifest", old}, 2, ""},
		{"unknown verb", []string{"frobnicate"}, 2, ""},
		{"unknown flag", []string{"cost", "-nope"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(t, c.args...)
			assert.Equal(t, c.code, code, "stdout: %s\nstderr: %s", out, errs)
			if c.out != "" {
				assert.Contains(t, out, c.out)
			}
		})
	}
}

func TestHelpDescribesEveryVerb(t *testing.T) {
	_, out, _ := runCmd(t, "-h")
	for _, verb := range []string{"plan", "apply", "verify", "purge", "upload", "cost", "settings", "check"} {
		assert.Contains(t, out, "\n  "+verb+" ", verb)
		code, vout, _ := runCmd(t, verb, "-h")
		assert.Equal(t, 0, code, verb)
		assert.Contains(t, vout, "Usage:", verb)
	}
}

func TestPlanBadSpecPosition(t *testing.T) {
	code, _, errs := runCmd(t, "plan", "-spec", write(t, "cdn.json", "{\n \"resourceGroup\": 1\n}"), "-current", write(t, "s.json", "{}"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "cdn.json:2:19: /resourceGroup: expected a string, found JSON number")
}

func TestPlanClassicOffline(t *testing.T) {
	spec := write(t, "cdn.json", strings.Replace(mustRead(t, "testdata/cdn.json"), `"name": "minimalwave-fd"`, `"name": "minimalwave-cdn"`, 1))
	code, out, errs := runCmd(t, "plan", "-spec", spec, "-current", "testdata/classic-state.json")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "retires on 2027-09-30")
	assert.Contains(t, out, "cannot run the classic-to-Front-Door migration")
	assert.Contains(t, out, "Apply is refused")
}

func TestPlanJSON(t *testing.T) {
	code, out, errs := runCmd(t, "plan", "-spec", "testdata/cdn.json", "-current", write(t, "s.json", "{}"), "-format", "json")
	require.Equal(t, 0, code, errs)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

// TestVerifyAndUploadOnRealServices runs verify against gunicorn + Django +
// WhiteNoise after a real collectstatic, and upload against Azurite with a
// SAS URL that must never be printed.
func TestVerifyAndUploadOnRealServices(t *testing.T) {
	g := testenv.Gunicorn(t)
	if err := exec.Command(g.Python, "-c", "import django, whitenoise").Run(); err != nil {
		testenv.Unavailable(t, "python3-django and python3-whitenoise are not installed for "+g.Python)
	}
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../../cdn/testdata/origin")))
	settings := mustRead(t, filepath.Join(dir, "base_settings.py")) + "\n" + cdn.RenderSettings(cdn.SettingsOptions{Django: cdn.DjangoVersion{Major: 3, Minor: 2}})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "settings.py"), []byte(settings), 0o644))
	cs := exec.Command(g.Python, "manage.py", "collectstatic", "--noinput")
	cs.Dir = dir
	out, err := cs.CombinedOutput()
	require.NoError(t, err, "%s", out)
	srv := g.Start(t, testenv.GunicornApp{Dir: dir, App: "wsgi:application", Env: []string{"DJANGO_SETTINGS_MODULE=settings"}})
	manifest := filepath.Join(dir, "staticfiles", "staticfiles.json")

	code, vout, verr := runCmd(t, "verify", "-base", srv.URL, "-manifest", manifest, "-q")
	assert.Equal(t, 0, code, "%s\n%s", vout, verr)
	assert.Contains(t, vout, "10 files from "+srv.URL+": 10 passed, 0 failed")

	az := testenv.Azurite(t)
	cc, err := container.NewClientFromConnectionString(az.ConnectionString(), fmt.Sprintf("cdnexample%d", os.Getpid()), nil)
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = cc.Delete(ctx, nil)
	_, err = cc.Create(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = cc.Delete(context.Background(), nil) })
	sasURL, err := cc.GetSASURL(sas.ContainerPermissions{Read: true, Write: true, List: true, Delete: true, Create: true}, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)

	code, uout, uerr := runCmd(t, "upload", "-dir", filepath.Join(dir, "staticfiles"), "-container", sasURL, "-prefix", "static")
	assert.Equal(t, 0, code, "%s\n%s", uout, uerr)
	assert.Contains(t, uout, "10 uploaded")
	code, uout, _ = runCmd(t, "upload", "-dir", filepath.Join(dir, "staticfiles"), "-container", sasURL, "-prefix", "static")
	assert.Equal(t, 0, code)
	assert.Contains(t, uout, "0 uploaded (0 B), 10 unchanged")
	sig := sasURL[strings.Index(sasURL, "sig="):]
	assert.NotContains(t, uout+uerr, sig, "the SAS token is never printed")
}

// TestPlanApplyPurgeAgainstFakeFrontDoor drives plan -out, apply -plan,
// a stale saved plan and a real (fake) purge through the command.
func TestPlanApplyPurgeAgainstFakeFrontDoor(t *testing.T) {
	const sub = "00000000-0000-0000-0000-000000000000"
	fd := cdntest.New(sub, nil)
	e := env{armOptions: fd.ClientOptions(), credential: fd.Credential(), getenv: func(k string) string {
		if k == "AZURE_SUBSCRIPTION_ID" {
			return sub
		}
		return ""
	}}
	runE := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runWith(e, args, &out, &errb)
		return code, out.String(), errb.String()
	}
	saved := filepath.Join(t.TempDir(), "plan.json")
	code, out, errs := runE("plan", "-spec", "testdata/cdn.json", "-out", saved)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "Plan: 8 to create")
	code, out, errs = runE("apply", "-spec", "testdata/cdn.json", "-plan", saved)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "Apply complete: 8 to create, 0 to change.")
	code, out, _ = runE("plan", "-spec", "testdata/cdn.json", "-detailed-exitcode")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "No changes.")
	// The saved plan is stale now: the state moved since it was made.
	code, _, errs = runE("apply", "-spec", "testdata/cdn.json", "-plan", saved)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "saved plan is stale")

	old, nw := write(t, "old.json", m1), write(t, "new.json", m2)
	code, out, errs = runE("purge", "-old", old, "-new", nw, "-resource-group", "minimalwave-rg", "-profile", "minimalwave-fd", "-endpoint", "minimalwave-static")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "purging /static/css/site.css")
	assert.Equal(t, [][]string{{"/static/css/site.css"}}, fd.PurgeCalls())
}

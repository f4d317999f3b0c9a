package appservice_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/armtest"
	"github.com/deploykit/deploykit/internal/testenv"
)

// A minimal Django project (Debian's Django 3.2 in the harness). The
// health view fails with 503 once the file named by HEALTH_MARKER exists:
// that is the version whose health breaks after the swap (in Azure, when
// production's sticky settings reach it).
const (
	djSettings = `SECRET_KEY = "deploykit-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "site_urls"
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {}
USE_TZ = True
`
	djURLs = `import os, time
from django.http import HttpResponse
from django.urls import path
from django.views.generic.base import RedirectView

def healthz(request):
    marker = os.environ.get("HEALTH_MARKER", "")
    if marker and os.path.exists(marker):
        return HttpResponse("database unreachable", status=503)
    return HttpResponse("ok")

def slow(request):
    time.sleep(3)
    return HttpResponse("late")

urlpatterns = [
    path("healthz", healthz),
    path("slow", slow),
    path("old-health", RedirectView.as_view(url="https://127.0.0.1/healthz", permanent=True)),
]
`
	djWSGI = `import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
`
)

type djangoApp struct {
	url    string
	marker string
}

func startDjango(t *testing.T, g testenv.GunicornEnv) djangoApp {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"site_settings.py": djSettings, "site_urls.py": djURLs, "site_wsgi.py": djWSGI} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	marker := filepath.Join(dir, "broken")
	s := g.Start(t, testenv.GunicornApp{Dir: dir, App: "site_wsgi:application", Path: "/healthz",
		Args: []string{"--workers", "2", "--threads", "4", "--timeout", "30"}, Env: []string{"HEALTH_MARKER=" + marker}, StartTimeout: 60 * time.Second})
	return djangoApp{url: s.URL, marker: marker}
}

const (
	imgOld = "minimalwave.azurecr.io/blog:1.0"
	imgNew = "minimalwave.azurecr.io/blog:1.1"
	imgBad = "minimalwave.azurecr.io/blog:1.2"
)

func deploySpec() *appservice.Spec {
	hc := "/healthz"
	return &appservice.Spec{
		Target:          appservice.Target{Subscription: sub, ResourceGroup: rg, App: app, Plan: planNm},
		Container:       &appservice.Container{Image: imgOld, Port: 8000},
		HealthCheckPath: &hc,
		AppSettings:     map[string]string{"DJANGO_SETTINGS_MODULE": "site_settings"},
	}
}

// TestDeployOnGunicorn runs blue/green deploys whose health probes hit
// real gunicorn + Django: healthy serves 1.0 and 1.1; failing serves 1.2,
// whose health view breaks once it is swapped into production.
func TestDeployOnGunicorn(t *testing.T) {
	g := testenv.Gunicorn(t)
	healthy, failing := startDjango(t, g), startDjango(t, g)

	setup := func(t *testing.T) (*azure, appservice.DeployOptions, *[]appservice.Event) {
		_ = os.Remove(failing.marker)
		az := newAzure(t, "S1")
		var mu sync.Mutex
		events := &[]appservice.Event{}
		opts := appservice.DeployOptions{
			Slot: "staging",
			URL: func(slot string) string {
				if az.image(slot) == "DOCKER|"+imgBad {
					return failing.url
				}
				return healthy.url
			},
			Probe:    appservice.ProbeOptions{Timeout: 2 * time.Second},
			Warmup:   appservice.WarmupOptions{Consecutive: 3, Timeout: 10 * time.Second, Interval: 20 * time.Millisecond},
			Verify:   appservice.VerifyOptions{Window: 300 * time.Millisecond, Interval: 30 * time.Millisecond, MaxFailures: 2},
			Progress: func(e appservice.Event) { mu.Lock(); *events = append(*events, e); mu.Unlock() },
		}
		az.onSwap = func() {
			if az.image(prodKey) == "DOCKER|"+imgBad {
				require.NoError(t, os.WriteFile(failing.marker, nil, 0o644))
			}
		}
		return az, opts, events
	}
	names := func(r *appservice.DeployResult) []string {
		var out []string
		for _, s := range r.Steps {
			mark := "ok"
			if !s.OK {
				mark = "failed"
			}
			out = append(out, s.Name+":"+mark)
		}
		return out
	}

	t.Run("happy path creates the slot and swaps", func(t *testing.T) {
		az, opts, events := setup(t)
		opts.Image = imgNew
		var stepRan bool
		opts.Step = func(ctx context.Context) error { stepRan = true; return nil }
		c, rec := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		require.NoError(t, err)
		assert.Equal(t, []string{"slot:ok", "warmup:ok", "step:ok", "swap:ok", "verify:ok"}, names(res))
		assert.True(t, stepRan)
		assert.True(t, res.Swapped)
		assert.False(t, res.RolledBack)
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgNew, Version: "new"}, res.Final)
		assert.Equal(t, "DOCKER|"+imgOld, az.image("staging"), "the old version waits in the slot")
		assert.Equal(t, 1, rec.Count(func(q armtest.Request) bool {
			return q.API == "WebAppsClient.BeginCreateOrUpdateSlot" && armtest.IsWrite(q)
		}), "the missing slot was created")
		assert.Equal(t, "site_settings", *az.settings(prodKey)["DJANGO_SETTINGS_MODULE"])
		assert.Equal(t, "1", *az.settings("staging")["WEBSITE_RUN_FROM_PACKAGE"], "production's unowned settings went to the slot with the swap")
		assert.Equal(t, "false", *az.settings(prodKey)["WEBSITES_ENABLE_APP_SERVICE_STORAGE"], "a sticky setting stays with production")
		assert.Equal(t, 10, len(*events), "start and end of every step")
		assert.Equal(t, appservice.Event{Step: "slot", Status: "start", At: (*events)[0].At}, (*events)[0])
	})

	t.Run("health fails after the swap: automatic swap back", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgBad
		c, _ := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		require.Error(t, err)
		var ve *appservice.VerifyError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, appservice.CauseUnhealthy, ve.Last.Cause)
		assert.Equal(t, 503, ve.Last.Status)
		assert.Equal(t, []string{"slot:ok", "warmup:ok", "swap:ok", "verify:failed", "rollback:ok"}, names(res))
		assert.True(t, res.RolledBack)
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgOld, Version: "old"}, res.Final)
		assert.Equal(t, 2, az.swaps)
	})

	t.Run("warm-up timeout aborts before the swap", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgNew
		opts.HealthPath = "/slow"
		opts.Probe.Timeout = 200 * time.Millisecond
		opts.Warmup.Timeout = 800 * time.Millisecond
		c, _ := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		var we *appservice.WarmupError
		require.ErrorAs(t, err, &we)
		assert.Equal(t, appservice.CauseTimeout, we.Last.Cause)
		assert.Contains(t, err.Error(), "timeout: no answer within 200ms")
		assert.Equal(t, []string{"slot:ok", "warmup:failed"}, names(res))
		assert.Equal(t, 0, az.swaps)
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgOld, Version: "old"}, res.Final)
	})

	t.Run("probe causes from real Django", func(t *testing.T) {
		ctx := context.Background()
		r := appservice.Probe(ctx, healthy.url+"/healthz", appservice.ProbeOptions{})
		assert.Equal(t, appservice.CauseOK, r.Cause)
		r = appservice.Probe(ctx, healthy.url+"/old-health", appservice.ProbeOptions{})
		assert.Equal(t, appservice.CauseRedirect, r.Cause)
		assert.Equal(t, 301, r.Status)
		assert.Equal(t, "https://127.0.0.1/healthz", r.Detail)
		// App Service's health check uses internal addresses as Host.
		r = appservice.Probe(ctx, healthy.url+"/healthz", appservice.ProbeOptions{Host: "169.254.130.4:8000"})
		assert.Equal(t, appservice.CauseDisallowedHost, r.Cause, r.String())
		assert.Equal(t, 400, r.Status)
		assert.Contains(t, r.String(), "ALLOWED_HOSTS")
		r = appservice.Probe(ctx, healthy.url+"/missing", appservice.ProbeOptions{})
		assert.Equal(t, appservice.CauseUnhealthy, r.Cause)
		assert.Equal(t, 404, r.Status)
		r = appservice.Probe(ctx, "http://127.0.0.1:1/healthz", appservice.ProbeOptions{})
		assert.Equal(t, appservice.CauseConnection, r.Cause)
	})

	t.Run("a 409 from a preview left pending is reset, then ours runs", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		az.pending = "staging" // an earlier run died between the phases
		opts.Image = imgNew
		opts.Preview = true
		c, rec := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		require.NoError(t, err)
		assert.Equal(t, []string{"slot:ok", "warmup:ok", "preview:ok", "swap:ok", "verify:ok"}, names(res))
		assert.Contains(t, res.Steps[2].Detail, "reset a pending preview")
		assert.Equal(t, 2, rec.Count(armtest.ByAPI("WebAppsClient.ApplySlotConfigToProduction")))
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgNew, Version: "new"}, res.Final)
		assert.Empty(t, az.pending)
	})

	t.Run("a 409 that persists ends with the old version and no pending preview", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		az.previewConflicts = 2 // e.g. site authentication enabled on a slot
		opts.Image = imgNew
		opts.Preview = true
		c, _ := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "409")
		assert.False(t, res.Swapped)
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgOld, Version: "old"}, res.Final)
		assert.Empty(t, az.pending)
		assert.Equal(t, 0, az.swaps)
	})

	t.Run("preview verify fails: reset, production untouched", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgBad
		opts.Preview = true
		opts.Warmup.Timeout = 500 * time.Millisecond
		var phase int
		az.onSwap = nil
		// Production's settings break the failing version as soon as they
		// are applied to the slot (phase one).
		c, _ := az.client(t, nil)
		opts.Step = func(ctx context.Context) error {
			phase++
			return os.WriteFile(failing.marker, nil, 0o644)
		}
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		require.Error(t, err)
		assert.Equal(t, 1, phase)
		assert.Equal(t, []string{"slot:ok", "warmup:ok", "step:ok", "preview:failed"}, names(res))
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgOld, Version: "old"}, res.Final)
		assert.Empty(t, az.pending, "the preview was reset")
		assert.Equal(t, 0, az.swaps)
	})

	t.Run("a failing step aborts the swap", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgNew
		opts.Step = func(ctx context.Context) error { return errors.New("migration 0042 failed") }
		c, _ := az.client(t, nil)
		res, err := c.Deploy(context.Background(), deploySpec(), opts)
		assert.ErrorContains(t, err, "swap aborted: migration 0042 failed")
		assert.Equal(t, 0, az.swaps)
		assert.Equal(t, "old", res.Final.Version)
	})

	t.Run("cancellation mid-swap ends on the old version", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgNew
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		az.swapPolls = 3
		first := true
		az.onSwap = func() {
			if first {
				first = false
				cancel() // the user presses Ctrl-C while Azure swaps
			}
		}
		c, _ := az.client(t, nil)
		res, err := c.Deploy(ctx, deploySpec(), opts)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.True(t, res.Swapped, "the swap completed in Azure")
		assert.True(t, res.RolledBack, "a cancelled deploy swaps back")
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgOld, Version: "old"}, res.Final)
		assert.Equal(t, 2, az.swaps)
	})

	t.Run("cancelled after verify passed: the verified version stays", func(t *testing.T) {
		az, opts, _ := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgNew
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		progress := opts.Progress
		opts.Progress = func(e appservice.Event) {
			progress(e)
			if e.Step == appservice.StepVerify && e.Status == "ok" {
				cancel() // Ctrl-C just as the deploy finishes
			}
		}
		c, _ := az.client(t, nil)
		res, err := c.Deploy(ctx, deploySpec(), opts)
		require.NoError(t, err, "every step succeeded")
		assert.False(t, res.RolledBack, "a verified deploy is not swapped back")
		assert.Equal(t, appservice.FinalState{Production: "DOCKER|" + imgNew, Version: "new"}, res.Final)
		assert.Equal(t, 1, az.swaps)
	})

	t.Run("app setting values reach no event, step or result", func(t *testing.T) {
		az, opts, events := setup(t)
		az.addSlot("staging", imgOld)
		opts.Image = imgBad // verify fails and rolls back: every step reports
		spec := deploySpec()
		spec.AppSettings["DATABASE_URL"] = "postgres://app:" + secrets[0] + "@db/prod"
		c, _ := az.client(t, nil)
		res, err := c.Deploy(context.Background(), spec, opts)
		require.Error(t, err)
		out, jerr := json.Marshal(struct {
			R   *appservice.DeployResult
			E   []appservice.Event
			Err string
		}{res, *events, err.Error()})
		require.NoError(t, jerr)
		assert.NotContains(t, string(out), secrets[0])
	})

	t.Run("slots need Standard", func(t *testing.T) {
		az := newAzure(t, "B1")
		c, rec := az.client(t, nil)
		_, err := c.Deploy(context.Background(), deploySpec(), appservice.DeployOptions{Image: imgNew})
		assert.ErrorIs(t, err, appservice.ErrTier)
		assert.Equal(t, 0, rec.Count(armtest.IsWrite))
	})
}

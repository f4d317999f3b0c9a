package appservice_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/armtest"
)

func loadSpec(t *testing.T, name string) *appservice.Spec {
	t.Helper()
	s, err := appservice.LoadSpec("testdata/" + name)
	require.NoError(t, err)
	return s
}

var secrets = []string{"s3cr3t-do-not-print-1234", "hunter2-prod", "InstrumentationKey="}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secrets {
		assert.NotContains(t, s, sec, "%s leaks a secret", what)
	}
}

func TestPlanReadsExactlyTheOwnedResources(t *testing.T) {
	az := newAzure(t, "B1")
	c, rec := az.client(t, nil)
	p, _, err := c.Plan(context.Background(), loadSpec(t, "site.json"))
	require.NoError(t, err)
	var got []string
	for _, q := range rec.Requests() {
		got = append(got, q.Method+" "+q.API)
	}
	assert.ElementsMatch(t, []string{
		"GET WebAppsClient.GetConfiguration",
		"POST WebAppsClient.ListApplicationSettings",
		"GET WebAppsClient.ListSlotConfigurationNames",
		"GET PlansClient.Get",
		"GET AutoscaleSettingsClient.Get",
	}, got, "one read per owned resource, no writes")
	assert.Equal(t, 0, rec.Count(armtest.IsWrite))
	s := p.Summary()
	assert.Equal(t, 1, s.Create, "the autoscale setting")
	assert.Equal(t, 4, s.Modify, "plan, site config, app settings, sticky names")
}

func TestPlanTextShowsOwnedChangesMarksAndMasksSecrets(t *testing.T) {
	az := newAzure(t, "B1")
	c, _ := az.client(t, nil)
	p, _, err := c.Plan(context.Background(), loadSpec(t, "site.json"))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, appservice.TextOptions{}))
	out := b.String()
	for _, want := range []string{
		`~ alwaysOn = false -> true`,
		`~ http20Enabled = false -> true`,
		`~ ftpsState = "AllAllowed" -> "Disabled"`,
		`~ linuxFxVersion = "DOCKER|minimalwave.azurecr.io/blog:1.0" -> "DOCKER|minimalwave.azurecr.io/blog:1.1"  # restarts the app`,
		`~ healthCheckPath = "" -> "/healthz"  # restarts the app`,
		`~ numberOfWorkers = 1 -> 2`,
		`# (2 unchanged attributes hidden)`, // minTlsVersion 1.2 and no user identity already
		`+ appSettings["SECRET_KEY"] = (sensitive value)  # restarts the app`,
		`+ appSettings["WEBSITES_PORT"] = (sensitive value)`,
		`- appSettings["WEBSITES_ENABLE_APP_SERVICE_STORAGE"] = (sensitive value) -> null`,
		`+ appSettingNames["DATABASE_URL"] = "DATABASE_URL"`,
		`~ sku.name = "B1" -> "S1"  # restarts the app`,
		`~ properties.perSiteScaling = false -> true`,
		// S1 $69.35 - B1 $12.41 (data/prices.json, East US, 2026-04-18).
		`changes cost +$56.94/month`,
		`# Microsoft.Insights/autoscalesettings.minimalwave-autoscale will be created`,
		`+ profile.rules[0] = "CpuPercentage > 70 avg 5m, scale out 1, cooldown 5m [on ` + strings.ToLower(planID) + `]"`,
		`+ enabled = true`,
		`Plan: 1 to create, 4 to change, 0 to destroy. Cost: +$56.94/month.`,
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "ipSecurityRestrictions", "unowned fields never appear")
	assert.NotContains(t, out, "WEBSITE_RUN_FROM_PACKAGE", "unowned keys never appear")
	assertNoSecrets(t, "plan text", out)
	b.Reset()
	require.NoError(t, p.WriteJSON(&b))
	assertNoSecrets(t, "plan JSON", b.String())
	assert.NotContains(t, b.String(), "minimalwave-blog.settings.production", "app setting values are secrets by default")
}

func TestApplyWritesOnlyChangedOwnedFieldsAndIsIdempotent(t *testing.T) {
	az := newAzure(t, "B1")
	spec := loadSpec(t, "site.json")
	var logs bytes.Buffer
	az.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, rec := az.client(t, nil)
	ctx := context.Background()
	res, err := c.Apply(ctx, spec, nil)
	require.NoError(t, err)
	assert.Equal(t, 5, res.Writes)

	w := writes(rec)
	require.Len(t, w, 5, "one write per changed resource: %v", apis(w))
	assert.Equal(t, []string{
		"PlansClient.BeginCreateOrUpdate",
		"WebAppsClient.UpdateConfiguration",
		"WebAppsClient.UpdateApplicationSettings",
		"WebAppsClient.UpdateSlotConfigurationNames",
		"AutoscaleSettingsClient.CreateOrUpdate",
	}, apis(w))

	// Site config: a PATCH of exactly the changed owned fields.
	assert.Equal(t, http.MethodPatch, w[1].Method)
	assert.JSONEq(t, `{"properties":{
		"acrUseManagedIdentityCreds": true,
		"alwaysOn": true,
		"appCommandLine": "gunicorn --config gunicorn.conf.py minimalwave-blog.wsgi:application",
		"ftpsState": "Disabled",
		"healthCheckPath": "/healthz",
		"http20Enabled": true,
		"linuxFxVersion": "DOCKER|minimalwave.azurecr.io/blog:1.1",
		"numberOfWorkers": 2}}`, string(w[1].Body))

	// App settings: the whole set, unowned keys byte for byte.
	assert.Equal(t, http.MethodPut, w[2].Method)
	var put struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(w[2].Body, &put))
	assert.JSONEq(t, `"1"`, string(put.Properties["WEBSITE_RUN_FROM_PACKAGE"]))
	want, _ := json.Marshal("  spaces, \"quotes\" and ünïcode \u2028 kept  ")
	assert.JSONEq(t, string(want), string(put.Properties["ODD_VALUE"]))
	assert.Contains(t, put.Properties, "DATABASE_URL")
	assert.NotContains(t, put.Properties, "WEBSITES_ENABLE_APP_SERVICE_STORAGE", "explicit deletion")
	assert.JSONEq(t, `"8000"`, string(put.Properties["WEBSITES_PORT"]))
	got := az.settings(prodKey)
	assert.Equal(t, "  spaces, \"quotes\" and ünïcode \u2028 kept  ", *got["ODD_VALUE"])
	assert.Equal(t, "1", *got["WEBSITE_RUN_FROM_PACKAGE"])

	// Sticky names merged, the other lists kept.
	assert.JSONEq(t, `{"properties":{"appSettingNames":["WEBSITES_ENABLE_APP_SERVICE_STORAGE","DATABASE_URL"],"connectionStringNames":["Default"]}}`, string(w[3].Body))

	// SKU via GET → edit → PUT of the whole plan.
	var planPut armappservice.Plan
	require.NoError(t, json.Unmarshal(w[0].Body, &planPut))
	assert.Equal(t, "S1", *planPut.SKU.Name)
	assert.Equal(t, "Standard", *planPut.SKU.Tier)
	assert.True(t, *planPut.Properties.PerSiteScaling)
	assert.True(t, *planPut.Properties.Reserved, "the rest of the plan is kept")

	// Autoscale: Enabled explicit, namespace and the plan as target.
	var as map[string]any
	require.NoError(t, json.Unmarshal(w[4].Body, &as))
	props := as["properties"].(map[string]any)
	assert.Equal(t, true, props["enabled"])
	assert.Equal(t, planID, props["targetResourceUri"])
	rule := props["profiles"].([]any)[0].(map[string]any)["rules"].([]any)[0].(map[string]any)["metricTrigger"].(map[string]any)
	assert.Equal(t, "microsoft.web/serverfarms", rule["metricNamespace"])
	assert.Equal(t, "PT5M", rule["timeWindow"])
	assert.Equal(t, "PT1M", rule["timeGrain"])

	// The unowned IP restriction survived.
	cfg, _, _ := armtest.Get[armappservice.SiteConfigResource](az.store, cfgKey(prodKey))
	require.Len(t, cfg.Properties.IPSecurityRestrictions, 1)

	// Idempotent: a plan after apply is empty, and applying again writes nothing.
	c2, rec2 := az.client(t, nil)
	p, _, err := c2.Plan(ctx, spec)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, appservice.TextOptions{}))
	assert.False(t, p.HasChanges(), b.String())
	res, err = c2.Apply(ctx, spec, p)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Writes)
	assert.Equal(t, 0, rec2.Count(armtest.IsWrite), "an empty plan makes zero write calls")
	assertNoSecrets(t, "logs", logs.String())
}

func TestSavedPlanAppliesAndStalePlanIsRefused(t *testing.T) {
	az := newAzure(t, "B1")
	spec := loadSpec(t, "site.json")
	ctx := context.Background()
	c, _ := az.client(t, nil)
	p, _, err := c.Plan(ctx, spec)
	require.NoError(t, err)
	var saved bytes.Buffer
	require.NoError(t, p.WriteJSON(&saved))

	// Someone changes an owned field outside deploykit.
	_, err = armtest.Patch(az.store, cfgKey(prodKey), armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{Http20Enabled: to.Ptr(true)}})
	require.NoError(t, err)
	back, err := appservice.ReadPlanJSON(bytes.NewReader(saved.Bytes()))
	require.NoError(t, err)
	c2, rec := az.client(t, nil)
	_, err = c2.Apply(ctx, spec, back)
	require.Error(t, err)
	assert.True(t, errors.Is(err, appservice.ErrStale), "%v", err)
	assert.Contains(t, err.Error(), "saved plan is stale")
	assert.Equal(t, 0, rec.Count(armtest.IsWrite), "a stale plan writes nothing")

	// A change to an unowned field does not make the plan stale.
	p, _, err = c2.Plan(ctx, spec)
	require.NoError(t, err)
	_, err = armtest.Patch(az.store, cfgKey(prodKey), armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{WebSocketsEnabled: to.Ptr(true)}})
	require.NoError(t, err)
	settings := az.settings(prodKey)
	settings["SOMEONE_ELSES"] = to.Ptr("x")
	require.NoError(t, armtest.Put(az.store, settingsKey(prodKey), armappservice.StringDictionary{Properties: settings}))
	res, err := c2.Apply(ctx, spec, p)
	require.NoError(t, err)
	assert.Equal(t, 5, res.Writes)
	assert.Equal(t, "x", *az.settings(prodKey)["SOMEONE_ELSES"], "a key added between plan and apply survives")

	// A spec changed after the plan is refused.
	spec2 := loadSpec(t, "site.json")
	spec2.HTTP2 = to.Ptr(false)
	c3, _ := az.client(t, nil)
	p3, _, err := c3.Plan(ctx, spec)
	require.NoError(t, err)
	_, err = c3.Apply(ctx, spec2, p3)
	assert.ErrorIs(t, err, appservice.ErrPlanMismatch)
}

func TestTierErrorsBeforeAnyCall(t *testing.T) {
	// From a file: positioned, every problem at once.
	_, err := appservice.LoadSpec("testdata/seed-tier.json")
	require.Error(t, err)
	assert.True(t, errors.Is(err, appservice.ErrTier))
	assert.Equal(t, "testdata/seed-tier.json:6:3: autoscale: autoscale needs the Standard tier or higher; B1 is Basic", err.Error())

	// In Go, through the client: no request at all.
	spec := &appservice.Spec{
		Target:   appservice.Target{Subscription: sub, ResourceGroup: rg, App: app, Plan: planNm},
		AlwaysOn: to.Ptr(true),
		SKU:      &appservice.SKU{Name: "F1", Capacity: 4},
	}
	az := newAzure(t, "B1")
	c, rec := az.client(t, nil)
	_, _, err = c.Plan(context.Background(), spec)
	require.Error(t, err)
	assert.True(t, errors.Is(err, appservice.ErrTier))
	assert.Contains(t, err.Error(), "alwaysOn: Always On needs the Basic tier or higher; F1 is Free")
	assert.Contains(t, err.Error(), "sku.capacity: 4 instances exceed the Free tier's maximum of 1")
	assert.Equal(t, 0, rec.Count(nil), "tier errors happen before any call")

	// Without a SKU in the spec, the current plan's tier decides, before any write.
	spec = &appservice.Spec{Target: spec.Target, Autoscale: &appservice.Autoscale{Name: "as", Min: 1, Max: 3, Default: 1, Rules: []appservice.RuleSpec{
		{When: "CpuPercentage > 70 avg 5m", Scale: "out 1"}, {When: "CpuPercentage < 30 avg 10m", Scale: "in 1"}}}}
	_, err = c.Apply(context.Background(), spec, nil)
	assert.True(t, errors.Is(err, appservice.ErrTier), "%v", err)
	assert.Equal(t, 0, rec.Count(armtest.IsWrite))

	// Slots need Standard.
	assert.ErrorIs(t, appservice.CheckSlots("B1", 0), appservice.ErrTier)
	assert.NoError(t, appservice.CheckSlots("S1", 4))
	assert.ErrorContains(t, appservice.CheckSlots("S1", 5), "allows 5 slots")
	assert.NoError(t, appservice.CheckSlots("P1v3", 19))
}

func TestSeedCommandsAreRejectedWithPositions(t *testing.T) {
	_, err := appservice.LoadSpec("testdata/seed-b1.json")
	require.Error(t, err)
	var se *appservice.SpecError
	require.ErrorAs(t, err, &se)
	msgs := err.Error()
	assert.Contains(t, msgs, `testdata/seed-b1.json:5:25: sku.appInstances: a per-app instance count needs "perSiteScaling": true`)
	assert.Contains(t, msgs, "testdata/seed-b1.json:9:5: autoscale.rules: scale-out without a scale-in rule")
}

func TestUnknownAndMistypedFields(t *testing.T) {
	src := `{
  "target": {"resourceGroup": "rg", "app": "a", "plan": "p"},
  "alwayson": true,
  "http2": "yes",
  "sku": {"name": "S1", "capacity": 2.5},
  "appSettings": {"A": 1}
}`
	_, err := appservice.ParseSpec("site.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `site.json:3:3: alwayson: unknown field "alwayson" (did you mean "alwaysOn"?)
site.json:4:12: http2: expected a boolean, found a string
site.json:5:37: sku.capacity: expected an integer, found 2.5
site.json:6:24: appSettings["A"]: expected a string, found a number`, err.Error())
}

func TestRetriesTransient429And503(t *testing.T) {
	az := newAzure(t, "B1")
	var t429, t503 *armtest.Transient
	c, rec := az.client(t, func(next policy.Transporter) policy.Transporter {
		t503 = &armtest.Transient{Next: next, Status: 503, Times: 2, Match: func(r *http.Request) bool { return r.Method == http.MethodPatch }}
		t429 = &armtest.Transient{Next: t503, Status: 429, Times: 2, Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/appsettings/list") }}
		return t429
	})
	res, err := c.Apply(context.Background(), loadSpec(t, "site.json"), nil)
	require.NoError(t, err)
	assert.Equal(t, 5, res.Writes)
	assert.Equal(t, 2, t429.Injected())
	assert.Equal(t, 2, t503.Injected())
	assert.Equal(t, 1, rec.Count(armtest.ByAPI("WebAppsClient.UpdateConfiguration")), "the server saw the PATCH once, after two 503s")
}

// echoError answers app settings writes with a 400 whose body echoes the
// request, the worst a server could do.
type echoError struct{ next policy.Transporter }

func (e echoError) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/config/appsettings") {
		b, _ := io.ReadAll(r.Body)
		body := `{"error":{"code":"BadRequest","message":` + string(mustJSON(string(b))) + `}}`
		return &http.Response{StatusCode: 400, Status: "400 Bad Request", Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	return e.next.Do(r)
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestSecretsNeverReachErrorsOrLogs(t *testing.T) {
	az := newAzure(t, "S1")
	var logs bytes.Buffer
	az.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	spec := loadSpec(t, "site.json")
	spec.SKU, spec.Autoscale = nil, nil
	c, _ := az.client(t, func(next policy.Transporter) policy.Transporter { return echoError{next} })
	_, err := c.Apply(context.Background(), spec, nil)
	require.Error(t, err)
	var ae *appservice.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, err.Error(), "HTTP 400 BadRequest")
	assert.Contains(t, err.Error(), "already written: Microsoft.Web/sites/config.minimalwave-app/web")
	assertNoSecrets(t, "apply error", err.Error())
	assert.Contains(t, logs.String(), "wrote", "the logger was used")
	assertNoSecrets(t, "logs", logs.String())
}

func TestApplicationInsightsIsCreatedAndWired(t *testing.T) {
	az := newAzure(t, "S1")
	spec := &appservice.Spec{
		Target:              appservice.Target{Subscription: sub, ResourceGroup: rg, App: app, Plan: planNm},
		ApplicationInsights: &appservice.AppInsights{Name: "minimalwave-ai"},
	}
	ctx := context.Background()
	c, _ := az.client(t, nil)
	p, _, err := c.Plan(ctx, spec)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, appservice.TextOptions{}))
	assert.Contains(t, b.String(), "# Microsoft.Insights/components.minimalwave-ai will be created [changes cost (usage-based)]")
	assert.Contains(t, b.String(), `+ appSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = (sensitive value)`)
	res, err := c.Apply(ctx, spec, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Writes)
	assert.True(t, strings.HasPrefix(*az.settings(prodKey)["APPLICATIONINSIGHTS_CONNECTION_STRING"], "InstrumentationKey=11111111"))
	p, _, err = c.Plan(ctx, spec)
	require.NoError(t, err)
	assert.False(t, p.HasChanges())
}

func TestSpecErrorsNeverQuoteAppSettingValues(t *testing.T) {
	src := `{"target": {"resourceGroup": "rg", "app": "a", "plan": "p"},
  "appSettings": {"SECRET_KEY": "s3cr3t-do-not-print-1234", "bad name!": "s3cr3t-do-not-print-1234"},
  "deleteAppSettings": ["SECRET_KEY"],
  "container": {"image": "s3cr3t-do-not-print-1234", "port": 8000},
  "sku": {"name": "Z9"}}`
	_, err := appservice.ParseSpec("site.json", []byte(src))
	require.Error(t, err)
	// The image is not a secret and is quoted; app setting values never are.
	msg := strings.ReplaceAll(err.Error(), `"s3cr3t-do-not-print-1234" would deploy`, "")
	assert.NotContains(t, msg, "s3cr3t-do-not-print-1234", err.Error())
	assert.Contains(t, err.Error(), `appSettings["bad name!"]`)
	assert.Contains(t, err.Error(), `"SECRET_KEY" is both set in appSettings and deleted`)
}

func TestAutoscaleOnlyPlanReadsPlanAndSetting(t *testing.T) {
	az := newAzure(t, "S1")
	spec := loadSpec(t, "site.json").AutoscaleOnly()
	c, rec := az.client(t, nil)
	ctx := context.Background()
	res, err := c.Apply(ctx, spec, nil)
	require.NoError(t, err)
	var got []string
	for _, q := range rec.Requests() {
		got = append(got, q.API)
	}
	assert.Equal(t, []string{"PlansClient.Get", "AutoscaleSettingsClient.Get", "AutoscaleSettingsClient.CreateOrUpdate"}, sortedReadsFirst(got))
	assert.Equal(t, 1, res.Writes)
	p, _, err := c.Plan(ctx, spec)
	require.NoError(t, err)
	assert.False(t, p.HasChanges())

	// Changing a rule is one Modify with old -> new in the seed's words.
	spec.Autoscale.Rules[0].When = "CpuPercentage > 75 avg 10m"
	p, _, err = c.Plan(ctx, spec)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, appservice.TextOptions{}))
	assert.Contains(t, b.String(), `~ profile.rules[0] = "CpuPercentage > 70 avg 5m, scale out 1, cooldown 5m [on `)
	assert.Contains(t, b.String(), `-> "CpuPercentage > 75 avg 10m, scale out 1, cooldown 5m [on `)
}

// sortedReadsFirst keeps the order of writes but sorts the concurrent reads
// that precede them.
func sortedReadsFirst(apis []string) []string {
	var reads, rest []string
	for _, a := range apis {
		if strings.HasSuffix(a, ".Get") && len(rest) == 0 {
			reads = append(reads, a)
		} else {
			rest = append(rest, a)
		}
	}
	sort.Strings(reads)
	sort.Sort(sort.Reverse(sort.StringSlice(reads)))
	return append(reads, rest...)
}

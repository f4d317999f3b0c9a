package cdn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/cdn/cdntest"
	"github.com/deploykit/deploykit/internal/armtest"
	"github.com/deploykit/deploykit/internal/plan"
)

const sub = "00000000-0000-0000-0000-000000000000"

// armEnv is cdntest's fake Front Door with the clients Plan and Apply use.
type armEnv struct {
	store   *armtest.Store
	rec     *armtest.Recorder
	clients *Clients
}

func pkey(rg, p string, rest ...string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + strings.Join(append([]string{rg, "providers/Microsoft.Cdn/profiles", p}, rest...), "/")
}

func newARMEnv(t *testing.T) *armEnv { return newARMEnvWith(t, nil) }

// newARMEnvWith puts transient (429/503 injection) in front of the recorder.
func newARMEnvWith(t *testing.T, transient *armtest.Transient) *armEnv {
	t.Helper()
	var wrap func(policy.Transporter) policy.Transporter
	if transient != nil {
		wrap = func(next policy.Transporter) policy.Transporter { transient.Next = next; return transient }
	}
	fd := cdntest.New(sub, wrap)
	f, err := fd.Factory(sub)
	require.NoError(t, err)
	return &armEnv{store: fd.Store(), rec: fd.Recorder(), clients: NewClients(f)}
}

const seedSpec = `{
  "resourceGroup": "minimalwave-rg",
  "profile": {"name": "minimalwave-fd"},
  "endpoint": {"name": "minimalwave-static"},
  "origin": {"hostName": "minimalwave.azurewebsites.net"},
  "originGroup": {"probePath": "/healthz"},
  "appRoute": {},
  "unhashedRule": {"maxAge": 300}
}`

func mustSpec(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := ParseSpec("cdn.json", []byte(src))
	require.NoError(t, err)
	return s
}

func planFor(t *testing.T, env *armEnv, s *Spec) *Plan {
	t.Helper()
	cur, err := ReadState(context.Background(), env.clients, s)
	require.NoError(t, err)
	p, err := PlanChanges(s, cur, sub)
	require.NoError(t, err)
	return p
}

// ownedPaths lists the JSON paths (dot-joined keys) of every leaf in b.
func leafPaths(t *testing.T, b []byte) []string {
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(prefix+"."+k, c)
			}
		case []any:
			if len(x) == 0 {
				out = append(out, prefix)
			}
			for _, c := range x {
				walk(prefix+"[]", c)
			}
		default:
			out = append(out, prefix)
		}
	}
	walk("", v)
	sort.Strings(out)
	return out
}

func TestApplyRoundTripIsIdempotent(t *testing.T) {
	env := newARMEnv(t)
	ctx := context.Background()
	s := mustSpec(t, seedSpec)

	p := planFor(t, env, s)
	sum := p.Changes.Summary()
	assert.Equal(t, plan.Summary{Create: 8}, sum, "profile, endpoint, origin group, origin, rule set, rule, two routes")
	var out bytes.Buffer
	require.NoError(t, p.Changes.WriteText(&out, plan.TextOptions{}))
	text := out.String()
	assert.Contains(t, text, "# Microsoft.Cdn/profiles.minimalwave-fd will be created [changes cost +$35.00/month]")
	assert.Contains(t, text, `+ originHostHeader = "minimalwave.azurewebsites.net"`)
	assert.Contains(t, text, `"probeRequestType":"HEAD"`)
	assert.Contains(t, text, `"queryStringCachingBehavior":"IgnoreQueryString"`)
	assert.Contains(t, text, "Plan: 8 to create, 0 to change, 0 to destroy. Cost: +$35.00/month.")

	env.rec.Reset()
	require.NoError(t, Apply(ctx, env.clients, p))
	writes := env.rec.Count(armtest.IsWrite)
	assert.Equal(t, 8, writes, "one write per resource")
	for _, q := range env.rec.Requests() {
		if q.Method == http.MethodPut && len(q.Body) > 0 {
			for _, lp := range leafPaths(t, q.Body) {
				assert.NotContains(t, lp, "provisioningState", "read-only fields are never sent")
				assert.NotContains(t, lp, "deploymentStatus")
			}
		}
	}
	// The static route references the origin group and the rule set, with caching on.
	route, ok, err := armtest.Get[armcdn.Route](env.store, pkey("minimalwave-rg", "minimalwave-fd", "afdEndpoints", "minimalwave-static", "routes", "static"))
	require.NoError(t, err)
	require.True(t, ok)
	require.NotNil(t, route.Properties.CacheConfiguration)
	assert.NotEmpty(t, route.Properties.CacheConfiguration.CompressionSettings.ContentTypesToCompress)
	app, _, _ := armtest.Get[armcdn.Route](env.store, pkey("minimalwave-rg", "minimalwave-fd", "afdEndpoints", "minimalwave-static", "routes", "app"))
	assert.Nil(t, app.Properties.CacheConfiguration, "the app route is uncached")

	// Plan again: nothing to do; apply again: no writes.
	p2 := planFor(t, env, s)
	assert.False(t, p2.Changes.HasChanges(), "a plan after apply is empty")
	out.Reset()
	require.NoError(t, p2.Changes.WriteText(&out, plan.TextOptions{}))
	assert.Contains(t, out.String(), "No changes.")
	env.rec.Reset()
	require.NoError(t, Apply(ctx, env.clients, p2))
	assert.Zero(t, env.rec.Count(armtest.IsWrite), "applying twice is a no-op")
}

func TestApplyPatchesOnlyOwnedChangedFields(t *testing.T) {
	env := newARMEnv(t)
	ctx := context.Background()
	s := mustSpec(t, seedSpec)
	require.NoError(t, Apply(ctx, env.clients, planFor(t, env, s)))

	// Someone else changes an owned field (the host header), sets an
	// unowned one (origin group session affinity, endpoint tags), turns
	// caching on for the app route and sets an origin path.
	og := pkey("minimalwave-rg", "minimalwave-fd", "originGroups", "app-service")
	o := og + "/origins/app"
	_, err := armtest.Patch(env.store, o, armcdn.AFDOrigin{Properties: &armcdn.AFDOriginProperties{OriginHostHeader: to.Ptr("wrong.example.com")}})
	require.NoError(t, err)
	_, err = armtest.Patch(env.store, og, armcdn.AFDOriginGroup{Properties: &armcdn.AFDOriginGroupProperties{SessionAffinityState: to.Ptr(armcdn.EnabledStateEnabled)}})
	require.NoError(t, err)
	ep := pkey("minimalwave-rg", "minimalwave-fd", "afdEndpoints", "minimalwave-static")
	_, err = armtest.Patch(env.store, ep, armcdn.AFDEndpoint{Tags: map[string]*string{"owner": to.Ptr("ops")}})
	require.NoError(t, err)
	appRoute := ep + "/routes/app"
	_, err = armtest.Patch(env.store, appRoute, armcdn.Route{Properties: &armcdn.RouteProperties{
		OriginPath:         to.Ptr("/legacy"),
		CacheConfiguration: &armcdn.AfdRouteCacheConfiguration{QueryStringCachingBehavior: to.Ptr(armcdn.AfdQueryStringCachingBehaviorUseQueryString)},
	}})
	require.NoError(t, err)

	p := planFor(t, env, s)
	assert.Equal(t, plan.Summary{Modify: 2, NoChange: 6}, p.Changes.Summary(), "unowned fields make no change")
	var out bytes.Buffer
	require.NoError(t, p.Changes.WriteText(&out, plan.TextOptions{}))
	assert.Contains(t, out.String(), `~ originHostHeader = "wrong.example.com" -> "minimalwave.azurewebsites.net"`)
	assert.Contains(t, out.String(), `- originPath = "/legacy" -> null`)
	assert.Contains(t, out.String(), `- cacheConfiguration = {"queryStringCachingBehavior":"UseQueryString"} -> null`)

	env.rec.Reset()
	require.NoError(t, Apply(ctx, env.clients, p))
	var patches []armtest.Request
	for _, q := range env.rec.Requests() {
		if armtest.IsWrite(q) {
			patches = append(patches, q)
		}
	}
	require.Len(t, patches, 2)
	for _, q := range patches {
		assert.Equal(t, http.MethodPatch, q.Method, q.Path)
		switch {
		case strings.HasSuffix(q.Path, "/origins/app"):
			assert.JSONEq(t, `{"properties":{"originHostHeader":"minimalwave.azurewebsites.net"}}`, string(q.Body))
		case strings.HasSuffix(q.Path, "/routes/app"):
			assert.JSONEq(t, `{"properties":{"cacheConfiguration":null,"originPath":null}}`, string(q.Body), "explicit nulls remove what must go")
		default:
			t.Errorf("unexpected write %s %s", q.Method, q.Path)
		}
	}
	// Unowned values survive; the removed ones are gone.
	g, _, _ := armtest.Get[armcdn.AFDOriginGroup](env.store, og)
	assert.Equal(t, armcdn.EnabledStateEnabled, *g.Properties.SessionAffinityState)
	e, _, _ := armtest.Get[armcdn.AFDEndpoint](env.store, ep)
	assert.Equal(t, "ops", *e.Tags["owner"])
	a, _, _ := armtest.Get[armcdn.Route](env.store, appRoute)
	assert.Nil(t, a.Properties.CacheConfiguration)
	assert.Nil(t, a.Properties.OriginPath)
	assert.False(t, planFor(t, env, s).Changes.HasChanges())
}

func TestApplyRefusesStalePlan(t *testing.T) {
	env := newARMEnv(t)
	ctx := context.Background()
	s := mustSpec(t, seedSpec)
	require.NoError(t, Apply(ctx, env.clients, planFor(t, env, s)))
	o := pkey("minimalwave-rg", "minimalwave-fd", "originGroups", "app-service", "origins", "app")
	_, err := armtest.Patch(env.store, o, armcdn.AFDOrigin{Properties: &armcdn.AFDOriginProperties{Weight: to.Ptr[int32](10)}})
	require.NoError(t, err)
	p := planFor(t, env, s)
	// The state moves after the plan was made.
	_, err = armtest.Patch(env.store, o, armcdn.AFDOrigin{Properties: &armcdn.AFDOriginProperties{Priority: to.Ptr[int32](5)}})
	require.NoError(t, err)
	env.rec.Reset()
	err = Apply(ctx, env.clients, p)
	assert.ErrorIs(t, err, plan.ErrStale)
	assert.Zero(t, env.rec.Count(armtest.IsWrite))
}

func TestClassicProfileIsPlannedNeverCreated(t *testing.T) {
	env := newARMEnv(t)
	ctx := context.Background()

	// Asking for a new classic profile is refused before any call.
	s := mustSpec(t, strings.Replace(seedSpec, `"profile": {"name": "minimalwave-fd"}`, `"profile": {"name": "minimalwave-cdn", "sku": "Standard_Microsoft"}`, 1))
	cur, err := ReadState(ctx, env.clients, s)
	require.NoError(t, err)
	_, err = PlanChanges(s, cur, sub)
	assert.ErrorIs(t, err, ErrClassicCreate)
	assert.Zero(t, env.rec.Count(armtest.IsWrite))

	// The seed's existing classic profile is read and planned, with the
	// retirement warning and the migration plan; Apply refuses it.
	k := pkey("minimalwave-rg", "minimalwave-cdn")
	require.NoError(t, armtest.Put(env.store, k, armcdn.Profile{ID: to.Ptr(k), Name: to.Ptr("minimalwave-cdn"), Location: to.Ptr("Global"),
		SKU: &armcdn.SKU{Name: to.Ptr(armcdn.SKUNameStandardMicrosoft)}}))
	for _, sku := range []string{"Standard_Microsoft", "Standard_AzureFrontDoor"} {
		s := mustSpec(t, strings.Replace(seedSpec, `"profile": {"name": "minimalwave-fd"}`, `"profile": {"name": "minimalwave-cdn", "sku": "`+sku+`"}`, 1))
		p := planFor(t, env, s)
		assert.True(t, p.Classic)
		var out bytes.Buffer
		require.NoError(t, p.Changes.WriteText(&out, plan.TextOptions{ShowUnchanged: true}))
		require.Len(t, p.Changes.Resources, 1)
		notes := strings.Join(p.Changes.Resources[0].Notes, "\n")
		assert.Contains(t, notes, "retires on 2027-09-30")
		assert.Contains(t, notes, "armcdn v2.2.0 (api-version 2024-02-01) cannot run the classic-to-Front-Door migration")
		assert.Contains(t, notes, "migration plan:")
		env.rec.Reset()
		err := Apply(ctx, env.clients, p)
		assert.True(t, errors.Is(err, ErrClassicProfile), "%v", err)
		assert.Zero(t, env.rec.Count(armtest.IsWrite), "nothing is written to a classic profile")
	}
}

func TestParseSpecPositions(t *testing.T) {
	src := "{\n  \"resourceGroup\": \"rg\",\n  \"profile\": {\"name\": \"p\", \"sku\": \"Standard_Verizon\"},\n  \"endpoint\": {\"name\": \"-bad\"},\n  \"origin\": {\"hostName\": \"https://app.azurewebsites.net/\"},\n  \"staticRoute\": {\"compressionTypes\": []}\n}"
	_, err := ParseSpec("cdn.json", []byte(src))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	msgs := strings.Split(ie.Error(), "\n")
	assert.Len(t, msgs, 4, "every bad field at once, the derived host header not repeated")
	assert.Contains(t, msgs, `cdn.json:3:35: /profile/sku: want Standard_AzureFrontDoor or Premium_AzureFrontDoor, found "Standard_Verizon"`)
	assert.Contains(t, msgs, `cdn.json:4:24: /endpoint/name: want an endpoint name (1-46 letters, digits, hyphens), found "-bad"`)
	assert.Contains(t, msgs, `cdn.json:5:26: /origin/hostName: want a host name such as APP.azurewebsites.net (no scheme, port or path), found "https://app.azurewebsites.net/"`)
	assert.Contains(t, msgs, `cdn.json:6:39: /staticRoute/compressionTypes: want at least one content type: Front Door rejects compression with an empty list`)

	_, err = ParseSpec("cdn.json", []byte("{\n  \"resourceGroup\": \"rg\",\n  \"profil\": {}\n}"))
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, `cdn.json:3:13: /profil: unknown field "profil" (did you mean "profile"?)`, ie.Error())

	_, err = ParseSpec("cdn.json", []byte("{\"resourceGroup\": 3}"))
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, `cdn.json:1:19: /resourceGroup: expected a string, found JSON number`, ie.Error())

	// Expected kinds are JSON words, never Go type names.
	_, err = ParseSpec("cdn.json", []byte("{\"resourceGroup\": \"rg\", \"appRoute\": []}"))
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, `cdn.json:1:37: /appRoute: expected an object, found JSON array`, ie.Error())
}

func TestApplySurvivesThrottling(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		tr := &armtest.Transient{Status: status, Times: 3, Match: func(r *http.Request) bool { return r.Method != http.MethodGet }}
		env := newARMEnvWith(t, tr)
		ctx := context.Background()
		s := mustSpec(t, seedSpec)
		require.NoError(t, Apply(ctx, env.clients, planFor(t, env, s)), "status %d", status)
		assert.Equal(t, 3, tr.Injected())
		assert.Equal(t, 8, env.rec.Count(armtest.IsWrite), "each resource written once: a throttled request never reached the service")
		assert.False(t, planFor(t, env, s).Changes.HasChanges())
	}
}

func TestOfflinePlanFromSavedState(t *testing.T) {
	env := newARMEnv(t)
	ctx := context.Background()
	s := mustSpec(t, seedSpec)
	require.NoError(t, Apply(ctx, env.clients, planFor(t, env, s)))
	cur, err := ReadState(ctx, env.clients, s)
	require.NoError(t, err)
	b, err := json.Marshal(cur)
	require.NoError(t, err)
	var saved State
	require.NoError(t, json.Unmarshal(b, &saved))
	p, err := PlanChanges(s, &saved, "") // subscription taken from the saved IDs
	require.NoError(t, err)
	assert.False(t, p.Changes.HasChanges(), "a saved state round-trips through JSON without noise")
	assert.Equal(t, sub, p.SubscriptionID)
}

func TestSavedPlanRoundTrip(t *testing.T) {
	env := newARMEnv(t)
	s := mustSpec(t, seedSpec)
	p := planFor(t, env, s)
	var buf bytes.Buffer
	require.NoError(t, p.Changes.WriteJSON(&buf))
	saved, err := plan.ReadJSON(&buf)
	require.NoError(t, err)
	require.NoError(t, planFor(t, env, s).CheckSaved(saved), "same state, same spec: the saved plan is accepted")

	// Another spec gives another review.
	other := mustSpec(t, strings.Replace(seedSpec, `"maxAge": 300`, `"maxAge": 600`, 1))
	assert.ErrorIs(t, planFor(t, env, other).CheckSaved(saved), ErrPlanMismatch)

	// The state moves: the saved plan is stale.
	require.NoError(t, Apply(context.Background(), env.clients, p))
	assert.ErrorIs(t, planFor(t, env, s).CheckSaved(saved), plan.ErrStale)
}

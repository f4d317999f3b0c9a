package appservice_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/applicationinsights/armapplicationinsights"
	aifake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/applicationinsights/armapplicationinsights/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	asfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
	monfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor/fake"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/armtest"
)

const (
	sub     = "00000000-0000-0000-0000-000000000000"
	rg      = "minimalwave-rg"
	app     = "minimalwave-app"
	planNm  = "minimalwave-plan"
	planID  = "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Web/serverfarms/" + planNm
	prodKey = "production"
)

// azure is a stateful stand-in for ARM behind the SDK's own fake servers.
// Site config and app settings are kept per slot; PATCH merges, PUT
// replaces; a swap exchanges the slots' images and non-sticky settings.
type azure struct {
	t     testing.TB
	store *armtest.Store

	mu      sync.Mutex
	pending string // slot with a pending swap-with-preview
	swaps   int
	// onSwap runs inside BeginSwapSlot (e.g. to cancel the caller).
	onSwap func()
	// swapPolls is how many non-terminal poll answers a swap gets.
	swapPolls int
	// logger is given to the clients (nil: discard).
	logger *slog.Logger
	// previewConflicts answers ApplySlotConfigToProduction with 409 this
	// many times regardless of state (site authentication enabled).
	previewConflicts int
}

func cfgKey(slot string) string      { return "config/" + slot }
func settingsKey(slot string) string { return "appsettings/" + slot }
func slotKey(slot string) string     { return "slot/" + slot }

func newAzure(t testing.TB, sku string) *azure {
	t.Helper()
	a := &azure{t: t, store: armtest.NewStore()}
	tier, err := appservice.TierOf(sku)
	require.NoError(t, err)
	require.NoError(t, armtest.Put(a.store, "plan", armappservice.Plan{
		ID: to.Ptr(planID), Name: to.Ptr(planNm), Location: to.Ptr("eastus"), Kind: to.Ptr("linux"),
		SKU:        &armappservice.SKUDescription{Name: to.Ptr(sku), Tier: to.Ptr(tier.Name), Capacity: to.Ptr[int32](1)},
		Properties: &armappservice.PlanProperties{Reserved: to.Ptr(true), PerSiteScaling: to.Ptr(false), MaximumNumberOfWorkers: to.Ptr[int32](10)},
	}))
	require.NoError(t, armtest.Put(a.store, cfgKey(prodKey), armappservice.SiteConfigResource{
		ID: to.Ptr("/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Web/sites/" + app + "/config/web"),
		Properties: &armappservice.SiteConfig{
			AlwaysOn: to.Ptr(false), Http20Enabled: to.Ptr(false), LinuxFxVersion: to.Ptr("DOCKER|minimalwave.azurecr.io/blog:1.0"),
			MinTLSVersion: to.Ptr(armappservice.SupportedTLSVersionsOne2), FtpsState: to.Ptr(armappservice.FtpsStateAllAllowed),
			IPSecurityRestrictions: []*armappservice.IPSecurityRestriction{{Name: to.Ptr("office"), IPAddress: to.Ptr("203.0.113.0/24"), Action: to.Ptr("Allow"), Priority: to.Ptr[int32](100)}},
			NumberOfWorkers:        to.Ptr[int32](1),
		},
	}))
	require.NoError(t, armtest.Put(a.store, settingsKey(prodKey), armappservice.StringDictionary{Properties: map[string]*string{
		"WEBSITE_RUN_FROM_PACKAGE":            to.Ptr("1"),
		"WEBSITES_ENABLE_APP_SERVICE_STORAGE": to.Ptr("false"),
		"DATABASE_URL":                        to.Ptr("postgres://blog:hunter2-prod@db.internal/blog"),
		"ODD_VALUE":                           to.Ptr("  spaces, \"quotes\" and ünïcode \u2028 kept  "),
	}}))
	require.NoError(t, armtest.Put(a.store, "slotnames", armappservice.SlotConfigNamesResource{Properties: &armappservice.SlotConfigNames{
		AppSettingNames: []*string{to.Ptr("WEBSITES_ENABLE_APP_SERVICE_STORAGE")}, ConnectionStringNames: []*string{to.Ptr("Default")},
	}}))
	return a
}

func (a *azure) addSlot(slot, image string) {
	require.NoError(a.t, armtest.Put(a.store, slotKey(slot), armappservice.Site{Location: to.Ptr("eastus"), Name: to.Ptr(slot)}))
	require.NoError(a.t, armtest.Put(a.store, cfgKey(slot), armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{LinuxFxVersion: to.Ptr("DOCKER|" + image)}}))
	require.NoError(a.t, armtest.Put(a.store, settingsKey(slot), armappservice.StringDictionary{Properties: map[string]*string{}}))
}

func (a *azure) image(slot string) string {
	c, _, _ := armtest.Get[armappservice.SiteConfigResource](a.store, cfgKey(slot))
	if c.Properties == nil || c.Properties.LinuxFxVersion == nil {
		return ""
	}
	return *c.Properties.LinuxFxVersion
}

func (a *azure) settings(slot string) map[string]*string {
	s, _, _ := armtest.Get[armappservice.StringDictionary](a.store, settingsKey(slot))
	return s.Properties
}

func (a *azure) swap(slot string) {
	ca, _, _ := armtest.Get[armappservice.SiteConfigResource](a.store, cfgKey(slot))
	cb, _, _ := armtest.Get[armappservice.SiteConfigResource](a.store, cfgKey(prodKey))
	// Swap the image (the content); slot-specific config such as Always On
	// and IP restrictions stays (deploy-staging-slots.md).
	ia, ib := ca.Properties.LinuxFxVersion, cb.Properties.LinuxFxVersion
	ca.Properties.LinuxFxVersion, cb.Properties.LinuxFxVersion = ib, ia
	require.NoError(a.t, armtest.Put(a.store, cfgKey(slot), ca))
	require.NoError(a.t, armtest.Put(a.store, cfgKey(prodKey), cb))
	names, _, _ := armtest.Get[armappservice.SlotConfigNamesResource](a.store, "slotnames")
	sticky := map[string]bool{}
	if names.Properties != nil {
		for _, n := range names.Properties.AppSettingNames {
			sticky[*n] = true
		}
	}
	sa, sb := a.settings(slot), a.settings(prodKey)
	na, nb := map[string]*string{}, map[string]*string{}
	for k, v := range sa {
		if sticky[k] {
			na[k] = v
		} else {
			nb[k] = v
		}
	}
	for k, v := range sb {
		if sticky[k] {
			nb[k] = v
		} else {
			na[k] = v
		}
	}
	require.NoError(a.t, armtest.Put(a.store, settingsKey(slot), armappservice.StringDictionary{Properties: na}))
	require.NoError(a.t, armtest.Put(a.store, settingsKey(prodKey), armappservice.StringDictionary{Properties: nb}))
	a.swaps++
}

type (
	cfgResp     = armappservice.WebAppsClientGetConfigurationResponse
	cfgSlotResp = armappservice.WebAppsClientGetConfigurationSlotResponse
)

func (a *azure) servers() (asfake.ServerFactory, monfake.ServerFactory, aifake.ServerFactory) {
	getCfg := func(slot string) (armappservice.SiteConfigResource, bool) {
		v, ok, err := armtest.Get[armappservice.SiteConfigResource](a.store, cfgKey(slot))
		require.NoError(a.t, err)
		return v, ok
	}
	patchCfg := func(slot string, c armappservice.SiteConfigResource) (armappservice.SiteConfigResource, error) {
		return armtest.Patch(a.store, cfgKey(slot), c)
	}
	web := asfake.WebAppsServer{
		GetConfiguration: func(ctx context.Context, _, _ string, _ *armappservice.WebAppsClientGetConfigurationOptions) (azfake.Responder[cfgResp], azfake.ErrorResponder) {
			v, ok := getCfg(prodKey)
			if !ok {
				return armtest.Fail[cfgResp](404, "ResourceNotFound")
			}
			return armtest.Respond(200, cfgResp{SiteConfigResource: v})
		},
		GetConfigurationSlot: func(ctx context.Context, _, _, slot string, _ *armappservice.WebAppsClientGetConfigurationSlotOptions) (azfake.Responder[cfgSlotResp], azfake.ErrorResponder) {
			v, ok := getCfg(slot)
			if !ok {
				return armtest.Fail[cfgSlotResp](404, "ResourceNotFound")
			}
			return armtest.Respond(200, cfgSlotResp{SiteConfigResource: v})
		},
		UpdateConfiguration: func(ctx context.Context, _, _ string, c armappservice.SiteConfigResource, _ *armappservice.WebAppsClientUpdateConfigurationOptions) (azfake.Responder[armappservice.WebAppsClientUpdateConfigurationResponse], azfake.ErrorResponder) {
			v, err := patchCfg(prodKey, c)
			if err != nil {
				return armtest.Fail[armappservice.WebAppsClientUpdateConfigurationResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armappservice.WebAppsClientUpdateConfigurationResponse{SiteConfigResource: v})
		},
		UpdateConfigurationSlot: func(ctx context.Context, _, _, slot string, c armappservice.SiteConfigResource, _ *armappservice.WebAppsClientUpdateConfigurationSlotOptions) (azfake.Responder[armappservice.WebAppsClientUpdateConfigurationSlotResponse], azfake.ErrorResponder) {
			v, err := patchCfg(slot, c)
			if err != nil {
				return armtest.Fail[armappservice.WebAppsClientUpdateConfigurationSlotResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armappservice.WebAppsClientUpdateConfigurationSlotResponse{SiteConfigResource: v})
		},
		ListApplicationSettings: func(ctx context.Context, _, _ string, _ *armappservice.WebAppsClientListApplicationSettingsOptions) (azfake.Responder[armappservice.WebAppsClientListApplicationSettingsResponse], azfake.ErrorResponder) {
			v, _, _ := armtest.Get[armappservice.StringDictionary](a.store, settingsKey(prodKey))
			return armtest.Respond(200, armappservice.WebAppsClientListApplicationSettingsResponse{StringDictionary: v})
		},
		ListApplicationSettingsSlot: func(ctx context.Context, _, _, slot string, _ *armappservice.WebAppsClientListApplicationSettingsSlotOptions) (azfake.Responder[armappservice.WebAppsClientListApplicationSettingsSlotResponse], azfake.ErrorResponder) {
			v, _, _ := armtest.Get[armappservice.StringDictionary](a.store, settingsKey(slot))
			return armtest.Respond(200, armappservice.WebAppsClientListApplicationSettingsSlotResponse{StringDictionary: v})
		},
		UpdateApplicationSettings: func(ctx context.Context, _, _ string, s armappservice.StringDictionary, _ *armappservice.WebAppsClientUpdateApplicationSettingsOptions) (azfake.Responder[armappservice.WebAppsClientUpdateApplicationSettingsResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, settingsKey(prodKey), s)) // PUT: whole set
			return armtest.Respond(200, armappservice.WebAppsClientUpdateApplicationSettingsResponse{StringDictionary: s})
		},
		UpdateApplicationSettingsSlot: func(ctx context.Context, _, _, slot string, s armappservice.StringDictionary, _ *armappservice.WebAppsClientUpdateApplicationSettingsSlotOptions) (azfake.Responder[armappservice.WebAppsClientUpdateApplicationSettingsSlotResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, settingsKey(slot), s))
			return armtest.Respond(200, armappservice.WebAppsClientUpdateApplicationSettingsSlotResponse{StringDictionary: s})
		},
		ListSlotConfigurationNames: func(ctx context.Context, _, _ string, _ *armappservice.WebAppsClientListSlotConfigurationNamesOptions) (azfake.Responder[armappservice.WebAppsClientListSlotConfigurationNamesResponse], azfake.ErrorResponder) {
			v, _, _ := armtest.Get[armappservice.SlotConfigNamesResource](a.store, "slotnames")
			return armtest.Respond(200, armappservice.WebAppsClientListSlotConfigurationNamesResponse{SlotConfigNamesResource: v})
		},
		UpdateSlotConfigurationNames: func(ctx context.Context, _, _ string, n armappservice.SlotConfigNamesResource, _ *armappservice.WebAppsClientUpdateSlotConfigurationNamesOptions) (azfake.Responder[armappservice.WebAppsClientUpdateSlotConfigurationNamesResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, "slotnames", n))
			return armtest.Respond(200, armappservice.WebAppsClientUpdateSlotConfigurationNamesResponse{SlotConfigNamesResource: n})
		},
		GetSlot: func(ctx context.Context, _, _, slot string, _ *armappservice.WebAppsClientGetSlotOptions) (azfake.Responder[armappservice.WebAppsClientGetSlotResponse], azfake.ErrorResponder) {
			v, ok, _ := armtest.Get[armappservice.Site](a.store, slotKey(slot))
			if !ok {
				return armtest.Fail[armappservice.WebAppsClientGetSlotResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armappservice.WebAppsClientGetSlotResponse{Site: v})
		},
		BeginCreateOrUpdateSlot: func(ctx context.Context, _, _, slot string, site armappservice.Site, _ *armappservice.WebAppsClientBeginCreateOrUpdateSlotOptions) (azfake.PollerResponder[armappservice.WebAppsClientCreateOrUpdateSlotResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, slotKey(slot), site))
			require.NoError(a.t, armtest.Put(a.store, cfgKey(slot), armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{}}))
			require.NoError(a.t, armtest.Put(a.store, settingsKey(slot), armappservice.StringDictionary{Properties: map[string]*string{}}))
			return armtest.Done(armappservice.WebAppsClientCreateOrUpdateSlotResponse{Site: site})
		},
		BeginSwapSlot: func(ctx context.Context, _, _, slot string, e armappservice.CsmSlotEntity, _ *armappservice.WebAppsClientBeginSwapSlotOptions) (azfake.PollerResponder[armappservice.WebAppsClientSwapSlotResponse], azfake.ErrorResponder) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if e.TargetSlot == nil || *e.TargetSlot != prodKey || e.PreserveVnet == nil {
				return armtest.FailLRO[armappservice.WebAppsClientSwapSlotResponse](400, "BadRequest")
			}
			a.swap(slot)
			a.pending = ""
			if a.onSwap != nil {
				a.onSwap()
			}
			var p azfake.PollerResponder[armappservice.WebAppsClientSwapSlotResponse]
			for i := 0; i < a.swapPolls; i++ {
				p.AddNonTerminalResponse(http.StatusAccepted, nil)
			}
			p.SetTerminalResponse(http.StatusOK, armappservice.WebAppsClientSwapSlotResponse{}, nil)
			return p, azfake.ErrorResponder{}
		},
		ApplySlotConfigToProduction: func(ctx context.Context, _, _ string, e armappservice.CsmSlotEntity, _ *armappservice.WebAppsClientApplySlotConfigToProductionOptions) (azfake.Responder[armappservice.WebAppsClientApplySlotConfigToProductionResponse], azfake.ErrorResponder) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.previewConflicts > 0 {
				a.previewConflicts--
				return armtest.Fail[armappservice.WebAppsClientApplySlotConfigToProductionResponse](409, "Conflict")
			}
			if a.pending != "" {
				// "Cannot apply configuration from slot 'Production' because
				// this slot has already been prepared for swap".
				return armtest.Fail[armappservice.WebAppsClientApplySlotConfigToProductionResponse](409, "Conflict")
			}
			a.pending = *e.TargetSlot
			return armtest.Respond(200, armappservice.WebAppsClientApplySlotConfigToProductionResponse{})
		},
		ResetProductionSlotConfig: func(ctx context.Context, _, _ string, _ *armappservice.WebAppsClientResetProductionSlotConfigOptions) (azfake.Responder[armappservice.WebAppsClientResetProductionSlotConfigResponse], azfake.ErrorResponder) {
			a.mu.Lock()
			a.pending = ""
			a.mu.Unlock()
			return armtest.Respond(200, armappservice.WebAppsClientResetProductionSlotConfigResponse{})
		},
	}
	plans := asfake.PlansServer{
		Get: func(ctx context.Context, _, _ string, _ *armappservice.PlansClientGetOptions) (azfake.Responder[armappservice.PlansClientGetResponse], azfake.ErrorResponder) {
			v, ok, _ := armtest.Get[armappservice.Plan](a.store, "plan")
			if !ok {
				return armtest.Fail[armappservice.PlansClientGetResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armappservice.PlansClientGetResponse{Plan: v})
		},
		BeginCreateOrUpdate: func(ctx context.Context, _, _ string, p armappservice.Plan, _ *armappservice.PlansClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armappservice.PlansClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, "plan", p))
			return armtest.Done(armappservice.PlansClientCreateOrUpdateResponse{Plan: p})
		},
	}
	mon := monfake.AutoscaleSettingsServer{
		Get: func(ctx context.Context, _, name string, _ *armmonitor.AutoscaleSettingsClientGetOptions) (azfake.Responder[armmonitor.AutoscaleSettingsClientGetResponse], azfake.ErrorResponder) {
			v, ok, _ := armtest.Get[armmonitor.AutoscaleSettingResource](a.store, "autoscale/"+name)
			if !ok {
				return armtest.Fail[armmonitor.AutoscaleSettingsClientGetResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armmonitor.AutoscaleSettingsClientGetResponse{AutoscaleSettingResource: v})
		},
		CreateOrUpdate: func(ctx context.Context, _, name string, r armmonitor.AutoscaleSettingResource, _ *armmonitor.AutoscaleSettingsClientCreateOrUpdateOptions) (azfake.Responder[armmonitor.AutoscaleSettingsClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			require.NoError(a.t, armtest.Put(a.store, "autoscale/"+name, r))
			return armtest.Respond(200, armmonitor.AutoscaleSettingsClientCreateOrUpdateResponse{AutoscaleSettingResource: r})
		},
	}
	ai := aifake.ComponentsServer{
		Get: func(ctx context.Context, _, name string, _ *armapplicationinsights.ComponentsClientGetOptions) (azfake.Responder[armapplicationinsights.ComponentsClientGetResponse], azfake.ErrorResponder) {
			v, ok, _ := armtest.Get[armapplicationinsights.Component](a.store, "ai/"+name)
			if !ok {
				return armtest.Fail[armapplicationinsights.ComponentsClientGetResponse](404, "ResourceNotFound")
			}
			return armtest.Respond(200, armapplicationinsights.ComponentsClientGetResponse{Component: v})
		},
		CreateOrUpdate: func(ctx context.Context, _, name string, c armapplicationinsights.Component, _ *armapplicationinsights.ComponentsClientCreateOrUpdateOptions) (azfake.Responder[armapplicationinsights.ComponentsClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			if c.Properties == nil {
				c.Properties = &armapplicationinsights.ComponentProperties{}
			}
			// Azure fills the read-only connection string.
			c.Properties.ConnectionString = to.Ptr("InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/")
			require.NoError(a.t, armtest.Put(a.store, "ai/"+name, c))
			return armtest.Respond(200, armapplicationinsights.ComponentsClientCreateOrUpdateResponse{Component: c})
		},
	}
	return asfake.ServerFactory{WebAppsServer: web, PlansServer: plans},
		monfake.ServerFactory{AutoscaleSettingsServer: mon},
		aifake.ServerFactory{ComponentsServer: ai}
}

// client returns an appservice client on fresh fake transports (the fakes
// track long-running operations per transport) and the recorder of its
// requests. wrap, when set, sits between the recorder and the SDK.
func (a *azure) client(t testing.TB, wrap func(policy.Transporter) policy.Transporter) (*appservice.Client, *armtest.Recorder) {
	t.Helper()
	web, mon, ai := a.servers()
	rec := &armtest.Recorder{Next: armtest.Route{
		"WebAppsClient":           asfake.NewServerFactoryTransport(&web),
		"PlansClient":             asfake.NewServerFactoryTransport(&web),
		"AutoscaleSettingsClient": monfake.NewServerFactoryTransport(&mon),
		"ComponentsClient":        aifake.NewServerFactoryTransport(&ai),
	}}
	var tr policy.Transporter = rec
	if wrap != nil {
		tr = wrap(rec)
	}
	c, err := appservice.NewClient(sub, &azfake.TokenCredential{}, &appservice.Options{
		ClientOptions: armtest.ClientOptions(tr),
		PollFrequency: time.Millisecond, // allowed by azcore under go test only
		Logger:        a.logger,
	})
	require.NoError(t, err)
	return c, rec
}

func writes(rec *armtest.Recorder) []armtest.Request {
	var out []armtest.Request
	for _, q := range rec.Requests() {
		if armtest.IsWrite(q) {
			out = append(out, q)
		}
	}
	return out
}

func apis(reqs []armtest.Request) []string {
	var out []string
	for _, q := range reqs {
		out = append(out, strings.TrimSuffix(q.API, ""))
	}
	return out
}

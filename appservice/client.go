package appservice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/applicationinsights/armapplicationinsights"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"

	"github.com/deploykit/deploykit/internal/strictjson"
)

// DefaultPollFrequency is how often long-running operations (plan PUT,
// slot creation, swaps) are polled when Options.PollFrequency is zero.
const DefaultPollFrequency = 2 * time.Second

// Options configure a [Client]. The zero value is usable.
type Options struct {
	// ClientOptions are passed to every ARM client: retries, timeouts,
	// transport, cloud and telemetry are the caller's. Only
	// Logging.IncludeBody is forced off (bodies carry app setting values).
	ClientOptions *arm.ClientOptions
	// PollFrequency is the interval between polls of a long-running
	// operation (default [DefaultPollFrequency]). azcore refuses values
	// below one second outside `go test`.
	PollFrequency time.Duration
	// Logger receives progress at debug level; never secrets. Default:
	// discard.
	Logger *slog.Logger
}

// Client reads and writes the resources of one subscription.
type Client struct {
	sub        string
	webApps    *armappservice.WebAppsClient
	plans      *armappservice.PlansClient
	autoscale  *armmonitor.AutoscaleSettingsClient
	components *armapplicationinsights.ComponentsClient
	poll       time.Duration
	log        *slog.Logger
}

// NewClient returns a client for subscription. A nil cred uses
// azidentity.NewDefaultAzureCredential (environment, workload identity,
// managed identity, Azure CLI, ...); any azcore.TokenCredential works.
func NewClient(subscription string, cred azcore.TokenCredential, opts *Options) (*Client, error) {
	if subscription == "" {
		return nil, errors.New("appservice: a subscription ID is required")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if cred == nil {
		var co azidentity.DefaultAzureCredentialOptions
		if o.ClientOptions != nil {
			co.ClientOptions = o.ClientOptions.ClientOptions
		}
		c, err := azidentity.NewDefaultAzureCredential(&co)
		if err != nil {
			return nil, fmt.Errorf("appservice: default Azure credential: %w", err)
		}
		cred = c
	}
	if o.ClientOptions != nil {
		// App settings and the App Insights connection string travel in
		// request and response bodies: azcore must never log them, even
		// when the caller turned body logging on for its own debugging.
		// The caller's options are copied, not modified.
		co := *o.ClientOptions
		co.Logging.IncludeBody = false
		o.ClientOptions = &co
	}
	web, err := armappservice.NewClientFactory(subscription, cred, o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("appservice: %w", err)
	}
	mon, err := armmonitor.NewClientFactory(subscription, cred, o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("appservice: %w", err)
	}
	ai, err := armapplicationinsights.NewClientFactory(subscription, cred, o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("appservice: %w", err)
	}
	c := &Client{sub: subscription, webApps: web.NewWebAppsClient(), plans: web.NewPlansClient(),
		autoscale: mon.NewAutoscaleSettingsClient(), components: ai.NewComponentsClient(),
		poll: o.PollFrequency, log: o.Logger}
	if c.poll == 0 {
		c.poll = DefaultPollFrequency
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// State is what deploykit read of the resources it owns, in ARM's own JSON
// shapes, so that a saved state can be produced with `az rest` too. A nil
// Autoscale or ApplicationInsights means the resource does not exist.
type State struct {
	SiteConfig      *armappservice.SiteConfigResource      `json:"siteConfig"`
	AppSettings     *armappservice.StringDictionary        `json:"appSettings"`
	SlotConfigNames *armappservice.SlotConfigNamesResource `json:"slotConfigNames"`
	Plan            *armappservice.Plan                    `json:"plan"`
	Autoscale       *armmonitor.AutoscaleSettingResource   `json:"autoscale,omitempty"`
	AppInsights     *armapplicationinsights.Component      `json:"applicationInsights,omitempty"`
}

// maxStateBytes and maxStateDepth bound LoadState.
const (
	maxStateBytes = 16 << 20
	maxStateDepth = 64
)

// LoadState reads a saved [State] (the JSON [State] marshals to); see
// [ParseState].
func LoadState(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("appservice: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	if err != nil {
		return nil, fmt.Errorf("appservice: read %s: %w", path, err)
	}
	return ParseState(path, data)
}

// ParseState decodes a saved [State]. Fields unknown at any depth (the
// names are ARM's, as the SDK's models write them), fields given twice and
// wrong types are all reported at once in a [*SpecError] whose problems
// name file:line:col and the field; values never appear in errors.
func ParseState(file string, data []byte) (*State, error) {
	var s State
	if _, err := strictjson.Decode(file, data, &s, &strictjson.Options{MaxBytes: maxStateBytes, MaxDepth: maxStateDepth}); err != nil {
		return nil, specError(err)
	}
	if s.Plan == nil {
		return nil, &SpecError{Problems: []Problem{{Pos: Position{File: file, Line: 1, Column: 1}, Field: "plan",
			Message: "required: the App Service plan as ARM returns it"}}}
	}
	return &s, nil
}

// ARMError is an Azure Resource Manager failure reduced to its status and
// error code. deploykit uses it for app settings requests, whose response
// bodies must never reach a log.
type ARMError struct {
	StatusCode int
	Code       string
}

func (e *ARMError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("HTTP %d %s", e.StatusCode, e.Code)
}

// redact replaces an azcore.ResponseError (which prints the response body)
// with an [*ARMError]; other errors pass unchanged.
func redact(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return &ARMError{StatusCode: re.StatusCode, Code: re.ErrorCode}
	}
	return err
}

// notFound reports whether err is an ARM 404.
func notFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// ownsSiteConfig reports whether any SiteConfig field is owned.
func (s *Spec) ownsSiteConfig() bool {
	return s.Container != nil || s.HTTP2 != nil || s.AlwaysOn != nil || s.MinTLSVersion != "" || s.FTPSState != "" ||
		s.HealthCheckPath != nil || s.StartupCommand != nil || (s.SKU != nil && s.SKU.AppInstances > 0)
}

// ownsAppSettings reports whether any app setting is owned.
func (s *Spec) ownsAppSettings() bool {
	return len(s.AppSettings) > 0 || len(s.DeleteAppSettings) > 0 || (s.Container != nil && s.Container.Port != 0) || s.ApplicationInsights != nil
}

// AutoscaleOnly returns a copy of the spec that owns only the autoscale
// setting (for `autoscale plan|apply`).
func (s *Spec) AutoscaleOnly() *Spec {
	return &Spec{Target: s.Target, Autoscale: s.Autoscale, file: s.file, positions: s.positions}
}

// Read fetches, concurrently, exactly the resources spec owns: site
// config, app settings, slot setting names, the plan, and the autoscale
// setting and Application Insights component when the spec has them. When
// the spec names a SKU, tier problems are returned before any call.
func (c *Client) Read(ctx context.Context, spec *Spec) (*State, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	t := spec.Target
	var (
		st   State
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(what string, err error) {
		mu.Lock()
		errs = append(errs, fmt.Errorf("appservice: read %s: %w", what, err))
		mu.Unlock()
	}
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if spec.ownsSiteConfig() {
		run(func() {
			r, err := c.webApps.GetConfiguration(ctx, t.ResourceGroup, t.App, nil)
			if err != nil {
				fail("site config of "+t.App, err)
				return
			}
			st.SiteConfig = &r.SiteConfigResource
		})
	}
	if spec.ownsAppSettings() {
		run(func() {
			r, err := c.webApps.ListApplicationSettings(ctx, t.ResourceGroup, t.App, nil)
			if err != nil {
				fail("app settings of "+t.App, redact(err))
				return
			}
			st.AppSettings = &r.StringDictionary
		})
	}
	if len(spec.StickySettings) > 0 {
		run(func() {
			r, err := c.webApps.ListSlotConfigurationNames(ctx, t.ResourceGroup, t.App, nil)
			if err != nil {
				fail("slot setting names of "+t.App, err)
				return
			}
			st.SlotConfigNames = &r.SlotConfigNamesResource
		})
	}
	run(func() {
		r, err := c.plans.Get(ctx, t.ResourceGroup, t.Plan, nil)
		if err != nil {
			fail("plan "+t.Plan, err)
			return
		}
		st.Plan = &r.Plan
	})
	if a := spec.Autoscale; a != nil {
		run(func() {
			r, err := c.autoscale.Get(ctx, t.ResourceGroup, a.Name, nil)
			if notFound(err) {
				return
			}
			if err != nil {
				fail("autoscale setting "+a.Name, err)
				return
			}
			st.Autoscale = &r.AutoscaleSettingResource
		})
	}
	if ai := spec.ApplicationInsights; ai != nil {
		run(func() {
			r, err := c.components.Get(ctx, t.ResourceGroup, ai.Name, nil)
			if notFound(err) {
				return
			}
			if err != nil {
				fail("Application Insights component "+ai.Name, err)
				return
			}
			st.AppInsights = &r.Component
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &st, nil
}

package appservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
)

// Production is the slot name of the production slot.
const Production = "production"

// DeployOptions configure a blue/green [Client.Deploy].
type DeployOptions struct {
	// Slot is the staging slot (default "staging"); created when missing.
	Slot string
	// Image is the new container image reference.
	Image string
	// HealthPath is probed on the slot and on production (default: the
	// spec's healthCheckPath, else "/").
	HealthPath string
	// Preview swaps in two phases: ApplySlotConfigToProduction, verify
	// the slot with production's settings, then complete the swap or
	// ResetProductionSlotConfig.
	Preview bool
	// URL returns the base URL of a slot ([Production] for production).
	// Default: https://<app>.azurewebsites.net and
	// https://<app>-<slot>.azurewebsites.net.
	URL func(slot string) string
	// Probe tunes each health request.
	Probe ProbeOptions
	// Warmup: the slot must answer Consecutive 2xx in a row (default 3)
	// within Timeout (default 5 min), probed every Interval (default 2 s).
	Warmup WarmupOptions
	// Verify: production is probed every Interval (default 5 s) for
	// Window (default 2 min); MaxFailures consecutive failures (default 2)
	// swap back.
	Verify VerifyOptions
	// Step runs after warm-up and before the swap, e.g. migrations. An
	// error aborts the swap.
	Step func(ctx context.Context) error
	// Progress receives an event at the start and end of every step.
	Progress func(Event)
	// CleanupTimeout bounds the work that restores a defined state after
	// an error or cancellation (default 10 min).
	CleanupTimeout time.Duration
}

// WarmupOptions tune the warm-up probe.
type WarmupOptions struct {
	Consecutive int
	Timeout     time.Duration
	Interval    time.Duration
}

// VerifyOptions tune the post-swap verification.
type VerifyOptions struct {
	Window      time.Duration
	Interval    time.Duration
	MaxFailures int
}

// Event is one progress report.
type Event struct {
	Step    string    `json:"step"`
	Status  string    `json:"status"` // "start", "ok", "failed", "info"
	Message string    `json:"message,omitempty"`
	At      time.Time `json:"at"`
}

// StepResult is one finished step.
type StepResult struct {
	Name     string        `json:"name"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	OK       bool          `json:"ok"`
	Error    string        `json:"error,omitempty"`
	Detail   string        `json:"detail,omitempty"`
}

// FinalState is where a deploy left production.
type FinalState struct {
	// Production is production's LinuxFxVersion as read at the end.
	Production string `json:"production"`
	// Version is "new", "old" or "unknown" (when it could not be read).
	Version string `json:"version"`
	// PreviewPending is true only when a swap-with-preview could not be
	// reset; deploykit always tries to leave none.
	PreviewPending bool `json:"preview_pending"`
}

// DeployResult is the structured outcome of a deploy.
type DeployResult struct {
	OldImage   string       `json:"old_image"`
	NewImage   string       `json:"new_image"`
	Steps      []StepResult `json:"steps"`
	Swapped    bool         `json:"swapped"`
	RolledBack bool         `json:"rolled_back"`
	Final      FinalState   `json:"final"`
}

// Deploy step names.
const (
	StepSlot     = "slot"
	StepWarmup   = "warmup"
	StepHook     = "step"
	StepPreview  = "preview"
	StepSwap     = "swap"
	StepVerify   = "verify"
	StepRollback = "rollback"
)

// WarmupError says why a slot never became healthy.
type WarmupError struct {
	URL      string
	Want     int
	Attempts int
	Last     ProbeResult
}

func (e *WarmupError) Error() string {
	return fmt.Sprintf("warm-up: %s never answered %d consecutive 2xx in %d probes; last: %s", RedactURL(e.URL), e.Want, e.Attempts, e.Last)
}

// VerifyError says why production failed verification.
type VerifyError struct {
	URL      string
	Failures int
	Last     ProbeResult
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("verify: %s failed %d consecutive probes after the swap; last: %s", RedactURL(e.URL), e.Failures, e.Last)
}

func (o *DeployOptions) defaults(spec *Spec) {
	if o.Slot == "" {
		o.Slot = "staging"
	}
	if o.HealthPath == "" {
		if spec.HealthCheckPath != nil && *spec.HealthCheckPath != "" {
			o.HealthPath = *spec.HealthCheckPath
		} else {
			o.HealthPath = "/"
		}
	}
	app := spec.Target.App
	if o.URL == nil {
		o.URL = func(slot string) string {
			if slot == Production {
				return "https://" + app + ".azurewebsites.net"
			}
			return "https://" + app + "-" + slot + ".azurewebsites.net"
		}
	}
	if o.Warmup.Consecutive <= 0 {
		o.Warmup.Consecutive = 3
	}
	if o.Warmup.Timeout <= 0 {
		o.Warmup.Timeout = 5 * time.Minute
	}
	if o.Warmup.Interval <= 0 {
		o.Warmup.Interval = 2 * time.Second
	}
	if o.Verify.Window <= 0 {
		o.Verify.Window = 2 * time.Minute
	}
	if o.Verify.Interval <= 0 {
		o.Verify.Interval = 5 * time.Second
	}
	if o.Verify.MaxFailures <= 0 {
		o.Verify.MaxFailures = 2
	}
	if o.CleanupTimeout <= 0 {
		o.CleanupTimeout = 10 * time.Minute
	}
}

type deployRun struct {
	c       *Client
	spec    *Spec
	o       DeployOptions
	res     *DeployResult
	pending bool // a swap-with-preview is applied and not completed or reset
	// verified is set when production passed verification with the new
	// version: a cancellation after that point must not undo it.
	verified bool
}

func (d *deployRun) emit(step, status, msg string) {
	if d.o.Progress != nil {
		d.o.Progress(Event{Step: step, Status: status, Message: msg, At: time.Now()})
	}
}

func (d *deployRun) step(ctx context.Context, name string, f func(ctx context.Context) (string, error)) error {
	start := time.Now()
	d.emit(name, "start", "")
	detail, err := f(ctx)
	sr := StepResult{Name: name, Started: start, Duration: time.Since(start), OK: err == nil, Detail: detail}
	if err != nil {
		sr.Error = err.Error()
		d.emit(name, "failed", sr.Error)
	} else {
		d.emit(name, "ok", detail)
	}
	d.res.Steps = append(d.res.Steps, sr)
	return err
}

// Deploy runs a health-gated blue/green deploy of opts.Image:
//
//  1. set the slot's image and owned config (creating the slot, Standard
//     tier or higher, when it is missing);
//  2. warm the slot up until Warmup.Consecutive 2xx in a row, reporting a
//     redirect, a DisallowedHost 400 or a timeout by cause;
//  3. run opts.Step (migrations); an error aborts before the swap;
//  4. swap (BeginSwapSlot with PreserveVnet), or with opts.Preview apply
//     production's config to the slot, verify, then complete or reset;
//  5. verify production over a window and swap back when it fails.
//
// Every path ends in a defined state, reported in the result: production
// runs the old or the new image and no preview is left pending. A
// cancelled ctx stops the deploy; work already started on Azure is
// finished or undone under a fresh context bounded by CleanupTimeout, and
// a cancelled deploy that had swapped swaps back.
func (c *Client) Deploy(ctx context.Context, spec *Spec, opts DeployOptions) (*DeployResult, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if opts.Image == "" || strings.ContainsAny(opts.Image, " |") {
		return nil, errors.New("appservice: deploy needs an image reference without spaces or '|'")
	}
	opts.defaults(spec)
	if opts.Slot == Production {
		return nil, errors.New("appservice: the staging slot cannot be production")
	}
	d := &deployRun{c: c, spec: spec, o: opts, res: &DeployResult{NewImage: "DOCKER|" + opts.Image}}
	err := d.run(ctx)
	d.finish(ctx)
	return d.res, err
}

func (d *deployRun) cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d.o.CleanupTimeout)
}

func (d *deployRun) run(ctx context.Context) error {
	c, t, o := d.c, d.spec.Target, d.o
	prod, err := c.webApps.GetConfiguration(ctx, t.ResourceGroup, t.App, nil)
	if err != nil {
		return fmt.Errorf("appservice: read production config: %w", err)
	}
	if prod.Properties != nil {
		d.res.OldImage = deref(prod.Properties.LinuxFxVersion)
	}

	if err := d.step(ctx, StepSlot, d.prepareSlot); err != nil {
		return err
	}
	if err := d.step(ctx, StepWarmup, func(ctx context.Context) (string, error) {
		return d.warmup(ctx, o.URL(o.Slot))
	}); err != nil {
		return err
	}
	if o.Step != nil {
		if err := d.step(ctx, StepHook, func(ctx context.Context) (string, error) { return "", o.Step(ctx) }); err != nil {
			return fmt.Errorf("appservice: step before swap failed, swap aborted: %w", err)
		}
	}
	if o.Preview {
		if err := d.step(ctx, StepPreview, d.preview); err != nil {
			return err
		}
	}
	if err := d.step(ctx, StepSwap, func(ctx context.Context) (string, error) { return d.swap(ctx, false) }); err != nil {
		return err
	}
	verr := d.step(ctx, StepVerify, d.verify)
	if verr == nil {
		d.verified = true
		return nil
	}
	if err := d.rollback(ctx); err != nil {
		return fmt.Errorf("%w; rollback failed: %v", verr, err)
	}
	return verr
}

// prepareSlot creates the slot when missing and writes its image and the
// owned config that changed.
func (d *deployRun) prepareSlot(ctx context.Context) (string, error) {
	c, t, slot := d.c, d.spec.Target, d.o.Slot
	detail := ""
	_, err := c.webApps.GetSlot(ctx, t.ResourceGroup, t.App, slot, nil)
	if notFound(err) {
		pl, err := c.plans.Get(ctx, t.ResourceGroup, t.Plan, nil)
		if err != nil {
			return "", fmt.Errorf("read plan %s: %w", t.Plan, err)
		}
		sku := ""
		if pl.SKU != nil {
			sku = deref(pl.SKU.Name)
		}
		if err := CheckSlots(sku, 0); err != nil {
			return "", err
		}
		poller, err := c.webApps.BeginCreateOrUpdateSlot(ctx, t.ResourceGroup, t.App, slot, armappservice.Site{
			Location:   pl.Location,
			Properties: &armappservice.SiteProperties{ServerFarmID: pl.ID},
		}, nil)
		if err != nil {
			return "", fmt.Errorf("create slot %s: %w", slot, err)
		}
		if _, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.poll}); err != nil {
			return "", fmt.Errorf("create slot %s: %w", slot, err)
		}
		detail = "created slot " + slot + "; "
	} else if err != nil {
		return "", fmt.Errorf("read slot %s: %w", slot, err)
	}
	cfg, err := c.webApps.GetConfigurationSlot(ctx, t.ResourceGroup, t.App, slot, nil)
	if err != nil {
		return "", fmt.Errorf("read slot config: %w", err)
	}
	settings, err := c.webApps.ListApplicationSettingsSlot(ctx, t.ResourceGroup, t.App, slot, nil)
	if err != nil {
		return "", fmt.Errorf("read slot app settings: %w", redact(err))
	}
	// The slot gets the spec's site config and app settings with the new
	// image; plan-level resources stay with Apply.
	s := *d.spec
	s.Container = &Container{Image: d.o.Image}
	if d.spec.Container != nil {
		cp := *d.spec.Container
		cp.Image = d.o.Image
		s.Container = &cp
	}
	s.SKU, s.Autoscale, s.ApplicationInsights, s.StickySettings = nil, nil, nil, nil
	s.positions = nil
	st := &State{SiteConfig: &cfg.SiteConfigResource, AppSettings: &settings.StringDictionary, Plan: &armappservice.Plan{}}
	_, cs, err := diff(st, &s, false)
	if err != nil {
		return "", err
	}
	if cs != nil && cs.siteConfig != nil {
		if _, err := c.webApps.UpdateConfigurationSlot(ctx, t.ResourceGroup, t.App, slot, armappservice.SiteConfigResource{Properties: cs.siteConfig}, nil); err != nil {
			return "", fmt.Errorf("update slot config: %w", err)
		}
		detail += "slot config updated"
	}
	if cs != nil && cs.appSettings != nil {
		if _, err := c.webApps.UpdateApplicationSettingsSlot(ctx, t.ResourceGroup, t.App, slot, armappservice.StringDictionary{Properties: cs.appSettings}, nil); err != nil {
			return "", fmt.Errorf("update slot app settings: %w", redact(err))
		}
		detail += "; slot app settings merged"
	}
	return strings.TrimPrefix(strings.TrimSuffix(detail, "; "), "; "), nil
}

func (d *deployRun) warmup(ctx context.Context, base string) (string, error) {
	url := base + d.o.HealthPath
	deadline := time.Now().Add(d.o.Warmup.Timeout)
	ok, attempts := 0, 0
	var last ProbeResult
	for {
		attempts++
		last = Probe(ctx, url, d.o.Probe)
		if last.Cause == CauseOK {
			ok++
			if ok >= d.o.Warmup.Consecutive {
				return fmt.Sprintf("%d consecutive 2xx after %d probes", ok, attempts), nil
			}
		} else {
			ok = 0
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if time.Now().Add(d.o.Warmup.Interval).After(deadline) {
			return "", &WarmupError{URL: RedactURL(url), Want: d.o.Warmup.Consecutive, Attempts: attempts, Last: last}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(d.o.Warmup.Interval):
		}
	}
}

// isConflict reports an ARM 409.
func isConflict(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusConflict
}

// preview applies production's slot config to the slot (phase one of a
// swap with preview) and verifies the slot with it.
func (d *deployRun) preview(ctx context.Context) (string, error) {
	c, t, slot := d.c, d.spec.Target, d.o.Slot
	entity := armappservice.CsmSlotEntity{TargetSlot: to.Ptr(slot), PreserveVnet: to.Ptr(true)}
	detail := ""
	// From here on a preview may be pending in Azure even if the call
	// fails or is cancelled; finish resets it (a reset is harmless).
	d.pending = true
	_, err := c.webApps.ApplySlotConfigToProduction(ctx, t.ResourceGroup, t.App, entity, nil)
	if isConflict(err) {
		// A preview left pending by an earlier run blocks ours: reset it
		// and try once more.
		d.emit(StepPreview, "info", "a swap with preview was already pending (409); resetting it")
		if _, rerr := c.webApps.ResetProductionSlotConfig(ctx, t.ResourceGroup, t.App, nil); rerr != nil {
			return "", fmt.Errorf("reset the pending preview: %w", rerr)
		}
		detail = "reset a pending preview; "
		_, err = c.webApps.ApplySlotConfigToProduction(ctx, t.ResourceGroup, t.App, entity, nil)
	}
	if err != nil {
		return "", fmt.Errorf("apply production config to slot %s: %w", slot, err)
	}
	w, err := d.warmup(ctx, d.o.URL(slot))
	if err != nil {
		return "", fmt.Errorf("slot %s with production's settings: %w", slot, err)
	}
	return detail + "slot verified with production settings: " + w, nil
}

// swap exchanges the slot with production. When ctx is cancelled while the
// operation runs, it waits for Azure to finish it under a cleanup context
// so the outcome is known.
func (d *deployRun) swap(ctx context.Context, back bool) (string, error) {
	c, t, slot := d.c, d.spec.Target, d.o.Slot
	entity := armappservice.CsmSlotEntity{TargetSlot: to.Ptr(Production), PreserveVnet: to.Ptr(true)}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// The request that starts the swap is sent without cancellation: once
	// Azure accepted it, deploykit must hold the poller to know the outcome.
	bctx, bcancel := d.cleanupCtx(ctx)
	poller, err := c.webApps.BeginSwapSlot(bctx, t.ResourceGroup, t.App, slot, entity, nil)
	bcancel()
	if err != nil {
		return "", fmt.Errorf("swap %s with production: %w", slot, err)
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.poll})
	if err != nil && ctx.Err() != nil {
		// The swap runs on in Azure: wait for it so the state is known.
		cctx, cancel := d.cleanupCtx(ctx)
		defer cancel()
		if _, werr := poller.PollUntilDone(cctx, &runtime.PollUntilDoneOptions{Frequency: c.poll}); werr == nil {
			d.pending = false
			if !back {
				d.res.Swapped = true
			}
			return "", fmt.Errorf("cancelled during the swap (the swap completed): %w", ctx.Err())
		}
		return "", fmt.Errorf("cancelled during the swap: %w", ctx.Err())
	}
	if err != nil {
		return "", fmt.Errorf("swap %s with production: %w", slot, err)
	}
	d.pending = false
	if !back {
		d.res.Swapped = true
	}
	return "swapped " + slot + " into production", nil
}

func (d *deployRun) verify(ctx context.Context) (string, error) {
	url := d.o.URL(Production) + d.o.HealthPath
	end := time.Now().Add(d.o.Verify.Window)
	fails, probes := 0, 0
	for {
		probes++
		r := Probe(ctx, url, d.o.Probe)
		if r.Cause == CauseOK {
			fails = 0
		} else {
			fails++
			if fails >= d.o.Verify.MaxFailures {
				return "", &VerifyError{URL: RedactURL(url), Failures: fails, Last: r}
			}
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if !time.Now().Add(d.o.Verify.Interval).Before(end) {
			return fmt.Sprintf("%d probes over %s", probes, d.o.Verify.Window), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(d.o.Verify.Interval):
		}
	}
}

// rollback swaps the same two slots again, under a cleanup context so a
// cancelled deploy still gets back to the old version.
func (d *deployRun) rollback(ctx context.Context) error {
	cctx, cancel := d.cleanupCtx(ctx)
	defer cancel()
	err := d.step(cctx, StepRollback, func(ctx context.Context) (string, error) {
		if _, err := d.swap(ctx, true); err != nil {
			return "", err
		}
		return "swapped the old version back into production", nil
	})
	if err == nil {
		d.res.RolledBack = true
	}
	return err
}

// finish brings every path to a defined state: a pending preview is reset,
// a cancelled deploy that swapped is swapped back, and production's image
// is read.
func (d *deployRun) finish(ctx context.Context) {
	c, t := d.c, d.spec.Target
	cctx, cancel := d.cleanupCtx(ctx)
	defer cancel()
	if d.pending {
		if _, err := c.webApps.ResetProductionSlotConfig(cctx, t.ResourceGroup, t.App, nil); err == nil {
			d.pending = false
			d.emit(StepPreview, "info", "reset the pending swap with preview")
		} else {
			d.emit(StepPreview, "failed", "could not reset the pending preview: "+err.Error())
		}
	}
	d.res.Final.PreviewPending = d.pending
	d.res.Final.Version = "unknown"
	cfg, err := c.webApps.GetConfiguration(cctx, t.ResourceGroup, t.App, nil)
	if err != nil || cfg.Properties == nil {
		return
	}
	if ctx.Err() != nil && !d.verified && !d.res.RolledBack && d.res.OldImage != d.res.NewImage &&
		(d.res.Swapped || strings.EqualFold(deref(cfg.Properties.LinuxFxVersion), d.res.NewImage)) {
		// Cancelled after the new version reached production but before it
		// was verified: go back to the verified old one.
		if d.rollback(ctx) == nil {
			if cfg, err = c.webApps.GetConfiguration(cctx, t.ResourceGroup, t.App, nil); err != nil || cfg.Properties == nil {
				return
			}
		}
	}
	d.res.Final.Production = deref(cfg.Properties.LinuxFxVersion)
	switch {
	case strings.EqualFold(d.res.Final.Production, d.res.NewImage):
		d.res.Final.Version = "new"
	case strings.EqualFold(d.res.Final.Production, d.res.OldImage):
		d.res.Final.Version = "old"
	}
}

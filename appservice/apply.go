package appservice

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"

	"github.com/deploykit/deploykit/internal/plan"
)

// Plan reads exactly the owned resources (concurrently) and returns the
// plan and the state it was computed from. Tier problems of a SKU the spec
// names are returned before any call.
func (c *Client) Plan(ctx context.Context, spec *Spec) (*Plan, *State, error) {
	st, err := c.Read(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	p, err := Diff(st, spec)
	if err != nil {
		return nil, st, err
	}
	return p, st, nil
}

// ApplyResult says what Apply wrote.
type ApplyResult struct {
	// Plan is the plan that was applied (computed from a fresh read).
	Plan *Plan
	// Written are the resources written, in order.
	Written []Address
	// Writes is the number of write requests sent (long-running
	// operations count once; their polls are reads).
	Writes int
}

// ApplyError reports a failed write and what had been written before it.
type ApplyError struct {
	// Resource is the resource whose write failed.
	Resource Address
	// Written were written before the failure, in order.
	Written []Address
	// Err is the cause.
	Err error
}

func (e *ApplyError) Error() string {
	done := make([]string, len(e.Written))
	for i, a := range e.Written {
		done[i] = a.String()
	}
	w := "nothing"
	if len(done) > 0 {
		w = strings.Join(done, ", ")
	}
	return fmt.Sprintf("appservice: apply %s: %v (already written: %s; run plan to see what is left)", e.Resource, e.Err, w)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply makes the owned resources match spec. It reads the owned resources
// again; when saved is not nil it refuses a stale plan ([*StaleError]) and a
// plan whose reviewed content differs from what spec asks for now
// ([ErrPlanMismatch]). It then writes only what changed, one request per
// changed resource: the plan by GET → edit → PUT (PlanPatchResource has no
// SKU), the Application Insights component, the site config by PATCH with
// only the changed owned fields (never a GET echoed back), the app
// settings by list → merge → PUT (unowned keys kept byte for byte), the
// sticky names merged, and the autoscale setting. An empty plan makes no
// write at all.
func (c *Client) Apply(ctx context.Context, spec *Spec, saved *Plan) (*ApplyResult, error) {
	st, err := c.Read(ctx, spec)
	if err != nil {
		return nil, err
	}
	p, cs, err := diff(st, spec, true)
	if err != nil {
		return nil, err
	}
	if saved != nil {
		if err := saved.CheckFresh(p.Fingerprint); err != nil {
			return nil, err
		}
		if saved.Digest() != p.Digest() {
			return nil, ErrPlanMismatch
		}
	}
	res := &ApplyResult{Plan: p}
	if !p.HasChanges() {
		return res, nil
	}
	t := spec.Target
	addr := func(typ string) plan.Address {
		for _, r := range p.Resources {
			if r.Address.Type == typ || r.Address.Type+"/"+r.Address.Name == typ {
				return r.Address
			}
		}
		return plan.Address{Type: typ}
	}
	fail := func(a plan.Address, err error) (*ApplyResult, error) {
		return res, &ApplyError{Resource: a, Written: res.Written, Err: err}
	}
	done := func(a plan.Address) {
		res.Written = append(res.Written, a)
		res.Writes++
		c.log.DebugContext(ctx, "appservice: wrote", "resource", a.String())
	}

	if cs.plan != nil {
		a := addr("Microsoft.Web/serverfarms")
		poller, err := c.plans.BeginCreateOrUpdate(ctx, t.ResourceGroup, t.Plan, *cs.plan, nil)
		if err != nil {
			return fail(a, err)
		}
		if _, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.poll}); err != nil {
			return fail(a, err)
		}
		done(a)
	}
	if cs.appInsights != nil {
		a := addr("Microsoft.Insights/components")
		r, err := c.components.CreateOrUpdate(ctx, t.ResourceGroup, spec.ApplicationInsights.Name, *cs.appInsights, nil)
		if err != nil {
			return fail(a, err)
		}
		done(a)
		if cs.aiSetting != "" && cs.appSettings != nil {
			if r.Properties == nil || r.Properties.ConnectionString == nil {
				return fail(a, errors.New("the new component has no connection string"))
			}
			cs.appSettings[cs.aiSetting] = to.Ptr(*r.Properties.ConnectionString)
		}
	}
	if cs.siteConfig != nil {
		a := addr("Microsoft.Web/sites/config/" + t.App + "/web")
		if _, err := c.webApps.UpdateConfiguration(ctx, t.ResourceGroup, t.App, armappservice.SiteConfigResource{Properties: cs.siteConfig}, nil); err != nil {
			return fail(a, err)
		}
		done(a)
	}
	if cs.appSettings != nil {
		a := addr("Microsoft.Web/sites/config/" + t.App + "/appsettings")
		if _, err := c.webApps.UpdateApplicationSettings(ctx, t.ResourceGroup, t.App, armappservice.StringDictionary{Properties: cs.appSettings}, nil); err != nil {
			return fail(a, redact(err))
		}
		done(a)
	}
	if cs.slotNames != nil {
		a := addr("Microsoft.Web/sites/config/" + t.App + "/slotConfigNames")
		if _, err := c.webApps.UpdateSlotConfigurationNames(ctx, t.ResourceGroup, t.App, armappservice.SlotConfigNamesResource{Properties: cs.slotNames}, nil); err != nil {
			return fail(a, err)
		}
		done(a)
	}
	if cs.autoscale != nil {
		a := addr("Microsoft.Insights/autoscalesettings")
		if _, err := c.autoscale.CreateOrUpdate(ctx, t.ResourceGroup, spec.Autoscale.Name, *cs.autoscale, nil); err != nil {
			return fail(a, err)
		}
		done(a)
	}
	return res, nil
}

package appservice

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/applicationinsights/armapplicationinsights"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"

	"github.com/deploykit/deploykit/internal/plan"
)

// Plan is a reviewable diff of the owned resources (deploykit's shared
// plan model): resources with what-if change types, per-field old → new
// with app setting values masked, restart and cost marks, and the
// fingerprint of the state it was computed from.
type Plan = plan.Plan

// ResourceChange is one resource of a [Plan].
type ResourceChange = plan.ResourceChange

// FieldChange is one owned field of a [ResourceChange].
type FieldChange = plan.FieldChange

// Address names one owned resource of a [Plan] (type, name, ARM ID).
type Address = plan.Address

// TextOptions tune [Plan.WriteText].
type TextOptions = plan.TextOptions

// StaleError is returned by Apply when the resources changed after the
// saved plan was made; errors.Is(err, ErrStale) matches it.
type StaleError = plan.StaleError

// ErrStale is matched by every [*StaleError].
var ErrStale = plan.ErrStale

// ErrPlanMismatch is returned by Apply when the saved plan's reviewed
// content differs from what the spec asks for now (the spec changed).
var ErrPlanMismatch = fmt.Errorf("saved plan does not match the desired state: the spec changed since the plan was made; run plan again")

// ReadPlanJSON reads a plan saved with [Plan.WriteJSON].
func ReadPlanJSON(r io.Reader) (*Plan, error) { return plan.ReadJSON(r) }

// ExitCode maps a plan outcome to Terraform's exit codes (0 no changes, 1
// error, 2 changes with detailed).
func ExitCode(p *Plan, err error, detailed bool) int { return plan.ExitCode(p, err, detailed) }

// Tool is the Plan.Tool value of appservice plans.
const Tool = "deploykit/appservice"

// knownAfterApply stands for a value only Azure can tell (a new
// component's connection string).
const knownAfterApply = "(known after apply)"

// changeSet holds the exact write payloads of a plan.
type changeSet struct {
	siteConfig  *armappservice.SiteConfig
	appSettings map[string]*string
	slotNames   *armappservice.SlotConfigNames
	plan        *armappservice.Plan
	autoscale   *armmonitor.AutoscaleSettingResource
	appInsights *armapplicationinsights.Component
	aiSetting   string // app setting to fill with a new component's connection string
}

// field is one owned value as read and as desired.
type field struct {
	path      string
	old, new  any
	present   bool // old exists (for map keys)
	sensitive bool
	restarts  bool
	isKey     bool // a map key: absent → Create, delete → Delete
	del       bool
}

func (f field) changed() bool {
	if f.del {
		return f.present
	}
	if f.isKey && !f.present {
		return true
	}
	return !equalJSON(f.old, f.new)
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// fingerprintView is what the fingerprint covers for one field: the old
// value, or for a secret only whether it exists and matches the desired
// value, so that a saved plan never carries anything derived from a secret.
func (f field) fingerprintView() any {
	if f.sensitive {
		switch {
		case !f.present:
			return "absent"
		case f.del:
			return "present"
		case f.changed():
			return "present:differs"
		}
		return "present:matches"
	}
	return f.old
}

func resource(addr plan.Address, fields []field, exists bool) plan.ResourceChange {
	rc := plan.ResourceChange{Address: addr, Action: plan.NoChange}
	for _, f := range fields {
		if !f.changed() {
			rc.Unchanged++
			continue
		}
		fc := plan.FieldChange{Path: f.path, Action: plan.Modify, Old: f.old, New: f.new, Sensitive: f.sensitive, Restarts: f.restarts}
		switch {
		case f.del:
			fc.Action, fc.New = plan.Delete, nil
		case f.isKey && !f.present:
			fc.Action, fc.Old = plan.Create, nil
		}
		rc.Fields = append(rc.Fields, fc)
	}
	if len(rc.Fields) > 0 {
		rc.Action = plan.Modify
	}
	if !exists {
		rc.Action = plan.Create
		rc.Unchanged = 0
	}
	return rc
}

func str(p *string) any {
	if p == nil {
		return ""
	}
	return *p
}

func boolean(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

// Diff computes the plan from a read state and a spec without calling
// anything. It diffs only the fields the spec owns, returns tier problems
// (as a [*TierError]) for the SKU the plan will have, and records the
// fingerprint of the owned values it read.
func Diff(st *State, spec *Spec) (*Plan, error) {
	p, _, err := diff(st, spec, true)
	return p, err
}

func diff(st *State, spec *Spec, checkTier bool) (*Plan, *changeSet, error) {
	if err := spec.Validate(); err != nil {
		return nil, nil, err
	}
	if st == nil || st.Plan == nil || (st.SiteConfig == nil && spec.ownsSiteConfig()) {
		return nil, nil, fmt.Errorf("appservice: the state lacks the site config or the plan")
	}
	t := spec.Target
	curSKU := ""
	if st.Plan.SKU != nil && st.Plan.SKU.Name != nil {
		curSKU = *st.Plan.SKU.Name
	}
	effSKU := curSKU
	if spec.SKU != nil {
		effSKU = spec.SKU.Name
	}
	if checkTier {
		if err := spec.CheckTier(effSKU); err != nil {
			return nil, nil, err
		}
	}
	cs := &changeSet{}
	p := &Plan{Tool: Tool}
	var fp [][]byte
	addFP := func(name string, fields []field, exists bool) {
		view := map[string]any{"exists": exists}
		for _, f := range fields {
			view[f.path] = f.fingerprintView()
		}
		b, _ := json.Marshal(view)
		fp = append(fp, []byte(name), b)
	}
	planID := deref(st.Plan.ID)
	if planID == "" {
		planID = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/serverfarms/%s", t.Subscription, t.ResourceGroup, t.Plan)
	}
	location := deref(st.Plan.Location)

	// 1. The plan (serverfarm): SKU, capacity, per-site scaling.
	if k := spec.SKU; k != nil {
		var fields []field
		fields = append(fields, field{path: "sku.name", old: curSKU, new: canonicalSKU(k.Name), restarts: true})
		curCap := 0
		if st.Plan.SKU != nil && st.Plan.SKU.Capacity != nil {
			curCap = int(*st.Plan.SKU.Capacity)
		}
		newCap := curCap
		if k.Capacity > 0 {
			newCap = k.Capacity
			fields = append(fields, field{path: "sku.capacity", old: curCap, new: k.Capacity})
		}
		if k.PerSiteScaling != nil {
			var cur *bool
			if st.Plan.Properties != nil {
				cur = st.Plan.Properties.PerSiteScaling
			}
			fields = append(fields, field{path: "properties.perSiteScaling", old: boolean(cur), new: *k.PerSiteScaling})
		}
		rc := resource(plan.Address{Type: "Microsoft.Web/serverfarms", Name: t.Plan, ID: planID}, fields, true)
		if rc.Action != plan.NoChange {
			oldP, ok1 := MonthlyPrice(curSKU, curCap)
			newP, ok2 := MonthlyPrice(k.Name, newCap)
			if ok1 && ok2 && (oldP != newP) {
				rc.Cost = &plan.Cost{MonthlyDelta: round2(newP - oldP), Currency: Prices().Currency, Basis: priceBasis()}
			} else if !ok1 || !ok2 {
				rc.Notes = append(rc.Notes, fmt.Sprintf("cost change unknown: data/prices.json has no price for %s or %s", curSKU, k.Name))
			}
			edited := clonePlan(st.Plan)
			if edited.SKU == nil {
				edited.SKU = &armappservice.SKUDescription{}
			}
			newTier, _ := TierOf(k.Name)
			edited.SKU.Name = to.Ptr(canonicalSKU(k.Name))
			edited.SKU.Tier = to.Ptr(newTier.Name)
			edited.SKU.Size = to.Ptr(canonicalSKU(k.Name))
			edited.SKU.Family = to.Ptr(skuFamily(canonicalSKU(k.Name)))
			if k.Capacity > 0 {
				edited.SKU.Capacity = to.Ptr(int32(k.Capacity))
			}
			if k.PerSiteScaling != nil {
				if edited.Properties == nil {
					edited.Properties = &armappservice.PlanProperties{}
				}
				edited.Properties.PerSiteScaling = to.Ptr(*k.PerSiteScaling)
			}
			cs.plan = edited
		}
		p.Resources = append(p.Resources, rc)
		addFP("plan", fields, true)
	}

	// 2. Application Insights component (created when missing).
	var aiConn any
	if ai := spec.ApplicationInsights; ai != nil {
		exists := st.AppInsights != nil
		loc := ai.Location
		if loc == "" {
			loc = location
		}
		fields := []field{{path: "kind", old: nil, new: "web"}, {path: "properties.applicationType", old: nil, new: "web"}, {path: "location", old: nil, new: loc}}
		if exists {
			fields = nil
			if st.AppInsights.Properties != nil && st.AppInsights.Properties.ConnectionString != nil {
				aiConn = *st.AppInsights.Properties.ConnectionString
			}
		} else {
			aiConn = knownAfterApply
			cs.appInsights = &armapplicationinsights.Component{Kind: to.Ptr("web"), Location: to.Ptr(loc),
				Properties: &armapplicationinsights.ComponentProperties{ApplicationType: to.Ptr(armapplicationinsights.ApplicationTypeWeb)}}
			cs.aiSetting = ai.setting()
		}
		rc := resource(plan.Address{Type: "Microsoft.Insights/components", Name: ai.Name}, fields, exists)
		if !exists {
			rc.Cost = &plan.Cost{Currency: Prices().Currency, UsageBased: true, Basis: Prices().UsageBased["applicationinsights"]}
		}
		p.Resources = append(p.Resources, rc)
		addFP("appInsights", fields, exists)
	}

	// 3. Site config: PATCH only changed owned fields.
	var cur *armappservice.SiteConfig
	cfgID := ""
	if st.SiteConfig != nil {
		cur, cfgID = st.SiteConfig.Properties, deref(st.SiteConfig.ID)
	}
	if cur == nil {
		cur = &armappservice.SiteConfig{}
	}
	var sf []field
	patch := &armappservice.SiteConfig{}
	if c := spec.Container; c != nil {
		f := field{path: "linuxFxVersion", old: str(cur.LinuxFxVersion), new: "DOCKER|" + c.Image, restarts: true}
		sf = append(sf, f)
		if f.changed() {
			patch.LinuxFxVersion = to.Ptr("DOCKER|" + c.Image)
		}
		if c.RegistryIdentity != "" {
			f := field{path: "acrUseManagedIdentityCreds", old: boolean(cur.AcrUseManagedIdentityCreds), new: true, restarts: true}
			sf = append(sf, f)
			if f.changed() {
				patch.AcrUseManagedIdentityCreds = to.Ptr(true)
			}
			id := c.RegistryIdentity
			if strings.EqualFold(id, "system") {
				id = ""
			}
			f = field{path: "acrUserManagedIdentityID", old: str(cur.AcrUserManagedIdentityID), new: id, restarts: true}
			sf = append(sf, f)
			if f.changed() {
				patch.AcrUserManagedIdentityID = to.Ptr(id)
			}
		}
	}
	boolField := func(path string, want *bool, curv *bool, set func(bool)) {
		if want == nil {
			return
		}
		f := field{path: path, old: boolean(curv), new: *want}
		sf = append(sf, f)
		if f.changed() {
			set(*want)
		}
	}
	boolField("http20Enabled", spec.HTTP2, cur.Http20Enabled, func(v bool) { patch.Http20Enabled = to.Ptr(v) })
	boolField("alwaysOn", spec.AlwaysOn, cur.AlwaysOn, func(v bool) { patch.AlwaysOn = to.Ptr(v) })
	if v := spec.MinTLSVersion; v != "" {
		var c any = ""
		if cur.MinTLSVersion != nil {
			c = string(*cur.MinTLSVersion)
		}
		f := field{path: "minTlsVersion", old: c, new: v}
		sf = append(sf, f)
		if f.changed() {
			patch.MinTLSVersion = to.Ptr(armappservice.SupportedTLSVersions(v))
		}
	}
	if v := spec.FTPSState; v != "" {
		var c any = ""
		if cur.FtpsState != nil {
			c = string(*cur.FtpsState)
		}
		f := field{path: "ftpsState", old: c, new: v}
		sf = append(sf, f)
		if f.changed() {
			patch.FtpsState = to.Ptr(armappservice.FtpsState(v))
		}
	}
	if v := spec.HealthCheckPath; v != nil {
		f := field{path: "healthCheckPath", old: str(cur.HealthCheckPath), new: *v, restarts: true}
		sf = append(sf, f)
		if f.changed() {
			patch.HealthCheckPath = to.Ptr(*v)
		}
	}
	if v := spec.StartupCommand; v != nil {
		f := field{path: "appCommandLine", old: str(cur.AppCommandLine), new: *v, restarts: true}
		sf = append(sf, f)
		if f.changed() {
			patch.AppCommandLine = to.Ptr(*v)
		}
	}
	if k := spec.SKU; k != nil && k.AppInstances > 0 {
		var c any
		if cur.NumberOfWorkers != nil {
			c = int(*cur.NumberOfWorkers)
		}
		f := field{path: "numberOfWorkers", old: c, new: k.AppInstances}
		sf = append(sf, f)
		if f.changed() {
			patch.NumberOfWorkers = to.Ptr(int32(k.AppInstances))
		}
	}
	rc := resource(plan.Address{Type: "Microsoft.Web/sites/config", Name: t.App + "/web", ID: cfgID}, sf, true)
	if rc.Action != plan.NoChange {
		cs.siteConfig = patch
	}
	if len(sf) > 0 {
		p.Resources = append(p.Resources, rc)
	}
	if len(sf) > 0 {
		addFP("siteConfig", sf, true)
	}

	// 4. App settings: merge owned keys into the listed set.
	curSettings := map[string]*string{}
	if st.AppSettings != nil && st.AppSettings.Properties != nil {
		curSettings = st.AppSettings.Properties
	}
	desired := map[string]any{}
	for k, v := range spec.AppSettings {
		desired[k] = v
	}
	if c := spec.Container; c != nil && c.Port != 0 {
		desired["WEBSITES_PORT"] = strconv.Itoa(c.Port)
	}
	if ai := spec.ApplicationInsights; ai != nil {
		desired[ai.setting()] = aiConn
	}
	keys := make([]string, 0, len(desired))
	for k := range desired {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var af []field
	for _, k := range keys {
		old, ok := curSettings[k]
		var ov any
		if ok && old != nil {
			ov = *old
		}
		af = append(af, field{path: fmt.Sprintf("appSettings[%s]", quoteKey(k)), old: ov, new: desired[k], present: ok, sensitive: true, restarts: true, isKey: true})
	}
	for _, k := range spec.DeleteAppSettings {
		old, ok := curSettings[k]
		var ov any
		if ok && old != nil {
			ov = *old
		}
		af = append(af, field{path: fmt.Sprintf("appSettings[%s]", quoteKey(k)), old: ov, present: ok, sensitive: true, restarts: true, isKey: true, del: true})
	}
	if len(af) > 0 {
		rc := resource(plan.Address{Type: "Microsoft.Web/sites/config", Name: t.App + "/appsettings"}, af, true)
		if rc.Action != plan.NoChange {
			merged := make(map[string]*string, len(curSettings)+len(desired))
			for k, v := range curSettings {
				merged[k] = v // unowned keys kept as listed
			}
			for _, k := range keys {
				if s, ok := desired[k].(string); ok {
					merged[k] = to.Ptr(s)
				}
			}
			for _, k := range spec.DeleteAppSettings {
				delete(merged, k)
			}
			cs.appSettings = merged
		}
		p.Resources = append(p.Resources, rc)
		addFP("appSettings", af, true)
	}

	// 5. Sticky slot setting names: merged, never replaced.
	if len(spec.StickySettings) > 0 {
		var curNames []*string
		var curProps armappservice.SlotConfigNames
		if st.SlotConfigNames != nil && st.SlotConfigNames.Properties != nil {
			curProps = *st.SlotConfigNames.Properties
			curNames = curProps.AppSettingNames
		}
		have := map[string]bool{}
		for _, n := range curNames {
			if n != nil {
				have[*n] = true
			}
		}
		var nf []field
		merged := append([]*string(nil), curNames...)
		for _, n := range spec.StickySettings {
			nf = append(nf, field{path: fmt.Sprintf("appSettingNames[%s]", quoteKey(n)), old: n, new: n, present: have[n], isKey: true})
			if !have[n] {
				merged = append(merged, to.Ptr(n))
			}
		}
		rc := resource(plan.Address{Type: "Microsoft.Web/sites/config", Name: t.App + "/slotConfigNames"}, nf, true)
		if rc.Action != plan.NoChange {
			curProps.AppSettingNames = merged
			cs.slotNames = &curProps
		}
		p.Resources = append(p.Resources, rc)
		addFP("slotConfigNames", nf, true)
	}

	// 6. Autoscale setting on the plan.
	if a := spec.Autoscale; a != nil {
		want, err := BuildAutoscale(a, planID, location)
		if err != nil {
			return nil, nil, err
		}
		wantView := autoscaleView(&want)
		exists := st.Autoscale != nil
		var curView []field
		if exists {
			curView = autoscaleView(st.Autoscale)
		}
		var fields []field
		curByPath := map[string]any{}
		for _, f := range curView {
			curByPath[f.path] = f.new
		}
		seen := map[string]bool{}
		for _, f := range wantView {
			old, ok := curByPath[f.path]
			fields = append(fields, field{path: f.path, old: old, new: f.new, present: ok, isKey: true})
			seen[f.path] = true
		}
		for _, f := range curView {
			if !seen[f.path] {
				fields = append(fields, field{path: f.path, old: f.new, present: true, isKey: true, del: true})
			}
		}
		rc := resource(plan.Address{Type: "Microsoft.Insights/autoscalesettings", Name: a.Name}, fields, exists)
		if rc.Action != plan.NoChange {
			if exists {
				// Keep what deploykit does not own: notifications, tags,
				// predictive policy and other (scheduled) profiles.
				merged := cloneAutoscale(st.Autoscale)
				merged.Location = want.Location
				if merged.Properties == nil {
					merged.Properties = &armmonitor.AutoscaleSetting{}
				}
				merged.Properties.Enabled = want.Properties.Enabled
				merged.Properties.Name = want.Properties.Name
				merged.Properties.TargetResourceURI = want.Properties.TargetResourceURI
				ours := want.Properties.Profiles[0]
				profiles := []*armmonitor.AutoscaleProfile{ours}
				for _, pr := range merged.Properties.Profiles {
					if pr == nil {
						continue
					}
					if isDefaultProfile(pr) {
						ours.Name = pr.Name // keep the existing name: no rename noise
						continue
					}
					profiles = append(profiles, pr)
				}
				merged.Properties.Profiles = profiles
				cs.autoscale = merged
			} else {
				cs.autoscale = &want
			}
			if pr, ok := MonthlyPrice(effSKU, 1); ok {
				rc.Notes = append(rc.Notes, fmt.Sprintf("instances between min %d and max %d are billed per hour: up to %s/month at max (%s)", a.Min, a.Max, usd(pr*float64(a.Max)), priceBasis()))
			}
		}
		p.Resources = append(p.Resources, rc)
		addFP("autoscale", fields, exists)
	}

	p.Fingerprint = plan.Fingerprint(fp...)
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("appservice: internal plan error: %w", err)
	}
	return p, cs, nil
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }

func round2(v float64) float64 { return float64(int64(v*100+sign(v)*0.5)) / 100 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func clonePlan(p *armappservice.Plan) *armappservice.Plan {
	b, _ := json.Marshal(p)
	var out armappservice.Plan
	_ = json.Unmarshal(b, &out)
	return &out
}

func cloneAutoscale(a *armmonitor.AutoscaleSettingResource) *armmonitor.AutoscaleSettingResource {
	b, _ := json.Marshal(a)
	var out armmonitor.AutoscaleSettingResource
	_ = json.Unmarshal(b, &out)
	return &out
}

// autoscaleView flattens the owned part of an autoscale setting: enabled,
// target, the "default" profile's capacity and its rules in the seed's
// words.
func autoscaleView(a *armmonitor.AutoscaleSettingResource) []field {
	var out []field
	add := func(path string, v any) { out = append(out, field{path: path, new: v}) }
	pr := a.Properties
	if pr == nil {
		return out
	}
	en := false
	if pr.Enabled != nil {
		en = *pr.Enabled
	}
	add("enabled", en)
	add("targetResourceUri", strings.ToLower(deref(pr.TargetResourceURI)))
	for _, prof := range pr.Profiles {
		if prof == nil || !isDefaultProfile(prof) {
			continue
		}
		if c := prof.Capacity; c != nil {
			add("profile.capacity.minimum", deref(c.Minimum))
			add("profile.capacity.maximum", deref(c.Maximum))
			add("profile.capacity.default", deref(c.Default))
		}
		for i, r := range prof.Rules {
			add(fmt.Sprintf("profile.rules[%d]", i), ruleText(r))
		}
	}
	return out
}

// isDefaultProfile reports whether a profile applies at all times (no
// fixed date, no recurrence): the one deploykit owns.
func isDefaultProfile(p *armmonitor.AutoscaleProfile) bool {
	return p.FixedDate == nil && p.Recurrence == nil
}

// skuFamily is the SKU's family: "B1" → "B", "P1v3" → "Pv3".
func skuFamily(sku string) string {
	if sku == "" {
		return ""
	}
	i := 1
	for i < len(sku) && sku[i] >= '0' && sku[i] <= '9' {
		i++
	}
	return sku[:1] + sku[i:]
}

// ruleText renders an ARM scale rule in the seed's words (or a precise
// description of a shape deploykit does not write).
func ruleText(r *armmonitor.ScaleRule) string {
	if r == nil || r.MetricTrigger == nil || r.ScaleAction == nil {
		return "(incomplete rule)"
	}
	m, a := r.MetricTrigger, r.ScaleAction
	op := "?"
	if m.Operator != nil {
		for k, v := range operators {
			if v == *m.Operator {
				op = k
			}
		}
	}
	agg := "?"
	if m.TimeAggregation != nil {
		for k, v := range aggregations {
			if v == *m.TimeAggregation {
				agg = k
			}
		}
	}
	th := "?"
	if m.Threshold != nil {
		th = strconv.FormatFloat(*m.Threshold, 'f', -1, 64)
	}
	dir := "?"
	if a.Direction != nil {
		switch *a.Direction {
		case armmonitor.ScaleDirectionIncrease:
			dir = "out"
		case armmonitor.ScaleDirectionDecrease:
			dir = "in"
		}
	}
	scale := dir + " " + deref(a.Value)
	if a.Type != nil {
		switch *a.Type {
		case armmonitor.ScaleTypePercentChangeCount:
			scale += "%"
		case armmonitor.ScaleTypeExactCount:
			scale = "to " + deref(a.Value)
		}
	}
	s := fmt.Sprintf("%s %s %s %s %s, scale %s, cooldown %s", deref(m.MetricName), op, th, agg, isoShort(deref(m.TimeWindow)), scale, isoShort(deref(a.Cooldown)))
	var extra []string
	if ns := deref(m.MetricNamespace); !strings.EqualFold(ns, MetricNamespace) {
		extra = append(extra, "namespace "+ns)
	}
	if g := deref(m.TimeGrain); g != timeGrain {
		extra = append(extra, "grain "+g)
	}
	if m.Statistic == nil || *m.Statistic != armmonitor.MetricStatisticTypeAverage {
		extra = append(extra, "statistic not Average")
	}
	extra = append(extra, "on "+strings.ToLower(deref(m.MetricResourceURI)))
	return s + " [" + strings.Join(extra, "; ") + "]"
}

// isoShort turns "PT5M" into "5m" (and leaves what it cannot read).
func isoShort(iso string) string {
	if d, ok := parseISO(iso); ok {
		return shortDuration(d)
	}
	return iso
}

func parseISO(s string) (time.Duration, bool) {
	if !strings.HasPrefix(s, "P") {
		return 0, false
	}
	s = s[1:]
	var d time.Duration
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c == 'T':
			inTime = true
		case c >= '0' && c <= '9':
			num += string(c)
		default:
			n, err := strconv.Atoi(num)
			if err != nil {
				return 0, false
			}
			num = ""
			switch {
			case c == 'D' && !inTime:
				d += time.Duration(n) * 24 * time.Hour
			case c == 'W' && !inTime:
				d += time.Duration(n) * 7 * 24 * time.Hour
			case c == 'H' && inTime:
				d += time.Duration(n) * time.Hour
			case c == 'M' && inTime:
				d += time.Duration(n) * time.Minute
			case c == 'S' && inTime:
				d += time.Duration(n) * time.Second
			default:
				return 0, false
			}
		}
	}
	return d, num == ""
}

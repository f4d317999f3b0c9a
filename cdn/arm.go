package cdn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"

	"github.com/deploykit/deploykit/internal/plan"
)

// Clients are the armcdn/v2 clients Plan and Apply use.
type Clients struct {
	Profiles     *armcdn.ProfilesClient
	Endpoints    *armcdn.AFDEndpointsClient
	OriginGroups *armcdn.AFDOriginGroupsClient
	Origins      *armcdn.AFDOriginsClient
	Routes       *armcdn.RoutesClient
	RuleSets     *armcdn.RuleSetsClient
	Rules        *armcdn.RulesClient
}

// NewClients returns the clients of f.
func NewClients(f *armcdn.ClientFactory) *Clients {
	return &Clients{
		Profiles: f.NewProfilesClient(), Endpoints: f.NewAFDEndpointsClient(), OriginGroups: f.NewAFDOriginGroupsClient(),
		Origins: f.NewAFDOriginsClient(), Routes: f.NewRoutesClient(), RuleSets: f.NewRuleSetsClient(), Rules: f.NewRulesClient(),
	}
}

// State is what exists in Azure for a spec, as read: nil means absent.
// It is JSON-serializable (ARM's own shapes), so a plan can be computed
// offline from a saved state.
type State struct {
	Profile     *armcdn.Profile        `json:"profile,omitempty"`
	Endpoint    *armcdn.AFDEndpoint    `json:"endpoint,omitempty"`
	OriginGroup *armcdn.AFDOriginGroup `json:"originGroup,omitempty"`
	Origin      *armcdn.AFDOrigin      `json:"origin,omitempty"`
	StaticRoute *armcdn.Route          `json:"staticRoute,omitempty"`
	AppRoute    *armcdn.Route          `json:"appRoute,omitempty"`
	RuleSet     *armcdn.RuleSet        `json:"ruleSet,omitempty"`
	Rule        *armcdn.Rule           `json:"rule,omitempty"`
}

func isNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// ReadState reads the resources spec names. Missing resources are nil.
// Under a classic (Standard_Microsoft) profile nothing else is read: the
// Front Door resources do not exist there.
func ReadState(ctx context.Context, c *Clients, s *Spec) (*State, error) {
	st := &State{}
	rg, prof := s.ResourceGroup, s.Profile.Name
	p, err := c.Profiles.Get(ctx, rg, prof, nil)
	switch {
	case isNotFound(err):
		return st, nil
	case err != nil:
		return nil, fmt.Errorf("read profile %s: %w", prof, err)
	}
	st.Profile = &p.Profile
	if isClassic(st.Profile) {
		return st, nil
	}
	get := func(what string, f func() error) error {
		if err := f(); err != nil && !isNotFound(err) {
			return fmt.Errorf("read %s: %w", what, err)
		}
		return nil
	}
	errs := []error{
		get("endpoint "+s.Endpoint.Name, func() error {
			r, err := c.Endpoints.Get(ctx, rg, prof, s.Endpoint.Name, nil)
			if err == nil {
				st.Endpoint = &r.AFDEndpoint
			}
			return err
		}),
		get("origin group "+s.OriginGroup.Name, func() error {
			r, err := c.OriginGroups.Get(ctx, rg, prof, s.OriginGroup.Name, nil)
			if err == nil {
				st.OriginGroup = &r.AFDOriginGroup
			}
			return err
		}),
	}
	if st.OriginGroup != nil {
		errs = append(errs, get("origin "+s.Origin.Name, func() error {
			r, err := c.Origins.Get(ctx, rg, prof, s.OriginGroup.Name, s.Origin.Name, nil)
			if err == nil {
				st.Origin = &r.AFDOrigin
			}
			return err
		}))
	}
	if st.Endpoint != nil {
		errs = append(errs, get("route "+s.StaticRoute.Name, func() error {
			r, err := c.Routes.Get(ctx, rg, prof, s.Endpoint.Name, s.StaticRoute.Name, nil)
			if err == nil {
				st.StaticRoute = &r.Route
			}
			return err
		}))
		if s.AppRoute != nil {
			errs = append(errs, get("route "+s.AppRoute.Name, func() error {
				r, err := c.Routes.Get(ctx, rg, prof, s.Endpoint.Name, s.AppRoute.Name, nil)
				if err == nil {
					st.AppRoute = &r.Route
				}
				return err
			}))
		}
	}
	if u := s.UnhashedRule; u != nil {
		errs = append(errs, get("rule set "+u.RuleSet, func() error {
			r, err := c.RuleSets.Get(ctx, rg, prof, u.RuleSet, nil)
			if err == nil {
				st.RuleSet = &r.RuleSet
			}
			return err
		}))
		if st.RuleSet != nil {
			errs = append(errs, get("rule "+u.Rule, func() error {
				r, err := c.Rules.Get(ctx, rg, prof, u.RuleSet, u.Rule, nil)
				if err == nil {
					st.Rule = &r.Rule
				}
				return err
			}))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return st, nil
}

func isClassic(p *armcdn.Profile) bool {
	return p != nil && p.SKU != nil && p.SKU.Name != nil && string(*p.SKU.Name) == SKUClassic
}

// Errors Plan and Apply return.
var (
	// ErrClassicCreate: the spec asks for a new Standard_Microsoft profile,
	// which Azure no longer creates and deploykit never creates.
	ErrClassicCreate = errors.New("azure CDN Standard from Microsoft (classic) takes no new profiles (since 2025-08-15 per the retirement FAQ; 2025-10-01 per the pricing page) and retires on " + ClassicRetirement + "; deploykit never creates one: use sku Standard_AzureFrontDoor")
	// ErrClassicProfile: the plan found a classic profile; Apply refuses it.
	ErrClassicProfile = errors.New("the profile is Azure CDN Standard from Microsoft (classic): deploykit plans it but does not change it, and armcdn v2.2.0 cannot run the classic-to-Front-Door migration")
	// ErrBlocked: the plan holds a change Azure cannot make in place.
	ErrBlocked = errors.New("the plan holds a change that cannot be applied")
)

// Changes is the reviewable diff inside a [Plan]: deploykit's shared plan
// model (the same one appservice uses), with resources, what-if change
// types, per-field old -> new, cost marks and the fingerprint of the state
// it was computed from.
type Changes = plan.Plan

// ResourceChange is one resource of [Changes].
type ResourceChange = plan.ResourceChange

// FieldChange is one owned field of a [ResourceChange].
type FieldChange = plan.FieldChange

// Address names one owned resource (type, name, ARM ID).
type Address = plan.Address

// TextOptions tune [Plan.WriteText].
type TextOptions = plan.TextOptions

// StaleError is returned when the owned state moved after a saved plan
// was made.
type StaleError = plan.StaleError

// Plan is a reviewable plan for a spec: the shared internal plan model
// (change types, old -> new per field, cost marks, fingerprint) plus what
// Apply needs to carry it out.
type Plan struct {
	// Changes is the reviewable diff, rendered with WriteText / WriteJSON.
	Changes *Changes
	// Spec is the desired state the plan was computed for.
	Spec *Spec
	// SubscriptionID scopes the resource IDs.
	SubscriptionID string
	// Classic is true when the profile is a classic Standard_Microsoft one.
	Classic bool
	// Blocked explains why the plan cannot be applied ("" when it can).
	Blocked string

	ops []op
}

type kind int

const (
	kProfile kind = iota
	kEndpoint
	kOriginGroup
	kOrigin
	kRuleSet
	kRule
	kStaticRoute
	kAppRoute
)

type op struct {
	kind    kind
	create  bool
	changed map[string]bool
	removed map[string]bool
}

// Fingerprint hashes the owned state, in a fixed order.
func (st *State) Fingerprint() string {
	parts := [][]byte{}
	for _, v := range []any{st.Profile, st.Endpoint, st.OriginGroup, st.Origin, st.StaticRoute, st.AppRoute, st.RuleSet, st.Rule} {
		b, _ := json.Marshal(ownedView(v))
		parts = append(parts, b)
	}
	return plan.Fingerprint(parts...)
}

// ownedView is what the fingerprint covers: the owned fields only, so that
// server-side bookkeeping (provisioning state, deployment status) does not
// make every saved plan stale.
func ownedView(v any) any {
	var fs []field
	switch r := v.(type) {
	case *armcdn.Profile:
		if r == nil {
			return "absent"
		}
		fs = profileFields(r, true)
	case *armcdn.AFDEndpoint:
		if r == nil {
			return "absent"
		}
		fs = endpointFields(r)
	case *armcdn.AFDOriginGroup:
		if r == nil {
			return "absent"
		}
		fs = originGroupFields(r)
	case *armcdn.AFDOrigin:
		if r == nil {
			return "absent"
		}
		fs = originFields(r)
	case *armcdn.Route:
		if r == nil {
			return "absent"
		}
		fs = routeFields(r)
	case *armcdn.RuleSet:
		if r == nil {
			return "absent"
		}
		return "present"
	case *armcdn.Rule:
		if r == nil {
			return "absent"
		}
		fs = ruleFields(r)
	}
	m := map[string]any{}
	for _, f := range fs {
		m[f.path] = f.val
	}
	return m
}

// PlanChanges diffs the owned fields of the spec's resources against cur
// (from ReadState or a saved State). It calls nothing.
func PlanChanges(s *Spec, cur *State, subscriptionID string) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if cur == nil {
		cur = &State{}
	}
	if subscriptionID == "" && cur.Profile != nil && cur.Profile.ID != nil {
		// An offline plan from a saved state: take the subscription from it.
		if rest, ok := strings.CutPrefix(strings.ToLower(*cur.Profile.ID), "/subscriptions/"); ok {
			subscriptionID = (*cur.Profile.ID)[len("/subscriptions/") : len("/subscriptions/")+strings.IndexByte(rest+"/", '/')]
		}
	}
	id := ids{sub: subscriptionID, rg: s.ResourceGroup, profile: s.Profile.Name}
	p := &Plan{Spec: s, SubscriptionID: subscriptionID, Changes: &plan.Plan{Tool: "deploykit/cdn", Fingerprint: cur.Fingerprint()}}
	prices := Prices()
	base := map[string]float64{}
	for _, o := range prices.Offers {
		switch o.ID {
		case OfferFrontDoorStandard:
			base[SKUFrontDoorStandard] = o.BaseMonthly
		case OfferFrontDoorPremium:
			base[SKUFrontDoorPremium] = o.BaseMonthly
		}
	}
	costBasis := fmt.Sprintf("base fee from the embedded price table (%s, captured %s); traffic is extra, see `cdn cost`", prices.Zone, prices.Captured)

	if cur.Profile != nil && cur.Profile.Name != nil && !strings.EqualFold(*cur.Profile.Name, s.Profile.Name) {
		return nil, fmt.Errorf("the current state is for profile %q, the spec names %q", *cur.Profile.Name, s.Profile.Name)
	}
	if cur.Profile == nil && s.Profile.SKU == SKUClassic {
		return nil, ErrClassicCreate
	}
	if isClassic(cur.Profile) {
		p.Classic = true
		p.Blocked = ErrClassicProfile.Error()
		p.Changes.Resources = append(p.Changes.Resources, plan.ResourceChange{
			Address: plan.Address{Type: "Microsoft.Cdn/profiles", Name: s.Profile.Name, ID: id.profileID()},
			Action:  plan.NoChange,
			Notes:   classicNotes(s),
		})
		return p, nil
	}

	add := func(k kind, typ, name, rid string, curFields, wantFields []field, exists bool, cost *plan.Cost, notes ...string) {
		rc := plan.ResourceChange{Address: plan.Address{Type: typ, Name: name, ID: rid}, Notes: notes}
		o := op{kind: k, changed: map[string]bool{}, removed: map[string]bool{}}
		if !exists {
			rc.Action = plan.Create
			o.create = true
			for _, f := range wantFields {
				if f.val != nil {
					rc.Fields = append(rc.Fields, plan.FieldChange{Path: f.path, Action: plan.Create, New: f.val})
				}
			}
			rc.Cost = cost
		} else {
			have := map[string]any{}
			for _, f := range curFields {
				have[f.path] = f.val
			}
			for _, f := range wantFields {
				old := have[f.path]
				switch {
				case reflect.DeepEqual(old, f.val):
					rc.Unchanged++
				case f.val == nil:
					rc.Fields = append(rc.Fields, plan.FieldChange{Path: f.path, Action: plan.Delete, Old: old})
					o.changed[f.path], o.removed[f.path] = true, true
				case old == nil:
					rc.Fields = append(rc.Fields, plan.FieldChange{Path: f.path, Action: plan.Create, New: f.val})
					o.changed[f.path] = true
				default:
					rc.Fields = append(rc.Fields, plan.FieldChange{Path: f.path, Action: plan.Modify, Old: old, New: f.val})
					o.changed[f.path] = true
				}
			}
			rc.Action = plan.NoChange
			if len(rc.Fields) > 0 {
				rc.Action = plan.Modify
			}
		}
		p.Changes.Resources = append(p.Changes.Resources, rc)
		if rc.Action != plan.NoChange {
			p.ops = append(p.ops, o)
		}
	}

	// Profile.
	wantP := desiredProfile(s)
	own := s.Profile.OriginResponseTimeoutSeconds != 0
	var curPF []field
	if cur.Profile != nil {
		curPF = profileFields(cur.Profile, own)
	}
	add(kProfile, "Microsoft.Cdn/profiles", s.Profile.Name, id.profileID(), curPF, profileFields(&wantP, own), cur.Profile != nil,
		&plan.Cost{MonthlyDelta: base[s.Profile.SKU], Currency: "USD", Basis: costBasis})
	if cur.Profile != nil {
		last := &p.Changes.Resources[len(p.Changes.Resources)-1]
		for i, f := range last.Fields {
			if f.Path == "sku" {
				last.Fields[i].Note = "the SKU cannot be changed in place (armcdn v2.2.0 has no upgrade call)"
				p.Blocked = "profile " + s.Profile.Name + ": the SKU cannot be changed in place"
				last.Cost = &plan.Cost{MonthlyDelta: base[s.Profile.SKU] - base[fmt.Sprint(f.Old)], Currency: "USD", Basis: costBasis}
			}
		}
	}
	// Endpoint.
	wantE := desiredEndpoint(s)
	var curEF []field
	if cur.Endpoint != nil {
		curEF = endpointFields(cur.Endpoint)
	}
	add(kEndpoint, "Microsoft.Cdn/profiles/afdEndpoints", s.Profile.Name+"/"+s.Endpoint.Name, id.endpointID(s.Endpoint.Name), curEF, endpointFields(&wantE), cur.Endpoint != nil, nil)
	// Origin group.
	wantG := desiredOriginGroup(s)
	var curGF []field
	if cur.OriginGroup != nil {
		curGF = originGroupFields(cur.OriginGroup)
	}
	add(kOriginGroup, "Microsoft.Cdn/profiles/originGroups", s.Profile.Name+"/"+s.OriginGroup.Name, id.originGroupID(s.OriginGroup.Name), curGF, originGroupFields(&wantG), cur.OriginGroup != nil, nil)
	// Origin.
	wantO := desiredOrigin(s)
	var curOF []field
	if cur.Origin != nil {
		curOF = originFields(cur.Origin)
	}
	add(kOrigin, "Microsoft.Cdn/profiles/originGroups/origins", s.Profile.Name+"/"+s.OriginGroup.Name+"/"+s.Origin.Name, id.originID(s.OriginGroup.Name, s.Origin.Name), curOF, originFields(&wantO), cur.Origin != nil, nil,
		"originHostHeader is set explicitly: App Service answers 404 to a host name it does not serve; Django's ALLOWED_HOSTS must include "+s.Origin.OriginHostHeader)
	// Rule set and rule.
	if u := s.UnhashedRule; u != nil {
		add(kRuleSet, "Microsoft.Cdn/profiles/ruleSets", s.Profile.Name+"/"+u.RuleSet, id.ruleSetID(u.RuleSet), nil, nil, cur.RuleSet != nil, nil)
		wantR := desiredRule(s)
		var curRF []field
		if cur.Rule != nil {
			curRF = ruleFields(cur.Rule)
		}
		add(kRule, "Microsoft.Cdn/profiles/ruleSets/rules", s.Profile.Name+"/"+u.RuleSet+"/"+u.Rule, id.ruleID(u.RuleSet, u.Rule), curRF, ruleFields(&wantR), cur.Rule != nil, nil,
			fmt.Sprintf("files whose names do not match %s get Cache-Control: public, max-age=%d, and the edge keeps them %s", HashedNamePattern, u.MaxAge, durationHMS(u.MaxAge)))
	}
	// Routes.
	wantS := desiredRoute(s, id, &s.StaticRoute, true)
	var curSF []field
	if cur.StaticRoute != nil {
		curSF = routeFields(cur.StaticRoute)
	}
	add(kStaticRoute, "Microsoft.Cdn/profiles/afdEndpoints/routes", s.Profile.Name+"/"+s.Endpoint.Name+"/"+s.StaticRoute.Name, id.routeID(s.Endpoint.Name, s.StaticRoute.Name), curSF, routeFields(&wantS), cur.StaticRoute != nil, nil,
		"caching on (a route without a cache configuration does not cache), query strings ignored, compression for "+fmt.Sprint(len(s.StaticRoute.CompressionTypes))+" content types")
	if s.AppRoute != nil {
		wantA := desiredRoute(s, id, s.AppRoute, false)
		var curAF []field
		if cur.AppRoute != nil {
			curAF = routeFields(cur.AppRoute)
		}
		add(kAppRoute, "Microsoft.Cdn/profiles/afdEndpoints/routes", s.Profile.Name+"/"+s.Endpoint.Name+"/"+s.AppRoute.Name, id.routeID(s.Endpoint.Name, s.AppRoute.Name), curAF, routeFields(&wantA), cur.AppRoute != nil, nil,
			"uncached: no cache configuration, so every request reaches the app")
	}
	if err := p.Changes.Validate(); err != nil {
		return nil, fmt.Errorf("internal plan error: %w", err)
	}
	return p, nil
}

func classicNotes(s *Spec) []string {
	return []string{
		"WARNING: this profile is Azure CDN Standard from Microsoft (classic). It takes no new profiles or domains since 2025-08-15 (retirement FAQ; the pricing page says 2025-10-01) and retires on " + ClassicRetirement + ", together with its *.azureedge.net host names.",
		"deploykit reads and plans it but never changes or creates a classic profile, and armcdn v2.2.0 (api-version 2024-02-01) cannot run the classic-to-Front-Door migration: its ProfilesClient.BeginCanMigrate/BeginMigrate/BeginMigrationCommit migrate Front Door (classic), not CDN classic.",
		"migration plan: 1) run the classic-CDN migration from the Azure portal (or a newer api-version's profile migration) into a new " + SKUFrontDoorStandard + " profile; it cannot be rolled back once committed.",
		"2) or create a new profile with this spec under another name (sku " + SKUFrontDoorStandard + "), run `cdn verify` against its *.azurefd.net endpoint, then point DJANGO_STATIC_HOST at it.",
		"3) move custom domains, then delete the classic endpoint; *.azureedge.net names keep working only until " + ClassicRetirement + ".",
		"cost: Front Door Standard adds a $35/month base fee and a request charge; run `cdn cost` to compare with classic (Microsoft's example: $540.05 vs $405 at 5 TB and 100 M requests).",
	}
}

// Apply carries out p: it re-reads the state, refuses a stale plan (the
// owned state changed since p was made), and then creates missing
// resources (PUT) and PATCHes only the changed owned fields of the others,
// sending explicit nulls (azcore.NullValue) for fields that must go.
// Applying a plan a second time finds nothing to do.
func Apply(ctx context.Context, c *Clients, p *Plan) error {
	if p.Classic {
		return ErrClassicProfile
	}
	if p.Blocked != "" {
		return fmt.Errorf("%w: %s", ErrBlocked, p.Blocked)
	}
	cur, err := ReadState(ctx, c, p.Spec)
	if err != nil {
		return err
	}
	if err := p.Changes.CheckFresh(cur.Fingerprint()); err != nil {
		return err
	}
	s := p.Spec
	id := ids{sub: p.SubscriptionID, rg: s.ResourceGroup, profile: s.Profile.Name}
	rg, prof := s.ResourceGroup, s.Profile.Name
	for _, o := range p.ops {
		if err := applyOp(ctx, c, s, id, rg, prof, o); err != nil {
			return err
		}
	}
	return nil
}

func applyOp(ctx context.Context, c *Clients, s *Spec, id ids, rg, prof string, o op) error {
	ch := func(path string) bool { return o.changed[path] }
	switch o.kind {
	case kProfile:
		if o.create {
			return wait(c.Profiles.BeginCreate(ctx, rg, prof, desiredProfile(s), nil))(ctx, "create profile "+prof)
		}
		upd := armcdn.ProfileUpdateParameters{Properties: &armcdn.ProfilePropertiesUpdateParameters{}}
		if ch("originResponseTimeoutSeconds") {
			upd.Properties.OriginResponseTimeoutSeconds = to.Ptr(s.Profile.OriginResponseTimeoutSeconds)
		}
		return wait(c.Profiles.BeginUpdate(ctx, rg, prof, upd, nil))(ctx, "update profile "+prof)
	case kEndpoint:
		want := desiredEndpoint(s)
		if o.create {
			return wait(c.Endpoints.BeginCreate(ctx, rg, prof, s.Endpoint.Name, want, nil))(ctx, "create endpoint "+s.Endpoint.Name)
		}
		upd := armcdn.AFDEndpointUpdateParameters{Properties: &armcdn.AFDEndpointPropertiesUpdateParameters{EnabledState: want.Properties.EnabledState}}
		return wait(c.Endpoints.BeginUpdate(ctx, rg, prof, s.Endpoint.Name, upd, nil))(ctx, "update endpoint "+s.Endpoint.Name)
	case kOriginGroup:
		want := desiredOriginGroup(s)
		if o.create {
			return wait(c.OriginGroups.BeginCreate(ctx, rg, prof, s.OriginGroup.Name, want, nil))(ctx, "create origin group "+s.OriginGroup.Name)
		}
		up := &armcdn.AFDOriginGroupUpdatePropertiesParameters{}
		if ch("healthProbeSettings") {
			up.HealthProbeSettings = want.Properties.HealthProbeSettings
		}
		if ch("loadBalancingSettings") {
			up.LoadBalancingSettings = want.Properties.LoadBalancingSettings
		}
		return wait(c.OriginGroups.BeginUpdate(ctx, rg, prof, s.OriginGroup.Name, armcdn.AFDOriginGroupUpdateParameters{Properties: up}, nil))(ctx, "update origin group "+s.OriginGroup.Name)
	case kOrigin:
		want := desiredOrigin(s)
		if o.create {
			return wait(c.Origins.BeginCreate(ctx, rg, prof, s.OriginGroup.Name, s.Origin.Name, want, nil))(ctx, "create origin "+s.Origin.Name)
		}
		w := want.Properties
		up := &armcdn.AFDOriginUpdatePropertiesParameters{}
		if ch("hostName") {
			up.HostName = w.HostName
		}
		if ch("originHostHeader") {
			up.OriginHostHeader = w.OriginHostHeader
		}
		if ch("httpPort") {
			up.HTTPPort = w.HTTPPort
		}
		if ch("httpsPort") {
			up.HTTPSPort = w.HTTPSPort
		}
		if ch("priority") {
			up.Priority = w.Priority
		}
		if ch("weight") {
			up.Weight = w.Weight
		}
		if ch("enabledState") {
			up.EnabledState = w.EnabledState
		}
		if ch("enforceCertificateNameCheck") {
			up.EnforceCertificateNameCheck = w.EnforceCertificateNameCheck
		}
		return wait(c.Origins.BeginUpdate(ctx, rg, prof, s.OriginGroup.Name, s.Origin.Name, armcdn.AFDOriginUpdateParameters{Properties: up}, nil))(ctx, "update origin "+s.Origin.Name)
	case kRuleSet:
		if _, err := c.RuleSets.Create(ctx, rg, prof, s.UnhashedRule.RuleSet, nil); err != nil {
			return fmt.Errorf("create rule set %s: %w", s.UnhashedRule.RuleSet, err)
		}
		return nil
	case kRule:
		u := s.UnhashedRule
		want := desiredRule(s)
		if o.create {
			return wait(c.Rules.BeginCreate(ctx, rg, prof, u.RuleSet, u.Rule, want, nil))(ctx, "create rule "+u.Rule)
		}
		w := want.Properties
		up := &armcdn.RuleUpdatePropertiesParameters{}
		if ch("order") {
			up.Order = w.Order
		}
		if ch("matchProcessingBehavior") {
			up.MatchProcessingBehavior = w.MatchProcessingBehavior
		}
		if ch("conditions") {
			up.Conditions = w.Conditions
		}
		if ch("actions") {
			up.Actions = w.Actions
		}
		return wait(c.Rules.BeginUpdate(ctx, rg, prof, u.RuleSet, u.Rule, armcdn.RuleUpdateParameters{Properties: up}, nil))(ctx, "update rule "+u.Rule)
	case kStaticRoute, kAppRoute:
		r, static := &s.StaticRoute, true
		if o.kind == kAppRoute {
			r, static = s.AppRoute, false
		}
		want := desiredRoute(s, id, r, static)
		if o.create {
			return wait(c.Routes.BeginCreate(ctx, rg, prof, s.Endpoint.Name, r.Name, want, nil))(ctx, "create route "+r.Name)
		}
		w := want.Properties
		up := &armcdn.RouteUpdatePropertiesParameters{}
		if ch("patternsToMatch") {
			up.PatternsToMatch = w.PatternsToMatch
		}
		if ch("originGroup") {
			up.OriginGroup = w.OriginGroup
		}
		if ch("originPath") {
			up.OriginPath = azcore.NullValue[*string]()
		}
		if ch("supportedProtocols") {
			up.SupportedProtocols = w.SupportedProtocols
		}
		if ch("httpsRedirect") {
			up.HTTPSRedirect = w.HTTPSRedirect
		}
		if ch("forwardingProtocol") {
			up.ForwardingProtocol = w.ForwardingProtocol
		}
		if ch("linkToDefaultDomain") {
			up.LinkToDefaultDomain = w.LinkToDefaultDomain
		}
		if ch("enabledState") {
			up.EnabledState = w.EnabledState
		}
		if ch("cacheConfiguration") {
			if o.removed["cacheConfiguration"] {
				up.CacheConfiguration = azcore.NullValue[*armcdn.AfdRouteCacheConfiguration]()
			} else {
				up.CacheConfiguration = w.CacheConfiguration
			}
		}
		if ch("ruleSets") {
			up.RuleSets = w.RuleSets // [] removes every rule set
		}
		return wait(c.Routes.BeginUpdate(ctx, rg, prof, s.Endpoint.Name, r.Name, armcdn.RouteUpdateParameters{Properties: up}, nil))(ctx, "update route "+r.Name)
	}
	return fmt.Errorf("internal: unknown resource kind %d", o.kind)
}

// wait turns a Begin* result into an error, polling the operation to its end.
func wait[T any](pl *runtime.Poller[T], err error) func(ctx context.Context, what string) error {
	return func(ctx context.Context, what string) error {
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := pl.PollUntilDone(ctx, nil); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// Summary is the one-line summary of the plan.
func (p *Plan) Summary() string {
	s := p.Changes.Summary()
	return fmt.Sprintf("%d to create, %d to change", s.Create, s.Modify)
}

// ErrPlanMismatch is returned by CheckSaved when the saved plan shows a
// different review than the plan computed now (the spec changed).
var ErrPlanMismatch = errors.New("the saved plan differs from the plan for this spec; run plan again")

// CheckSaved compares a saved plan (plan -out) with p, computed now from
// a fresh read: a *StaleError when the owned state moved since the
// saved plan was made, ErrPlanMismatch when the review differs.
func (p *Plan) CheckSaved(saved *Changes) error {
	if err := saved.CheckFresh(p.Changes.Fingerprint); err != nil {
		return err
	}
	if saved.Digest() != p.Changes.Digest() {
		return ErrPlanMismatch
	}
	return nil
}

// WriteText renders the plan with the shared plan renderer, followed, for
// a classic profile, by the retirement warning and the migration plan, and
// by the reason when Apply will refuse the plan.
func (p *Plan) WriteText(w io.Writer, opts TextOptions) error {
	var b strings.Builder
	if !p.Classic {
		if err := p.Changes.WriteText(w, opts); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(&b, "Profile %s is Azure CDN Standard from Microsoft (classic, %s): read and planned, never changed.\n", p.Spec.Profile.Name, SKUClassic)
		for _, r := range p.Changes.Resources {
			for _, n := range r.Notes {
				fmt.Fprintf(&b, "  # %s\n", n)
			}
		}
	}
	if p.Blocked != "" {
		fmt.Fprintf(&b, "\nApply is refused: %s\n", p.Blocked)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

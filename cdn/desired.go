package cdn

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
)

// ids computes ARM resource IDs for a spec.
type ids struct{ sub, rg, profile string }

func (i ids) profileID() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Cdn/profiles/%s", i.sub, i.rg, i.profile)
}
func (i ids) endpointID(ep string) string   { return i.profileID() + "/afdEndpoints/" + ep }
func (i ids) originGroupID(g string) string { return i.profileID() + "/originGroups/" + g }
func (i ids) originID(g, o string) string   { return i.originGroupID(g) + "/origins/" + o }
func (i ids) routeID(ep, r string) string   { return i.endpointID(ep) + "/routes/" + r }
func (i ids) ruleSetID(rs string) string    { return i.profileID() + "/ruleSets/" + rs }
func (i ids) ruleID(rs, r string) string    { return i.ruleSetID(rs) + "/rules/" + r }

// HashedNamePattern matches the file names Django's ManifestStaticFilesStorage
// writes: NAME.<12 hex digits>.EXT. The unhashed-file rule applies where it
// does not match.
const HashedNamePattern = `\.[0-9a-f]{12}\.[A-Za-z0-9]+$`

func desiredProfile(s *Spec) armcdn.Profile {
	p := armcdn.Profile{Location: to.Ptr("Global"), SKU: &armcdn.SKU{Name: to.Ptr(armcdn.SKUName(s.Profile.SKU))}}
	if s.Profile.OriginResponseTimeoutSeconds != 0 {
		p.Properties = &armcdn.ProfileProperties{OriginResponseTimeoutSeconds: to.Ptr(s.Profile.OriginResponseTimeoutSeconds)}
	}
	return p
}

func desiredEndpoint(s *Spec) armcdn.AFDEndpoint {
	state := armcdn.EnabledStateEnabled
	if s.Endpoint.Disabled {
		state = armcdn.EnabledStateDisabled
	}
	return armcdn.AFDEndpoint{Location: to.Ptr("Global"), Properties: &armcdn.AFDEndpointProperties{EnabledState: to.Ptr(state)}}
}

func desiredOriginGroup(s *Spec) armcdn.AFDOriginGroup {
	return armcdn.AFDOriginGroup{Properties: &armcdn.AFDOriginGroupProperties{
		HealthProbeSettings: &armcdn.HealthProbeParameters{
			ProbePath:              to.Ptr(s.OriginGroup.ProbePath),
			ProbeProtocol:          to.Ptr(armcdn.ProbeProtocolHTTPS),
			ProbeRequestType:       to.Ptr(armcdn.HealthProbeRequestTypeHEAD),
			ProbeIntervalInSeconds: to.Ptr(s.OriginGroup.ProbeIntervalSeconds),
		},
		LoadBalancingSettings: &armcdn.LoadBalancingSettingsParameters{
			SampleSize: to.Ptr[int32](4), SuccessfulSamplesRequired: to.Ptr[int32](3), AdditionalLatencyInMilliseconds: to.Ptr[int32](50),
		},
	}}
}

func desiredOrigin(s *Spec) armcdn.AFDOrigin {
	return armcdn.AFDOrigin{Properties: &armcdn.AFDOriginProperties{
		HostName:                    to.Ptr(s.Origin.HostName),
		OriginHostHeader:            to.Ptr(s.Origin.OriginHostHeader),
		HTTPPort:                    to.Ptr[int32](80),
		HTTPSPort:                   to.Ptr[int32](443),
		Priority:                    to.Ptr[int32](1),
		Weight:                      to.Ptr[int32](1000),
		EnabledState:                to.Ptr(armcdn.EnabledStateEnabled),
		EnforceCertificateNameCheck: to.Ptr(true),
	}}
}

func desiredRoute(s *Spec, id ids, r *RouteSpec, static bool) armcdn.Route {
	p := &armcdn.RouteProperties{
		PatternsToMatch:     to.SliceOfPtrs(r.Patterns...),
		OriginGroup:         &armcdn.ResourceReference{ID: to.Ptr(id.originGroupID(s.OriginGroup.Name))},
		SupportedProtocols:  []*armcdn.AFDEndpointProtocols{to.Ptr(armcdn.AFDEndpointProtocolsHTTP), to.Ptr(armcdn.AFDEndpointProtocolsHTTPS)},
		HTTPSRedirect:       to.Ptr(armcdn.HTTPSRedirectEnabled),
		ForwardingProtocol:  to.Ptr(armcdn.ForwardingProtocolHTTPSOnly),
		LinkToDefaultDomain: to.Ptr(armcdn.LinkToDefaultDomainEnabled),
		EnabledState:        to.Ptr(armcdn.EnabledStateEnabled),
		RuleSets:            []*armcdn.ResourceReference{},
	}
	if static {
		p.CacheConfiguration = &armcdn.AfdRouteCacheConfiguration{
			QueryStringCachingBehavior: to.Ptr(armcdn.AfdQueryStringCachingBehaviorIgnoreQueryString),
			CompressionSettings: &armcdn.CompressionSettings{
				IsCompressionEnabled:   to.Ptr(true),
				ContentTypesToCompress: to.SliceOfPtrs(r.CompressionTypes...),
			},
		}
		if s.UnhashedRule != nil {
			p.RuleSets = []*armcdn.ResourceReference{{ID: to.Ptr(id.ruleSetID(s.UnhashedRule.RuleSet))}}
		}
	}
	return armcdn.Route{Properties: p}
}

func desiredRule(s *Spec) armcdn.Rule {
	r := s.UnhashedRule
	cc := "public, max-age=" + strconv.Itoa(r.MaxAge)
	return armcdn.Rule{Properties: &armcdn.RuleProperties{
		Order:                   to.Ptr[int32](1),
		MatchProcessingBehavior: to.Ptr(armcdn.MatchProcessingBehaviorContinue),
		Conditions: []armcdn.DeliveryRuleConditionClassification{
			&armcdn.DeliveryRuleURLFileNameCondition{
				Name: to.Ptr(armcdn.MatchVariableURLFileName),
				Parameters: &armcdn.URLFileNameMatchConditionParameters{
					TypeName:        to.Ptr(armcdn.URLFileNameMatchConditionParametersTypeNameDeliveryRuleURLFilenameConditionParameters),
					Operator:        to.Ptr(armcdn.URLFileNameOperatorRegEx),
					MatchValues:     []*string{to.Ptr(HashedNamePattern)},
					NegateCondition: to.Ptr(true),
				},
			},
		},
		Actions: []armcdn.DeliveryRuleActionAutoGeneratedClassification{
			&armcdn.DeliveryRuleRouteConfigurationOverrideAction{
				Name: to.Ptr(armcdn.DeliveryRuleActionRouteConfigurationOverride),
				Parameters: &armcdn.RouteConfigurationOverrideActionParameters{
					TypeName: to.Ptr(armcdn.RouteConfigurationOverrideActionParametersTypeNameDeliveryRuleRouteConfigurationOverrideActionParameters),
					CacheConfiguration: &armcdn.CacheConfiguration{
						CacheBehavior:              to.Ptr(armcdn.RuleCacheBehaviorOverrideAlways),
						CacheDuration:              to.Ptr(durationHMS(r.MaxAge)),
						QueryStringCachingBehavior: to.Ptr(armcdn.RuleQueryStringCachingBehaviorIgnoreQueryString),
						IsCompressionEnabled:       to.Ptr(armcdn.RuleIsCompressionEnabledEnabled),
					},
				},
			},
			&armcdn.DeliveryRuleResponseHeaderAction{
				Name: to.Ptr(armcdn.DeliveryRuleActionModifyResponseHeader),
				Parameters: &armcdn.HeaderActionParameters{
					TypeName:     to.Ptr(armcdn.HeaderActionParametersTypeNameDeliveryRuleHeaderActionParameters),
					HeaderAction: to.Ptr(armcdn.HeaderActionOverwrite),
					HeaderName:   to.Ptr("Cache-Control"),
					Value:        to.Ptr(cc),
				},
			},
		},
	}}
}

// durationHMS formats seconds as Front Door's [d.]hh:mm:ss.
func durationHMS(sec int) string {
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
}

// field is one owned field of a resource: a stable path and its value,
// normalized through JSON so that values compare with ==-like semantics.
type field struct {
	path string
	val  any // nil: absent
}

// norm returns v as JSON-decoded any (nil for nil pointers and empty slices).
func norm(v any) any {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "[]" || string(b) == "{}" {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func sortedStrings(ps []*string) any {
	var out []string
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	sort.Strings(out)
	return norm(out)
}

func lowerID(r *armcdn.ResourceReference) any {
	if r == nil || r.ID == nil {
		return nil
	}
	return strings.ToLower(*r.ID)
}

func profileFields(p *armcdn.Profile, ownTimeout bool) []field {
	var sku any
	if p.SKU != nil {
		sku = norm(p.SKU.Name)
	}
	f := []field{{"sku", sku}}
	if ownTimeout {
		var t any
		if p.Properties != nil {
			t = norm(p.Properties.OriginResponseTimeoutSeconds)
		}
		f = append(f, field{"originResponseTimeoutSeconds", t})
	}
	return f
}

func endpointFields(e *armcdn.AFDEndpoint) []field {
	var st any
	if e.Properties != nil {
		st = norm(e.Properties.EnabledState)
	}
	return []field{{"enabledState", st}}
}

func originGroupFields(g *armcdn.AFDOriginGroup) []field {
	p := g.Properties
	if p == nil {
		p = &armcdn.AFDOriginGroupProperties{}
	}
	return []field{{"healthProbeSettings", norm(p.HealthProbeSettings)}, {"loadBalancingSettings", norm(p.LoadBalancingSettings)}}
}

func originFields(o *armcdn.AFDOrigin) []field {
	p := o.Properties
	if p == nil {
		p = &armcdn.AFDOriginProperties{}
	}
	return []field{
		{"hostName", norm(p.HostName)}, {"originHostHeader", norm(p.OriginHostHeader)},
		{"httpPort", norm(p.HTTPPort)}, {"httpsPort", norm(p.HTTPSPort)},
		{"priority", norm(p.Priority)}, {"weight", norm(p.Weight)},
		{"enabledState", norm(p.EnabledState)}, {"enforceCertificateNameCheck", norm(p.EnforceCertificateNameCheck)},
	}
}

func routeFields(r *armcdn.Route) []field {
	p := r.Properties
	if p == nil {
		p = &armcdn.RouteProperties{}
	}
	var protos []*string
	for _, sp := range p.SupportedProtocols {
		if sp != nil {
			protos = append(protos, to.Ptr(string(*sp)))
		}
	}
	var rs []any
	for _, ref := range p.RuleSets {
		rs = append(rs, lowerID(ref))
	}
	var cache any
	if c := p.CacheConfiguration; c != nil {
		m := map[string]any{"queryStringCachingBehavior": norm(c.QueryStringCachingBehavior)}
		if c.QueryParameters != nil {
			m["queryParameters"] = *c.QueryParameters
		}
		if cs := c.CompressionSettings; cs != nil {
			m["compressionSettings"] = map[string]any{"isCompressionEnabled": norm(cs.IsCompressionEnabled), "contentTypesToCompress": sortedStrings(cs.ContentTypesToCompress)}
		}
		cache = m
	}
	return []field{
		{"patternsToMatch", sortedStrings(p.PatternsToMatch)},
		{"originGroup", lowerID(p.OriginGroup)},
		{"originPath", norm(p.OriginPath)},
		{"supportedProtocols", sortedStrings(protos)},
		{"httpsRedirect", norm(p.HTTPSRedirect)},
		{"forwardingProtocol", norm(p.ForwardingProtocol)},
		{"linkToDefaultDomain", norm(p.LinkToDefaultDomain)},
		{"enabledState", norm(p.EnabledState)},
		{"cacheConfiguration", cache},
		{"ruleSets", norm(rs)},
	}
}

func ruleFields(r *armcdn.Rule) []field {
	p := r.Properties
	if p == nil {
		p = &armcdn.RuleProperties{}
	}
	return []field{
		{"order", norm(p.Order)}, {"matchProcessingBehavior", norm(p.MatchProcessingBehavior)},
		{"conditions", norm(p.Conditions)}, {"actions", norm(p.Actions)},
	}
}

package appservice

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	settingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)
	resName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-()]{0,89}$`)
)

// Validate checks the spec without calling Azure. Every problem is
// reported at once with its position when the spec came from a file.
// Problems that depend on the plan's tier are checked by [Spec.CheckTier]
// (and by Validate when the spec names a SKU).
func (s *Spec) Validate() error {
	var probs []Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Pos: s.pos(field), Field: field, Message: fmt.Sprintf(format, args...)})
	}
	t := s.Target
	for field, v := range map[string]string{"target.resourceGroup": t.ResourceGroup, "target.app": t.App, "target.plan": t.Plan} {
		if v == "" {
			add(field, "expected a name")
		} else if !resName.MatchString(v) {
			add(field, "%q is not a valid Azure resource name", v)
		}
	}
	if c := s.Container; c != nil {
		switch {
		case c.Image == "":
			add("container.image", "expected an image reference like myacr.azurecr.io/app:1.0")
		case strings.ContainsAny(c.Image, " |\t\n"):
			add("container.image", "image reference must not contain spaces or '|'")
		case !strings.Contains(c.Image, ":") && !strings.Contains(c.Image, "@"):
			add("container.image", "pin a tag or digest (%q would deploy whatever :latest is)", c.Image)
		}
		if c.Port != 0 && (c.Port < 1 || c.Port > 65535) {
			add("container.port", "expected a TCP port from 1 to 65535")
		}
		if c.Port != 0 {
			if _, dup := s.AppSettings["WEBSITES_PORT"]; dup {
				add("appSettings[\"WEBSITES_PORT\"]", "set either container.port or appSettings WEBSITES_PORT, not both")
			}
		}
	}
	if v := s.MinTLSVersion; v != "" && v != "1.0" && v != "1.1" && v != "1.2" && v != "1.3" {
		add("minTlsVersion", "expected \"1.0\", \"1.1\", \"1.2\" or \"1.3\"")
	}
	if v := s.FTPSState; v != "" && v != "AllAllowed" && v != "FtpsOnly" && v != "Disabled" {
		add("ftpsState", "expected \"AllAllowed\", \"FtpsOnly\" or \"Disabled\"")
	}
	if p := s.HealthCheckPath; p != nil && *p != "" && !strings.HasPrefix(*p, "/") {
		add("healthCheckPath", "expected a path starting with /")
	}
	for k := range s.AppSettings {
		if !settingName.MatchString(k) {
			add(fmt.Sprintf("appSettings[%s]", quoteKey(k)), "app setting names are letters, digits, '_', '.' and '-' and do not start with a digit")
		}
	}
	del := map[string]bool{}
	for i, k := range s.DeleteAppSettings {
		f := fmt.Sprintf("deleteAppSettings[%d]", i)
		if _, both := s.AppSettings[k]; both {
			add(f, "%q is both set in appSettings and deleted", k)
		}
		if del[k] {
			add(f, "%q is listed twice", k)
		}
		del[k] = true
	}
	seen := map[string]bool{}
	for i, k := range s.StickySettings {
		f := fmt.Sprintf("stickySettings[%d]", i)
		if !settingName.MatchString(k) {
			add(f, "expected an app setting name")
		}
		if seen[k] {
			add(f, "%q is listed twice", k)
		}
		seen[k] = true
	}
	if k := s.SKU; k != nil {
		if _, err := TierOf(k.Name); err != nil {
			add("sku.name", "%v", err)
		}
		if k.Capacity < 0 {
			add("sku.capacity", "expected at least 1 instance")
		}
		if k.AppInstances < 0 {
			add("sku.appInstances", "expected at least 1 instance")
		}
		if k.AppInstances > 0 && (k.PerSiteScaling == nil || !*k.PerSiteScaling) {
			add("sku.appInstances", "a per-app instance count needs \"perSiteScaling\": true (the seed's --number-of-workers is this count, not gunicorn workers)")
		}
		if k.AppInstances > 0 && k.Capacity > 0 && k.AppInstances > k.Capacity {
			add("sku.appInstances", "app instances (%d) exceed the plan's capacity (%d)", k.AppInstances, k.Capacity)
		}
	}
	if a := s.Autoscale; a != nil {
		for _, p := range a.validate(nil) {
			add(p.Field, "%s", p.Message)
		}
		if k := s.SKU; k != nil && k.Capacity > 0 {
			add("sku.capacity", "the autoscale setting owns the instance count; drop sku.capacity or the two fight")
		}
	}
	if ai := s.ApplicationInsights; ai != nil {
		if ai.Name == "" || !resName.MatchString(ai.Name) {
			add("applicationInsights.name", "expected a component name")
		}
		if _, dup := s.AppSettings[ai.setting()]; dup {
			add("applicationInsights.setting", "%s is also set in appSettings", ai.setting())
		}
	}
	if len(probs) == 0 && s.SKU != nil {
		return s.CheckTier(s.SKU.Name)
	}
	if len(probs) > 0 {
		return &SpecError{Problems: probs}
	}
	return nil
}

// CheckTier returns a [*TierError] listing every owned feature the SKU's
// tier does not offer: Always On needs Basic or higher; autoscale, slots
// and per-site scaling need Standard or higher; instance counts are capped
// per tier (Basic 3, Standard 10, Premium 30). It calls nothing.
func (s *Spec) CheckTier(sku string) error {
	tier, err := TierOf(sku)
	if err != nil {
		return &SpecError{Problems: []Problem{{Pos: s.pos("sku.name"), Field: "sku.name", Message: err.Error()}}}
	}
	var probs []Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Pos: s.pos(field), Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if s.AlwaysOn != nil && *s.AlwaysOn && !tier.AlwaysOn {
		add("alwaysOn", "Always On needs the Basic tier or higher; %s is %s", sku, tier.Name)
	}
	if k := s.SKU; k != nil {
		if k.Capacity > tier.MaxInstances {
			add("sku.capacity", "%d instances exceed the %s tier's maximum of %d", k.Capacity, tier.Name, tier.MaxInstances)
		}
		if k.PerSiteScaling != nil && *k.PerSiteScaling && !tier.PerSiteScaling {
			add("sku.perSiteScaling", "per-app scaling needs the Standard tier or higher; %s is %s", sku, tier.Name)
		}
		if k.AppInstances > tier.MaxInstances {
			add("sku.appInstances", "%d instances exceed the %s tier's maximum of %d", k.AppInstances, tier.Name, tier.MaxInstances)
		}
	}
	if a := s.Autoscale; a != nil {
		if !tier.Autoscale {
			add("autoscale", "autoscale needs the Standard tier or higher; %s is %s", sku, tier.Name)
		} else if a.Max > tier.MaxInstances {
			add("autoscale.max", "max %d exceeds the %s tier's maximum of %d instances", a.Max, tier.Name, tier.MaxInstances)
		}
	}
	if len(probs) > 0 {
		return &TierError{SpecError{Problems: probs}}
	}
	return nil
}

// CheckSlots returns a [*TierError] when the SKU's tier has no deployment
// slots or already has as many as it allows (existing counts the app's
// slots besides production).
func CheckSlots(sku string, existing int) error {
	tier, err := TierOf(sku)
	if err != nil {
		return err
	}
	if tier.Slots == 0 {
		return &TierError{SpecError{Problems: []Problem{{Field: "slot", Message: fmt.Sprintf("deployment slots need the Standard tier or higher; %s is %s", sku, tier.Name)}}}}
	}
	if existing >= tier.Slots {
		return &TierError{SpecError{Problems: []Problem{{Field: "slot", Message: fmt.Sprintf("the %s tier allows %d slots per app and %d exist", tier.Name, tier.Slots, existing)}}}}
	}
	return nil
}

package cdn

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Front Door SKUs (armcdn.SKUName values).
const (
	SKUFrontDoorStandard = "Standard_AzureFrontDoor"
	SKUFrontDoorPremium  = "Premium_AzureFrontDoor"
	// SKUClassic is Azure CDN Standard from Microsoft (classic): it can be
	// read and planned, never created.
	SKUClassic = "Standard_Microsoft"
)

// ClassicRetirement is the date Azure CDN Standard from Microsoft
// (classic) and its *.azureedge.net host names retire.
const ClassicRetirement = "2027-09-30"

// DefaultCompressionTypes are the content types the static route
// compresses: text formats and uncompressed fonts. WOFF/WOFF2, images and
// video are compressed already. Front Door rejects compression with an
// empty list ("Compression cannot be enabled when content type to compress
// is empty", azure-cli#28223).
func DefaultCompressionTypes() []string {
	return []string{
		"text/css", "text/javascript", "application/javascript", "application/x-javascript",
		"application/json", "application/manifest+json", "application/xml", "text/xml",
		"text/plain", "text/html", "image/svg+xml", "image/x-icon",
		"font/ttf", "font/otf", "application/vnd.ms-fontobject",
	}
}

// Spec is the desired state of a Front Door Standard/Premium setup for a
// Django app's static files: profile, endpoint, an origin group with a
// HEAD health probe, the App Service origin with an explicit host header,
// a cached /static/* route, and optionally an uncached /* route and a rule
// set that gives unhashed files a short Cache-Control.
type Spec struct {
	// ResourceGroup holds the profile.
	ResourceGroup string `json:"resourceGroup"`
	// Profile is the Front Door profile.
	Profile ProfileSpec `json:"profile"`
	// Endpoint is the endpoint (NAME-HASH.z01.azurefd.net).
	Endpoint EndpointSpec `json:"endpoint"`
	// OriginGroup holds the origin and its health probe.
	OriginGroup OriginGroupSpec `json:"originGroup"`
	// Origin is the App Service app.
	Origin OriginSpec `json:"origin"`
	// StaticRoute is the cached route for static files.
	StaticRoute RouteSpec `json:"staticRoute"`
	// AppRoute, when set, is an uncached route for everything else (/*).
	AppRoute *RouteSpec `json:"appRoute,omitempty"`
	// UnhashedRule, when set, adds a rule set that overrides Cache-Control
	// for files whose names carry no content hash.
	UnhashedRule *UnhashedRuleSpec `json:"unhashedRule,omitempty"`
}

// ProfileSpec is the profile.
type ProfileSpec struct {
	Name string `json:"name"`
	// SKU is Standard_AzureFrontDoor (the default) or Premium_AzureFrontDoor.
	// Standard_Microsoft names an existing classic profile to plan; it is
	// never created.
	SKU string `json:"sku,omitempty"`
	// OriginResponseTimeoutSeconds is how long Front Door waits for the
	// origin (16-240); 0 leaves the service default (60) and is not owned.
	OriginResponseTimeoutSeconds int32 `json:"originResponseTimeoutSeconds,omitempty"`
}

// EndpointSpec is the endpoint.
type EndpointSpec struct {
	Name string `json:"name"`
	// Disabled turns the endpoint off.
	Disabled bool `json:"disabled,omitempty"`
}

// OriginGroupSpec is the origin group and its probe.
type OriginGroupSpec struct {
	// Name defaults to "app-service".
	Name string `json:"name,omitempty"`
	// ProbePath defaults to "/"; point it at a cheap health view.
	ProbePath string `json:"probePath,omitempty"`
	// ProbeIntervalSeconds defaults to 100 (each POP probes; shorter means
	// more load on the app).
	ProbeIntervalSeconds int32 `json:"probeIntervalSeconds,omitempty"`
}

// OriginSpec is the App Service origin.
type OriginSpec struct {
	// Name defaults to "app".
	Name string `json:"name,omitempty"`
	// HostName is the app's host, e.g. "minimalwave.azurewebsites.net".
	HostName string `json:"hostName"`
	// OriginHostHeader is sent as Host to the origin; it defaults to
	// HostName. App Service answers 404 to a host it does not know, and
	// Front Door otherwise forwards the client's host.
	OriginHostHeader string `json:"originHostHeader,omitempty"`
}

// RouteSpec is a route.
type RouteSpec struct {
	// Name defaults to "static" for the static route and "app" for the app route.
	Name string `json:"name,omitempty"`
	// Patterns defaults to ["/static/*"] (static) or ["/*"] (app).
	Patterns []string `json:"patterns,omitempty"`
	// CompressionTypes overrides DefaultCompressionTypes (static route only).
	CompressionTypes []string `json:"compressionTypes,omitempty"`
}

// UnhashedRuleSpec is the rule set for unhashed files.
type UnhashedRuleSpec struct {
	// RuleSet defaults to "staticcache", Rule to "unhashedshort".
	RuleSet string `json:"ruleSet,omitempty"`
	Rule    string `json:"rule,omitempty"`
	// MaxAge is the Cache-Control max-age for unhashed files, 1..3600;
	// 0 means 300.
	MaxAge int `json:"maxAge,omitempty"`
}

// ReadSpec reads and validates a spec file.
func ReadSpec(file string) (*Spec, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return ParseSpec(file, src)
}

const maxSpecSize = 1 << 20

// ParseSpec parses a JSON spec (file names it in errors), fills defaults
// and validates it. Every bad field is reported at once, as an *InputError
// with file:line:col: unknown fields at any depth (names match exactly,
// with a "did you mean"), names given twice, wrong kinds, then invalid
// values. String values are quoted only by the checks of names, hosts and
// paths, never by a decoding error.
func ParseSpec(file string, src []byte) (*Spec, error) {
	var s Spec
	ix, err := decodeStrict(file, src, &s, maxSpecSize)
	if err != nil {
		return nil, err
	}
	s.defaults()
	if errs := s.validate(); len(errs) > 0 {
		for i := range errs {
			errs[i].Pos = ix.position(file, errs[i].Field)
		}
		return nil, &InputError{File: file, Errors: errs}
	}
	return &s, nil
}

// Validate fills defaults and checks a Spec built in code; errors carry
// JSON pointers but no positions.
func (s *Spec) Validate() error {
	s.defaults()
	if errs := s.validate(); len(errs) > 0 {
		return &InputError{Errors: errs}
	}
	return nil
}

func (s *Spec) defaults() {
	if s.Profile.SKU == "" {
		s.Profile.SKU = SKUFrontDoorStandard
	}
	if s.OriginGroup.Name == "" {
		s.OriginGroup.Name = "app-service"
	}
	if s.OriginGroup.ProbePath == "" {
		s.OriginGroup.ProbePath = "/"
	}
	if s.OriginGroup.ProbeIntervalSeconds == 0 {
		s.OriginGroup.ProbeIntervalSeconds = 100
	}
	if s.Origin.Name == "" {
		s.Origin.Name = "app"
	}
	if s.Origin.OriginHostHeader == "" {
		s.Origin.OriginHostHeader = s.Origin.HostName
	}
	if s.StaticRoute.Name == "" {
		s.StaticRoute.Name = "static"
	}
	if len(s.StaticRoute.Patterns) == 0 {
		s.StaticRoute.Patterns = []string{"/static/*"}
	}
	if s.StaticRoute.CompressionTypes == nil {
		s.StaticRoute.CompressionTypes = DefaultCompressionTypes()
	}
	if s.AppRoute != nil {
		if s.AppRoute.Name == "" {
			s.AppRoute.Name = "app"
		}
		if len(s.AppRoute.Patterns) == 0 {
			s.AppRoute.Patterns = []string{"/*"}
		}
	}
	if r := s.UnhashedRule; r != nil {
		if r.RuleSet == "" {
			r.RuleSet = "staticcache"
		}
		if r.Rule == "" {
			r.Rule = "unhashedshort"
		}
		if r.MaxAge == 0 {
			r.MaxAge = 300
		}
	}
}

var (
	// Resource names: letters, digits and hyphens, starting and ending
	// with a letter or digit (Front Door's naming rules).
	nameRe     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,258}[A-Za-z0-9])?$`)
	endpointRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,44}[A-Za-z0-9])?$`)
	// Rule set and rule names: letters and digits, starting with a letter.
	ruleNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,259}$`)
	rgRe       = regexp.MustCompile(`^[-\w._()]{1,90}$`)
	hostRe     = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
	ctRe       = regexp.MustCompile(`^[a-z0-9.+-]+/[a-z0-9.+-]+$`)
)

func (s *Spec) validate() []FieldError {
	var errs []FieldError
	bad := func(ptr, format string, args ...any) {
		errs = append(errs, FieldError{Field: ptr, Msg: fmt.Sprintf(format, args...)})
	}
	if !rgRe.MatchString(s.ResourceGroup) || strings.HasSuffix(s.ResourceGroup, ".") {
		bad("/resourceGroup", "want a resource group name (1-90 letters, digits, _ - . ( )), found %q", s.ResourceGroup)
	}
	if !nameRe.MatchString(s.Profile.Name) {
		bad("/profile/name", "want a profile name (letters, digits, hyphens), found %q", s.Profile.Name)
	}
	switch s.Profile.SKU {
	case SKUFrontDoorStandard, SKUFrontDoorPremium, SKUClassic:
	default:
		bad("/profile/sku", "want %s or %s, found %q", SKUFrontDoorStandard, SKUFrontDoorPremium, s.Profile.SKU)
	}
	if t := s.Profile.OriginResponseTimeoutSeconds; t != 0 && (t < 16 || t > 240) {
		bad("/profile/originResponseTimeoutSeconds", "want 16-240 seconds, found %d", t)
	}
	if !endpointRe.MatchString(s.Endpoint.Name) {
		bad("/endpoint/name", "want an endpoint name (1-46 letters, digits, hyphens), found %q", s.Endpoint.Name)
	}
	if !nameRe.MatchString(s.OriginGroup.Name) {
		bad("/originGroup/name", "want letters, digits and hyphens, found %q", s.OriginGroup.Name)
	}
	if !strings.HasPrefix(s.OriginGroup.ProbePath, "/") || strings.ContainsAny(s.OriginGroup.ProbePath, " ?#") {
		bad("/originGroup/probePath", "want a path starting with /, found %q", s.OriginGroup.ProbePath)
	}
	if iv := s.OriginGroup.ProbeIntervalSeconds; iv < 1 || iv > 255 {
		bad("/originGroup/probeIntervalSeconds", "want 1-255 seconds, found %d", iv)
	}
	if !nameRe.MatchString(s.Origin.Name) {
		bad("/origin/name", "want letters, digits and hyphens, found %q", s.Origin.Name)
	}
	if !hostRe.MatchString(s.Origin.HostName) {
		bad("/origin/hostName", "want a host name such as APP.azurewebsites.net (no scheme, port or path), found %q", s.Origin.HostName)
	}
	if s.Origin.OriginHostHeader != s.Origin.HostName && !hostRe.MatchString(s.Origin.OriginHostHeader) {
		bad("/origin/originHostHeader", "want a host name, found %q", s.Origin.OriginHostHeader)
	}
	validateRoute := func(ptr string, r *RouteSpec, static bool) {
		if !nameRe.MatchString(r.Name) {
			bad(ptr+"/name", "want letters, digits and hyphens, found %q", r.Name)
		}
		for i, p := range r.Patterns {
			if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " ?#") || (strings.Contains(p, "*") && !strings.HasSuffix(p, "/*")) {
				bad(fmt.Sprintf("%s/patterns/%d", ptr, i), "want a path pattern such as /static/* (a * only as the last segment), found %q", p)
			}
		}
		if static {
			if len(r.CompressionTypes) == 0 {
				bad(ptr+"/compressionTypes", "want at least one content type: Front Door rejects compression with an empty list")
			}
			for i, t := range r.CompressionTypes {
				if !ctRe.MatchString(t) {
					bad(fmt.Sprintf("%s/compressionTypes/%d", ptr, i), "want a media type such as text/css, found %q", t)
				}
			}
		} else if r.CompressionTypes != nil {
			bad(ptr+"/compressionTypes", "the app route is uncached, and Front Door compresses only cached routes")
		}
	}
	validateRoute("/staticRoute", &s.StaticRoute, true)
	if s.AppRoute != nil {
		validateRoute("/appRoute", s.AppRoute, false)
		if s.AppRoute.Name == s.StaticRoute.Name {
			bad("/appRoute/name", "must differ from the static route's name %q", s.StaticRoute.Name)
		}
	}
	if r := s.UnhashedRule; r != nil {
		if !ruleNameRe.MatchString(r.RuleSet) {
			bad("/unhashedRule/ruleSet", "want letters and digits, starting with a letter, found %q", r.RuleSet)
		}
		if !ruleNameRe.MatchString(r.Rule) {
			bad("/unhashedRule/rule", "want letters and digits, starting with a letter, found %q", r.Rule)
		}
		if r.MaxAge < 1 || r.MaxAge > ShortMaxAge {
			bad("/unhashedRule/maxAge", "want 1-%d seconds (a short max-age for unhashed files), found %d", ShortMaxAge, r.MaxAge)
		}
	}
	return errs
}

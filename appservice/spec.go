package appservice

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/strictjson"
)

// Position is a place in a desired-state file (file, line, column).
type Position = report.Position

// Spec is the desired state of one App Service app and its plan. A nil
// pointer, an empty string or an empty map means "not owned": deploykit
// neither reads it into the diff nor writes it. Only what the spec sets is
// owned, so there is no noise from fields nobody asked about.
type Spec struct {
	// Target names the app, its plan and the subscription.
	Target Target `json:"target"`
	// Container is the Linux container the app runs.
	Container *Container `json:"container,omitempty"`
	// HTTP2 sets SiteConfig.Http20Enabled.
	HTTP2 *bool `json:"http2,omitempty"`
	// AlwaysOn sets SiteConfig.AlwaysOn (Basic tier or higher).
	AlwaysOn *bool `json:"alwaysOn,omitempty"`
	// MinTLSVersion sets SiteConfig.MinTLSVersion: "1.0", "1.1", "1.2" or "1.3".
	MinTLSVersion string `json:"minTlsVersion,omitempty"`
	// FTPSState sets SiteConfig.FtpsState: "AllAllowed", "FtpsOnly" or "Disabled".
	FTPSState string `json:"ftpsState,omitempty"`
	// HealthCheckPath sets SiteConfig.HealthCheckPath, e.g. "/healthz".
	// Changing it restarts the app.
	HealthCheckPath *string `json:"healthCheckPath,omitempty"`
	// StartupCommand sets SiteConfig.AppCommandLine.
	StartupCommand *string `json:"startupCommand,omitempty"`
	// AppSettings are merged into the app's settings: keys listed here are
	// owned, every other key is kept byte for byte. Values are secrets in
	// every output.
	AppSettings map[string]string `json:"appSettings,omitempty"`
	// DeleteAppSettings are keys to remove. Deletion is always explicit.
	DeleteAppSettings []string `json:"deleteAppSettings,omitempty"`
	// StickySettings are app setting names that stay with their slot on a
	// swap; they are merged into the app's list, never replace it.
	StickySettings []string `json:"stickySettings,omitempty"`
	// SKU is the plan's SKU, capacity and scaling mode.
	SKU *SKU `json:"sku,omitempty"`
	// Autoscale is the plan's autoscale setting.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
	// ApplicationInsights is an optional component whose connection
	// string is put into an app setting.
	ApplicationInsights *AppInsights `json:"applicationInsights,omitempty"`

	file      string
	positions map[string]Position
}

// Target names what deploykit manages.
type Target struct {
	// Subscription is the Azure subscription ID.
	Subscription string `json:"subscription"`
	// ResourceGroup holds the app, its plan and the autoscale setting.
	ResourceGroup string `json:"resourceGroup"`
	// App is the web app name.
	App string `json:"app"`
	// Plan is the App Service plan (serverfarm) name.
	Plan string `json:"plan"`
}

// Container is a Linux container image and how it is pulled and served.
type Container struct {
	// Image is a registry reference, e.g. "myacr.azurecr.io/blog:1.4.2";
	// it becomes LinuxFxVersion "DOCKER|<image>".
	Image string `json:"image"`
	// Port is the container's listening port, written as the WEBSITES_PORT
	// app setting (0: not owned).
	Port int `json:"port,omitempty"`
	// RegistryIdentity pulls the image with a managed identity: "system"
	// for the app's system-assigned identity or the client ID of a
	// user-assigned one ("": not owned).
	RegistryIdentity string `json:"registryIdentity,omitempty"`
}

// SKU is the plan's size.
type SKU struct {
	// Name is the SKU, e.g. "B1", "S1", "P1v3".
	Name string `json:"name"`
	// Capacity is the plan's instance count (0: not owned).
	Capacity int `json:"capacity,omitempty"`
	// PerSiteScaling lets each app choose its instance count (Standard+).
	PerSiteScaling *bool `json:"perSiteScaling,omitempty"`
	// AppInstances is this app's instance count with per-site scaling
	// (SiteConfig.NumberOfWorkers — what the seed's `--number-of-workers`
	// sets; it is not gunicorn's worker count). 0: not owned.
	AppInstances int `json:"appInstances,omitempty"`
}

// AppInsights is an Application Insights component for the app.
type AppInsights struct {
	// Name is the component name in the target's resource group.
	Name string `json:"name"`
	// Location defaults to the plan's location.
	Location string `json:"location,omitempty"`
	// Setting is the app setting that receives the connection string
	// (default APPLICATIONINSIGHTS_CONNECTION_STRING).
	Setting string `json:"setting,omitempty"`
}

// DefaultAppInsightsSetting is the app setting the Application Insights SDKs read.
const DefaultAppInsightsSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING"

func (a *AppInsights) setting() string {
	if a.Setting != "" {
		return a.Setting
	}
	return DefaultAppInsightsSetting
}

// Problem is one invalid field of a desired-state file.
type Problem struct {
	// Pos is where the field is (zero when the spec was built in Go).
	Pos Position
	// Field is the JSON path, e.g. "sku.name" or "autoscale.rules[0].when".
	Field string
	// Message says what was expected.
	Message string
	// Rule is a stable ID for autoscale problems ("AS001"...; see
	// [AutoscaleRules]), "" for the rest.
	Rule string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Pos.IsValid() {
		b.WriteString(p.Pos.String())
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// SpecError lists every problem of a desired state (or of a saved
// [State]) at once.
type SpecError struct {
	Problems []Problem
}

func (e *SpecError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ErrTier is matched (errors.Is) by a [*SpecError] whose problems include a
// feature the plan's tier does not have.
var ErrTier = errors.New("feature not available on the plan's tier")

// TierError is a problem caused by the tier: Always On on Free, autoscale
// or slots below Standard, too many instances.
type TierError struct {
	SpecError
}

// Is makes errors.Is(err, ErrTier) true.
func (e *TierError) Is(target error) bool { return target == ErrTier }

// maxSpecBytes and maxSpecDepth bound what LoadSpec reads.
const (
	maxSpecBytes = 1 << 20
	maxSpecDepth = 16
)

// LoadSpec reads a desired-state JSON file; see [ParseSpec].
func LoadSpec(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("appservice: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("appservice: read %s: %w", path, err)
	}
	return ParseSpec(path, data)
}

// ParseSpec decodes a desired state from JSON. Unknown fields at any
// depth (matched exactly, so a misspelt "alwayson" is an error), fields
// given twice, wrong types and invalid values are all reported at once in
// a [*SpecError] whose problems name file:line:col, the field and what was
// expected. Values of app settings never appear in errors.
func ParseSpec(file string, data []byte) (*Spec, error) {
	var s Spec
	ix, err := strictjson.Decode(file, data, &s, &strictjson.Options{MaxBytes: maxSpecBytes, MaxDepth: maxSpecDepth})
	if err != nil {
		return nil, specError(err)
	}
	s.file, s.positions = file, fieldPositions(ix)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// specError turns strictjson's problems into a [*SpecError]: fields named
// as in the rest of appservice (`sku.name`, `appSettings["KEY"]`).
func specError(err error) error {
	var se *strictjson.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("appservice: %w", err)
	}
	probs := make([]Problem, len(se.Problems))
	for i, p := range se.Problems {
		probs[i] = Problem{Pos: p.Pos, Field: p.Path.Dotted(), Message: p.Message}
	}
	return &SpecError{Problems: probs}
}

// fieldPositions maps the path of every value to where its name (or, for
// an array element and the root, the value) is, for problems found by
// Validate.
func fieldPositions(ix *strictjson.Index) map[string]Position {
	m := make(map[string]Position, ix.Len())
	for i := range ix.Len() {
		if p := ix.Path(i).Dotted(); m[p] == (Position{}) {
			m[p] = ix.NamePos(i)
		}
	}
	return m
}

// pos returns the position of a JSON path, or of its nearest parent (a
// missing field is placed at the object that lacks it).
func (s *Spec) pos(path string) Position {
	for p := path; s.positions != nil; {
		if pos, ok := s.positions[p]; ok {
			return pos
		}
		if p == "" {
			break
		}
		i := strings.LastIndexAny(p, ".[")
		p = p[:max(i, 0)]
	}
	return Position{File: s.file}
}

func quoteKey(k string) string {
	b, _ := json.Marshal(k)
	return string(b)
}

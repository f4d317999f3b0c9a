package appservice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/textdist"
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
	positions map[string]int64
	data      []byte
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

// SpecError lists every problem of a desired state at once.
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

// ParseSpec decodes a desired state from JSON. Unknown fields (matched
// exactly, so a misspelt "alwayson" is an error), wrong types and invalid
// values are all reported at once in a [*SpecError] whose problems name
// file:line:col, the field and what was expected. Values of app settings
// never appear in errors.
func ParseSpec(file string, data []byte) (*Spec, error) {
	if len(data) > maxSpecBytes {
		return nil, &SpecError{Problems: []Problem{{Pos: Position{File: file, Line: 1, Column: 1}, Message: fmt.Sprintf("file is larger than %d bytes", maxSpecBytes)}}}
	}
	w := &walker{data: data, file: file, positions: map[string]int64{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w.dec = dec
	w.value(reflect.TypeOf(Spec{}), "", 0)
	if w.fatal == nil {
		if _, err := dec.Token(); err != io.EOF {
			w.problem(dec.InputOffset(), "", "expected end of file after the top-level object")
		}
	}
	if len(w.problems) > 0 {
		return nil, &SpecError{Problems: w.problems}
	}
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		// The walker checked types; this is a value out of range (an int overflow).
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &SpecError{Problems: []Problem{{Pos: offsetPos(file, data, te.Offset), Field: te.Field, Message: "expected " + te.Type.String()}}}
		}
		return nil, &SpecError{Problems: []Problem{{Pos: Position{File: file}, Message: "invalid JSON"}}}
	}
	s.file, s.positions, s.data = file, w.positions, data
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// pos returns the position of a JSON path, or of its nearest parent.
func (s *Spec) pos(path string) Position {
	if s.positions == nil {
		return Position{File: s.file}
	}
	for p := path; ; {
		if off, ok := s.positions[p]; ok {
			return offsetPos(s.file, s.data, off)
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return Position{File: s.file}
		}
		p = p[:i]
	}
}

func offsetPos(file string, data []byte, off int64) Position {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Position{File: file, Line: line, Column: col}
}

// walker checks a JSON document against a Go type token by token, so
// that every problem has an exact position.
type walker struct {
	dec       *json.Decoder
	data      []byte
	file      string
	positions map[string]int64
	problems  []Problem
	fatal     error
}

func (w *walker) problem(off int64, field, msg string) {
	w.problems = append(w.problems, Problem{Pos: offsetPos(w.file, w.data, off), Field: field, Message: msg})
}

// tokenStart finds where the token that ended at off began (skipping back
// over a string literal or a bare word).
func (w *walker) tokenStart(off int64) int64 {
	i := off - 1
	if i < 0 || i >= int64(len(w.data)) {
		return off
	}
	if w.data[i] == '"' {
		for j := i - 1; j >= 0; j-- {
			if w.data[j] == '"' {
				k, bs := j-1, 0
				for k >= 0 && w.data[k] == '\\' {
					bs++
					k--
				}
				if bs%2 == 0 {
					return j
				}
			}
		}
		return 0
	}
	j := i
	for j > 0 && !strings.ContainsRune(" \t\r\n,:[{", rune(w.data[j-1])) {
		j--
	}
	return j
}

func (w *walker) next() (json.Token, int64, bool) {
	if w.fatal != nil {
		return nil, 0, false
	}
	tok, err := w.dec.Token()
	off := w.dec.InputOffset()
	if err != nil {
		w.fatal = err
		msg := "invalid JSON"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
			msg = "invalid JSON: " + strings.TrimPrefix(se.Error(), "json: ")
		} else if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of file"
		}
		w.problem(off, "", msg)
		return nil, off, false
	}
	return tok, w.tokenStart(off), true
}

func kindName(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	}
	return t.String()
}

// skip consumes the rest of a value whose first token was tok.
func (w *walker) skip(tok json.Token) {
	d, ok := tok.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return
	}
	for depth := 1; depth > 0; {
		t, _, ok := w.next()
		if !ok {
			return
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
}

func (w *walker) value(t reflect.Type, path string, depth int) {
	tok, off, ok := w.next()
	if !ok {
		return
	}
	w.checkValue(t, path, depth, tok, off)
}

func (w *walker) checkValue(t reflect.Type, path string, depth int, tok json.Token, off int64) {
	if depth > maxSpecDepth {
		w.problem(off, path, fmt.Sprintf("nested deeper than %d levels", maxSpecDepth))
		w.fatal = errors.New("too deep")
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if tok == nil {
			return // null for an optional field: not owned
		}
	}
	if _, ok := w.positions[path]; !ok && path != "" {
		w.positions[path] = off
	}
	mismatch := func() {
		what := kindName(tok)
		w.problem(off, path, "expected "+expected(t)+", found "+what)
		w.skip(tok)
	}
	switch t.Kind() {
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			mismatch()
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			fields[tag] = f.Type
			names = append(names, tag)
		}
		sort.Strings(names)
		seen := map[string]bool{}
		for {
			kt, koff, ok := w.next()
			if !ok {
				return
			}
			if d, ok := kt.(json.Delim); ok && d == '}' {
				return
			}
			key, _ := kt.(string)
			sub := join(path, key)
			ft, known := fields[key]
			if !known {
				msg := fmt.Sprintf("unknown field %q", key)
				if s := suggest(key, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += " (expected one of: " + strings.Join(names, ", ") + ")"
				}
				w.problem(koff, sub, msg)
				vt, _, ok := w.next()
				if !ok {
					return
				}
				w.skip(vt)
				continue
			}
			if seen[key] {
				w.problem(koff, sub, "duplicate field")
			}
			seen[key] = true
			w.positions[sub] = koff
			w.value(ft, sub, depth+1)
		}
	case reflect.Map:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			mismatch()
			return
		}
		seen := map[string]bool{}
		for {
			kt, koff, ok := w.next()
			if !ok {
				return
			}
			if d, ok := kt.(json.Delim); ok && d == '}' {
				return
			}
			key, _ := kt.(string)
			sub := path + "[" + quoteKey(key) + "]"
			if seen[key] {
				w.problem(koff, sub, "duplicate key")
			}
			seen[key] = true
			w.positions[sub] = koff
			w.value(t.Elem(), sub, depth+1)
		}
	case reflect.Slice:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			mismatch()
			return
		}
		for i := 0; ; i++ {
			et, eoff, ok := w.next()
			if !ok {
				return
			}
			if d, ok := et.(json.Delim); ok && d == ']' {
				return
			}
			w.checkValue(t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1, et, eoff)
		}
	case reflect.String:
		if _, ok := tok.(string); !ok {
			mismatch()
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			mismatch()
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			mismatch()
			return
		}
		if _, err := n.Int64(); err != nil {
			w.problem(off, path, "expected an integer, found "+string(n))
		}
	case reflect.Float64:
		if _, ok := tok.(json.Number); !ok {
			mismatch()
		}
	default:
		w.skip(tok)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func quoteKey(k string) string {
	b, _ := json.Marshal(k)
	return string(b)
}

// suggest returns the known name closest to key when it is close enough.
func suggest(key string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
		if d := textdist.Distance(strings.ToLower(key), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

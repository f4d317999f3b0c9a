package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// SchemaVersion is the version of the JSON schema [Plan.WriteJSON] writes.
// It changes only when a field is removed or changes meaning; new fields may
// appear without a change.
const SchemaVersion = "1"

// Action is what-if's change type for a resource or a field.
type Action string

// The change types, named as in ARM what-if.
const (
	// Create: the resource (or field, or map key) does not exist yet.
	Create Action = "Create"
	// Modify: it exists and some owned value differs.
	Modify Action = "Modify"
	// Delete: it exists and the desired state removes it explicitly.
	Delete Action = "Delete"
	// NoChange: it exists and every owned value matches.
	NoChange Action = "NoChange"
)

// Symbol is the one-character prefix used in text output, as in Terraform
// and what-if: "+" create, "~" modify, "-" delete, "=" no change.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Modify:
		return "~"
	case Delete:
		return "-"
	case NoChange:
		return "="
	}
	return "?"
}

func (a Action) valid() bool {
	switch a {
	case Create, Modify, Delete, NoChange:
		return true
	}
	return false
}

// Address names one resource.
type Address struct {
	// Type is the ARM resource type, e.g. "Microsoft.Web/sites/config".
	Type string `json:"type"`
	// Name is a short human name, e.g. "minimalwave-app/web".
	Name string `json:"name"`
	// ID is the full ARM resource ID when known.
	ID string `json:"id,omitempty"`
}

// String is "Type.Name", the form text output uses.
func (a Address) String() string { return a.Type + "." + a.Name }

// Cost is a change of the monthly bill.
type Cost struct {
	// MonthlyDelta is new minus old monthly cost, in Currency.
	MonthlyDelta float64 `json:"monthly_delta"`
	// Currency is an ISO 4217 code, e.g. "USD".
	Currency string `json:"currency"`
	// Basis says where the prices came from (table, region and date).
	Basis string `json:"basis,omitempty"`
	// UsageBased marks a cost that depends on usage (e.g. per GB
	// ingested) and has no fixed monthly delta; MonthlyDelta is then 0.
	UsageBased bool `json:"usage_based,omitempty"`
}

func (c *Cost) text() string {
	if c.UsageBased {
		return "changes cost (usage-based)"
	}
	return "changes cost " + money(c.MonthlyDelta, c.Currency) + "/month"
}

// FieldChange is one owned field whose value changes.
type FieldChange struct {
	// Path names the field, e.g. "alwaysOn" or `appSettings["WEBSITES_PORT"]`.
	Path string
	// Action is Create (field or key added), Modify or Delete (removed).
	Action Action
	// Old is the current value (nil when Action is Create).
	Old any
	// New is the desired value (nil when Action is Delete).
	New any
	// Sensitive masks Old and New in every rendering: text shows
	// "(sensitive value)" unless [TextOptions.RevealSensitive] is set, and
	// JSON never carries them.
	Sensitive bool
	// Restarts marks a change that restarts the app.
	Restarts bool
	// Note is an optional short explanation shown after the value.
	Note string
}

// ResourceChange is the planned change of one resource.
type ResourceChange struct {
	// Address names the resource.
	Address Address
	// Action is the resource's change type.
	Action Action
	// Fields are the owned fields that change, in the order given.
	Fields []FieldChange
	// Unchanged is the number of owned fields that already match; text
	// output shows it as "# (N unchanged attributes hidden)".
	Unchanged int
	// Cost is set when the change alters the monthly bill.
	Cost *Cost
	// Notes are warnings or explanations shown under the resource.
	Notes []string
}

// Restarts reports whether any field change restarts the app.
func (r ResourceChange) Restarts() bool {
	for _, f := range r.Fields {
		if f.Restarts {
			return true
		}
	}
	return false
}

// Plan is a reviewable diff of owned resources.
type Plan struct {
	// Tool names the producer, e.g. "deploykit/appservice".
	Tool string
	// Fingerprint identifies the state the plan was computed from; see
	// [Fingerprint] and [Plan.CheckFresh].
	Fingerprint string
	// Resources are the planned changes, NoChange entries included.
	Resources []ResourceChange
}

// Summary counts resources by change type.
type Summary struct {
	Create   int `json:"create"`
	Modify   int `json:"modify"`
	Delete   int `json:"delete"`
	NoChange int `json:"no_change"`
}

// Summary counts the plan's resources by change type.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, r := range p.Resources {
		switch r.Action {
		case Create:
			s.Create++
		case Modify:
			s.Modify++
		case Delete:
			s.Delete++
		case NoChange:
			s.NoChange++
		}
	}
	return s
}

// HasChanges reports whether any resource is created, modified or deleted.
func (p *Plan) HasChanges() bool {
	s := p.Summary()
	return s.Create+s.Modify+s.Delete > 0
}

// MonthlyDelta sums the cost deltas of all changes, by currency.
func (p *Plan) MonthlyDelta() map[string]float64 {
	out := map[string]float64{}
	for _, r := range p.Resources {
		if r.Cost != nil && r.Action != NoChange {
			out[r.Cost.Currency] += r.Cost.MonthlyDelta
		}
	}
	return out
}

// Fingerprint hashes what a plan was computed from. Callers pass canonical
// bytes of every owned resource they read (for example their JSON
// encoding), in a fixed order; a missing resource should be passed as a
// distinct marker such as "absent:<id>". The result is "sha256:<hex>".
// Parts are length-prefixed, so ("ab","c") and ("a","bc") differ.
func Fingerprint(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// ErrStale is matched (errors.Is) by every [*StaleError].
var ErrStale = errors.New("saved plan is stale")

// StaleError says that the resources changed after the plan was made.
type StaleError struct {
	// Planned is the fingerprint stored in the plan.
	Planned string
	// Current is the fingerprint of the state read now.
	Current string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("saved plan is stale: the resources changed since it was made (planned %s, now %s); run plan again", short(e.Planned), short(e.Current))
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

func short(fp string) string {
	if len(fp) > 19 {
		return fp[:19]
	}
	return fp
}

// CheckFresh returns a [*StaleError] unless current equals the plan's
// fingerprint.
func (p *Plan) CheckFresh(current string) error {
	if p.Fingerprint == "" || p.Fingerprint != current {
		return &StaleError{Planned: p.Fingerprint, Current: current}
	}
	return nil
}

// Digest hashes the plan's reviewable content: addresses, change types,
// paths and non-sensitive values (sensitive values are represented by
// their presence only, so the digest never depends on a secret). Two plans
// with the same digest show the same review.
func (p *Plan) Digest() string {
	var b strings.Builder
	_ = json.NewEncoder(&b).Encode(p.jsonView())
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ExitCode maps a plan outcome to Terraform's exit codes: 1 when err is
// not nil; with detailed, 2 when the plan has changes and 0 when it has
// none; without detailed, 0.
func ExitCode(p *Plan, err error, detailed bool) int {
	if err != nil {
		return 1
	}
	if detailed && p != nil && p.HasChanges() {
		return 2
	}
	return 0
}

// Validate checks that every change type is known and consistent: a
// NoChange resource has no field changes, a Modify has at least one.
func (p *Plan) Validate() error {
	var errs []error
	for i, r := range p.Resources {
		if !r.Action.valid() {
			errs = append(errs, fmt.Errorf("resources[%d] %s: unknown action %q", i, r.Address, r.Action))
		}
		if r.Action == NoChange && len(r.Fields) > 0 {
			errs = append(errs, fmt.Errorf("resources[%d] %s: NoChange with %d field changes", i, r.Address, len(r.Fields)))
		}
		if r.Action == Modify && len(r.Fields) == 0 {
			errs = append(errs, fmt.Errorf("resources[%d] %s: Modify without field changes", i, r.Address))
		}
		for j, f := range r.Fields {
			if !f.Action.valid() || f.Action == NoChange {
				errs = append(errs, fmt.Errorf("resources[%d].fields[%d] %s: bad action %q", i, j, f.Path, f.Action))
			}
		}
	}
	return errors.Join(errs...)
}

// SortFields orders each resource's field changes by path, for callers
// whose diff walks a map.
func (p *Plan) SortFields() {
	for i := range p.Resources {
		sort.SliceStable(p.Resources[i].Fields, func(a, b int) bool {
			return p.Resources[i].Fields[a].Path < p.Resources[i].Fields[b].Path
		})
	}
}

// WriteText renders the plan in Terraform's style: a legend, one block per
// changed resource with "+", "~" and "-" lines, old → new values, marks for
// restarts and cost, and a one-line summary.
func (p *Plan) WriteText(w io.Writer, opts TextOptions) error {
	ew := &errWriter{w: w}
	if !p.HasChanges() {
		ew.printf("No changes. The owned settings match the desired state.\n")
		if opts.ShowUnchanged {
			for _, r := range p.Resources {
				ew.printf("  = %s\n", r.Address)
			}
		}
		return ew.err
	}
	ew.printf("deploykit will perform the following actions (+ create, ~ update in-place, - destroy):\n")
	for _, r := range p.Resources {
		if r.Action == NoChange {
			if opts.ShowUnchanged {
				ew.printf("\n  = %s (no changes)\n", r.Address)
			}
			continue
		}
		ew.printf("\n  # %s will be %s", r.Address, verb(r.Action))
		var marks []string
		if r.Restarts() {
			marks = append(marks, "restarts the app")
		}
		if r.Cost != nil {
			marks = append(marks, r.Cost.text())
		}
		if len(marks) > 0 {
			ew.printf(" [%s]", strings.Join(marks, "; "))
		}
		ew.printf("\n  %s %s {\n", r.Action.Symbol(), r.Address)
		for _, f := range r.Fields {
			ew.printf("      %s %s", f.Action.Symbol(), f.Path)
			old, nw := render(f.Old, f.Sensitive, opts), render(f.New, f.Sensitive, opts)
			switch f.Action {
			case Create:
				ew.printf(" = %s", nw)
			case Delete:
				ew.printf(" = %s -> null", old)
			default:
				ew.printf(" = %s -> %s", old, nw)
			}
			if f.Restarts {
				ew.printf("  # restarts the app")
			}
			if f.Note != "" {
				ew.printf("  # %s", f.Note)
			}
			ew.printf("\n")
		}
		if r.Unchanged > 0 {
			ew.printf("        # (%d unchanged attributes hidden)\n", r.Unchanged)
		}
		ew.printf("    }\n")
		if r.Cost != nil && r.Cost.Basis != "" {
			ew.printf("    # cost basis: %s\n", r.Cost.Basis)
		}
		for _, n := range r.Notes {
			ew.printf("    # note: %s\n", n)
		}
	}
	s := p.Summary()
	ew.printf("\nPlan: %d to create, %d to change, %d to destroy.", s.Create, s.Modify, s.Delete)
	deltas := p.MonthlyDelta()
	cur := make([]string, 0, len(deltas))
	for c := range deltas {
		cur = append(cur, c)
	}
	sort.Strings(cur)
	for _, c := range cur {
		ew.printf(" Cost: %s/month.", money(deltas[c], c))
	}
	ew.printf("\n")
	return ew.err
}

// TextOptions tune [Plan.WriteText].
type TextOptions struct {
	// RevealSensitive prints sensitive values instead of
	// "(sensitive value)". Off by default; never set it in CI logs.
	RevealSensitive bool
	// ShowUnchanged lists NoChange resources too.
	ShowUnchanged bool
}

func verb(a Action) string {
	switch a {
	case Create:
		return "created"
	case Delete:
		return "destroyed"
	}
	return "updated in-place"
}

func money(v float64, cur string) string {
	sign := "+"
	if v < 0 {
		sign = "-"
		v = -v
	}
	if cur == "USD" {
		return fmt.Sprintf("%s$%.2f", sign, v)
	}
	return fmt.Sprintf("%s%.2f %s", sign, v, cur)
}

// render prints a value as Terraform does: strings quoted, null for nil.
func render(v any, sensitive bool, opts TextOptions) string {
	if sensitive && !opts.RevealSensitive {
		return "(sensitive value)"
	}
	if v == nil {
		return "null"
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // show "a > b", not "a \u003e b"
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

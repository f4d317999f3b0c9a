package plan

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/deploykit/deploykit/internal/strictjson"
)

// The JSON schema (version 1). Field names are snake_case and stable.
// Sensitive fields carry "sensitive": true and never "old" or "new".
type jsonPlan struct {
	SchemaVersion string             `json:"schema_version"`
	Tool          string             `json:"tool"`
	Fingerprint   string             `json:"fingerprint"`
	Digest        string             `json:"digest,omitempty"`
	Summary       Summary            `json:"summary"`
	MonthlyDelta  map[string]float64 `json:"monthly_delta"`
	Resources     []jsonResource     `json:"resources"`
}

type jsonResource struct {
	Address   Address     `json:"address"`
	Action    Action      `json:"action"`
	Restarts  bool        `json:"restarts"`
	Cost      *Cost       `json:"cost,omitempty"`
	Unchanged int         `json:"unchanged"`
	Notes     []string    `json:"notes,omitempty"`
	Fields    []jsonField `json:"fields"`
}

type jsonField struct {
	Path      string `json:"path"`
	Action    Action `json:"action"`
	Old       any    `json:"old,omitempty"`
	New       any    `json:"new,omitempty"`
	Sensitive bool   `json:"sensitive"`
	Restarts  bool   `json:"restarts"`
	Note      string `json:"note,omitempty"`
}

func (p *Plan) jsonView() jsonPlan {
	out := jsonPlan{
		SchemaVersion: SchemaVersion,
		Tool:          p.Tool,
		Fingerprint:   p.Fingerprint,
		Summary:       p.Summary(),
		MonthlyDelta:  p.MonthlyDelta(),
		Resources:     make([]jsonResource, 0, len(p.Resources)),
	}
	for _, r := range p.Resources {
		jr := jsonResource{Address: r.Address, Action: r.Action, Restarts: r.Restarts(), Cost: r.Cost,
			Unchanged: r.Unchanged, Notes: r.Notes, Fields: make([]jsonField, 0, len(r.Fields))}
		for _, f := range r.Fields {
			jf := jsonField{Path: f.Path, Action: f.Action, Sensitive: f.Sensitive, Restarts: f.Restarts, Note: f.Note}
			if !f.Sensitive {
				jf.Old, jf.New = f.Old, f.New
			}
			jr.Fields = append(jr.Fields, jf)
		}
		out.Resources = append(out.Resources, jr)
	}
	return out
}

// WriteJSON writes the plan as one indented JSON document (schema version
// [SchemaVersion]) with its digest. Sensitive values are never written.
func (p *Plan) WriteJSON(w io.Writer) error {
	v := p.jsonView()
	v.Digest = p.Digest()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// maxJSONBytes bounds what ReadJSON reads.
const maxJSONBytes = 64 << 20

// ReadJSON reads a plan written by [Plan.WriteJSON]. It decodes through
// internal/strictjson: unknown names at any depth, a name given twice in
// one object, wrong kinds and out-of-range numbers are all reported at once
// as an [*strictjson.Error] (wrapped), each at file:line:col with its JSON
// pointer, and values are never quoted; 64 MiB and 64 levels of nesting at
// most. The file is named by r's Name method (an *os.File) or "plan.json".
// The schema version must match (a plan of another version says so rather
// than listing its unknown names), and the stored digest must match the
// content (a hand-edited plan is refused). Sensitive values come back
// as nil: a saved plan is for review and freshness checks; apply recomputes
// the values from the desired state and compares digests.
func ReadJSON(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("plan: read: %w", err)
	}
	name := "plan.json"
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		name = n.Name()
	}
	var v jsonPlan
	if _, err := strictjson.Decode(name, data, &v, &strictjson.Options{MaxBytes: maxJSONBytes}); err != nil {
		var head struct {
			SchemaVersion string `json:"schema_version"`
		}
		// Only to choose the message: a plan of another schema version.
		if len(data) <= maxJSONBytes && json.Unmarshal(data, &head) == nil && head.SchemaVersion != "" && head.SchemaVersion != SchemaVersion {
			return nil, fmt.Errorf("plan: %s: schema_version %q, want %q", name, head.SchemaVersion, SchemaVersion)
		}
		return nil, fmt.Errorf("plan: decode: %w", err)
	}
	if v.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("plan: schema_version %q, want %q", v.SchemaVersion, SchemaVersion)
	}
	p := &Plan{Tool: v.Tool, Fingerprint: v.Fingerprint}
	for _, jr := range v.Resources {
		r := ResourceChange{Address: jr.Address, Action: jr.Action, Cost: jr.Cost, Unchanged: jr.Unchanged, Notes: jr.Notes}
		for _, jf := range jr.Fields {
			r.Fields = append(r.Fields, FieldChange(jf))
		}
		p.Resources = append(p.Resources, r)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if v.Digest != "" && v.Digest != p.Digest() {
		return nil, fmt.Errorf("plan: digest mismatch: the file was edited after it was written")
	}
	return p, nil
}

package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// ReadJSON reads a plan written by [Plan.WriteJSON]. Unknown fields are
// rejected, the schema version must match, and the stored digest must match
// the content (a hand-edited plan is refused). Sensitive values come back
// as nil: a saved plan is for review and freshness checks; apply recomputes
// the values from the desired state and compares digests.
func ReadJSON(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("plan: read: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var v jsonPlan
	if err := dec.Decode(&v); err != nil {
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

package workflow

import "strings"

// CacheStep is one actions/cache, actions/cache/restore or actions/cache/save
// step of a workflow, with its inputs as written: expressions such as
// ${{ hashFiles('poetry.lock') }} are not evaluated (cache.EvalKey does
// that), so a caller can compute the exact key the runner would.
type CacheStep struct {
	// Job is the ID of the job the step belongs to.
	Job string
	// Name is the step's name: its name:, else its id:, else the action.
	Name string
	// ID is the step's id: ("" when it has none); outputs such as
	// steps.ID.outputs.cache-hit refer to it.
	ID string
	// Action is "actions/cache", "actions/cache/restore" or
	// "actions/cache/save" (lower case, without the @ref).
	Action string
	// Ref is the version the step pins ("v4", a commit SHA), "" when none.
	Ref string
	// Pos is where the step starts (its first key, just after the "- ").
	Pos Position
	// Paths are the lines of the path input, trimmed, blank lines dropped,
	// in order; exclusions keep their leading "!".
	Paths []string
	// Key is the key input, trimmed of surrounding white space ("" when
	// the step has none).
	Key string
	// KeyPos is where the key's value starts (the step's position when it
	// has no key).
	KeyPos Position
	// RestoreKeys are the lines of the restore-keys input, trimmed, blank
	// lines dropped, in order (nil when it has none).
	RestoreKeys []string
	// HoldsVenv reports whether a cached path holds files bound to one
	// Python interpreter (a virtualenv, a pip --target tree, the
	// interpreter's site-packages) given the job's installers and their
	// configuration: the deploy rules' own judgement (WF006, WF007, WF010).
	HoldsVenv bool
}

// CacheSteps parses one workflow file and lists its cache steps, jobs in
// source order and steps in order. A file that is not a workflow gives the
// same errors as Parse (a *ParseError naming file:line:col, or ErrTooLarge).
func CacheSteps(file string, src []byte) ([]CacheStep, error) {
	w, err := Parse(File{Name: file, Data: src})
	if err != nil {
		return nil, err
	}
	return w.CacheSteps(), nil
}

// CacheSteps lists the workflow's cache steps (see the function
// CacheSteps).
func (w *Workflow) CacheSteps() []CacheStep {
	m := w.m
	var out []CacheStep
	for _, j := range m.jobs {
		for _, s := range j.steps {
			if !s.isAction("actions/cache", "actions/cache/restore", "actions/cache/save") {
				continue
			}
			cs := CacheStep{Job: j.id, Action: s.uses, Ref: s.ref, Pos: m.stepPos(s)}
			if s.a.ID != nil {
				cs.ID = s.a.ID.Value
			}
			switch {
			case s.a.Name != nil && s.a.Name.Value != "":
				cs.Name = s.a.Name.Value
			case cs.ID != "":
				cs.Name = cs.ID
			default:
				cs.Name = s.uses
			}
			cs.KeyPos = cs.Pos
			if k, ok := s.input("key"); ok {
				cs.Key = strings.TrimSpace(k.Value)
				lead := len(k.Value) - len(strings.TrimLeft(k.Value, " \t\r\n"))
				cs.KeyPos = m.posOf(k, lead)
			}
			if p, ok := s.input("path"); ok {
				for _, l := range m.valueLines(p) {
					cs.Paths = append(cs.Paths, l.text)
					cs.HoldsVenv = cs.HoldsVenv || m.isVenvPath(j, l.text)
				}
			}
			if r, ok := s.input("restore-keys"); ok {
				for _, l := range m.valueLines(r) {
					cs.RestoreKeys = append(cs.RestoreKeys, l.text)
				}
			}
			out = append(out, cs)
		}
	}
	return out
}

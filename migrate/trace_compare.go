package migrate

import (
	"fmt"
	"strings"
)

// Agreement is how a static finding fared against a trace.
type Agreement string

// The agreements of a Comparison.
const (
	// AgreementConfirmed: every lock/rewrite/scan claim of the finding was
	// observed.
	AgreementConfirmed Agreement = "confirmed"
	// AgreementRefuted: the trace contradicts at least one claim (a
	// different lock, no rewrite where one was predicted, or the reverse).
	AgreementRefuted Agreement = "refuted"
	// AgreementUnverifiable: the finding makes no claim a trace can check
	// (backward compatibility, style), or its statement was not traced.
	AgreementUnverifiable Agreement = "unverifiable"
	// AgreementUnpredicted: the trace saw a rewrite or scan of an existing
	// table that no finding predicted.
	AgreementUnpredicted Agreement = "unpredicted"
)

// Comparison sets one static finding (or one unpredicted observation)
// against the trace of its statement.
type Comparison struct {
	// Line and Column of the statement.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Rule is the finding's rule ID, "" for an unpredicted observation.
	Rule string `json:"rule,omitempty"`
	// Claim is what the static analysis said ("ACCESS EXCLUSIVE on
	// blog_post, rewrite"), Observed what the trace saw.
	Claim     string    `json:"claim,omitempty"`
	Observed  string    `json:"observed"`
	Agreement Agreement `json:"agreement"`
}

// CompareTrace confirms or refutes each finding of static with the trace
// of the same file. A finding belongs to the statement that starts at its
// line and column (or the last statement starting before it). Observed
// rewrites and scans that no finding of that statement predicted are added
// as AgreementUnpredicted.
func CompareTrace(static *FileReport, tr *TraceReport) []Comparison {
	if static == nil || tr == nil {
		return nil
	}
	var out []Comparison
	predicted := map[int]map[string]bool{} // statement -> "rewrite:rel"/"scan:rel"
	for _, f := range static.Findings {
		idx := statementFor(tr.Statements, f.Pos.Line, f.Pos.Column)
		c := Comparison{Line: f.Pos.Line, Column: f.Pos.Column, Rule: f.Rule, Claim: describeClaim(f)}
		if idx < 0 {
			c.Agreement, c.Observed = AgreementUnverifiable, "no statement at this position"
			out = append(out, c)
			continue
		}
		ts := &tr.Statements[idx]
		c.Line, c.Column = ts.Line, ts.Column
		if ts.Status != TraceTraced {
			c.Agreement, c.Observed = AgreementUnverifiable, "statement "+string(ts.Status)
			out = append(out, c)
			continue
		}
		if predicted[idx] == nil {
			predicted[idx] = map[string]bool{}
		}
		var confirmed, refuted []string
		rel := f.Relation
		var notes []string
		if f.Lock != "" && rel != "" {
			own := locksOn(ts, rel)
			heldMode, heldLine := heldBefore(tr, idx, rel)
			switch {
			case containsMode(own, f.Lock):
				confirmed = append(confirmed, f.Lock+" on "+rel)
			case len(own) > 0:
				refuted = append(refuted, fmt.Sprintf("took %s on %s, not %s", strings.Join(own, ", "), rel, f.Lock))
			case LockModeRank(heldMode) >= LockModeRank(f.Lock):
				// PostgreSQL records no new lock when an equal or stronger
				// one is already held by the transaction.
				notes = append(notes, fmt.Sprintf("%s on %s already held since line %d; whether this statement takes %s cannot be observed", heldMode, rel, heldLine, f.Lock))
			case !existedBefore(tr, rel):
				// The relation is new (or unknown): locks on it are invisible
				// to other sessions, and the trace does not record them.
			default:
				refuted = append(refuted, fmt.Sprintf("took no lock on %s", rel))
			}
		}
		// A finding that does not mention a rewrite does not claim there is
		// none; rewrites no finding predicted are reported as unpredicted.
		if rel != "" && f.Rewrite {
			predicted[idx]["rewrite:"+normRel(rel)] = true
			if hasEffect(ts.Rewrites, rel) {
				confirmed = append(confirmed, "rewrite of "+rel)
			} else {
				refuted = append(refuted, "no rewrite of "+rel)
			}
		}
		if rel != "" && f.Scan {
			predicted[idx]["scan:"+normRel(rel)] = true
			if hasEffect(ts.Scans, rel) {
				confirmed = append(confirmed, "scan of "+rel)
			} else {
				refuted = append(refuted, "no scan of "+rel)
			}
		}
		switch {
		case len(refuted) > 0:
			c.Agreement = AgreementRefuted
			c.Observed = strings.Join(append(refuted, confirmed...), "; ")
		case len(confirmed) > 0:
			c.Agreement = AgreementConfirmed
			c.Observed = strings.Join(confirmed, "; ")
		default:
			c.Agreement = AgreementUnverifiable
			c.Observed = observedSummary(ts)
			if len(notes) > 0 {
				c.Observed = strings.Join(notes, "; ")
			}
		}
		out = append(out, c)
	}
	for i := range tr.Statements {
		ts := &tr.Statements[i]
		rewritten := map[string]bool{}
		for _, e := range ts.Rewrites {
			rewritten[normRel(e.Relation)] = true
			if !predicted[i]["rewrite:"+normRel(e.Relation)] && !predictedShort(predicted[i], "rewrite:", e.Relation) {
				out = append(out, Comparison{Line: ts.Line, Column: ts.Column, Observed: "rewrite of " + e.Relation + " (" + describeSize(e) + ")", Agreement: AgreementUnpredicted})
			}
		}
		for _, e := range ts.Scans {
			if rewritten[normRel(e.Relation)] {
				continue
			}
			if !predicted[i]["scan:"+normRel(e.Relation)] && !predictedShort(predicted[i], "scan:", e.Relation) {
				out = append(out, Comparison{Line: ts.Line, Column: ts.Column, Observed: "scan of " + e.Relation + " (" + describeSize(e) + ")", Agreement: AgreementUnpredicted})
			}
		}
	}
	return out
}

// statementFor returns the index of the statement a finding at line:col
// belongs to, or -1.
func statementFor(stmts []TracedStatement, line, col int) int {
	best := -1
	for i, s := range stmts {
		if s.Line < line || (s.Line == line && s.Column <= col) || col == 0 && s.Line == line {
			best = i
		}
	}
	return best
}

func describeClaim(f Finding) string {
	var parts []string
	if f.Lock != "" {
		p := f.Lock
		if f.Relation != "" {
			p += " on " + f.Relation
		}
		parts = append(parts, p)
	}
	if f.Rewrite {
		parts = append(parts, "rewrite")
	}
	if f.Scan {
		parts = append(parts, "scan")
	}
	if len(parts) == 0 {
		return f.Message
	}
	return strings.Join(parts, ", ")
}

func observedSummary(ts *TracedStatement) string {
	var parts []string
	for _, l := range ts.Locks {
		parts = append(parts, l.Mode+" on "+l.Relation)
	}
	for _, e := range ts.Rewrites {
		parts = append(parts, "rewrite of "+e.Relation)
	}
	for _, e := range ts.Scans {
		parts = append(parts, "scan of "+e.Relation)
	}
	if len(parts) == 0 {
		return "no lock on an existing relation, no rewrite, no scan"
	}
	return strings.Join(parts, "; ")
}

// normRel lower-cases a relation name and strips double quotes.
func normRel(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), `"`, ""))
}

// sameRel reports whether a static relation name (maybe unqualified) names
// the traced relation (always schema-qualified).
func sameRel(static, traced string) bool {
	s, t := normRel(static), normRel(traced)
	if s == t {
		return true
	}
	if !strings.Contains(s, ".") {
		if _, name, ok := strings.Cut(t, "."); ok {
			return s == name
		}
	}
	return false
}

func hasEffect(list []TableEffect, rel string) bool {
	for _, e := range list {
		if sameRel(rel, e.Relation) {
			return true
		}
	}
	return false
}

func predictedShort(m map[string]bool, prefix, traced string) bool {
	for k, v := range m {
		if v && strings.HasPrefix(k, prefix) && sameRel(strings.TrimPrefix(k, prefix), traced) {
			return true
		}
	}
	return false
}

// locksOn lists the lock modes statement ts newly took on rel.
func locksOn(ts *TracedStatement, rel string) []string {
	var modes []string
	for _, l := range ts.Locks {
		if sameRel(rel, l.Relation) && !containsMode(modes, l.Mode) {
			modes = append(modes, l.Mode)
		}
	}
	return modes
}

// heldBefore returns the strongest lock on rel taken by a statement before
// idx (all statements run in the tracer's one transaction), and its line.
func heldBefore(tr *TraceReport, idx int, rel string) (mode string, line int) {
	for j := 0; j < idx; j++ {
		s := &tr.Statements[j]
		for _, l := range s.Locks {
			if sameRel(rel, l.Relation) && LockModeRank(l.Mode) > LockModeRank(mode) {
				mode, line = l.Mode, s.Line
			}
		}
	}
	return mode, line
}

func containsMode(modes []string, mode string) bool {
	r := LockModeRank(mode)
	for _, m := range modes {
		if LockModeRank(m) == r && r > 0 {
			return true
		}
	}
	return false
}

// existedBefore reports whether any statement of the trace took a lock on,
// rewrote or scanned rel: the trace records only pre-existing relations.
func existedBefore(tr *TraceReport, rel string) bool {
	for j := range tr.Statements {
		s := &tr.Statements[j]
		for _, l := range s.Locks {
			if sameRel(rel, l.Relation) {
				return true
			}
		}
		if hasEffect(s.Rewrites, rel) || hasEffect(s.Scans, rel) {
			return true
		}
	}
	return false
}

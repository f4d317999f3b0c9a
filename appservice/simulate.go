package appservice

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Trace is a metric trace: one row per sample, one column per metric.
type Trace struct {
	// Metrics are the column names after the time column.
	Metrics []string
	// Samples are in time order.
	Samples []Sample
}

// Sample is one row of a trace.
type Sample struct {
	// At is the offset from the first row.
	At time.Duration
	// Values are by metric name.
	Values map[string]float64
}

// Trace limits.
const (
	maxTraceRows    = 1_000_000
	maxTraceColumns = 16
)

// ParseTrace reads a CSV trace. The header is `time,<metric>[,<metric>...]`
// with App Service plan metric names (e.g. CpuPercentage). The time column
// holds RFC 3339 timestamps or minutes from the start ("0", "1", ...);
// rows must be in increasing time order. Errors name line and column.
func ParseTrace(name string, r io.Reader) (*Trace, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: expected a header like \"time,CpuPercentage\": %w", name, err)
	}
	if len(head) < 2 || len(head) > maxTraceColumns+1 {
		return nil, fmt.Errorf("%s:1: expected a time column and 1 to %d metric columns", name, maxTraceColumns)
	}
	if !strings.EqualFold(strings.TrimSpace(head[0]), "time") && !strings.EqualFold(strings.TrimSpace(head[0]), "minute") {
		return nil, fmt.Errorf("%s:1:1: first column must be \"time\" (RFC 3339 or minutes from start), got %q", name, head[0])
	}
	t := &Trace{}
	seen := map[string]bool{}
	for i, h := range head[1:] {
		h = strings.TrimSpace(h)
		canon := ""
		for _, m := range KnownMetrics() {
			if strings.EqualFold(m, h) {
				canon = m
			}
		}
		if canon == "" {
			return nil, fmt.Errorf("%s:1:%d: unknown metric %q (known: %s)", name, i+2, h, strings.Join(KnownMetrics(), ", "))
		}
		if seen[canon] {
			return nil, fmt.Errorf("%s:1:%d: duplicate metric %q", name, i+2, h)
		}
		seen[canon] = true
		t.Metrics = append(t.Metrics, canon)
	}
	var start time.Time
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if len(t.Samples) >= maxTraceRows {
			return nil, fmt.Errorf("%s:%d: more than %d rows", name, line, maxTraceRows)
		}
		if len(rec) != len(head) {
			return nil, fmt.Errorf("%s:%d: expected %d columns, found %d", name, line, len(head), len(rec))
		}
		var at time.Duration
		ts := strings.TrimSpace(rec[0])
		if m, err := strconv.ParseFloat(ts, 64); err == nil && !math.IsNaN(m) && !math.IsInf(m, 0) && m >= 0 && m < 1e7 {
			at = time.Duration(m * float64(time.Minute))
		} else if tm, err := time.Parse(time.RFC3339, ts); err == nil {
			if start.IsZero() {
				start = tm
			}
			at = tm.Sub(start)
		} else {
			return nil, fmt.Errorf("%s:%d:1: time %q: expected RFC 3339 or minutes from start", name, line, ts)
		}
		if n := len(t.Samples); n > 0 && at <= t.Samples[n-1].At {
			return nil, fmt.Errorf("%s:%d:1: time %q is not after the previous row", name, line, ts)
		}
		s := Sample{At: at, Values: map[string]float64{}}
		for i, m := range t.Metrics {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i+1]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("%s:%d:%d: %s value %q: expected a non-negative number", name, line, i+2, m, rec[i+1])
			}
			s.Values[m] = v
		}
		t.Samples = append(t.Samples, s)
	}
	if len(t.Samples) == 0 {
		return nil, fmt.Errorf("%s: no samples after the header", name)
	}
	return t, nil
}

// SimulateOptions tune [Simulate].
type SimulateOptions struct {
	// TraceInstances is the instance count the trace was recorded at
	// (default: the setting's Default). Simulate assumes the total load is
	// constant, as Azure's own projection does: with c instances the
	// per-instance metric is value × TraceInstances / c (percentages capped
	// at 100).
	TraceInstances int
	// Start is the instance count at the first sample (default: Default).
	Start int
}

// ScaleEvent is one scale action the engine took.
type ScaleEvent struct {
	At   time.Duration `json:"at"`
	From int           `json:"from"`
	To   int           `json:"to"`
	// Rule is the rule that fired (for a scale-in: the first of the rules
	// that all fired).
	Rule string `json:"rule"`
	// Metric is the aggregated metric value the rule saw.
	Metric float64 `json:"metric"`
	// Reduced is true when the flapping guard shrank the scale-in.
	Reduced bool `json:"reduced,omitempty"`
	// Wanted is the count the rule asked for when Reduced.
	Wanted int `json:"wanted,omitempty"`
}

// Flap is a scale-in the flapping guard skipped or reduced.
type Flap struct {
	At     time.Duration `json:"at"`
	From   int           `json:"from"`
	Wanted int           `json:"wanted"`
	// Projected is metric × from / wanted, the value the scale-out rule
	// would have seen.
	Projected float64 `json:"projected"`
	// OutRule is the scale-out rule the projection would have tripped.
	OutRule string `json:"out_rule"`
	// Result is the count actually chosen (From when skipped).
	Result int `json:"result"`
}

// SimResult is what [Simulate] saw.
type SimResult struct {
	Events    []ScaleEvent `json:"events"`
	Prevented []Flap       `json:"prevented_flaps"`
	Final     int          `json:"final"`
	// InstanceMinutes is the area under the instance count, for cost.
	InstanceMinutes float64 `json:"instance_minutes"`
	// Warnings are the setting's validation advice (the rules are
	// simulated anyway, to show what they do).
	Warnings []string `json:"warnings,omitempty"`
}

// ProjectScaleIn applies Azure's flapping guard to a scale-in from current
// to wanted instances. metric holds each metric's current aggregated value
// per instance; the projection is metric × current / n. It returns the
// smallest n in [wanted, current) whose projection trips no scale-out
// rule, the projection at wanted, and false when every n would trip one
// (the scale-in is skipped).
func ProjectScaleIn(current, wanted int, metric map[string]float64, out []Rule) (to int, projected float64, tripped string, ok bool) {
	trips := func(n int) (float64, string) {
		var worst float64
		for _, r := range out {
			v, has := metric[r.Metric]
			if !has {
				continue
			}
			p := v * float64(current) / float64(n)
			if r.fires(p) {
				return p, r.String()
			}
			worst = max(worst, p)
		}
		return worst, ""
	}
	projected, tripped = trips(wanted)
	for n := wanted; n < current; n++ {
		if _, t := trips(n); t == "" {
			return n, projected, tripped, true
		}
	}
	return current, projected, tripped, false
}

// Simulate replays a trace through Azure's documented autoscale engine:
// every sample is one engine run; a rule fires when its aggregation over
// its window trips its comparison; scale-out happens when any scale-out
// rule fires, scale-in only when every scale-in rule fires; after a scale
// action the engine waits out the rule's cooldown; before scaling in from
// c to c−n it projects metric × c/(c−n) and reduces or skips the scale-in
// when that would trip a scale-out (never the other way round).
func Simulate(a *Autoscale, tr *Trace, opts SimulateOptions) (*SimResult, error) {
	errs, advice := a.check(nil)
	if len(errs) > 0 {
		return nil, &SpecError{Problems: errs}
	}
	rules, _ := a.parsedRules()
	var outs, ins []Rule
	for _, r := range rules {
		has := false
		for _, m := range tr.Metrics {
			has = has || m == r.Metric
		}
		if !has {
			return nil, fmt.Errorf("rule %q needs metric %s, which the trace lacks (columns: %s)", r, r.Metric, strings.Join(tr.Metrics, ", "))
		}
		if r.Direction == ScaleOut {
			outs = append(outs, r)
		} else {
			ins = append(ins, r)
		}
	}
	traceN := opts.TraceInstances
	if traceN < 1 {
		traceN = a.Default
	}
	c := opts.Start
	if c < 1 {
		c = a.Default
	}
	c = min(max(c, a.Min), a.Max)
	res := &SimResult{}
	for _, p := range advice {
		res.Warnings = append(res.Warnings, p.String())
	}
	type point struct {
		at     time.Duration
		values map[string]float64
	}
	var hist []point
	var cooldownUntil time.Duration = -1
	first := tr.Samples[0].At
	for i, s := range tr.Samples {
		if i > 0 {
			res.InstanceMinutes += float64(c) * (s.At - tr.Samples[i-1].At).Minutes()
		}
		per := map[string]float64{}
		for m, v := range s.Values {
			x := v * float64(traceN) / float64(c)
			if strings.HasSuffix(m, "Percentage") {
				x = math.Min(x, 100)
			}
			per[m] = x
		}
		hist = append(hist, point{s.At, per})
		agg := func(r Rule) (float64, bool) {
			if s.At-first < r.Window-time.Minute {
				return 0, false // the window is not full yet
			}
			var vals []float64
			for j := len(hist) - 1; j >= 0 && hist[j].at > s.At-r.Window; j-- {
				vals = append(vals, hist[j].values[r.Metric])
			}
			return aggregate(r.Aggregation, vals), len(vals) > 0
		}
		if s.At < cooldownUntil {
			continue
		}
		// Scale out if any rule fires.
		bestTo, bestRule, bestVal := c, Rule{}, 0.0
		for _, r := range outs {
			v, ok := agg(r)
			if ok && r.fires(v) {
				if t := min(r.target(c), a.Max); t > bestTo {
					bestTo, bestRule, bestVal = t, r, v
				}
			}
		}
		if bestTo > c {
			res.Events = append(res.Events, ScaleEvent{At: s.At, From: c, To: bestTo, Rule: bestRule.String(), Metric: bestVal})
			c = bestTo
			cooldownUntil = s.At + bestRule.Cooldown
			continue
		}
		// Scale in only if every rule fires.
		if len(ins) == 0 || c <= a.Min {
			continue
		}
		all, wanted, first := true, 0, Rule{}
		var firstVal float64
		for k, r := range ins {
			v, ok := agg(r)
			if !ok || !r.fires(v) {
				all = false
				break
			}
			// The most conservative target of the rules that fired.
			if t := max(r.target(c), a.Min); k == 0 || t > wanted {
				wanted = t
			}
			if k == 0 {
				first, firstVal = r, v
			}
		}
		if !all || wanted >= c {
			continue
		}
		cur := map[string]float64{}
		for _, r := range outs {
			if v, ok := agg(r); ok {
				cur[r.Metric] = v
			}
		}
		to, proj, tripped, ok := ProjectScaleIn(c, wanted, cur, outs)
		if !ok {
			res.Prevented = append(res.Prevented, Flap{At: s.At, From: c, Wanted: wanted, Projected: proj, OutRule: tripped, Result: c})
			continue
		}
		ev := ScaleEvent{At: s.At, From: c, To: to, Rule: first.String(), Metric: firstVal}
		if to != wanted {
			ev.Reduced, ev.Wanted = true, wanted
			res.Prevented = append(res.Prevented, Flap{At: s.At, From: c, Wanted: wanted, Projected: proj, OutRule: tripped, Result: to})
		}
		res.Events = append(res.Events, ev)
		c = to
		cooldownUntil = s.At + first.Cooldown
	}
	res.Final = c
	return res, nil
}

func aggregate(kind string, vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	switch kind {
	case "min":
		m := vals[0]
		for _, v := range vals {
			m = math.Min(m, v)
		}
		return m
	case "max":
		m := vals[0]
		for _, v := range vals {
			m = math.Max(m, v)
		}
		return m
	case "total":
		var s float64
		for _, v := range vals {
			s += v
		}
		return s
	case "count":
		return float64(len(vals))
	case "last":
		return vals[0] // newest first
	}
	var s float64
	for _, v := range vals {
		s += v
	}
	return s / float64(len(vals))
}

// WriteText prints the simulation: one line per event and prevented flap.
func (r *SimResult) WriteText(w io.Writer) error {
	type line struct {
		at   time.Duration
		text string
	}
	var lines []line
	for _, e := range r.Events {
		verb := "scale out"
		if e.To < e.From {
			verb = "scale in"
		}
		t := fmt.Sprintf("%s %d → %d (%s; metric %s)", verb, e.From, e.To, e.Rule, fmtNum(e.Metric))
		if e.Reduced {
			t += fmt.Sprintf(" reduced from %d by the flapping guard", e.Wanted)
		}
		lines = append(lines, line{e.At, t})
	}
	for _, f := range r.Prevented {
		if f.Result != f.From {
			continue // shown with its event
		}
		lines = append(lines, line{f.At, fmt.Sprintf("flap prevented: scale in %d → %d skipped, projected %s would trip %q", f.From, f.Wanted, fmtNum(f.Projected), f.OutRule)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	for _, warn := range r.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%7s  %s\n", shortDuration(l.at.Truncate(time.Minute)), l.text); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "final %d instances; %d scale events, %d flaps prevented; %.0f instance-minutes\n", r.Final, len(r.Events), len(r.Prevented), r.InstanceMinutes)
	return err
}

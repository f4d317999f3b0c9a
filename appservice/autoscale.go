package appservice

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
)

// Autoscale is the desired autoscale setting of the target's plan.
type Autoscale struct {
	// Name is the autoscale setting's resource name.
	Name string `json:"name"`
	// Enabled defaults to true; it is always sent explicitly (Azure's
	// default is false).
	Enabled *bool `json:"enabled,omitempty"`
	// Min, Max and Default are the profile's instance counts. Default is
	// used when metrics are missing.
	Min     int `json:"min"`
	Max     int `json:"max"`
	Default int `json:"default"`
	// Rules are written in the az CLI's words.
	Rules []RuleSpec `json:"rules"`
}

// RuleSpec is one autoscale rule as the seed writes it:
// {"when": "CpuPercentage > 70 avg 5m", "scale": "out 1", "cooldown": "5m"}.
type RuleSpec struct {
	// When is `METRIC OP THRESHOLD AGGREGATION WINDOW`, e.g.
	// "CpuPercentage > 70 avg 5m". OP is one of == != > >= < <=;
	// AGGREGATION one of avg min max total count last; WINDOW 5m..12h.
	When string `json:"when"`
	// Scale is "out N", "in N", "out N%", "in N%" or "to N".
	Scale string `json:"scale"`
	// Cooldown is the wait after a scale action, 1m..168h (default 5m, as
	// the az CLI).
	Cooldown string `json:"cooldown,omitempty"`
}

// Direction is a rule's scale direction.
type Direction string

// The directions.
const (
	ScaleOut Direction = "out"
	ScaleIn  Direction = "in"
)

// Rule is a parsed autoscale rule.
type Rule struct {
	// Metric is an App Service plan metric, e.g. "CpuPercentage".
	Metric string
	// Operator is one of == != > >= < <=.
	Operator string
	// Threshold is compared with the aggregated metric.
	Threshold float64
	// Aggregation is the time aggregation: avg, min, max, total, count, last.
	Aggregation string
	// Window is the time window the metric is aggregated over.
	Window time.Duration
	// Direction is out or in ("to N" is out or in depending on the count).
	Direction Direction
	// Type is "count", "percent" or "exact".
	Type string
	// Value is the instance count, percentage or exact count.
	Value int
	// Cooldown is the wait after a scale action.
	Cooldown time.Duration
}

// Azure's bounds (armmonitor models.go comments).
const (
	minWindow   = 5 * time.Minute
	maxWindow   = 12 * time.Hour
	minCooldown = time.Minute
	maxCooldown = 7 * 24 * time.Hour
	maxRules    = 10
	timeGrain   = "PT1M"
	// MetricNamespace is the namespace of App Service plan metrics.
	MetricNamespace = "microsoft.web/serverfarms"
)

// KnownMetrics are the App Service plan metrics autoscale accepts
// (azure-monitor-docs autoscale-common-metrics.md).
func KnownMetrics() []string {
	return []string{"CpuPercentage", "MemoryPercentage", "DiskQueueLength", "HttpQueueLength", "BytesReceived", "BytesSent"}
}

var operators = map[string]armmonitor.ComparisonOperationType{
	"==": armmonitor.ComparisonOperationTypeEquals,
	"!=": armmonitor.ComparisonOperationTypeNotEquals,
	">":  armmonitor.ComparisonOperationTypeGreaterThan,
	">=": armmonitor.ComparisonOperationTypeGreaterThanOrEqual,
	"<":  armmonitor.ComparisonOperationTypeLessThan,
	"<=": armmonitor.ComparisonOperationTypeLessThanOrEqual,
}

var aggregations = map[string]armmonitor.TimeAggregationType{
	"avg":   armmonitor.TimeAggregationTypeAverage,
	"min":   armmonitor.TimeAggregationTypeMinimum,
	"max":   armmonitor.TimeAggregationTypeMaximum,
	"total": armmonitor.TimeAggregationTypeTotal,
	"count": armmonitor.TimeAggregationTypeCount,
	"last":  armmonitor.TimeAggregationTypeLast,
}

// ParseRule parses a rule in the seed's words. Errors say which part was
// wrong and what was expected.
func ParseRule(rs RuleSpec) (Rule, error) {
	var r Rule
	f := strings.Fields(rs.When)
	if len(f) == 5 && strings.HasPrefix(f[0], `"`) {
		return r, fmt.Errorf("when: metric namespaces are not supported; App Service plan metrics use %s", MetricNamespace)
	}
	if len(f) != 5 {
		return r, fmt.Errorf("when: expected `METRIC OP THRESHOLD AGGREGATION WINDOW` like \"CpuPercentage > 70 avg 5m\", got %d words", len(f))
	}
	r.Metric = f[0]
	known := false
	for _, m := range KnownMetrics() {
		if strings.EqualFold(m, r.Metric) {
			r.Metric, known = m, true
		}
	}
	if !known {
		return r, fmt.Errorf("when: unknown App Service plan metric %q (known: %s)", f[0], strings.Join(KnownMetrics(), ", "))
	}
	if _, ok := operators[f[1]]; !ok {
		return r, fmt.Errorf("when: operator %q: expected one of == != > >= < <=", f[1])
	}
	r.Operator = f[1]
	th, err := strconv.ParseFloat(f[2], 64)
	if err != nil || math.IsNaN(th) || math.IsInf(th, 0) {
		return r, fmt.Errorf("when: threshold %q: expected a number", f[2])
	}
	r.Threshold = th
	agg := strings.ToLower(f[3])
	if agg == "average" {
		agg = "avg"
	}
	if _, ok := aggregations[agg]; !ok {
		return r, fmt.Errorf("when: aggregation %q: expected one of avg min max total count last", f[3])
	}
	r.Aggregation = agg
	w, err := parseDuration(f[4])
	if err != nil {
		return r, fmt.Errorf("when: window %q: %v", f[4], err)
	}
	if w < minWindow || w > maxWindow {
		return r, fmt.Errorf("when: window %s: Azure accepts 5m to 12h", f[4])
	}
	r.Window = w

	s := strings.Fields(rs.Scale)
	if len(s) != 2 {
		return r, fmt.Errorf("scale: expected \"out N\", \"in N\", \"out N%%\", \"in N%%\" or \"to N\", got %q", rs.Scale)
	}
	num := s[1]
	r.Type = "count"
	if strings.HasSuffix(num, "%") {
		r.Type = "percent"
		num = strings.TrimSuffix(num, "%")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 1000 {
		return r, fmt.Errorf("scale: %q: expected a whole number from 1 to 1000", s[1])
	}
	r.Value = n
	switch strings.ToLower(s[0]) {
	case "out":
		r.Direction = ScaleOut
	case "in":
		r.Direction = ScaleIn
	case "to":
		if r.Type == "percent" {
			return r, fmt.Errorf("scale: \"to\" takes an instance count, not a percentage")
		}
		r.Type = "exact"
		// The direction of an exact count follows the comparison: a rule
		// that fires on high load scales out.
		if r.Operator == ">" || r.Operator == ">=" {
			r.Direction = ScaleOut
		} else {
			r.Direction = ScaleIn
		}
	default:
		return r, fmt.Errorf("scale: %q: expected out, in or to", s[0])
	}
	r.Cooldown = 5 * time.Minute
	if rs.Cooldown != "" {
		c, err := parseDuration(rs.Cooldown)
		if err != nil {
			return r, fmt.Errorf("cooldown %q: %v", rs.Cooldown, err)
		}
		if c < minCooldown || c > maxCooldown {
			return r, fmt.Errorf("cooldown %s: Azure accepts 1m to 168h (P1W)", rs.Cooldown)
		}
		r.Cooldown = c
	}
	return r, nil
}

// parseDuration accepts the az CLI's "5m", "1h", "1d" and Go's "1h30m".
func parseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("expected a duration like 5m, 1h or 1d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("expected a duration like 5m, 1h or 1d")
	}
	if d%time.Minute != 0 {
		return 0, fmt.Errorf("expected whole minutes")
	}
	return d, nil
}

// String is the rule in the seed's words, e.g.
// "CpuPercentage > 70 avg 5m, scale out 1, cooldown 5m".
func (r Rule) String() string {
	scale := string(r.Direction) + " " + strconv.Itoa(r.Value)
	switch r.Type {
	case "percent":
		scale += "%"
	case "exact":
		scale = "to " + strconv.Itoa(r.Value)
	}
	return fmt.Sprintf("%s %s %s %s %s, scale %s, cooldown %s", r.Metric, r.Operator,
		strconv.FormatFloat(r.Threshold, 'f', -1, 64), r.Aggregation, shortDuration(r.Window), scale, shortDuration(r.Cooldown))
}

func shortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0m"
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// isoDuration renders whole minutes as ISO 8601 ("PT5M", "PT1H30M", "P7D").
func isoDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return "P" + strconv.Itoa(int(d/(24*time.Hour))) + "D"
	}
	h, m := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	s := "PT"
	if h > 0 {
		s += strconv.Itoa(h) + "H"
	}
	if m > 0 {
		s += strconv.Itoa(m) + "M"
	}
	return s
}

// fires reports whether value trips the rule's comparison.
func (r Rule) fires(value float64) bool {
	switch r.Operator {
	case ">":
		return value > r.Threshold
	case ">=":
		return value >= r.Threshold
	case "<":
		return value < r.Threshold
	case "<=":
		return value <= r.Threshold
	case "==":
		return value == r.Threshold
	case "!=":
		return value != r.Threshold
	}
	return false
}

// target returns the instance count the rule asks for from current.
func (r Rule) target(current int) int {
	switch r.Type {
	case "exact":
		return r.Value
	case "percent":
		n := int(math.Ceil(float64(current) * float64(r.Value) / 100))
		if n < 1 {
			n = 1
		}
		if r.Direction == ScaleOut {
			return current + n
		}
		return current - n
	}
	if r.Direction == ScaleOut {
		return current + r.Value
	}
	return current - r.Value
}

// Rules parses every rule of the setting.
func (a *Autoscale) parsedRules() ([]Rule, []Problem) {
	var rules []Rule
	var probs []Problem
	for i, rs := range a.Rules {
		r, err := ParseRule(rs)
		if err != nil {
			field := fmt.Sprintf("autoscale.rules[%d]", i)
			msg := err.Error()
			for _, part := range []string{"when", "scale", "cooldown"} {
				if strings.HasPrefix(msg, part) {
					field += "." + part
				}
			}
			probs = append(probs, Problem{Field: field, Rule: "AS008", Message: msg})
			continue
		}
		rules = append(rules, r)
	}
	return rules, probs
}

// validate checks the setting against Azure's rules and the best
// practices that keep it from flapping. tier is nil when unknown.
func (a *Autoscale) validate(tier *Tier) []Problem {
	errs, advice := a.check(tier)
	return append(errs, advice...)
}

// check splits problems into errors (Azure would refuse the setting or it
// is inconsistent) and advice (the setting is accepted but never scales
// back, mixes metrics or flaps into the projection guard).
func (a *Autoscale) check(tier *Tier) (errs, advice []Problem) {
	var probs []Problem
	rule := ""
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	advise := func(field, format string, args ...any) {
		advice = append(advice, Problem{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if a.Name == "" {
		rule = "AS010"
		add("autoscale.name", "expected the autoscale setting's name")
	}
	if a.Min < 1 {
		rule = "AS005"
		add("autoscale.min", "expected at least 1 instance")
	}
	if a.Max < a.Min {
		rule = "AS005"
		add("autoscale.max", "max (%d) is below min (%d)", a.Max, a.Min)
	} else if a.Max == a.Min {
		rule = "AS005"
		add("autoscale.max", "max equals min (%d): autoscale could never change the count; set max above min", a.Min)
	}
	if a.Default < a.Min || a.Default > a.Max {
		rule = "AS006"
		add("autoscale.default", "default (%d) must be between min (%d) and max (%d); Azure uses it when metrics are missing", a.Default, a.Min, a.Max)
	}
	if len(a.Rules) == 0 {
		rule = "AS001"
		add("autoscale.rules", "expected at least a scale-out and a scale-in rule")
	}
	if len(a.Rules) > maxRules {
		rule = "AS007"
		add("autoscale.rules", "%d rules: Azure allows at most %d per profile", len(a.Rules), maxRules)
	}
	rules, rp := a.parsedRules()
	probs = append(probs, rp...)
	if tier != nil {
		if !tier.Autoscale {
			probs = append(probs, Problem{Field: "autoscale", Rule: "AS009", Message: fmt.Sprintf("autoscale needs the Standard tier or higher; the plan is %s", tier.Name)})
		} else if a.Max > tier.MaxInstances {
			probs = append(probs, Problem{Field: "autoscale.max", Message: fmt.Sprintf("max %d exceeds the %s tier's %d instances", a.Max, tier.Name, tier.MaxInstances)})
		}
	}
	if len(rp) > 0 {
		return probs, nil
	}
	outs, ins := map[string][]Rule{}, map[string][]Rule{}
	for _, r := range rules {
		if r.Direction == ScaleOut {
			outs[r.Metric] = append(outs[r.Metric], r)
		} else {
			ins[r.Metric] = append(ins[r.Metric], r)
		}
	}
	if len(outs) > 0 && len(ins) == 0 {
		rule = "AS001"
		advise("autoscale.rules", "scale-out without a scale-in rule: the plan would never scale back (the seed's rule set); add e.g. {\"when\": \"CpuPercentage < 30 avg 10m\", \"scale\": \"in 1\"}")
	}
	if len(ins) > 0 && len(outs) == 0 {
		rule = "AS002"
		advise("autoscale.rules", "scale-in without a scale-out rule")
	}
	for m := range ins {
		if _, ok := outs[m]; !ok && len(outs) > 0 {
			rule = "AS003"
			advise("autoscale.rules", "scale-in on %s but scale-out on %s: use the same metric both ways, or the scale-in cannot be projected and may flap", m, metricNames(outs))
		}
	}
	for m := range outs {
		if _, ok := ins[m]; !ok && len(ins) > 0 {
			rule = "AS003"
			advise("autoscale.rules", "scale-out on %s has no scale-in on the same metric", m)
		}
	}
	// Margins: at its own threshold, the scale-in back to min must not
	// project over the scale-out threshold, or it can only happen far below
	// the threshold written.
	for m, ors := range outs {
		for _, in := range ins[m] {
			c := a.Min + max(1, in.Value)
			if in.Type != "count" {
				continue
			}
			to := in.target(c)
			if to < a.Min {
				to = a.Min
			}
			if to <= 0 || to >= c {
				continue
			}
			proj := in.Threshold * float64(c) / float64(to)
			for _, out := range ors {
				// A value that fires the scale-in projects to at most proj
				// (reached only when the scale-in compares with <=); the
				// guard blocks it when that trips the scale-out.
				blocked := proj > out.Threshold
				if in.Operator == "<=" && out.Operator == ">=" {
					blocked = proj >= out.Threshold
				}
				if (out.Operator == ">" || out.Operator == ">=") && blocked {
					safe := out.Threshold * float64(to) / float64(c)
					rule = "AS004"
					advise("autoscale.rules", "margin too small: %s at its threshold %s projects to %s at %d→%d instances, over the scale-out threshold %s, so Azure skips it (flapping guard); lower the scale-in threshold below %s or raise the scale-out one",
						in.Metric, fmtNum(in.Threshold), fmtNum(proj), c, to, fmtNum(out.Threshold), fmtNum(safe))
				}
			}
		}
	}
	return probs, advice
}

func metricNames(m map[string][]Rule) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return strings.Join(out, ", ")
}

func fmtNum(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// BuildAutoscale returns the ARM resource for the setting, targeting the
// plan planID in location. Enabled is always set; every trigger uses the
// plan's metric namespace, a 1-minute grain and ISO 8601 durations.
func BuildAutoscale(a *Autoscale, planID, location string) (armmonitor.AutoscaleSettingResource, error) {
	if probs := a.validate(nil); len(probs) > 0 {
		return armmonitor.AutoscaleSettingResource{}, &SpecError{Problems: probs}
	}
	rules, _ := a.parsedRules()
	enabled := a.Enabled == nil || *a.Enabled
	out := make([]*armmonitor.ScaleRule, 0, len(rules))
	for _, r := range rules {
		dir := armmonitor.ScaleDirectionIncrease
		if r.Direction == ScaleIn {
			dir = armmonitor.ScaleDirectionDecrease
		}
		typ := armmonitor.ScaleTypeChangeCount
		switch r.Type {
		case "percent":
			typ = armmonitor.ScaleTypePercentChangeCount
		case "exact":
			typ = armmonitor.ScaleTypeExactCount
		}
		out = append(out, &armmonitor.ScaleRule{
			MetricTrigger: &armmonitor.MetricTrigger{
				MetricName:        to.Ptr(r.Metric),
				MetricNamespace:   to.Ptr(MetricNamespace),
				MetricResourceURI: to.Ptr(planID),
				Operator:          to.Ptr(operators[r.Operator]),
				Statistic:         to.Ptr(armmonitor.MetricStatisticTypeAverage),
				Threshold:         to.Ptr(r.Threshold),
				TimeAggregation:   to.Ptr(aggregations[r.Aggregation]),
				TimeGrain:         to.Ptr(timeGrain),
				TimeWindow:        to.Ptr(isoDuration(r.Window)),
			},
			ScaleAction: &armmonitor.ScaleAction{
				Cooldown:  to.Ptr(isoDuration(r.Cooldown)),
				Direction: to.Ptr(dir),
				Type:      to.Ptr(typ),
				Value:     to.Ptr(strconv.Itoa(r.Value)),
			},
		})
	}
	return armmonitor.AutoscaleSettingResource{
		Location: to.Ptr(location),
		Properties: &armmonitor.AutoscaleSetting{
			Enabled:           to.Ptr(enabled),
			Name:              to.Ptr(a.Name),
			TargetResourceURI: to.Ptr(planID),
			Profiles: []*armmonitor.AutoscaleProfile{{
				Name: to.Ptr("default"),
				Capacity: &armmonitor.ScaleCapacity{
					Default: to.Ptr(strconv.Itoa(a.Default)),
					Minimum: to.Ptr(strconv.Itoa(a.Min)),
					Maximum: to.Ptr(strconv.Itoa(a.Max)),
				},
				Rules: out,
			}},
		},
	}, nil
}

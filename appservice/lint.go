package appservice

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

// Diagnostic is one finding of [LintAutoscale] (deploykit's one diagnostic
// model).
type Diagnostic = report.Diagnostic

// RuleDoc documents one lint rule.
type RuleDoc = report.Rule

// AutoscaleRules documents the rules [LintAutoscale] reports.
func AutoscaleRules() []RuleDoc {
	return []RuleDoc{
		{ID: "AS001", Name: "no-scale-in", Summary: "A scale-out rule without a scale-in rule.", Help: "The plan never scales back and keeps paying for the peak. Pair every scale-out with a scale-in on the same metric (autoscale-best-practices.md)."},
		{ID: "AS002", Name: "no-scale-out", Summary: "A scale-in rule without a scale-out rule.", Help: "The setting can only shrink the plan; add the scale-out rule it pairs with."},
		{ID: "AS003", Name: "metric-mismatch", Summary: "Scale-out and scale-in use different metrics.", Help: "Azure projects a scale-in on the scale-out metric; with different metrics the two can fight. Use the same metric both ways."},
		{ID: "AS004", Name: "margin-too-small", Summary: "The scale-in threshold projects over the scale-out threshold.", Help: "Before scaling in from c to c-n Azure projects metric × c/(c-n); if that trips a scale-out it skips the scale-in (flapping guard), so the scale-in only happens far below its written threshold. Widen the margin."},
		{ID: "AS005", Name: "capacity-range", Summary: "min/max are inconsistent or equal.", Help: "min must be at least 1 and below max; with min = max autoscale can never change the count."},
		{ID: "AS006", Name: "default-range", Summary: "The default capacity is outside min..max.", Help: "Azure uses the default when metrics are missing; keep it within the range."},
		{ID: "AS007", Name: "too-many-rules", Summary: "More than 10 rules in a profile.", Help: "Azure accepts at most 10 rules per profile."},
		{ID: "AS008", Name: "invalid-rule", Summary: "A rule Azure would refuse or deploykit cannot read.", Help: "Windows are 5 min to 12 h, cooldowns 1 min to 1 week, metrics are App Service plan metrics."},
		{ID: "AS009", Name: "tier", Summary: "Autoscale below the Standard tier.", Help: "Autoscale needs Standard or higher."},
		{ID: "AS010", Name: "not-modelled", Summary: "A value deploykit cannot evaluate (a parameter, variable or expression).", Help: "Reported as not modelled rather than safe: evaluate the template, or check the value by hand."},
	}
}

// ImportedAutoscale is one autoscale setting found in an IaC file.
type ImportedAutoscale struct {
	// Autoscale is the setting in deploykit's words.
	Autoscale Autoscale
	// Line is the line of the capacity block (1-based).
	Line int
	// RuleLines are the lines where each rule's metric is named.
	RuleLines []int
	// NotModelled lists values that are expressions, with their lines.
	NotModelled []Diagnostic
}

// isSpace is RE2's \s: ASCII space, tab, newline, form feed, carriage return.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// splitKV reads one line as `key: value` or `key = value` (the key
// optionally quoted, letters and underscores only), with an optional
// trailing comma and a trailing // or # comment that are not part of the
// value. The value ends at the first point after which only spaces, a
// comma and a comment follow, so `"https://x"` is cut at `//` as a comment
// would be. It runs in one pass over the line: the linter calls it for
// every line of every input, so it must not cost a regular expression
// (the fuzz target minimises inputs through thousands of calls).
func splitKV(line string) (key, val string, ok bool) {
	i, n := 0, len(line)
	for i < n && isSpace(line[i]) {
		i++
	}
	if i < n && line[i] == '"' {
		i++
	}
	k := i
	for i < n && (line[i] >= 'A' && line[i] <= 'Z' || line[i] >= 'a' && line[i] <= 'z' || line[i] == '_') {
		i++
	}
	if i == k {
		return "", "", false
	}
	key = line[k:i]
	if i < n && line[i] == '"' {
		i++
	}
	for i < n && isSpace(line[i]) {
		i++
	}
	if i == n || line[i] != ':' && line[i] != '=' {
		return "", "", false
	}
	i++
	for i < n && isSpace(line[i]) {
		i++
	}
	// nextNonSpace[j] is the first index >= j that is not a space (n if none).
	nextNonSpace := make([]int, n+1)
	nextNonSpace[n] = n
	for j := n - 1; j >= i; j-- {
		if isSpace(line[j]) {
			nextNonSpace[j] = nextNonSpace[j+1]
		} else {
			nextNonSpace[j] = j
		}
	}
	commentOrEnd := func(j int) bool {
		return j == n || line[j] == '#' || strings.HasPrefix(line[j:], "//")
	}
	for j := i; j <= n; j++ {
		e := nextNonSpace[j]
		if commentOrEnd(e) || line[e] == ',' && commentOrEnd(nextNonSpace[e+1]) {
			return key, line[i:j], true
		}
	}
	return key, line[i:], true // not reached: j == n always ends the value
}

// triggerKeys and actionKeys are the rule keys the importer reads, lower
// case without underscores.
var (
	triggerKeys = map[string]bool{"metricname": true, "operator": true, "threshold": true, "timeaggregation": true, "timewindow": true}
	actionKeys  = map[string]bool{"direction": true, "type": true, "value": true, "cooldown": true}
)

func unquote(v string) (string, bool) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), ","))
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		inner := v[1 : len(v)-1]
		if strings.HasPrefix(inner, "[") || strings.Contains(inner, "${") {
			return inner, false // an ARM or HCL expression
		}
		return inner, true
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v, true
	}
	return v, false
}

// ImportAutoscale finds App Service autoscale settings in an ARM template,
// a Bicep file or a Terraform azurerm_monitor_autoscale_setting, by their
// shared key names (metricName / metric_name, operator, threshold, time
// aggregation and window, direction, type, value, cooldown, capacity). It
// reads literal values only: parameters, variables and expressions are
// reported as not modelled (AS010), never guessed, and so are rules on
// metrics that are not App Service plan metrics (a VM scale set's
// "Percentage CPU", a queue length).
func ImportAutoscale(file string, src []byte) []ImportedAutoscale {
	type rawRule struct {
		line                                                int
		metric, op, threshold, agg, window, dir, typ, value string
		cooldown                                            string
		metricLiteral                                       bool
	}
	var out []ImportedAutoscale
	var cur *ImportedAutoscale
	autoscaleFile := bytes.Contains(bytes.ToLower(src), []byte("autoscale"))
	var rules []*rawRule
	var r *rawRule
	inCapacity := false
	flush := func() {
		if cur == nil {
			return
		}
		if len(rules) == 0 {
			// A capacity block without rules: in an autoscale setting that
			// is a profile that never scales (reported as AS001); anywhere
			// else (an SKU's capacity) it is not autoscale at all.
			if autoscaleFile && len(cur.NotModelled) == 0 {
				out = append(out, *cur)
			}
			cur, rules, r = nil, nil, nil
			return
		}
		for _, rr := range rules {
			known := false
			for _, m := range KnownMetrics() {
				known = known || strings.EqualFold(m, rr.metric)
			}
			if !known && rr.metricLiteral {
				cur.NotModelled = append(cur.NotModelled, Diagnostic{Pos: Position{File: file, Line: rr.line, Column: 1}, Rule: "AS010",
					Severity: report.SeverityWarning, Message: fmt.Sprintf("metric %q is not an App Service plan metric (%s); the rule is not modelled", rr.metric, strings.Join(KnownMetrics(), ", "))})
			}
			cur.Autoscale.Rules = append(cur.Autoscale.Rules, toRuleSpec(rr.metric, rr.op, rr.threshold, rr.agg, rr.window, rr.dir, rr.typ, rr.value, rr.cooldown))
			cur.RuleLines = append(cur.RuleLines, rr.line)
		}
		out = append(out, *cur)
		cur, rules, r = nil, nil, nil
	}
	notModelled := func(line int, key, v string) {
		if cur == nil {
			return
		}
		cur.NotModelled = append(cur.NotModelled, Diagnostic{Pos: Position{File: file, Line: line, Column: 1}, Rule: "AS010",
			Severity: report.SeverityWarning, Message: fmt.Sprintf("%s is %s, which deploykit does not evaluate; not modelled", key, strings.TrimSpace(v))})
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		lower := strings.ToLower(text)
		if strings.Contains(lower, "capacity") && (strings.Contains(text, "{") || strings.HasSuffix(strings.TrimSpace(text), ":")) {
			flush()
			cur = &ImportedAutoscale{Line: line}
			inCapacity = true
			continue
		}
		if cur == nil {
			continue
		}
		rawKey, rawVal, ok := splitKV(text)
		if !ok {
			continue
		}
		m := [3]string{text, rawKey, rawVal}
		key := strings.ToLower(strings.ReplaceAll(m[1], "_", ""))
		val, literal := unquote(m[2])
		if inCapacity {
			var dst *int
			switch key {
			case "minimum":
				dst = &cur.Autoscale.Min
			case "maximum":
				dst = &cur.Autoscale.Max
			case "default":
				dst = &cur.Autoscale.Default
			}
			if dst != nil {
				if n, err := strconv.Atoi(val); err == nil && literal {
					*dst = n
				} else {
					notModelled(line, "capacity "+key, m[2])
				}
				continue
			}
		}
		if !triggerKeys[key] && !actionKeys[key] {
			continue
		}
		if key == "type" && !strings.HasSuffix(val, "Count") {
			continue // the resource's own "type"
		}
		if key == "value" && r == nil {
			continue
		}
		inCapacity = false
		starts := r == nil || (key == "metricname" && r.metric != "") || (key == "direction" && r.dir != "")
		if starts {
			r = &rawRule{line: line}
			rules = append(rules, r)
		}
		if !literal {
			notModelled(line, m[1], m[2])
		}
		switch key {
		case "metricname":
			r.metric, r.line, r.metricLiteral = val, line, literal
		case "operator":
			r.op = val
		case "threshold":
			r.threshold = val
		case "timeaggregation":
			r.agg = val
		case "timewindow":
			r.window = val
		case "direction":
			r.dir = val
		case "type":
			r.typ = val
		case "value":
			r.value = val
		case "cooldown":
			r.cooldown = val
		}
	}
	flush()
	return out
}

func toRuleSpec(metric, op, threshold, agg, window, dir, typ, value, cooldown string) RuleSpec {
	ops := map[string]string{"GreaterThan": ">", "GreaterThanOrEqual": ">=", "LessThan": "<", "LessThanOrEqual": "<=", "Equals": "==", "NotEquals": "!="}
	aggs := map[string]string{"Average": "avg", "Minimum": "min", "Maximum": "max", "Total": "total", "Count": "count", "Last": "last"}
	o := ops[op]
	if o == "" {
		o = op
	}
	a := aggs[agg]
	if a == "" {
		a = strings.ToLower(agg)
	}
	w := isoShort(window)
	scale := ""
	switch dir {
	case "Increase":
		scale = "out " + value
	case "Decrease":
		scale = "in " + value
	default:
		scale = dir + " " + value
	}
	switch typ {
	case "PercentChangeCount":
		scale += "%"
	case "ExactCount":
		scale = "to " + value
	}
	return RuleSpec{When: strings.Join([]string{metric, o, threshold, a, w}, " "), Scale: scale, Cooldown: isoShort(cooldown)}
}

// LintAutoscale checks autoscale settings found in an IaC file with the
// same validation the desired state gets, reporting each problem at the
// line of the rule or capacity block it concerns.
func LintAutoscale(file string, src []byte) []Diagnostic {
	var out []Diagnostic
	for _, imp := range ImportAutoscale(file, src) {
		out = append(out, imp.NotModelled...)
		a := imp.Autoscale
		if a.Name == "" {
			a.Name = "imported"
		}
		if len(imp.NotModelled) > 0 {
			// Fail closed: no verdict on values that were not read. Only
			// the pairing of directions, which needs no value, is checked.
			outs, ins := 0, 0
			for _, r := range a.Rules {
				switch {
				case strings.HasPrefix(r.Scale, "out "):
					outs++
				case strings.HasPrefix(r.Scale, "in "):
					ins++
				}
			}
			if outs > 0 && ins == 0 {
				out = append(out, Diagnostic{Pos: Position{File: file, Line: firstRuleLine(imp), Column: 1}, Rule: "AS001", Severity: report.SeverityError,
					Message: "scale-out without a scale-in rule: the plan would never scale back"})
			}
			continue
		}
		for _, p := range a.validate(nil) {
			line := imp.Line
			if i := ruleIndex(p.Field); i >= 0 && i < len(imp.RuleLines) {
				line = imp.RuleLines[i]
			} else if p.Rule == "AS001" || p.Rule == "AS002" || p.Rule == "AS003" || p.Rule == "AS004" {
				line = firstRuleLine(imp)
			}
			sev := report.SeverityError
			if p.Rule == "AS004" || p.Rule == "AS003" {
				sev = report.SeverityWarning
			}
			out = append(out, Diagnostic{Pos: Position{File: file, Line: line, Column: 1}, Rule: p.Rule, Severity: sev, Message: p.Message})
		}
	}
	return out
}

func firstRuleLine(imp ImportedAutoscale) int {
	if len(imp.RuleLines) > 0 {
		return imp.RuleLines[0]
	}
	return imp.Line
}

func ruleIndex(field string) int {
	const p = "autoscale.rules["
	if !strings.HasPrefix(field, p) {
		return -1
	}
	rest := field[len(p):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return -1
	}
	n, err := strconv.Atoi(rest[:j])
	if err != nil {
		return -1
	}
	return n
}

package appservice

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// kvOracle is the regular expression splitKV replaces; it stays here as
// the specification splitKV must agree with.
var kvOracle = regexp.MustCompile(`^\s*"?([A-Za-z_]+)"?\s*[:=]\s*(.*?)\s*,?\s*(//.*|#.*)?$`)

func checkSplitKV(t *testing.T, line string) {
	t.Helper()
	if strings.Contains(line, "\n") {
		return // the linter splits lines first
	}
	k, v, ok := splitKV(line)
	m := kvOracle.FindStringSubmatch(line)
	if ok != (m != nil) {
		t.Fatalf("%q: splitKV ok=%v, regexp match=%v", line, ok, m != nil)
	}
	if ok && (k != m[1] || v != m[2]) {
		t.Fatalf("%q: splitKV (%q, %q), regexp (%q, %q)", line, k, v, m[1], m[2])
	}
}

func TestSplitKVAgreesWithRegexp(t *testing.T) {
	for _, line := range []string{
		`metricName: 'CpuPercentage'`,
		`  "metricName": "CpuPercentage",`,
		`      metric_name        = "CpuPercentage"`,
		`threshold = 70 # comment`,
		`threshold = 70 , // comment`,
		`url: "https://example.com"`,
		`value: ,`,
		`value: , ,`,
		`value:`,
		`value=   `,
		`"key" : x`,
		`  : x`,
		`ke-y: x`,
		"value:\t1\r",
		"a:\f,\f#",
		`a: b,c`,
		`a: b ,, # x`,
		`a: #`,
		`a = "x" /`,
	} {
		checkSplitKV(t, line)
	}
}

func FuzzSplitKV(f *testing.F) {
	f.Add(`  "metricName": "CpuPercentage", // x`)
	f.Add(`threshold = 70 ,  # y`)
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > 1<<10 {
			return
		}
		checkSplitKV(t, line)
	})
}

func realWorldLines(b *testing.B) []string {
	b.Helper()
	var lines []string
	for _, p := range []string{"testdata/realworld/onefuzz-autoscale-settings.bicep", "testdata/realworld/senacor-app-service-autoscaling.tf"} {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, strings.Split(string(src), "\n")...)
	}
	return lines
}

// BenchmarkSplitKV and BenchmarkSplitKVRegexp compare the line splitter
// with the regular expression it replaced, on real inputs.
func BenchmarkSplitKV(b *testing.B) {
	lines := realWorldLines(b)
	for b.Loop() {
		for _, l := range lines {
			splitKV(l)
		}
	}
}

func BenchmarkSplitKVRegexp(b *testing.B) {
	lines := realWorldLines(b)
	for b.Loop() {
		for _, l := range lines {
			kvOracle.FindStringSubmatch(l)
		}
	}
}

// TestLintAutoscaleProfileWithoutRules: a profile with capacity and no rule
// never scales; a capacity block outside an autoscale setting is not one.
func TestLintAutoscaleProfileWithoutRules(t *testing.T) {
	src := "resource \"azurerm_monitor_autoscale_setting\" \"a\" {\n  profile {\n    capacity {\n      default = 3\n      minimum = 1\n      maximum = 10\n    }\n  }\n}\n"
	diags := LintAutoscale("a.tf", []byte(src))
	if len(diags) != 1 || diags[0].Rule != "AS001" || diags[0].Pos.Line != 3 {
		t.Fatalf("want one AS001 at line 3, got %+v", diags)
	}
	sku := "resource \"azurerm_dedicated_host_group\" \"g\" {\n  capacity {\n    minimum = 1\n  }\n}\n"
	if d := LintAutoscale("g.tf", []byte(sku)); len(d) != 0 {
		t.Fatalf("capacity outside autoscale reported: %+v", d)
	}
}

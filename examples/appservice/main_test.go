package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	site    = "../../appservice/testdata/site.json"
	tierBad = "../../appservice/testdata/seed-tier.json"
	state   = "testdata/state.json"
	trace   = "../../appservice/testdata/flapping-doc.csv"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestConventions(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"help", []string{"-h"}, 0, []string{"plan", "apply", "autoscale", "deploy", "Exit codes"}, nil},
		{"help verb", []string{"help", "deploy"}, 0, []string{"-preview", "-image", "swaps back"}, nil},
		{"autoscale help", []string{"autoscale", "-h"}, 0, []string{"simulate", "plan", "apply"}, nil},
		{"offline plan", []string{"plan", "-spec", site, "-current", state}, 0, []string{"Plan: 1 to create, 4 to change, 0 to destroy.", "~ alwaysOn = false -> true"}, nil},
		{"detailed exit code", []string{"plan", "-current", state, "-spec", site, "-detailed-exitcode"}, 2, []string{"Plan:"}, nil},
		{"go-style and gnu flags", []string{"plan", "--spec=" + site, "-current=" + state}, 0, []string{"Plan:"}, nil},
		{"autoscale plan on B1", []string{"autoscale", "plan", "-spec", site, "-current", state}, 1, nil, []string{"site.json:22:3: autoscale: autoscale needs the Standard tier or higher; B1 is Basic"}},
		{"autoscale plan", []string{"autoscale", "plan", "-spec", site, "-current", "testdata/state-s1.json"}, 0, []string{"Plan: 1 to create, 0 to change", "autoscalesettings.minimalwave-autoscale will be created"}, nil},
		{"tier error", []string{"plan", "-spec", tierBad, "-current", state}, 1, nil, []string{"seed-tier.json:6:3: autoscale: autoscale needs the Standard tier or higher; B1 is Basic"}},
		{"bad format", []string{"plan", "-spec", site, "-current", state, "-format", "yaml"}, 2, nil, []string{`unknown format "yaml"`}},
		{"missing spec", []string{"plan"}, 2, nil, []string{"-spec site.json is required"}},
		{"missing file", []string{"plan", "-spec", "nope.json"}, 2, nil, []string{"nope.json"}},
		{"unknown flag", []string{"plan", "-nope"}, 2, nil, []string{"unknown"}},
		{"positional refused", []string{"plan", "extra", "-spec", site}, 2, nil, []string{"want 0 argument"}},
		{"simulate", []string{"autoscale", "simulate", "-spec", "testdata/doc-rules.json", "-trace", trace, "-trace-instances", "1"}, 0,
			[]string{"scale out 1 → 2", "flap prevented: scale in 2 → 1 skipped, projected 56", "final 1 instances"}, []string{"margin too small"}},
		{"simulate quiet", []string{"autoscale", "simulate", "-q", "-spec", "testdata/doc-rules.json", "-trace", trace, "-trace-instances", "1"}, 0, []string{"final 1 instances;"}, nil},
		{"simulate needs trace", []string{"autoscale", "simulate", "-spec", site}, 2, nil, []string{"-trace"}},
		{"deploy needs image", []string{"deploy", "-spec", site}, 2, nil, []string{"-image is required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			assert.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range c.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range c.stderr {
				assert.Contains(t, errOut, s)
			}
			assert.NotContains(t, out+errOut, "hunter2", "app setting values never print")
			assert.NotContains(t, out+errOut, "s3cr3t", "app setting values never print")
		})
	}
}

func TestPlanJSONAndSavedPlan(t *testing.T) {
	out := t.TempDir() + "/plan.json"
	code, stdout, _ := runCLI("plan", "-spec", site, "-current", state, "-format", "json", "-out", out)
	require.Equal(t, 0, code)
	var doc struct {
		SchemaVersion string         `json:"schema_version"`
		Fingerprint   string         `json:"fingerprint"`
		Summary       map[string]int `json:"summary"`
		Resources     []struct {
			Action string `json:"action"`
			Fields []struct {
				Path      string `json:"path"`
				Sensitive bool   `json:"sensitive"`
				New       any    `json:"new"`
			} `json:"fields"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	assert.Equal(t, "1", doc.SchemaVersion)
	assert.True(t, strings.HasPrefix(doc.Fingerprint, "sha256:"))
	assert.Equal(t, 4, doc.Summary["modify"])
	for _, r := range doc.Resources {
		for _, f := range r.Fields {
			if strings.HasPrefix(f.Path, "appSettings[") {
				assert.True(t, f.Sensitive)
				assert.Nil(t, f.New)
			}
		}
	}
	assert.NotContains(t, stdout, "s3cr3t")
}

// forbidden answers every ARM request with 403, to check that apply talks
// to Azure through the options it is given and maps the failure to exit 1.
type forbidden struct{}

func (forbidden) Do(r *http.Request) (*http.Response, error) {
	body := `{"error":{"code":"AuthorizationFailed","message":"no"}}`
	return &http.Response{StatusCode: 403, Status: "403 Forbidden", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func TestApplyReportsAzureErrors(t *testing.T) {
	e := env{credential: &azfake.TokenCredential{}, armOptions: &arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: forbidden{}}}}
	var out, errb bytes.Buffer
	code := runWith(e, []string{"apply", "-spec", site}, &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "AuthorizationFailed")
	assert.Contains(t, errb.String(), "app settings of minimalwave-app: HTTP 403 AuthorizationFailed")
	assert.NotContains(t, errb.String(), "s3cr3t")
}

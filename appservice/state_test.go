package appservice_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
)

// Positions in these tests were counted in the source text with Python's
// str.index (1-based line, byte column); field names are ARM's (the REST
// API's JSON names, which the SDK's models write).

// TestStateErrorsArePositioned: a saved state (plan -current) with a
// mistyped field names file:line:col of the value and the field path, in
// JSON words; the value itself is never quoted.
func TestStateErrorsArePositioned(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{\"plan\": {},\n \"siteConfig\": {\"properties\": {\"alwaysOn\": \"yes\"}}}",
			`st.json:2:44: siteConfig.properties.alwaysOn: expected a boolean, found a string`},
		{`{"plan": {"sku": {"capacity": "2"}}}`,
			`st.json:1:31: plan.sku.capacity: expected an integer, found a string`},
		// The mistyped setting itself, not the object around it.
		{"{\"plan\": {},\n  \"appSettings\": {\"properties\": {\"SECRET_KEY\": 12345}}}",
			`st.json:2:48: appSettings.properties["SECRET_KEY"]: expected a string, found a number`},
		{`{"plan": {"sku": {"capacity": 1e12}}}`,
			`st.json:1:31: plan.sku.capacity: expected an integer, found 1e12`},
	} {
		_, err := appservice.ParseState("st.json", []byte(c.src))
		require.Error(t, err, c.src)
		assert.Equal(t, c.want, err.Error())
		assert.NotContains(t, err.Error(), "12345", "a value is never quoted")
	}
}

// TestStateRefusesNestedUnknownFields: a misspelt field deep inside an SDK
// model was accepted and dropped before (only top-level names were
// checked), so a plan computed from the state silently ignored it.
func TestStateRefusesNestedUnknownFields(t *testing.T) {
	src := `{
  "plan": {"sku": {"name": "S1", "capacity": 2}, "properties": {"perSiteScalling": true}},
  "siteConfig": {"properties": {"alwaysOn": true, "http2Enabled": true}},
  "autoscale": {"properties": {"profiles": [{"name": "p", "capacity": {"minimum": "1", "maximum": "3", "default": "1"},
    "rules": [{"metricTrigger": {"metricName": "CpuPercentage", "treshold": 70}}]}]}}
}`
	_, err := appservice.ParseState("st.json", []byte(src))
	var se *appservice.SpecError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, `st.json:2:65: plan.properties.perSiteScalling: unknown field "perSiteScalling" (did you mean "perSiteScaling"?)
st.json:3:51: siteConfig.properties.http2Enabled: unknown field "http2Enabled" (did you mean "http20Enabled"?)
st.json:5:65: autoscale.properties.profiles[0].rules[0].metricTrigger.treshold: unknown field "treshold" (did you mean "threshold"?)`, err.Error())
}

func TestStateDuplicateSettingNamesBothPlaces(t *testing.T) {
	// encoding/json keeps the last value: the plan would compare against a
	// setting that Azure may never have had.
	src := "{\"plan\": {},\n \"appSettings\": {\"properties\": {\"DEBUG\": \"false\",\n   \"DEBUG\": \"true\"}}}"
	_, err := appservice.ParseState("st.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `st.json:3:4: appSettings.properties["DEBUG"]: duplicate key "DEBUG" (first given at 2:33)`, err.Error())
	assert.NotContains(t, err.Error(), "true")
}

func TestStateUnknownNameThatIsKnownElsewhere(t *testing.T) {
	// "capacity" is a field of plan.sku; under plan.properties it is not.
	src := "{\"plan\": {\"sku\": {\"capacity\": 1},\n  \"properties\": {\"capacity\": 2}}}"
	_, err := appservice.ParseState("st.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `st.json:2:18: plan.properties.capacity: unknown field "capacity"`, err.Error())
}

func TestStateSecretInTypeErrorNotEchoed(t *testing.T) {
	src := `{"plan": {}, "appSettings": {"properties": {"DATABASE_URL": ["postgres://blog:hunter2@db/blog"]}},
	  "siteConfig": {"properties": {"numberOfWorkers": "hunter2"}}}`
	_, err := appservice.ParseState("st.json", []byte(src))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `appSettings.properties["DATABASE_URL"]: expected a string, found an array`)
	assert.Contains(t, err.Error(), `siteConfig.properties.numberOfWorkers: expected an integer, found a string`)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestStateRequiresThePlan(t *testing.T) {
	_, err := appservice.ParseState("st.json", []byte(`{"siteConfig": {}}`))
	require.Error(t, err)
	assert.Equal(t, "st.json:1:1: plan: required: the App Service plan as ARM returns it", err.Error())
	_, err = appservice.ParseState("st.json", []byte(`{"plan": {}, "autoscale": null}`))
	require.NoError(t, err, "a null autoscale is a missing one")
}

// The saved states shipped with the examples (written as ARM returns the
// resources) are all accepted.
func TestStateFixturesParse(t *testing.T) {
	for _, p := range []string{"../examples/appservice/testdata/state.json", "../examples/appservice/testdata/state-s1.json",
		"../examples/deployplan/project/minimalwave-blog/deploy/appservice.state.json"} {
		st, err := appservice.LoadState(p)
		require.NoError(t, err, p)
		require.NotNil(t, st.Plan)
	}
	b, err := os.ReadFile("../examples/appservice/testdata/state.json")
	require.NoError(t, err)
	_, err = appservice.ParseState("state.json", []byte(strings.Replace(string(b), `"numberOfWorkers"`, `"numberOfWorker"`, 1)))
	assert.ErrorContains(t, err, `unknown field "numberOfWorker" (did you mean "numberOfWorkers"?)`)
}

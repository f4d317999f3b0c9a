package appservice_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
)

// Positions were counted in the source text with Python's str.index.

func TestSpecNestedProblemsAllAtOnce(t *testing.T) {
	src := `{
  "target": {"resourceGroup": "rg", "app": "a", "plan": "p", "subscripton": "x"},
  "sku": {"name": "S1"},
  "autoscale": {"name": "as", "min": 1, "max": 3, "default": 1,
    "rules": [{"when": "CpuPercentage > 70 avg 5m", "scale": "out 1", "cooldwn": "5m"}]}
}`
	_, err := appservice.ParseSpec("site.json", []byte(src))
	var se *appservice.SpecError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, `site.json:2:62: target.subscripton: unknown field "subscripton" (did you mean "subscription"?)
site.json:5:71: autoscale.rules[0].cooldwn: unknown field "cooldwn" (did you mean "cooldown"?)`, err.Error())
}

func TestSpecDuplicateFieldBothPlaces(t *testing.T) {
	// encoding/json keeps the last alwaysOn silently; which one the author
	// meant is not knowable.
	src := "{\"target\": {\"resourceGroup\": \"rg\", \"app\": \"a\", \"plan\": \"p\"},\n \"alwaysOn\": true,\n \"alwaysOn\": false}"
	_, err := appservice.ParseSpec("site.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `site.json:3:2: alwaysOn: duplicate field "alwaysOn" (first given at 2:2)`, err.Error())
}

func TestSpecUnknownNameThatIsKnownElsewhere(t *testing.T) {
	// "name" is a field of sku and autoscale; inside container it is not.
	src := "{\"target\": {\"resourceGroup\": \"rg\", \"app\": \"a\", \"plan\": \"p\"},\n \"sku\": {\"name\": \"S1\"},\n \"container\": {\"image\": \"x:1\", \"name\": \"web\"}}"
	_, err := appservice.ParseSpec("site.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `site.json:3:32: container.name: unknown field "name" (expected one of: image, port, registryIdentity)`, err.Error())
}

func TestSpecSecretInTypeErrorNotEchoed(t *testing.T) {
	src := `{"target": {"resourceGroup": "rg", "app": "a", "plan": "p"},
  "appSettings": {"SECRET_KEY": {"value": "hunter2-s3cr3t"}, "DB": ["hunter2-s3cr3t"], "OK": "hunter2-s3cr3t"},
  "http2": "hunter2-s3cr3t"}`
	_, err := appservice.ParseSpec("site.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, 3, strings.Count(err.Error(), "\n")+1, err.Error())
	assert.Contains(t, err.Error(), `site.json:2:33: appSettings["SECRET_KEY"]: expected a string, found an object`)
	assert.NotContains(t, err.Error(), "hunter2")
}

// A missing field is placed at the object that lacks it: every problem of a
// file has a position.
func TestSpecMissingFieldsArePositioned(t *testing.T) {
	_, err := appservice.ParseSpec("site.json", []byte("\n  {}"))
	require.Error(t, err)
	assert.ElementsMatch(t, []string{
		"site.json:2:3: target.resourceGroup: expected a name",
		"site.json:2:3: target.app: expected a name",
		"site.json:2:3: target.plan: expected a name",
	}, strings.Split(err.Error(), "\n"))
}

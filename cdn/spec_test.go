package cdn

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Positions were counted in the source text with Python's str.index; a
// FieldError's position is where the value of its pointer starts.

func TestParseSpecReportsEveryDecodingProblem(t *testing.T) {
	// DisallowUnknownFields stopped at the first of these.
	src := "{\"resourceGroup\": \"rg\",\n" +
		" \"profile\": {\"name\": \"p\", \"originResponseTimoutSeconds\": 60},\n" +
		" \"endpoint\": {\"name\": \"e\", \"disabled\": \"no\"},\n" +
		" \"origin\": {\"hostName\": \"a.azurewebsites.net\"},\n" +
		" \"staticRoute\": {\"patterns\": [\"/static/*\", 7]}}"
	_, err := ParseSpec("cdn.json", []byte(src))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, `cdn.json:2:58: /profile/originResponseTimoutSeconds: unknown field "originResponseTimoutSeconds" (did you mean "originResponseTimeoutSeconds"?)
cdn.json:3:40: /endpoint/disabled: expected a boolean, found JSON string
cdn.json:5:44: /staticRoute/patterns/1: expected a string, found JSON number`, err.Error())
}

// The old decoder placed an unknown name at the first value anywhere in
// the document whose last pointer segment matched it.
func TestParseSpecUnknownNameKnownElsewhere(t *testing.T) {
	src := "{\"resourceGroup\": \"rg\",\n" +
		" \"profile\": {\"name\": \"p\", \"sku\": \"Standard_AzureFrontDoor\"},\n" +
		" \"endpoint\": {\"name\": \"e\", \"sku\": \"Premium_AzureFrontDoor\"},\n" +
		" \"origin\": {\"hostName\": \"a.azurewebsites.net\"}}"
	_, err := ParseSpec("cdn.json", []byte(src))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Len(t, ie.Errors, 1)
	assert.Equal(t, `cdn.json:3:35: /endpoint/sku: unknown field "sku" (expected one of: disabled, name)`, ie.Errors[0].Error())
}

func TestParseSpecDuplicateName(t *testing.T) {
	// encoding/json keeps the last hostName silently.
	src := "{\"resourceGroup\": \"rg\", \"profile\": {\"name\": \"p\"}, \"endpoint\": {\"name\": \"e\"},\n" +
		" \"origin\": {\"hostName\": \"a.azurewebsites.net\",\n  \"hostName\": \"b.azurewebsites.net\"}}"
	_, err := ParseSpec("cdn.json", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `cdn.json:3:15: /origin/hostName: duplicate field "hostName" (first given at 2:13)`, err.Error())
}

func TestParseSpecDecodingErrorsNeverQuoteValues(t *testing.T) {
	src := `{"resourceGroup": ["hunter2-sas-sig"], "profile": {"name": {"k": "hunter2-sas-sig"}},
	  "origin": {"hostName": 1, "originHostHeader": true}, "endpoint": {"name": "e", "disabled": "hunter2-sas-sig"}}`
	_, err := ParseSpec("cdn.json", []byte(src))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Len(t, ie.Errors, 5)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestParseSpecBounds(t *testing.T) {
	_, err := ParseSpec("cdn.json", []byte(`{"resourceGroup": `+strings.Repeat("[", 100_000)))
	// The 64th array is the 65th level (the object is the first).
	assert.EqualError(t, err, "cdn.json:1:19: /resourceGroup: expected a string, found JSON array\n"+
		"cdn.json:1:82: /resourceGroup"+strings.Repeat("/0", 63)+": nested deeper than 64 levels")
	_, err = ParseSpec("cdn.json", make([]byte, maxSpecSize+1))
	assert.EqualError(t, err, "cdn.json:1:1: larger than 1048576 bytes")
}

package appservice_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
)

// TestStateErrorsArePositioned: a saved state (plan -current) with a
// mistyped field names file:line:col of the value and the field path; the
// SDK's own decoders give no offset.
func TestStateErrorsArePositioned(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{\"plan\": {},\n \"siteConfig\": {\"properties\": {\"alwaysOn\": \"yes\"}}}",
			`st.json:2:44: siteConfig.properties.alwaysOn: cannot unmarshal string into Go value of type bool`},
		{`{"plan": {"sku": {"capacity": "2"}}}`,
			`st.json:1:31: plan.sku.capacity: cannot unmarshal string into Go value of type int32`},
		{"{\"plan\": {},\n  \"appSettings\": {\"properties\": {\"SECRET_KEY\": 12345}}}",
			`st.json:2:33: appSettings.properties: cannot unmarshal number into Go value of type string`},
	} {
		_, err := appservice.ParseState("st.json", []byte(c.src))
		require.Error(t, err, c.src)
		assert.Equal(t, c.want, err.Error())
		assert.NotContains(t, err.Error(), "12345", "a value is never quoted")
	}
}

package plan

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func samplePlan() *Plan {
	return &Plan{
		Tool:        "deploykit/appservice",
		Fingerprint: Fingerprint([]byte(`{"alwaysOn":false}`), []byte("absent:plan")),
		Resources: []ResourceChange{
			{
				Address:   Address{Type: "Microsoft.Web/sites/config", Name: "app/web"},
				Action:    Modify,
				Unchanged: 4,
				Fields: []FieldChange{
					{Path: "alwaysOn", Action: Modify, Old: false, New: true},
					{Path: "healthCheckPath", Action: Create, New: "/healthz", Restarts: true},
				},
			},
			{
				Address: Address{Type: "Microsoft.Web/sites/config", Name: "app/appsettings"},
				Action:  Modify,
				Fields: []FieldChange{
					{Path: `appSettings["SECRET_KEY"]`, Action: Modify, Old: "old-secret-value", New: "new-secret-value", Sensitive: true, Restarts: true},
					{Path: `appSettings["OLD"]`, Action: Delete, Old: "x", Sensitive: true, Restarts: true},
				},
			},
			{
				Address: Address{Type: "Microsoft.Web/serverfarms", Name: "plan"},
				Action:  Modify,
				Cost:    &Cost{MonthlyDelta: 56.21, Currency: "USD", Basis: "test table"},
				Fields:  []FieldChange{{Path: "sku.name", Action: Modify, Old: "B1", New: "S1", Restarts: true}},
			},
			{Address: Address{Type: "Microsoft.Insights/autoscalesettings", Name: "as"}, Action: NoChange},
		},
	}
}

func TestTextRendering(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, samplePlan().WriteText(&b, TextOptions{}))
	out := b.String()
	// Terraform's shape: symbols, old -> new, hidden count, summary line.
	assert.Contains(t, out, "  # Microsoft.Web/sites/config.app/web will be updated in-place [restarts the app]\n")
	assert.Contains(t, out, "      ~ alwaysOn = false -> true\n")
	assert.Contains(t, out, `      + healthCheckPath = "/healthz"  # restarts the app`+"\n")
	assert.Contains(t, out, "        # (4 unchanged attributes hidden)\n")
	assert.Contains(t, out, `      ~ appSettings["SECRET_KEY"] = (sensitive value) -> (sensitive value)`)
	assert.Contains(t, out, `      - appSettings["OLD"] = (sensitive value) -> null`)
	assert.Contains(t, out, "[restarts the app; changes cost +$56.21/month]")
	assert.Contains(t, out, "Plan: 0 to create, 3 to change, 0 to destroy. Cost: +$56.21/month.\n")
	assert.NotContains(t, out, "secret-value")
	assert.NotContains(t, out, "autoscalesettings", "NoChange resources are hidden by default")
}

func TestRevealSensitive(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, samplePlan().WriteText(&b, TextOptions{RevealSensitive: true, ShowUnchanged: true}))
	assert.Contains(t, b.String(), `"old-secret-value" -> "new-secret-value"`)
	assert.Contains(t, b.String(), "= Microsoft.Insights/autoscalesettings.as (no changes)")
}

func TestUsageBasedCost(t *testing.T) {
	p := &Plan{Resources: []ResourceChange{{Address: Address{Type: "Microsoft.Insights/components", Name: "ai"}, Action: Create,
		Cost: &Cost{Currency: "USD", UsageBased: true, Basis: "per GB"}, Fields: []FieldChange{{Path: "kind", Action: Create, New: "web"}}}}}
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, TextOptions{}))
	assert.Contains(t, b.String(), "will be created [changes cost (usage-based)]")
	assert.Contains(t, b.String(), "Plan: 1 to create, 0 to change, 0 to destroy. Cost: +$0.00/month.")
}

func TestTextDoesNotEscapeHTML(t *testing.T) {
	p := &Plan{Resources: []ResourceChange{{Address: Address{Type: "T", Name: "n"}, Action: Modify,
		Fields: []FieldChange{{Path: "rule", Action: Modify, Old: "CPU < 30", New: "CPU > 70 & up"}}}}}
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, TextOptions{}))
	assert.Contains(t, b.String(), `~ rule = "CPU < 30" -> "CPU > 70 & up"`)
}

func TestNoChanges(t *testing.T) {
	p := &Plan{Resources: []ResourceChange{{Address: Address{Type: "T", Name: "n"}, Action: NoChange}}}
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b, TextOptions{}))
	assert.Equal(t, "No changes. The owned settings match the desired state.\n", b.String())
	assert.False(t, p.HasChanges())
}

func TestJSONRoundTripNeverCarriesSecrets(t *testing.T) {
	p := samplePlan()
	var b bytes.Buffer
	require.NoError(t, p.WriteJSON(&b))
	assert.NotContains(t, b.String(), "secret-value")
	assert.Contains(t, b.String(), `"schema_version": "1"`)
	assert.Contains(t, b.String(), `"monthly_delta": {`)
	assert.Contains(t, b.String(), `"action": "NoChange"`)
	back, err := ReadJSON(&b)
	require.NoError(t, err)
	assert.Equal(t, p.Digest(), back.Digest())
	assert.Equal(t, p.Fingerprint, back.Fingerprint)
	assert.Equal(t, p.Summary(), back.Summary())
	assert.Equal(t, Summary{Modify: 3, NoChange: 1}, back.Summary())
}

func TestDigestIgnoresSecretValues(t *testing.T) {
	a, b := samplePlan(), samplePlan()
	b.Resources[1].Fields[0].New = "another"
	assert.Equal(t, a.Digest(), b.Digest())
	b.Resources[0].Fields[0].New = false
	assert.NotEqual(t, a.Digest(), b.Digest())
}

func TestReadJSONRejects(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, samplePlan().WriteJSON(&b))
	edited := strings.Replace(b.String(), `"new": "S1"`, `"new": "P1v3"`, 1)
	_, err := ReadJSON(strings.NewReader(edited))
	assert.ErrorContains(t, err, "digest mismatch")
	_, err = ReadJSON(strings.NewReader(`{"schema_version":"1","bogus":1}`))
	assert.ErrorContains(t, err, "unknown field")
	_, err = ReadJSON(strings.NewReader(`{"schema_version":"9"}`))
	assert.ErrorContains(t, err, "schema_version")
	_, err = ReadJSON(strings.NewReader(`{"schema_version":"1","resources":[{"address":{"type":"t","name":"n"},"action":"Explode","fields":[]}]}`))
	assert.ErrorContains(t, err, "unknown action")
}

func TestStale(t *testing.T) {
	p := samplePlan()
	require.NoError(t, p.CheckFresh(Fingerprint([]byte(`{"alwaysOn":false}`), []byte("absent:plan"))))
	err := p.CheckFresh(Fingerprint([]byte(`{"alwaysOn":true}`), []byte("absent:plan")))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrStale))
	var se *StaleError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "saved plan is stale")
}

func TestFingerprintIsLengthPrefixed(t *testing.T) {
	assert.NotEqual(t, Fingerprint([]byte("ab"), []byte("c")), Fingerprint([]byte("a"), []byte("bc")))
}

func TestExitCode(t *testing.T) {
	changed, same := samplePlan(), &Plan{}
	assert.Equal(t, 0, ExitCode(changed, nil, false))
	assert.Equal(t, 2, ExitCode(changed, nil, true))
	assert.Equal(t, 0, ExitCode(same, nil, true))
	assert.Equal(t, 1, ExitCode(changed, errors.New("x"), true))
}

func FuzzReadJSON(f *testing.F) {
	var b bytes.Buffer
	_ = samplePlan().WriteJSON(&b)
	f.Add(b.Bytes())
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		p, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := p.WriteJSON(&out); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		_ = p.WriteText(&bytes.Buffer{}, TextOptions{})
	})
}

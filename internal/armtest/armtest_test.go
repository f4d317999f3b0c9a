package armtest_test

import (
	"context"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/armtest"
)

const cfgKey = "/sites/app/config/web"

func newClient(t *testing.T, store *armtest.Store, transient *armtest.Transient) (*armappservice.WebAppsClient, *armtest.Recorder) {
	t.Helper()
	srv := fake.ServerFactory{WebAppsServer: fake.WebAppsServer{
		GetConfiguration: func(ctx context.Context, rg, name string, _ *armappservice.WebAppsClientGetConfigurationOptions) (azfake.Responder[armappservice.WebAppsClientGetConfigurationResponse], azfake.ErrorResponder) {
			v, ok, err := armtest.Get[armappservice.SiteConfigResource](store, cfgKey)
			if err != nil || !ok {
				return armtest.Fail[armappservice.WebAppsClientGetConfigurationResponse](http.StatusNotFound, "NotFound")
			}
			return armtest.Respond(http.StatusOK, armappservice.WebAppsClientGetConfigurationResponse{SiteConfigResource: v})
		},
		UpdateConfiguration: func(ctx context.Context, rg, name string, cfg armappservice.SiteConfigResource, _ *armappservice.WebAppsClientUpdateConfigurationOptions) (azfake.Responder[armappservice.WebAppsClientUpdateConfigurationResponse], azfake.ErrorResponder) {
			v, err := armtest.Patch(store, cfgKey, cfg)
			if err != nil {
				return armtest.Fail[armappservice.WebAppsClientUpdateConfigurationResponse](http.StatusNotFound, "NotFound")
			}
			return armtest.Respond(http.StatusOK, armappservice.WebAppsClientUpdateConfigurationResponse{SiteConfigResource: v})
		},
	}}
	rec := &armtest.Recorder{Next: fake.NewServerFactoryTransport(&srv)}
	var tr policy.Transporter = rec
	if transient != nil {
		transient.Next = rec
		tr = transient
	}
	c, err := armappservice.NewWebAppsClient("sub", &azfake.TokenCredential{}, armtest.ClientOptions(tr))
	require.NoError(t, err)
	return c, rec
}

func seed(t *testing.T) *armtest.Store {
	s := armtest.NewStore()
	require.NoError(t, armtest.Put(s, cfgKey, armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{
		AlwaysOn:               to.Ptr(false),
		LinuxFxVersion:         to.Ptr("DOCKER|app:1"),
		IPSecurityRestrictions: []*armappservice.IPSecurityRestriction{{Name: to.Ptr("office"), IPAddress: to.Ptr("10.0.0.0/8")}},
	}}))
	return s
}

func TestPatchSendsOnlySetFieldsAndKeepsTheRest(t *testing.T) {
	store := seed(t)
	c, rec := newClient(t, store, nil)
	ctx := context.Background()
	_, err := c.UpdateConfiguration(ctx, "rg", "app", armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{AlwaysOn: to.Ptr(true)}}, nil)
	require.NoError(t, err)
	reqs := rec.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPatch, reqs[0].Method)
	assert.Equal(t, "WebAppsClient.UpdateConfiguration", reqs[0].API)
	assert.JSONEq(t, `{"properties":{"alwaysOn":true}}`, string(reqs[0].Body))
	assert.True(t, armtest.IsWrite(reqs[0]))

	got, err := c.GetConfiguration(ctx, "rg", "app", nil)
	require.NoError(t, err)
	assert.True(t, *got.Properties.AlwaysOn)
	assert.Equal(t, "DOCKER|app:1", *got.Properties.LinuxFxVersion, "PATCH keeps unsent fields")
	require.Len(t, got.Properties.IPSecurityRestrictions, 1)
	assert.Equal(t, 1, rec.Count(armtest.IsRead))
}

func TestTransientFailuresAreRetried(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		store := seed(t)
		tr := &armtest.Transient{Status: status, Times: 2}
		c, rec := newClient(t, store, tr)
		_, err := c.GetConfiguration(context.Background(), "rg", "app", nil)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, 2, tr.Injected())
		assert.Equal(t, 1, rec.Count(nil), "the third attempt reached the server")
	}
}

func TestTransientBeyondRetriesFails(t *testing.T) {
	tr := &armtest.Transient{Status: http.StatusServiceUnavailable, Times: 10}
	c, _ := newClient(t, seed(t), tr)
	_, err := c.GetConfiguration(context.Background(), "rg", "app", nil)
	require.Error(t, err)
	assert.Equal(t, 4, tr.Injected(), "1 try + 3 retries")
}

func TestMergePatch(t *testing.T) {
	// RFC 7386 appendix A examples.
	cases := []struct{ doc, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
	}
	for _, c := range cases {
		got, err := armtest.MergePatch([]byte(c.doc), []byte(c.patch))
		require.NoError(t, err)
		assert.JSONEq(t, c.want, string(got), "%s + %s", c.doc, c.patch)
	}
}

func TestStorePatchMissing(t *testing.T) {
	_, err := armtest.Patch(armtest.NewStore(), "x", map[string]any{"a": 1})
	assert.ErrorIs(t, err, armtest.ErrNotFound)
}

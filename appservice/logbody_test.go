package appservice_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	asfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5/fake"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/armtest"
)

// TestSDKBodyLoggingNeverShowsAppSettings: a caller who turns on azcore's
// body logging (Logging.IncludeBody) for its own debugging must still not
// see app setting values or the App Insights connection string in the log.
func TestSDKBodyLoggingNeverShowsAppSettings(t *testing.T) {
	var mu sync.Mutex
	var logs strings.Builder
	azlog.SetListener(func(_ azlog.Event, msg string) { mu.Lock(); logs.WriteString(msg + "\n"); mu.Unlock() })
	defer azlog.SetListener(nil)

	az := newAzure(t, "S1")
	web, _, _ := az.servers()
	rec := &armtest.Recorder{Next: armtest.Route{"WebAppsClient": asfake.NewServerFactoryTransport(&web), "PlansClient": asfake.NewServerFactoryTransport(&web)}}
	co := armtest.ClientOptions(rec)
	co.Logging.IncludeBody = true
	c, err := appservice.NewClient(sub, &azfake.TokenCredential{}, &appservice.Options{ClientOptions: co, PollFrequency: time.Millisecond})
	require.NoError(t, err)
	spec := loadSpec(t, "site.json")
	spec.SKU, spec.Autoscale, spec.ApplicationInsights = nil, nil, nil
	_, err = c.Apply(context.Background(), spec, nil)
	require.NoError(t, err)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	require.Contains(t, out, "appsettings", "the SDK logged the requests")
	assertNoSecrets(t, "azcore log", out)
	require.True(t, co.Logging.IncludeBody, "the caller's options are not modified")
}

package cdn

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2/fake"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeFromTwoCollectstaticRuns takes the manifests of two real
// collectstatic runs, the second after editing site.css, and purges only
// the edited file's plain name.
func TestPurgeFromTwoCollectstaticRuns(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir := djangoProject(t, g, "")
	oldM := readManifest(t, dir)
	css := filepath.Join(dir, "static", "css", "site.css")
	b, err := os.ReadFile(css)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(css, append(b, []byte(".new { color: red; }\n")...), 0o644))
	collectstatic(t, g, dir)
	newM := readManifest(t, dir)
	require.NotEqual(t, oldM.Paths["css/site.css"], newM.Paths["css/site.css"])

	paths := PurgePaths(oldM, newM, "")
	require.Equal(t, []PurgePath{{Path: "/static/css/site.css", Name: "css/site.css", Reason: PurgeChanged,
		Old: oldM.Paths["css/site.css"], New: newM.Paths["css/site.css"]}}, paths)

	var out bytes.Buffer
	require.NoError(t, WritePurgeText(&out, paths, true))
	assert.Contains(t, out.String(), "would purge (dry run) /static/css/site.css  # changed: "+oldM.Paths["css/site.css"])
	assert.Contains(t, out.String(), "case-insensitively and ignore query strings")

	var sent [][]string
	srv := fake.AFDEndpointsServer{
		BeginPurgeContent: func(ctx context.Context, rg, profile, endpoint string, contents armcdn.AfdPurgeParameters, _ *armcdn.AFDEndpointsClientBeginPurgeContentOptions) (resp azfake.PollerResponder[armcdn.AFDEndpointsClientPurgeContentResponse], errResp azfake.ErrorResponder) {
			assert.Equal(t, []string{"rg", "prof", "static"}, []string{rg, profile, endpoint})
			var ps []string
			for _, p := range contents.ContentPaths {
				ps = append(ps, *p)
			}
			sent = append(sent, ps)
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			resp.SetTerminalResponse(http.StatusOK, armcdn.AFDEndpointsClientPurgeContentResponse{}, nil)
			return
		},
	}
	client := endpointsClient(t, &fake.ServerFactory{AFDEndpointsServer: srv})
	ep := Endpoint{ResourceGroup: "rg", Profile: "prof", Name: "static"}

	require.NoError(t, Purge(context.Background(), client, ep, paths, PurgeOptions{DryRun: true}))
	assert.Empty(t, sent, "a dry run calls nothing")
	require.NoError(t, Purge(context.Background(), client, ep, paths, PurgeOptions{}))
	assert.Equal(t, [][]string{{"/static/css/site.css"}}, sent)
	assert.ErrorIs(t, Purge(context.Background(), client, ep, PurgePaths(newM, newM, ""), PurgeOptions{}), ErrNothingToPurge)
}

func TestPurgePathsRemovedAndCase(t *testing.T) {
	old := &Manifest{Version: "1.0", Paths: map[string]string{"a.css": "a.111111111111.css", "A.CSS": "A.222222222222.CSS", "gone.js": "gone.333333333333.js", "same.png": "same.444444444444.png"}}
	newM := &Manifest{Version: "1.0", Paths: map[string]string{"a.css": "a.555555555555.css", "A.CSS": "A.666666666666.CSS", "same.png": "same.444444444444.png", "added.txt": "added.777777777777.txt"}}
	got := PurgePaths(old, newM, "/assets")
	var ps []string
	for _, p := range got {
		ps = append(ps, p.Path+" "+string(p.Reason))
	}
	assert.Equal(t, []string{"/assets/A.CSS changed", "/assets/gone.js removed"}, ps, "one of the two case variants; removed files; never added or unchanged ones")
}

func endpointsClient(t *testing.T, srv *fake.ServerFactory) *armcdn.AFDEndpointsClient {
	t.Helper()
	f, err := armcdn.NewClientFactory("sub", &azfake.TokenCredential{}, &arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: fake.NewServerFactoryTransport(srv)}})
	require.NoError(t, err)
	return f.NewAFDEndpointsClient()
}

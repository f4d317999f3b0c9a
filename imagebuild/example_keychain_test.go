package imagebuild_test

import (
	"fmt"

	"github.com/deploykit/deploykit/imagebuild"
)

// One keychain for buildkitd's pulls and pushes and for the size read-back.
func ExampleCredentials() {
	kc := imagebuild.Credentials(map[string]imagebuild.BuildCredentials{
		"myreg.azurecr.io": {Username: "00000000-0000-0000-0000-000000000000", Password: "token"},
	})
	t := imagebuild.Target{Context: ".", Tags: []string{"myreg.azurecr.io/blog:v1"}, Push: true, Keychain: kc}
	opt := imagebuild.SizeOptions{Keychain: kc, Files: true}
	fmt.Println(t.Keychain != nil, opt.Keychain != nil)
	// Output: true true
}

// A GitHub Actions cache: the command passes the runner's
// ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN; a spec never prints the
// token.
func ExampleGHACache() {
	spec := imagebuild.GHACache("main", "https://results-receiver.actions.githubusercontent.com/", "eyJ...")
	spec.Attrs["mode"] = "max"
	fmt.Println(spec)
	// Output: type=gha,mode=max,scope=main,token=***,url_v2=https://results-receiver.actions.githubusercontent.com/,version=2
}

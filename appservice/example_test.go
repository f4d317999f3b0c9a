package appservice_test

import (
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"

	"github.com/deploykit/deploykit/appservice"
)

// The seed's Phase 1 (HTTP/2 and Always On) planned offline against a
// saved state of a B1 app: the plan shows exactly the two owned fields.
func Example() {
	spec := &appservice.Spec{
		Target:   appservice.Target{Subscription: "sub", ResourceGroup: "minimalwave-rg", App: "minimalwave-app", Plan: "minimalwave-plan"},
		HTTP2:    to.Ptr(true),
		AlwaysOn: to.Ptr(true),
	}
	current := &appservice.State{
		SiteConfig: &armappservice.SiteConfigResource{Properties: &armappservice.SiteConfig{
			Http20Enabled: to.Ptr(false), AlwaysOn: to.Ptr(false), LinuxFxVersion: to.Ptr("DOCKER|blog:1.0"),
		}},
		Plan: &armappservice.Plan{SKU: &armappservice.SKUDescription{Name: to.Ptr("B1")}},
	}
	p, err := appservice.Diff(current, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = p.WriteText(os.Stdout, appservice.TextOptions{})
	fmt.Println("exit code with -detailed-exitcode:", appservice.ExitCode(p, nil, true))
	// Output:
	// deploykit will perform the following actions (+ create, ~ update in-place, - destroy):
	//
	//   # Microsoft.Web/sites/config.minimalwave-app/web will be updated in-place
	//   ~ Microsoft.Web/sites/config.minimalwave-app/web {
	//       ~ http20Enabled = false -> true
	//       ~ alwaysOn = false -> true
	//     }
	//
	// Plan: 0 to create, 1 to change, 0 to destroy.
	// exit code with -detailed-exitcode: 2
}

// Always On on a Free plan is refused before any call.
func ExampleSpec_CheckTier() {
	spec := &appservice.Spec{
		Target:   appservice.Target{ResourceGroup: "rg", App: "app", Plan: "plan"},
		AlwaysOn: to.Ptr(true),
	}
	fmt.Println(spec.CheckTier("F1"))
	// Output: alwaysOn: Always On needs the Basic tier or higher; F1 is Free
}

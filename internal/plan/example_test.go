package plan_test

import (
	"fmt"
	"os"

	"github.com/deploykit/deploykit/internal/plan"
)

func Example() {
	p := &plan.Plan{
		Tool:        "deploykit/appservice",
		Fingerprint: plan.Fingerprint([]byte(`{"alwaysOn":false}`)),
		Resources: []plan.ResourceChange{{
			Address: plan.Address{Type: "Microsoft.Web/sites/config", Name: "minimalwave-app/web"},
			Action:  plan.Modify,
			Fields: []plan.FieldChange{
				{Path: "alwaysOn", Action: plan.Modify, Old: false, New: true},
				{Path: `appSettings["SECRET_KEY"]`, Action: plan.Create, New: "s3cr3t", Sensitive: true, Restarts: true},
			},
		}},
	}
	_ = p.WriteText(os.Stdout, plan.TextOptions{})
	fmt.Println("exit code with -detailed-exitcode:", plan.ExitCode(p, nil, true))
	// Output:
	// deploykit will perform the following actions (+ create, ~ update in-place, - destroy):
	//
	//   # Microsoft.Web/sites/config.minimalwave-app/web will be updated in-place [restarts the app]
	//   ~ Microsoft.Web/sites/config.minimalwave-app/web {
	//       ~ alwaysOn = false -> true
	//       + appSettings["SECRET_KEY"] = (sensitive value)  # restarts the app
	//     }
	//
	// Plan: 0 to create, 1 to change, 0 to destroy.
	// exit code with -detailed-exitcode: 2
}

package sarifcheck_test

import (
	"fmt"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

func Example() {
	log := []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "deploykit-dockerfile"}},
	  "results": [{"ruleId": "DK002", "message": {"text": "chown -R after COPY"},
	    "fixes": [{"description": {"text": "use COPY --chown"}, "artifactChanges": []}]}]}]}`)
	fmt.Println(sarifcheck.Validate(log))
	// Output:
	// document does not match its schema:
	//   at '/runs/0/results/0/fixes/0/artifactChanges': minItems: got 0, want 1
}

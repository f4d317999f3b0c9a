package gunicornconf

import "testing"

// TestHeldOutJudged is TestRealWorldJudged for testdata/heldout: configs
// collected after the rules were written, whose expected findings
// (EXPECTED.tsv) were predicted by hand before the validator first ran on
// them. JUDGED.tsv must match the validator's errors and warnings exactly.
func TestHeldOutJudged(t *testing.T) {
	tp, n := checkJudged(t, "testdata/heldout", 25)
	t.Logf("precision of errors and warnings: %d/%d", tp, n)
}

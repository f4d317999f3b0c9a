package gunicornconf

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeldOutJudged is TestRealWorldJudged for testdata/heldout: configs
// collected after the rules were written, whose expected findings
// (EXPECTED.tsv) were predicted by hand before the validator first ran on
// them. JUDGED.tsv must match the validator's errors and warnings exactly.
func TestHeldOutJudged(t *testing.T) {
	tp, n := checkJudged(t, "testdata/heldout", 25)
	t.Logf("precision of errors and warnings: %d/%d", tp, n)
}

// TestHeldOutExpected checks the hand prediction: every finding
// EXPECTED.tsv marks required is reported (recall), and none marked
// must-not is.
func TestHeldOutExpected(t *testing.T) {
	got := map[string]bool{}
	for _, p := range globHeldOut(t) {
		src, err := os.ReadFile("testdata/heldout/" + p)
		require.NoError(t, err)
		c, err := Load(p, src)
		require.NoError(t, err, p)
		for _, d := range c.Validate(Options{Platform: PlatformPlain, Version: mustVersion("26.2")}) {
			if d.Severity.Rank() >= SeverityWarning.Rank() {
				got[p+" "+d.Rule+" "+strconv.Itoa(d.Pos.Line)] = true
				got[p+" "+d.Rule+" -"] = true
			}
		}
	}
	f, err := os.Open("testdata/heldout/EXPECTED.tsv")
	require.NoError(t, err)
	defer f.Close()
	required, found := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 5, line)
		key := cols[0] + " " + cols[1] + " " + cols[2]
		switch cols[4] {
		case "required":
			required++
			if assert.True(t, got[key], "missed: %s", line) {
				found++
			}
		case "must-not":
			assert.False(t, got[key], "false finding: %s", line)
		case "optional":
		default:
			t.Fatalf("unknown kind %q: %s", cols[4], line)
		}
	}
	require.NoError(t, sc.Err())
	t.Logf("recall of required findings: %d/%d", found, required)
}

func globHeldOut(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("testdata/heldout")
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".py") {
			out = append(out, e.Name())
		}
	}
	require.GreaterOrEqual(t, len(out), 25)
	return out
}

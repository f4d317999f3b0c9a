package appservice_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/appservice"
)

// TestRealWorldJudged re-runs LintAutoscale on the public IaC inputs under
// testdata/realworld and checks the hand-judged table exactly: every
// finding is judged, TP/FP rows are found, FN rows are (still) missed, and
// every input file is in the table.
func TestRealWorldJudged(t *testing.T) {
	f, err := os.Open("testdata/realworld/JUDGED.tsv")
	require.NoError(t, err)
	defer f.Close()
	want := map[string]string{} // "file rule line" -> verdict
	judgedFiles := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 5, line)
		judgedFiles[cols[0]] = true
		if cols[3] == "TN" {
			continue
		}
		want[cols[0]+" "+cols[1]+" "+cols[2]] = cols[3]
	}
	inputs, err := filepath.Glob("testdata/realworld/*")
	require.NoError(t, err)
	got := map[string]bool{}
	n := 0
	for _, in := range inputs {
		name := filepath.Base(in)
		if name == "JUDGED.tsv" || name == "FIRSTRUN.tsv" {
			continue
		}
		n++
		assert.True(t, judgedFiles[name], "%s is not in JUDGED.tsv", name)
		b, err := os.ReadFile(in)
		require.NoError(t, err)
		head := string(b[:min(len(b), 800)])
		assert.Contains(t, head, "commit ", "%s needs a header naming repo, path and commit", name)
		for _, d := range appservice.LintAutoscale(name, b) {
			got[fmt.Sprintf("%s %s %d", name, d.Rule, d.Pos.Line)] = true
		}
	}
	var tp, fp, fn int
	for k, v := range want {
		switch v {
		case "TP":
			tp++
			assert.True(t, got[k], "judged %s but not reported: %s", v, k)
		case "FP":
			fp++
			assert.True(t, got[k], "judged %s but not reported: %s", v, k)
		case "FN":
			fn++
			assert.False(t, got[k], "a judged miss is now found; update JUDGED.tsv: %s", k)
		}
	}
	var unjudged []string
	for k := range got {
		if _, ok := want[k]; !ok {
			unjudged = append(unjudged, k)
		}
	}
	sort.Strings(unjudged)
	assert.Empty(t, unjudged, "findings not in JUDGED.tsv")
	t.Logf("%d inputs; TP %d, FP %d, FN %d; precision %.2f, recall %.2f", n, tp, fp, fn, float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn))
}

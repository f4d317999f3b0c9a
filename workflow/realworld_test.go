package workflow

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealWorld re-runs the analyser on public workflows kept under
// testdata/realworld and checks the hand-judged table exactly: every
// finding is in the table and every table row (but FN rows, which name
// defects the analyser misses) is still found.
func TestRealWorld(t *testing.T) {
	dir := filepath.Join("testdata", "realworld")
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 20)
	table, err := os.ReadFile(filepath.Join(dir, "JUDGED.tsv"))
	require.NoError(t, err)
	judged := map[string]string{}
	var fn []string
	for i, line := range strings.Split(strings.TrimSpace(string(table)), "\n") {
		if i == 0 {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 5, "JUDGED.tsv line %d", i+1)
		require.Contains(t, []string{"TP", "FP", "FN"}, cols[3], "JUDGED.tsv line %d", i+1)
		require.NotEmpty(t, cols[4], "JUDGED.tsv line %d has no reason", i+1)
		k := cols[0] + ":" + cols[1] + ":" + cols[2]
		if cols[3] == "FN" {
			fn = append(fn, k)
			continue
		}
		judged[k] = cols[3]
	}
	var got []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), "# Real-world input"), "%s: no source header", f)
		r := lintFile(t, f)
		for _, d := range r.Diagnostics {
			got = append(got, filepath.Base(f)+":"+strconv.Itoa(d.Pos.Line)+":"+d.Rule)
		}
	}
	sort.Strings(got)
	var want []string
	for k := range judged {
		want = append(want, k)
	}
	sort.Strings(want)
	assert.Equal(t, want, got, "findings differ from JUDGED.tsv: judge the new ones")

	// Precision and recall of deploykit's own rules (README figures).
	tp, fp := 0, 0
	for k, v := range judged {
		if strings.Contains(k, ":WF") {
			if v == "TP" {
				tp++
			} else {
				fp++
			}
		}
	}
	missed := 0
	for _, k := range fn {
		if strings.Contains(k, ":WF") {
			missed++
		}
	}
	t.Logf("deploykit rules on %d files: %d TP, %d FP, %d FN: precision %.2f, recall %.2f",
		len(files), tp, fp, missed, float64(tp)/float64(tp+fp), float64(tp)/float64(tp+missed))
	assert.Equal(t, "22 TP, 0 FP, 0 FN", fmt.Sprintf("%d TP, %d FP, %d FN", tp, fp, missed), "update the README figures")
}

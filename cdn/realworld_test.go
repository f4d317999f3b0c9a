package cdn

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealWorldJudged re-runs the settings checker on the public settings
// modules in testdata/realworld and compares every finding with the
// hand-judged table JUDGED.tsv, so that precision and recall in the README
// stay true.
func TestRealWorldJudged(t *testing.T) {
	root := "testdata/realworld"
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") {
			files = append(files, p)
		}
		return err
	}))
	require.GreaterOrEqual(t, len(files), 20, "at least 20 real inputs")

	var got []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, f)
		for _, d := range CheckSettings(rel, src, CheckOptions{}) {
			got = append(got, rel+"\t"+d.Rule+"\t"+strconv.Itoa(d.Pos.Line))
		}
	}

	fh, err := os.Open(filepath.Join(root, "JUDGED.tsv"))
	require.NoError(t, err)
	defer fh.Close()
	var want []string
	tp, fp, fn, notes, badNotes := 0, 0, 0, 0, 0
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		require.Len(t, f, 5, line)
		switch {
		case f[1] == RuleNotProduction && (f[3] == "TP" || f[3] == "FP"):
			if f[3] == "TP" {
				notes++
			} else {
				badNotes++
			}
		case f[3] == "TP":
			tp++
		case f[3] == "FP":
			fp++
		case f[3] == "FN":
			fn++
			continue // a miss is not in the output
		default:
			t.Fatalf("bad verdict %q in %q", f[3], line)
		}
		want = append(want, strings.Join(f[:3], "\t"))
	}
	sort.Strings(got)
	sort.Strings(want)
	assert.Equal(t, want, got, "every finding is judged, and every judged finding is still reported")
	t.Logf("defect rules: precision %d/%d, recall %d/%d; CDN009 notes right %d/%d", tp, tp+fp, tp, tp+fn, notes, notes+badNotes)
}

package gunicornconf

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

// TestRealWorldJudged re-runs the validator on the real-world configs
// under testdata/realworld and checks the hand-judged table exactly: every
// error and warning is in JUDGED.tsv with its verdict, and every judged
// finding is still reported.
func TestRealWorldJudged(t *testing.T) {
	tp, n := checkJudged(t, "testdata/realworld", 25)
	t.Logf("precision of errors and warnings: %d/%d", tp, n)
}

// checkJudged compares the errors and warnings of lint -platform plain
// -gunicorn-version 26.2 on dir/*.py with dir/JUDGED.tsv (file, rule,
// line, verdict, why) and returns the true positives and the total.
func checkJudged(t *testing.T, dir string, minFiles int) (tp, total int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "JUDGED.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 4, line)
		require.Contains(t, []string{"TP", "FP"}, cols[3], line)
		want = append(want, cols[0]+" "+cols[1]+" "+cols[2])
		if cols[3] == "TP" {
			tp++
		}
	}
	require.NoError(t, sc.Err())
	files, _ := filepath.Glob(filepath.Join(dir, "*.py"))
	require.GreaterOrEqual(t, len(files), minFiles)
	var got []string
	for _, p := range files {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		c, err := Load(p, src)
		require.NoError(t, err, p)
		for _, d := range c.Validate(Options{Platform: PlatformPlain, Version: mustVersion("26.2")}) {
			if d.Severity.Rank() >= SeverityWarning.Rank() {
				got = append(got, filepath.Base(p)+" "+d.Rule+" "+strconv.Itoa(d.Pos.Line))
			}
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	assert.Equal(t, want, got)
	return tp, len(want)
}

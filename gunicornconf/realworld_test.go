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
	f, err := os.Open("testdata/realworld/JUDGED.tsv")
	require.NoError(t, err)
	defer f.Close()
	var want []string
	tp := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 4, line)
		want = append(want, cols[0]+" "+cols[1]+" "+cols[2])
		if cols[3] == "TP" {
			tp++
		}
	}
	files, _ := filepath.Glob("testdata/realworld/*.py")
	require.GreaterOrEqual(t, len(files), 25)
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
	t.Logf("precision of errors and warnings: %d/%d", tp, len(want))
}

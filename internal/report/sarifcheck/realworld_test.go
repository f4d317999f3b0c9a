package sarifcheck_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/report/sarifcheck"
)

// TestRealWorld re-runs Validate on the SARIF SDK's validator inputs and
// checks testdata/realworld/JUDGED.tsv exactly: every reported problem is
// in the table and every row is reported, and no row is judged FP or FN.
func TestRealWorld(t *testing.T) {
	f, err := os.Open("testdata/realworld/JUDGED.tsv")
	require.NoError(t, err)
	defer f.Close()
	want := map[string][]string{}
	judged := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 5, line)
		want[cols[0]] = append(want[cols[0]], cols[2])
		judged[cols[0]+"\t"+cols[2]] = cols[3]
	}
	require.NoError(t, sc.Err())

	files, err := filepath.Glob("testdata/realworld/*.sarif")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 20)
	counts := map[string]int{}
	for _, path := range files {
		name := filepath.Base(path)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var got []string
		var e *sarifcheck.Error
		switch err := sarifcheck.Validate(data); {
		case err == nil:
			got = []string{"(valid)"}
		case errors.As(err, &e):
			got = e.Problems
		default:
			got = []string{"(not JSON)"}
		}
		w := append([]string(nil), want[name]...)
		sort.Strings(w)
		assert.Equal(t, w, got, name)
		for _, p := range got {
			counts[judged[name+"\t"+p]]++
		}
	}
	assert.Len(t, want, len(files), "every file is judged")
	assert.Zero(t, counts["FP"], "false positives")
	assert.Zero(t, counts["FN"], "false negatives")
	t.Logf("TP %d, TN %d, FP %d, FN %d", counts["TP"], counts["TN"], counts["FP"], counts["FN"])
}

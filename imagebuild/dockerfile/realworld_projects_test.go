package dockerfile

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realworldDecisions runs Infer on every project under
// testdata/realworld-projects (dependency files of public projects,
// verbatim or excerpted, each with its source in a header) and lists its
// decisions as "project<TAB>decision": the Python version, the server (and
// whether it was added), the groups and extras, and every Debian package
// for the builder and the runtime stage.
func realworldDecisions() ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "realworld-projects", "*"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		s, err := Infer(context.Background(), d, InferOptions{Now: projectNow})
		if err != nil {
			return nil, err
		}
		name := filepath.Base(d)
		add := func(dec string) { out = append(out, name+"\t"+dec) }
		add("python=" + s.PythonVersion)
		server := "server=" + ServerExecutable(s)
		if len(s.AddPackages) > 0 {
			server += " (added)"
		}
		add(server)
		for _, g := range s.Groups {
			add("group=" + g)
		}
		for _, e := range s.Extras {
			add("extra=" + e)
		}
		for _, p := range s.BuildPackages {
			add("build=" + p)
		}
		for _, p := range s.RuntimePackages {
			add("runtime=" + p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// TestRealWorldProjects re-runs the inference on the real projects and
// checks the hand-judged table testdata/realworld-projects/JUDGED.tsv
// exactly: every decision made is in the table as TP or FP, and no FN
// (a need the table records as missed) is made silently.
func TestRealWorldProjects(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "realworld-projects", "JUDGED.tsv"))
	require.NoError(t, err)
	defer f.Close()
	judged := map[string]string{}
	var tp, fp, fn int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 4, "project, decision, verdict, why: %q", line)
		key := cols[0] + "\t" + cols[1]
		_, dup := judged[key]
		require.False(t, dup, "judged twice: %q", key)
		judged[key] = cols[2]
		switch cols[2] {
		case "TP":
			tp++
		case "FP":
			fp++
		case "FN":
			fn++
		default:
			t.Fatalf("verdict %q is not TP, FP or FN: %q", cols[2], line)
		}
	}
	require.NoError(t, sc.Err())
	got, err := realworldDecisions()
	require.NoError(t, err)
	made := map[string]bool{}
	for _, d := range got {
		made[d] = true
		v, ok := judged[d]
		if assert.True(t, ok, "decision not judged: %q", d) {
			assert.NotEqual(t, "FN", v, "judged as missed but made: %q", d)
		}
	}
	for k, v := range judged {
		if v != "FN" {
			assert.True(t, made[k], "judged %s but no longer made: %q", v, k)
		}
	}
	projects := map[string]bool{}
	for k := range judged {
		projects[strings.SplitN(k, "\t", 2)[0]] = true
	}
	assert.GreaterOrEqual(t, len(projects), 20, "at least 20 real projects")
	t.Logf("%d projects: %d TP, %d FP, %d FN: precision %.2f, recall %.2f", len(projects), tp, fp, fn,
		float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn))
}

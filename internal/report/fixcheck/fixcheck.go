package fixcheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/deploykit/deploykit/internal/report"
)

// Analyze runs an analyser over in-memory files, keyed by the paths the
// diagnostics name.
type Analyze func(files map[string][]byte) ([]report.Diagnostic, error)

// Result is what Check did.
type Result struct {
	// Fixed is the number of diagnostics whose fix was applied and checked.
	Fixed int
	// Files are the contents after applying every fix together (the -fix
	// result), or nil when the fixes overlap and -fix would refuse them.
	Files map[string][]byte
}

type key struct{ rule, file string }

func counts(diags []report.Diagnostic) map[key]int {
	m := map[key]int{}
	for _, d := range diags {
		m[key{d.Rule, filepath.Clean(d.Pos.File)}]++
	}
	return m
}

// Check runs analyze on files, then for each diagnostic whose first
// suggested fix with edits exists: applies that fix alone, re-runs analyze,
// and fails unless the (rule, file) count of that diagnostic dropped by at
// least one and no other (rule, file) count grew. Then it applies all fixes
// together (what -fix does) and, unless they overlap, requires that no
// count grew and the fixed findings are gone; running the analyser's fixes
// on that result once more must change nothing. Every problem found is
// returned, joined.
func Check(files map[string][]byte, analyze Analyze) (Result, error) {
	read := func(p string) ([]byte, error) {
		if b, ok := files[p]; ok {
			return b, nil
		}
		if b, ok := files[filepath.Clean(p)]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("%s: not among the files", p)
	}
	before, err := analyze(files)
	if err != nil {
		return Result{}, fmt.Errorf("analysing the originals: %w", err)
	}
	base := counts(before)
	var problems []error
	var res Result
	fixedPer := map[key]int{}
	for _, d := range before {
		if !hasEdits(d) {
			continue
		}
		k := key{d.Rule, filepath.Clean(d.Pos.File)}
		fixed, err := report.ApplyFixes([]report.Diagnostic{d}, read)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s [%s]: the fix is refused: %w", d.Pos, d.Rule, err))
			continue
		}
		if len(fixed) == 0 {
			problems = append(problems, fmt.Errorf("%s [%s]: the fix changes nothing", d.Pos, d.Rule))
			continue
		}
		after, err := analyze(overlay(files, fixed))
		if err != nil {
			problems = append(problems, fmt.Errorf("%s [%s]: analysing the fixed files: %w", d.Pos, d.Rule, err))
			continue
		}
		got := counts(after)
		if got[k] >= base[k] {
			problems = append(problems, fmt.Errorf("%s [%s]: still reported after its fix (%d findings before, %d after)", d.Pos, d.Rule, base[k], got[k]))
		}
		for _, nk := range grown(base, got) {
			if nk != k {
				problems = append(problems, fmt.Errorf("%s [%s]: its fix brings %d new %s finding(s) in %s", d.Pos, d.Rule, got[nk]-base[nk], nk.rule, nk.file))
			}
		}
		fixedPer[k]++
		res.Fixed++
	}

	all, err := report.ApplyFixes(before, read)
	if err != nil {
		if !errors.Is(err, report.ErrOverlap) {
			problems = append(problems, fmt.Errorf("applying every fix: %w", err))
		}
		return res, errors.Join(problems...)
	}
	res.Files = overlay(files, all)
	after, err := analyze(res.Files)
	if err != nil {
		problems = append(problems, fmt.Errorf("analysing the files with every fix: %w", err))
		return res, errors.Join(problems...)
	}
	got := counts(after)
	for _, k := range sortedKeys(got) {
		if want := base[k] - fixedPer[k]; got[k] > want {
			problems = append(problems, fmt.Errorf("with every fix applied, %s in %s is reported %d time(s), want at most %d", k.rule, k.file, got[k], want))
		}
	}
	again, err := report.ApplyFixes(after, func(p string) ([]byte, error) {
		if b, ok := res.Files[filepath.Clean(p)]; ok {
			return b, nil
		}
		return read(p)
	})
	switch {
	case err != nil && !errors.Is(err, report.ErrOverlap):
		problems = append(problems, fmt.Errorf("re-applying the fixes: %w", err))
	case len(again) > 0:
		var names []string
		for n := range again {
			names = append(names, n)
		}
		sort.Strings(names)
		problems = append(problems, fmt.Errorf("a second -fix would change %v again", names))
	}
	return res, errors.Join(problems...)
}

func hasEdits(d report.Diagnostic) bool {
	for _, f := range d.SuggestedFixes {
		if len(f.TextEdits) > 0 {
			return true
		}
	}
	return false
}

func overlay(files, fixed map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[filepath.Clean(k)] = v
	}
	for k, v := range fixed {
		out[k] = v
	}
	return out
}

func grown(base, got map[key]int) []key {
	var out []key
	for _, k := range sortedKeys(got) {
		if got[k] > base[k] {
			out = append(out, k)
		}
	}
	return out
}

func sortedKeys(m map[key]int) []key {
	ks := make([]key, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].file != ks[j].file {
			return ks[i].file < ks[j].file
		}
		return ks[i].rule < ks[j].rule
	})
	return ks
}

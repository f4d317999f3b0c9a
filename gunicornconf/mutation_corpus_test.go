package gunicornconf

import (
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// mutationPool is what a token mutation inserts or substitutes: every
// keyword, soft keyword, operator and bracket, and a few names, numbers
// and strings.
var mutationPool = func() []string {
	var out []string
	for k := range pyHardKeywords {
		out = append(out, k)
	}
	for k := range pyOps3 {
		out = append(out, k)
	}
	for k := range pyOps2 {
		out = append(out, k)
	}
	for k := range pyOps1 {
		out = append(out, string(k))
	}
	out = append(out, "match", "case", "_", "type", "x", "__debug__", "1", "0x1", "1.5", "1j", "'s'", "b'b'", "f'{x}'",
		"\\\n", "\n", "\n    ", "*", "**", ":=", "print", "async", "await", "yield", "lambda")
	// Map iteration order is random: sort for a reproducible pool.
	sortStrings(out)
	return out
}()

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// mutate applies one token-level edit to src: delete, duplicate or
// replace a token, insert a pool token before one, or swap two
// neighbours. Token edits reach the grammar's corners that byte edits
// rarely do (they keep the rest of the program well-formed).
func mutate(r *rand.Rand, src string) string {
	toks, err := pyTokenize([]byte(src))
	if err != nil || len(toks) < 2 || strings.Contains(src, "\r") {
		return src + mutationPool[r.Intn(len(mutationPool))]
	}
	var real []pyToken
	for _, t := range toks {
		if t.end > t.start && t.end <= len(src) {
			real = append(real, t)
		}
	}
	if len(real) == 0 {
		return src
	}
	t := real[r.Intn(len(real))]
	pool := mutationPool[r.Intn(len(mutationPool))]
	switch r.Intn(5) {
	case 0:
		return src[:t.start] + src[t.end:]
	case 1:
		return src[:t.end] + " " + src[t.start:t.end] + src[t.end:]
	case 2:
		return src[:t.start] + pool + src[t.end:]
	case 3:
		return src[:t.start] + pool + " " + src[t.start:]
	default:
		u := real[r.Intn(len(real))]
		if u.start < t.start {
			t, u = u, t
		}
		if u.start < t.end {
			return src
		}
		return src[:t.start] + src[u.start:u.end] + src[t.end:u.start] + src[t.start:t.end] + src[u.end:]
	}
}

// TestMutatedCPythonTestsAgree is a systematic generator beside
// FuzzParse: the snippets of CPython's own tests (testdata/cpython) and
// the hand-written differential and scope corpora, with
// one or two token edits each, every one compared with python3's
// compile(). The seed is fixed; GUNICORNCONF_MUTANTS=N runs N mutants
// (default 3000), GUNICORNCONF_SEED another seed, GUNICORNCONF_MUTANTS_OF
// only the sources that contain a text.
func TestMutatedCPythonTestsAgree(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		compileOracle(t) // fails under CI=true, skips otherwise
	}
	py := compileOracle(t)
	s := loadCPythonSnippets(t)
	n, seed := 3000, int64(14)
	if v, err := strconv.Atoi(os.Getenv("GUNICORNCONF_MUTANTS")); err == nil {
		n = v
	}
	if v, err := strconv.ParseInt(os.Getenv("GUNICORNCONF_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewSource(seed))
	pool := append(append([]string(nil), syntaxCorpus...), symtableCorpus...)
	for _, sn := range s.Snippets {
		pool = append(pool, sn.Src)
	}
	if f := os.Getenv("GUNICORNCONF_MUTANTS_OF"); f != "" {
		// Only sources holding this text (e.g. "case" for match statements).
		var sub []string
		for _, p := range pool {
			if strings.Contains(p, f) {
				sub = append(sub, p)
			}
		}
		pool = sub
	}
	disagree := 0
	for i := 0; i < n; i++ {
		src := pool[r.Intn(len(pool))]
		for k := 0; k <= r.Intn(2); k++ {
			src = mutate(r, src)
		}
		want := py.accepts(t, []byte(src))
		_, err := Parse("conf.py", []byte(src))
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("error is not a *ParseError: %v", err)
			continue
		}
		if got := err == nil; got != want && !(want && pe != nil && pe.NotModelled) {
			disagree++
			if disagree <= 30 {
				t.Errorf("mutant %d: CPython accepts=%v, Parse accepts=%v (%v)\n%q", i, want, got, err, src)
			}
		}
	}
	t.Logf("%d mutants (seed %d), %d disagreements", n, seed, disagree)
}

package gunicornconf

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"
)

// cpythonSnippets is testdata/cpython/snippets.json: source snippets from
// CPython 3.11's own test suite (Lib/test: test_syntax.py's doctests, the
// strings test_grammar.py, test_exceptions.py, test_fstring.py, ... pass
// to compile(), exec() and their checks, the badsyntax_*.py files), each
// with compile()'s verdict. testdata/cpython/extract.py made it and names
// the source.
type cpythonSnippets struct {
	Source   string `json:"source"`
	Python   string `json:"python"`
	Snippets []struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Src     string `json:"src"`
		CPython bool   `json:"cpython"`
	} `json:"snippets"`
}

func loadCPythonSnippets(t testing.TB) *cpythonSnippets {
	t.Helper()
	b, err := os.ReadFile("testdata/cpython/snippets.json")
	if err != nil {
		t.Fatal(err)
	}
	var s cpythonSnippets
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("testdata/cpython/snippets.json: %v", err)
	}
	if len(s.Snippets) < 2000 {
		t.Fatalf("testdata/cpython/snippets.json has only %d snippets", len(s.Snippets))
	}
	return &s
}

// TestParseAgreesWithCPythonTests is the corpus half of the differential
// bar: Parse accepts each snippet of CPython's own syntax tests exactly
// when compile() does (the verdict recorded beside the snippet; when
// python3 is present the recorded verdict is checked against it too, so
// a stale record shows). A snippet refused as not modelled counts as
// agreeing only when CPython accepts it.
func TestParseAgreesWithCPythonTests(t *testing.T) {
	s := loadCPythonSnippets(t)
	var py *cpython
	if _, err := exec.LookPath("python3"); err == nil {
		py = compileOracle(t)
	}
	disagree, notModelled, accepted := 0, 0, 0
	for _, sn := range s.Snippets {
		if py != nil && py.accepts(t, []byte(sn.Src)) != sn.CPython {
			t.Errorf("%s:%d: recorded verdict %v is not this python3's", sn.File, sn.Line, sn.CPython)
		}
		if sn.CPython {
			accepted++
		}
		_, err := Parse("conf.py", []byte(sn.Src))
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("%s:%d: error is not a *ParseError: %v", sn.File, sn.Line, err)
			continue
		}
		if pe != nil && pe.NotModelled {
			notModelled++
			if sn.CPython {
				continue
			}
		}
		if got := err == nil; got != sn.CPython {
			disagree++
			t.Errorf("%s:%d: CPython accepts=%v, Parse accepts=%v (%v)\n%q", sn.File, sn.Line, sn.CPython, got, err, sn.Src)
		}
	}
	t.Logf("%d snippets (%d accepted by CPython %s), %d refused as not modelled, %d disagreements",
		len(s.Snippets), accepted, s.Python, notModelled, disagree)
}

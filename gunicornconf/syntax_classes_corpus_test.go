package gunicornconf

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// TestSyntaxClasses is the table of the accept/reject classes fixed so
// far (testdata/syntax/cases.json, written by testdata/syntax/gen_cases.py
// with compile()'s verdict of CPython 3.11 recorded beside each source):
// Parse accepts a source exactly when CPython did. A refusal as not
// modelled agrees with a CPython refusal, or stands for valid
// Python deploykit cannot read (its own class in the table).
func TestSyntaxClasses(t *testing.T) {
	b, err := os.ReadFile("testdata/syntax/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Python string `json:"python"`
		Cases  []struct {
			Class   string `json:"class"`
			Src     string `json:"src"`
			Hex     string `json:"hex"` // the bytes, raw bytes included
			CPython bool   `json:"cpython"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatalf("testdata/syntax/cases.json: %v", err)
	}
	for _, c := range data.Cases {
		b, herr := hex.DecodeString(c.Hex)
		if herr != nil {
			t.Fatalf("%q: %v", c.Src, herr)
		}
		c.Src = string(b)
		_, err := Parse("conf.py", b)
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("%s: %q: error is not a *ParseError: %v", c.Class, c.Src, err)
			continue
		}
		if pe != nil && (pe.Line < 1 || pe.Column < 1) {
			t.Errorf("%s: %q: no position in %v", c.Class, c.Src, err)
		}
		if pe != nil && pe.NotModelled && c.CPython {
			continue
		}
		if got := err == nil; got != c.CPython {
			t.Errorf("%s: %q: CPython %s accepts=%v, Parse accepts=%v (%v)", c.Class, c.Src, data.Python, c.CPython, got, err)
		}
	}
}

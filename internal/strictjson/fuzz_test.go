package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// FuzzDecode: no input panics or exhausts the stack; every problem has a
// position; what Decode accepts, encoding/json decodes to the same value;
// what encoding/json calls invalid, Scan refuses, and a syntax error of
// Scan is one for encoding/json too (strictjson is stricter only about
// UTF-8, duplicates and nesting, which are other codes).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name": "a", "route": {"name": "r", "patterns": ["/x"]}, "settings": {"K": "v"}}`))
	f.Add([]byte(`{"name": "a", "name": "b", "count": 1e3, "routes": [{"nmae": 1}]}`))
	f.Add([]byte(`{"extra": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`))
	f.Add([]byte("{\"name\": \"\\ud800\\u0041 \xe2\x82\"}"))
	f.Add([]byte(`[1, -0.0e+5, "x", true, null, {}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &Options{MaxBytes: 1 << 16, MaxDepth: 32}
		var got doc
		_, err := Decode("f.json", data, &got, opts)
		var e *Error
		if err != nil {
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			for _, p := range e.Problems {
				if !p.Pos.IsValid() || p.Pos.Column < 1 || p.Message == "" {
					t.Fatalf("problem without a position or message: %+v", p)
				}
			}
		} else {
			var want doc
			if jerr := json.Unmarshal(data, &want); jerr != nil {
				t.Fatalf("accepted what encoding/json refuses: %v", jerr)
			}
			assert.Equal(t, want, got)
		}

		_, serr := Scan("f.json", data, opts)
		if !json.Valid(data) && len(data) <= opts.MaxBytes && serr == nil {
			t.Fatalf("Scan accepted invalid JSON %q", data)
		}
		if serr != nil && errors.As(serr, &e) && e.Problems[len(e.Problems)-1].Code == Syntax && json.Valid(data) && utf8.Valid(data) &&
			!strings.Contains(e.Problems[len(e.Problems)-1].Message, "UTF-8") {
			t.Fatalf("Scan calls valid JSON %q invalid: %v", data, serr)
		}
	})
}

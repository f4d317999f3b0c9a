package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
)

// refOffset is the documented position rule, written independently of
// ApplyEdits: lines split at "\n"; column c is byte c-1 of the line, 0 is
// its start, len(line)+1 is its newline (or the end of the file); the line
// after the last is the end of the file when the file ends without one.
func refOffset(src []byte, p Position) (int, bool) {
	if p.Line < 1 {
		return 0, false
	}
	lines := strings.SplitAfter(string(src), "\n")
	// SplitAfter leaves a final "" after a trailing newline: that is the
	// (empty) line after the last one.
	if p.Line > len(lines) {
		if p.Line == len(lines)+1 && p.Column <= 1 && !strings.HasSuffix(string(src), "\n") {
			return len(src), true
		}
		return 0, false
	}
	start := 0
	for _, l := range lines[:p.Line-1] {
		start += len(l)
	}
	content := strings.TrimSuffix(lines[p.Line-1], "\n")
	col := max(p.Column, 1)
	if col-1 > len(content) {
		return 0, false
	}
	return start + col - 1, true
}

// decodeEdits turns fuzz bytes into at most 16 edits on lines 0..9.
func decodeEdits(data []byte) []TextEdit {
	var edits []TextEdit
	for len(data) >= 5 && len(edits) < 16 {
		e := TextEdit{
			Pos:     Position{Line: int(data[0] % 10), Column: int(data[1] % 12)},
			End:     Position{Line: int(data[2] % 10), Column: int(data[3] % 12)},
			NewText: strings.Repeat("x\n", int(data[4]%3)) + string("abc"[:data[4]%4]),
		}
		edits = append(edits, e)
		data = data[5:]
	}
	return edits
}

// FuzzApplyEdits: random edits never panic, and whenever ApplyEdits
// succeeds its result is the reference's: the file with each distinct,
// non-overlapping span replaced, so its length is len(src) minus the
// deleted bytes plus the inserted ones.
func FuzzApplyEdits(f *testing.F) {
	f.Add([]byte("FROM x as y\nRUN a\n"), []byte{1, 8, 1, 10, 2})
	f.Add([]byte("a\nb"), []byte{3, 0, 0, 0, 1, 2, 2, 2, 2, 3})
	f.Add([]byte(""), []byte{1, 1, 0, 0, 1})
	f.Add([]byte("x\n\ny\n"), []byte{2, 1, 2, 1, 1, 2, 1, 2, 1, 2, 1, 1, 3, 1, 0})
	f.Fuzz(func(t *testing.T, src, raw []byte) {
		if len(src) > 4096 {
			return
		}
		edits := decodeEdits(raw)
		got, err := ApplyEdits(src, edits)

		type span struct {
			s, e int
			text string
		}
		var spans []span
		refOK := true
		for _, e := range edits {
			s, ok1 := refOffset(src, e.Pos)
			end := e.End
			if !end.IsValid() {
				end = e.Pos
			}
			en, ok2 := refOffset(src, end)
			if !ok1 || !ok2 || en < s {
				refOK = false
				break
			}
			spans = append(spans, span{s, en, e.NewText})
		}
		if refOK {
			sort.SliceStable(spans, func(i, j int) bool {
				if spans[i].s != spans[j].s {
					return spans[i].s < spans[j].s
				}
				return spans[i].e < spans[j].e
			})
			var uniq []span
			for _, s := range spans {
				if len(uniq) > 0 && uniq[len(uniq)-1] == s {
					continue
				}
				uniq = append(uniq, s)
			}
			spans = uniq
			for i := 1; i < len(spans); i++ {
				p, s := spans[i-1], spans[i]
				if s.s < p.e || (s.s == p.s && s.s == s.e && p.s == p.e) {
					refOK = false // overlap, or two insertions at one point
				}
			}
		}
		if !refOK {
			if err == nil {
				t.Fatalf("ApplyEdits accepted edits the rule refuses: %+v", edits)
			}
			return
		}
		if err != nil {
			t.Fatalf("ApplyEdits refused valid edits %+v: %v", edits, err)
		}
		want := append([]byte(nil), src...)
		wantLen := len(src)
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			want = append(want[:s.s:s.s], append([]byte(s.text), want[s.e:]...)...)
			wantLen += len(s.text) - (s.e - s.s)
		}
		if len(got) != wantLen || !bytes.Equal(got, want) {
			t.Fatalf("ApplyEdits(%q, %+v) = %q, want %q", src, edits, got, want)
		}
		if errors.Is(err, ErrOverlap) {
			t.Fatal("unreachable")
		}
	})
}

// FuzzLineDiff: the edit script of any two texts rebuilds both of them, and
// its hunk text never breaks (each line of a hunk starts with ' ', '-',
// '+' or '\').
func FuzzLineDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc"))
	f.Add([]byte(""), []byte("x\n"))
	f.Add([]byte("a\na\nb\na\n"), []byte("b\na\na\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > 2048 || len(b) > 2048 {
			return
		}
		al, bl := splitLines(a), splitLines(b)
		var ra, rb strings.Builder
		for _, op := range lineDiff(al, bl) {
			switch op.kind {
			case opEqual:
				if al[op.a] != bl[op.b] {
					t.Fatalf("equal op pairs %q with %q", al[op.a], bl[op.b])
				}
				ra.WriteString(al[op.a])
				rb.WriteString(bl[op.b])
			case opDelete:
				ra.WriteString(al[op.a])
			case opInsert:
				rb.WriteString(bl[op.b])
			}
		}
		if ra.String() != string(a) || rb.String() != string(b) {
			t.Fatalf("the script does not rebuild the texts")
		}
		d := diffLines("a/f", "b/f", a, b)
		if (d == "") != bytes.Equal(a, b) {
			t.Fatalf("diff %q for texts equal=%v", d, bytes.Equal(a, b))
		}
		for i, l := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
			if i < 2 || l == "" {
				continue
			}
			if !strings.ContainsRune(" -+\\@", rune(l[0])) {
				t.Fatalf("line %q of the diff", l)
			}
		}
	})
}

// FuzzDiagnosticJSON: any input either fails to decode or decodes to a
// diagnostic whose encoding decodes to the same encoding again.
func FuzzDiagnosticJSON(f *testing.F) {
	f.Add([]byte(`{"rule":"DK101","severity":"warning","message":"m","file":"Dockerfile","line":1,"column":23,"end_line":1,"end_column":25,"fixes":[{"message":"AS","edits":[{"line":1,"column":23,"end_line":1,"end_column":25,"new_text":"AS"}]}]}`))
	f.Add([]byte(`{"rule":"X","fix":"advice","related":[{"line":2,"message":"r"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		var d Diagnostic
		if json.Unmarshal(data, &d) != nil {
			return
		}
		one, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Diagnostic
		if err := json.Unmarshal(one, &back); err != nil {
			t.Fatal(err)
		}
		two, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one, two) {
			t.Fatalf("%s\n!=\n%s", one, two)
		}
	})
}

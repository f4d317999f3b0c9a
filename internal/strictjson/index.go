package strictjson

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"

	"github.com/deploykit/deploykit/internal/report"
)

// Index is where every value of a decoded document is: its path, the
// position of its member name and of its first byte.
type Index struct {
	file    string
	data    []byte
	lines   []int // offsets where lines 2, 3, ... start
	entries []entry
}

type entry struct {
	parent     int
	key        string
	keyOff     int // -1 for array elements and the root
	elem       int // -1 for members and the root
	inMap      bool
	start, end int
	typ        reflect.Type
}

func newIndex(file string, data []byte) *Index {
	ix := &Index{file: file, data: data}
	for i, c := range data {
		if c == '\n' {
			ix.lines = append(ix.lines, i+1)
		}
	}
	return ix
}

func (ix *Index) add(e entry) int {
	ix.entries = append(ix.entries, e)
	return len(ix.entries) - 1
}

// Position converts a byte offset of the document to file:line:col (both
// 1-based; the column counts bytes).
func (ix *Index) Position(off int) report.Position {
	off = max(0, min(off, len(ix.data)))
	line := sort.SearchInts(ix.lines, off+1) // lines starting at or before off
	lineStart := 0
	if line > 0 {
		lineStart = ix.lines[line-1]
	}
	return report.Position{File: ix.file, Line: line + 1, Column: off - lineStart + 1}
}

// PositionAt converts a byte offset of data to file:line:col.
func PositionAt(file string, data []byte, off int) report.Position {
	return newIndex(file, data).Position(off)
}

// Len is the number of values indexed (the document's root is 0).
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.entries)
}

// Path is where value i is.
func (ix *Index) Path(i int) Path {
	n := 0
	for j := i; j > 0; j = ix.entries[j].parent {
		n++
	}
	p := make(Path, n)
	for j := i; j > 0; j = ix.entries[j].parent {
		n--
		e := ix.entries[j]
		p[n] = Segment{Name: e.key, Index: e.elem, InMap: e.inMap}
	}
	return p
}

// ValuePos is where value i starts.
func (ix *Index) ValuePos(i int) report.Position { return ix.Position(ix.entries[i].start) }

// NamePos is where value i's member name starts, or where the value
// starts for an array element and the root.
func (ix *Index) NamePos(i int) report.Position {
	if e := ix.entries[i]; e.keyOff >= 0 {
		return ix.Position(e.keyOff)
	}
	return ix.ValuePos(i)
}

// Pointers maps the JSON pointer of every value to its index (the first
// one when a name is duplicated).
func (ix *Index) Pointers() map[string]int {
	m := make(map[string]int, ix.Len())
	ptrs := make([]string, ix.Len())
	for i := range ix.Len() {
		if i > 0 {
			e := ix.entries[i]
			seg := EscapePointer(e.key)
			if e.elem >= 0 {
				seg = strconv.Itoa(e.elem)
			}
			ptrs[i] = ptrs[e.parent] + "/" + seg
		}
		if _, ok := m[ptrs[i]]; !ok {
			m[ptrs[i]] = i
		}
	}
	return m
}

// Before is the value that starts last before off (the deepest one when
// several start there): the value encoding/json had just read when it
// reported an error at off. It is -1 when none does.
func (ix *Index) Before(off int) int {
	best := -1
	for i, e := range ix.entries {
		if e.start < off && (best < 0 || e.start >= ix.entries[best].start) {
			best = i
		}
	}
	return best
}

// locate finds, below value i (whose decoding failed), the deepest value
// that fails to decode alone into its Go type, and describes it without
// quoting it (a decoder's message may quote the value).
func (ix *Index) locate(i int, data []byte) Problem {
	children := map[int][]int{}
	for j := 1; j < len(ix.entries); j++ {
		children[ix.entries[j].parent] = append(children[ix.entries[j].parent], j)
	}
	fails := func(j int) bool {
		e := ix.entries[j]
		if e.typ == nil || e.end <= e.start {
			return false
		}
		return json.Unmarshal(data[e.start:e.end], reflect.New(e.typ).Interface()) != nil
	}
outer:
	for {
		for _, c := range children[i] {
			if fails(c) {
				i = c
				continue outer
			}
		}
		break
	}
	want := "a valid value"
	if t := ix.entries[i].typ; t != nil {
		if r, err := schemaFor(t); err == nil {
			want = r.s.expected
		}
	}
	return Problem{Code: Invalid, Pos: ix.ValuePos(i), Offset: ix.entries[i].start, ValuePos: ix.ValuePos(i), Path: ix.Path(i), Expected: want,
		Message: "expected " + want + "; the value was refused by its decoder"}
}

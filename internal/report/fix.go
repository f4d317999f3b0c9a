package report

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
)

// ErrOverlap is returned (wrapped) when two edits to one file overlap.
var ErrOverlap = errors.New("overlapping edits")

// FixEdits collects, per file, the edits of the first suggested fix of each
// diagnostic that has edits. Fixes without edits are advice and are left out.
func FixEdits(diags []Diagnostic) map[string][]TextEdit {
	out := map[string][]TextEdit{}
	for _, d := range diags {
		for _, f := range d.SuggestedFixes {
			if len(f.TextEdits) == 0 {
				continue
			}
			for _, e := range f.TextEdits {
				file := e.Pos.File
				if file == "" {
					file = d.Pos.File
				}
				out[file] = append(out[file], e)
			}
			break
		}
	}
	return out
}

// lineIndex maps 1-based lines and byte columns to offsets in src.
type lineIndex struct {
	src    []byte
	starts []int // starts[i] is the offset of line i+1
}

func newLineIndex(src []byte) lineIndex {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{src: src, starts: starts}
}

// offset converts a position to a byte offset. Column 0 means the start of
// the line; a column one past the end of the line is its newline; the line
// after a last line with no newline, at column 0 or 1, is the end of the
// file.
func (x lineIndex) offset(p Position) (int, error) {
	if p.Line < 1 {
		return 0, fmt.Errorf("edit position %s: line must be >= 1", p)
	}
	// With a trailing newline, the "line" after it is empty and the last
	// one an edit may name.
	lines := len(x.starts)
	if p.Line > lines {
		if p.Line == lines+1 && p.Column <= 1 && !bytes.HasSuffix(x.src, []byte("\n")) {
			return len(x.src), nil
		}
		return 0, fmt.Errorf("edit position %s: the file has only %d lines", p, lines)
	}
	start := x.starts[p.Line-1]
	end := len(x.src)
	if p.Line < lines {
		end = x.starts[p.Line] - 1
	}
	col := max(p.Column, 1)
	if col-1 > end-start {
		return 0, fmt.Errorf("edit position %s: line %d has only %d bytes", p, p.Line, end-start)
	}
	return start + col - 1, nil
}

// ApplyEdits applies edits to one file's contents and returns the result.
// Identical edits are applied once; overlapping ones are refused with
// ErrOverlap, so that a fix is applied whole or not at all. Applying the
// fixes of a re-run analyser to its own output is a no-op when the analyser
// no longer reports the finding.
func ApplyEdits(src []byte, edits []TextEdit) ([]byte, error) {
	type span struct {
		start, end int
		text       string
		from, to   Position
	}
	spans := make([]span, 0, len(edits))
	idx := newLineIndex(src)
	for _, e := range edits {
		s, err := idx.offset(e.Pos)
		if err != nil {
			return nil, err
		}
		endPos := e.End
		if !endPos.IsValid() {
			endPos = e.Pos
		}
		en, err := idx.offset(endPos)
		if err != nil {
			return nil, err
		}
		if en < s {
			return nil, fmt.Errorf("edit %s-%s: end before start", e.Pos, endPos)
		}
		spans = append(spans, span{s, en, e.NewText, e.Pos, endPos})
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end < spans[j].end
	})
	uniq := spans[:0]
	for i, s := range spans {
		if i > 0 && s.start == uniq[len(uniq)-1].start && s.end == uniq[len(uniq)-1].end && s.text == uniq[len(uniq)-1].text {
			continue
		}
		uniq = append(uniq, s)
	}
	var b bytes.Buffer
	last := 0
	for i, s := range uniq {
		if i > 0 {
			prev := uniq[i-1]
			if s.start < prev.end || (s.start == prev.start && s.start == s.end && prev.start == prev.end) {
				return nil, fmt.Errorf("%w: %s-%s and %s-%s", ErrOverlap, prev.from.lineCol(), prev.to.lineCol(), s.from.lineCol(), s.to.lineCol())
			}
		}
		b.Write(src[last:s.start])
		b.WriteString(s.text)
		last = s.end
	}
	b.Write(src[last:])
	return b.Bytes(), nil
}

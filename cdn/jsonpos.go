package cdn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deploykit/deploykit/internal/strictjson"
)

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 64

// jsonIndex maps the JSON pointer of every value in a document ("" for the
// root, "/routes/0/patterns") to where the value starts, so that errors
// found after decoding can still name file:line:col. Documents are decoded
// through strictjson, which refuses a name given twice, so each pointer
// names one value.
type jsonIndex struct {
	ix   *strictjson.Index
	ptrs map[string]int
}

// newJSONIndex wraps ix; the pointer map is built on the first position
// asked for, so a document without errors never pays for it.
func newJSONIndex(ix *strictjson.Index) *jsonIndex {
	return &jsonIndex{ix: ix}
}

func escapePointer(s string) string { return strictjson.EscapePointer(s) }

// position returns the position of the value at ptr, or of its nearest
// ancestor that exists.
func (ix *jsonIndex) position(file, ptr string) Position {
	if ix.ptrs == nil {
		ix.ptrs = ix.ix.Pointers()
	}
	for {
		if i, ok := ix.ptrs[ptr]; ok {
			p := ix.ix.ValuePos(i)
			p.File = file
			return p
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return Position{File: file, Line: 1, Column: 1}
		}
		ptr = ptr[:i]
	}
}

// offsetPosition converts a byte offset to a 1-based line and byte column.
func offsetPosition(file string, src []byte, off int64) Position {
	return strictjson.PositionAt(file, src, int(off))
}

// decodeStrict decodes src into v: unknown fields at any depth, duplicate
// names, wrong kinds and out-of-range numbers are all reported at once as
// an *InputError, each at the position of its value.
func decodeStrict(file string, src []byte, v any, maxSize int) (*jsonIndex, error) {
	return decodeWith(file, src, v, &strictjson.Options{MaxBytes: maxSize, MaxDepth: maxJSONDepth})
}

// decodeWith is decodeStrict with the decoder's options given.
func decodeWith(file string, src []byte, v any, opts *strictjson.Options) (*jsonIndex, error) {
	ix, err := strictjson.Decode(file, src, v, opts)
	var se *strictjson.Error
	if errors.As(err, &se) {
		ie := &InputError{File: file}
		for _, p := range se.Problems {
			msg := p.Message
			if p.Code == strictjson.Type {
				msg = fmt.Sprintf("expected %s, found JSON %s", p.Expected, p.Found)
			}
			ie.Errors = append(ie.Errors, FieldError{Pos: p.ValuePos, Field: p.Pointer(), Msg: msg})
		}
		return nil, ie
	}
	if err != nil {
		return nil, err
	}
	return newJSONIndex(ix), nil
}

// FieldError is one bad field of a JSON document, at its position.
type FieldError struct {
	// Pos is where the bad value starts.
	Pos Position
	// Field is the JSON pointer of the value, e.g. "/routes/0/patterns".
	Field string
	// Msg says what was expected.
	Msg string
}

// Error is "file:line:col: /pointer: message".
func (e FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Pos, e.Field, e.Msg)
}

// InputError lists every bad field of one input file at once. It is what
// the parsers of user input (ParseSpec, ParseManifest) return for content
// errors; callers branch on it with errors.As.
type InputError struct {
	File   string
	Errors []FieldError
}

// Error lists every bad field, one per line.
func (e *InputError) Error() string {
	var b strings.Builder
	for i, fe := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(fe.Error())
	}
	return b.String()
}

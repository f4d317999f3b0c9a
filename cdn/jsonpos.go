package cdn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// jsonIndex maps the JSON pointer of every value in a document ("" for the
// root, "/routes/0/patterns") to the byte offset where the value starts, so
// that errors found after decoding can still name file:line:col.
type jsonIndex struct {
	src     []byte
	offsets map[string]int64
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 64

func indexJSON(src []byte) (*jsonIndex, error) {
	ix := &jsonIndex{src: src, offsets: map[string]int64{}}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := ix.walk(dec, "", 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Msg: "unexpected data after the top-level value"}
	}
	return ix, nil
}

func (ix *jsonIndex) walk(dec *json.Decoder, ptr string, depth int) error {
	if depth > maxJSONDepth {
		return &SyntaxError{Offset: dec.InputOffset(), Msg: fmt.Sprintf("nesting deeper than %d levels", maxJSONDepth)}
	}
	start := ix.skipSpace(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(dec, err)
	}
	ix.offsets[ptr] = start
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return syntaxErr(dec, err)
			}
			key, _ := kt.(string)
			if err := ix.walk(dec, ptr+"/"+escapePointer(key), depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxErr(dec, err)
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := ix.walk(dec, ptr+"/"+strconv.Itoa(i), depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxErr(dec, err)
		}
	}
	return nil
}

// skipSpace moves off past whitespace, commas and colons, which the decoder
// leaves before the next token.
func (ix *jsonIndex) skipSpace(off int64) int64 {
	for off < int64(len(ix.src)) {
		switch ix.src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func syntaxErr(dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Offset: se.Offset, Msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{Offset: dec.InputOffset(), Msg: "unexpected end of JSON input"}
	}
	return &SyntaxError{Offset: dec.InputOffset(), Msg: err.Error()}
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// position returns the position of the value at ptr, or of its nearest
// ancestor that exists.
func (ix *jsonIndex) position(file, ptr string) Position {
	for {
		if off, ok := ix.offsets[ptr]; ok {
			return offsetPosition(file, ix.src, off)
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
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(src[:off], '\n')
	return Position{File: file, Line: line, Column: col}
}

// SyntaxError is malformed JSON at a byte offset.
type SyntaxError struct {
	Offset int64
	Msg    string
}

// Error names the byte offset and the problem.
func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

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

// decodeStrict decodes src into v with unknown fields refused, turning the
// decoder's errors into positioned FieldErrors.
func decodeStrict(file string, src []byte, v any) (*jsonIndex, error) {
	ix, err := indexJSON(src)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return nil, &InputError{File: file, Errors: []FieldError{{Pos: offsetPosition(file, src, se.Offset), Msg: "invalid JSON: " + strings.TrimPrefix(se.Msg, "invalid character ")}}}
		}
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			ptr := ix.before(te.Offset)
			return ix, &InputError{File: file, Errors: []FieldError{{Pos: ix.position(file, ptr), Field: ptr,
				Msg: fmt.Sprintf("expected %s, found JSON %s", jsonKind(te.Type), te.Value)}}}
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			ptr := ix.find(name)
			return ix, &InputError{File: file, Errors: []FieldError{{Pos: ix.position(file, ptr), Field: ptr, Msg: fmt.Sprintf("unknown field %q", name)}}}
		}
		return ix, &InputError{File: file, Errors: []FieldError{{Pos: Position{File: file, Line: 1, Column: 1}, Msg: err.Error()}}}
	}
	return ix, nil
}

// find returns the first pointer (in document order) whose last segment is
// name; encoding/json's unknown-field error names the key only.
func (ix *jsonIndex) find(name string) string {
	best, bestOff := "", int64(-1)
	for p, off := range ix.offsets {
		if strings.HasSuffix(p, "/"+escapePointer(name)) && (bestOff < 0 || off < bestOff) {
			best, bestOff = p, off
		}
	}
	return best
}

// before returns the pointer of the value that starts last before off: the
// value encoding/json had just read when it reported a type error at off.
func (ix *jsonIndex) before(off int64) string {
	best, bestOff := "", int64(-1)
	for p, o := range ix.offsets {
		if o < off && (o > bestOff || (o == bestOff && len(p) > len(best))) {
			best, bestOff = p, o
		}
	}
	return best
}

// jsonKind names what a Go type accepts in JSON words (not Go type names,
// which mean nothing to someone editing cdn.json).
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

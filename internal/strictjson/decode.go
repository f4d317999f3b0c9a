// Package strictjson decodes JSON that people write (desired-state specs)
// or save (ARM state) into Go values, refusing what encoding/json lets
// through silently, and reporting every problem at once with its exact
// position.
//
// Compared with encoding/json's Decoder.DisallowUnknownFields, [Decode]:
//   - refuses unknown member names at every depth, including inside types
//     with their own UnmarshalJSON (the Azure SDK's models, whose names are
//     learnt from their MarshalJSON), and matches names exactly (so
//     "alwayson" is not "alwaysOn");
//   - refuses a name given twice in one object, naming both places
//     (encoding/json keeps the last silently);
//   - reports all unknown names, wrong kinds and out-of-range numbers of a
//     document in one [*Error], each at file:line:col with its JSON
//     pointer, what was expected and a "did you mean" for misspelt names;
//   - bounds size and nesting, and never panics or exhausts the stack;
//   - never quotes a string value in a message: values may be secrets.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/textdist"
)

// Defaults of [Options].
const (
	DefaultMaxBytes    = 1 << 20
	DefaultMaxDepth    = 64
	DefaultMaxProblems = 50
)

// Options bound what Decode reads. The zero value uses the defaults.
type Options struct {
	// MaxBytes is the largest document read (default [DefaultMaxBytes]).
	MaxBytes int
	// MaxDepth is the deepest nesting of objects and arrays (default
	// [DefaultMaxDepth]).
	MaxDepth int
	// MaxProblems stops decoding after that many problems (default
	// [DefaultMaxProblems]).
	MaxProblems int
	// AllowUnknown accepts member names the Go type does not have (they
	// are checked as JSON and indexed, then ignored), for a format whose
	// writer adds names and whose own reader ignores them, such as
	// Django's staticfiles.json. Duplicates, kinds and bounds are still
	// checked.
	AllowUnknown bool
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxBytes <= 0 {
		r.MaxBytes = DefaultMaxBytes
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.MaxProblems <= 0 {
		r.MaxProblems = DefaultMaxProblems
	}
	return r
}

// Decode checks data against v's type and, when nothing is wrong, decodes
// it into v (a non-nil pointer) with encoding/json (so the types' own
// UnmarshalJSON methods run). Content problems are returned as an
// [*Error]; a type Decode cannot describe is a plain error (not modelled:
// nothing is accepted). The [Index] gives the position of every value, for
// problems found after decoding.
func Decode(file string, data []byte, v any, opts *Options) (*Index, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("strictjson: Decode needs a non-nil pointer, not %T", v)
	}
	root, err := schemaFor(rv.Type().Elem())
	if err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	d := newDecoder(file, data, o)
	if len(data) > o.MaxBytes {
		return nil, &Error{File: file, Problems: []Problem{{Code: TooLarge, Pos: d.ix.Position(0), ValuePos: d.ix.Position(0),
			Message: fmt.Sprintf("larger than %d bytes", o.MaxBytes)}}}
	}
	root.nullable = false // a document of null is not a value of the type
	d.document(root)
	if len(d.problems) > 0 {
		return d.ix, &Error{File: file, Problems: d.problems}
	}
	if err := json.Unmarshal(data, v); err != nil {
		// A value of the right kind that a type's own decoder refused:
		// find the deepest value that fails alone.
		return d.ix, &Error{File: file, Problems: []Problem{d.ix.locate(0, data)}}
	}
	return d.ix, nil
}

// Scan checks that data is JSON within the bounds of opts (duplicate names
// included) and indexes the position of every value, without a Go type.
func Scan(file string, data []byte, opts *Options) (*Index, error) {
	o := opts.withDefaults()
	d := newDecoder(file, data, o)
	if len(data) > o.MaxBytes {
		return nil, &Error{File: file, Problems: []Problem{{Code: TooLarge, Pos: d.ix.Position(0), ValuePos: d.ix.Position(0),
			Message: fmt.Sprintf("larger than %d bytes", o.MaxBytes)}}}
	}
	d.document(ref{s: anySchema, typ: reflect.TypeFor[any](), nullable: true})
	if len(d.problems) > 0 {
		return d.ix, &Error{File: file, Problems: d.problems}
	}
	return d.ix, nil
}

type decoder struct {
	data     []byte
	off      int
	ix       *Index
	opts     Options
	problems []Problem
	stop     bool
}

func newDecoder(file string, data []byte, o Options) *decoder {
	return &decoder{data: data, opts: o, ix: newIndex(file, data)}
}

func (d *decoder) document(root ref) {
	switch {
	case bytes.HasPrefix(d.data, []byte("\xef\xbb\xbf")):
		d.syntax("the file starts with a byte order mark, which JSON must not (RFC 8259 §8.1): save it as UTF-8 without one")
		return
	case bytes.HasPrefix(d.data, []byte("\xff\xfe")) || bytes.HasPrefix(d.data, []byte("\xfe\xff")):
		d.syntax("the file is UTF-16 (as Windows PowerShell 5's > writes it); JSON must be UTF-8 (RFC 8259 §8.1)")
		return
	}
	d.value(root, -1, "", -1, -1, false, 0)
	if d.stop {
		return
	}
	d.space()
	if d.off < len(d.data) {
		d.add(Problem{Code: Syntax, Message: "invalid JSON: unexpected data after the top-level value"}, d.off, d.off, -1)
	}
}

// add records a problem at off (valueOff: the value's start; at: the
// index entry whose path names it, -1 for the root).
func (d *decoder) add(p Problem, off, valueOff, at int) {
	if d.stop {
		return
	}
	if len(d.problems) >= d.opts.MaxProblems {
		d.problems = append(d.problems, Problem{Code: TooMany, Pos: d.ix.Position(off), Offset: off, ValuePos: d.ix.Position(off),
			Message: fmt.Sprintf("more than %d problems; stopped here", d.opts.MaxProblems)})
		d.stop = true
		return
	}
	p.Pos, p.Offset, p.ValuePos = d.ix.Position(off), off, d.ix.Position(valueOff)
	if at >= 0 {
		p.Path = d.ix.Path(at)
	}
	d.problems = append(d.problems, p)
	if p.Code == Syntax || p.Code == TooDeep {
		d.stop = true
	}
}

func (d *decoder) syntax(msg string) {
	d.add(Problem{Code: Syntax, Message: "invalid JSON: " + msg}, d.off, d.off, -1)
}

func (d *decoder) space() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// value reads one value of schema r. parent, key, keyOff, elem and inMap
// say where it is (see [Index]).
func (d *decoder) value(r ref, parent int, key string, keyOff, elem int, inMap bool, depth int) {
	d.space()
	if d.off >= len(d.data) {
		d.syntax("unexpected end of file, expected a value")
		return
	}
	start := d.off
	at := d.ix.add(entry{parent: parent, key: key, keyOff: keyOff, elem: elem, inMap: inMap, start: start, typ: r.typ})
	s := r.s
	found := KindNone
	mismatch := func() {
		d.add(Problem{Code: Type, Expected: s.expected, Found: found,
			Message: "expected " + s.expected + ", found " + found.Article()}, start, start, at)
	}
	switch c := d.data[d.off]; {
	case c == '{':
		found = KindObject
		if depth >= d.opts.MaxDepth {
			d.add(Problem{Code: TooDeep, Message: fmt.Sprintf("nested deeper than %d levels", d.opts.MaxDepth)}, start, start, at)
			return
		}
		if s.shape != shapeObject && s.shape != shapeMap && s.shape != shapeAny {
			mismatch()
			s = anySchema
		}
		d.object(s, at, depth)
	case c == '[':
		found = KindArray
		if depth >= d.opts.MaxDepth {
			d.add(Problem{Code: TooDeep, Message: fmt.Sprintf("nested deeper than %d levels", d.opts.MaxDepth)}, start, start, at)
			return
		}
		if s.shape != shapeArray && s.shape != shapeAny {
			mismatch()
			s = anySchema
		}
		d.array(s, at, depth)
	case c == '"':
		found = KindString
		if _, ok := d.str(false); !ok {
			return
		}
		if s.shape != shapeString && s.shape != shapeAny {
			mismatch()
		}
	case c == '-' || (c >= '0' && c <= '9'):
		found = KindNumber
		lit, ok := d.number()
		if !ok {
			return
		}
		d.checkNumber(s, lit, start, at, mismatch)
	case c == 't' || c == 'f' || c == 'n':
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
		if !strings.HasPrefix(string(d.data[d.off:min(len(d.data), d.off+len(word))]), word) {
			d.syntax("expected a value (an object, array, string, number, true, false or null)")
			return
		}
		d.off += len(word)
		if c == 'n' {
			found = KindNull
			if !r.nullable && s.shape != shapeAny {
				mismatch()
			}
			return
		}
		found = KindBool
		if s.shape != shapeBool && s.shape != shapeAny {
			mismatch()
		}
	default:
		d.syntax("expected a value (an object, array, string, number, true, false or null)")
		return
	}
	if !d.stop {
		d.ix.entries[at].end = d.off
	}
}

func (d *decoder) checkNumber(s *schema, lit string, start, at int, mismatch func()) {
	shown := lit
	if len(shown) > 32 {
		shown = shown[:29] + "..."
	}
	var err error
	switch s.shape {
	case shapeAny:
		return
	case shapeInt:
		_, err = strconv.ParseInt(lit, 10, s.bits)
	case shapeUint:
		_, err = strconv.ParseUint(lit, 10, s.bits)
	case shapeFloat:
		_, err = strconv.ParseFloat(lit, s.bits)
	default:
		mismatch()
		return
	}
	if err == nil {
		return
	}
	want := s.expected
	if !strings.ContainsAny(lit, ".eE") || s.shape == shapeFloat {
		want = s.rangeText()
	}
	// A number given for a number is not a secret: it is quoted so that
	// the reader sees which one is wrong.
	d.add(Problem{Code: Range, Expected: want, Found: KindNumber, Message: "expected " + want + ", found " + shown}, start, start, at)
}

func (d *decoder) object(s *schema, at, depth int) {
	d.off++ // {
	seen := map[string]int{}
	d.space()
	if d.off < len(d.data) && d.data[d.off] == '}' {
		d.off++
		return
	}
	for !d.stop {
		d.space()
		if d.off >= len(d.data) || d.data[d.off] != '"' {
			if d.off >= len(d.data) {
				d.syntax("unexpected end of file in an object")
			} else {
				d.syntax("expected a member name in double quotes")
			}
			return
		}
		keyOff := d.off
		key, ok := d.str(true)
		if !ok {
			return
		}
		d.space()
		if d.off >= len(d.data) || d.data[d.off] != ':' {
			d.syntax("expected ':' after a member name")
			return
		}
		d.off++
		var vr ref
		known := true
		switch s.shape {
		case shapeObject:
			vr, known = s.fields[key]
			if !known && s.extra != nil {
				vr, known = *s.extra, true
			}
		case shapeMap:
			vr = s.elem
		default:
			vr = ref{s: anySchema, nullable: true}
		}
		if !known {
			vr = ref{s: anySchema, nullable: true}
		}
		before := len(d.ix.entries)
		d.value(vr, at, key, keyOff, -1, s.shape == shapeMap, depth+1)
		if d.stop {
			return
		}
		member := d.ix.entries[before]
		noun := "field"
		if s.shape != shapeObject {
			noun = "key"
		}
		if first, dup := seen[key]; dup {
			d.add(Problem{Code: Duplicate, First: d.ix.Position(first),
				Message: fmt.Sprintf("duplicate %s %q (first given at %s)", noun, key, lineCol(d.ix.Position(first)))}, keyOff, member.start, before)
		} else {
			seen[key] = keyOff
		}
		if !known && !d.opts.AllowUnknown {
			p := Problem{Code: Unknown, Message: fmt.Sprintf("unknown field %q", key)}
			if p.Suggestion = suggest(key, s.names); p.Suggestion != "" {
				p.Message += fmt.Sprintf(" (did you mean %q?)", p.Suggestion)
			} else if len(s.names) <= 16 {
				p.Message += " (expected one of: " + strings.Join(s.names, ", ") + ")"
			}
			d.add(p, keyOff, member.start, before)
		}
		if !d.next('}', "an object", "object member") {
			return
		}
	}
}

// next reads the ',' before another member or element (true) or the
// closing bracket (false).
func (d *decoder) next(closing byte, in, what string) bool {
	d.space()
	if d.off >= len(d.data) {
		d.syntax("unexpected end of file in " + in)
		return false
	}
	switch d.data[d.off] {
	case ',':
		d.off++
		return true
	case closing:
		d.off++
		return false
	}
	d.syntax(fmt.Sprintf("expected ',' or '%c' after %s %s", closing, article(what), what))
	return false
}

func article(w string) string {
	if strings.ContainsRune("aeiou", rune(w[0])) {
		return "an"
	}
	return "a"
}

func lineCol(p report.Position) string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

func (d *decoder) array(s *schema, at, depth int) {
	d.off++ // [
	d.space()
	if d.off < len(d.data) && d.data[d.off] == ']' {
		d.off++
		return
	}
	elem := s.elem
	if s.shape == shapeAny {
		elem = ref{s: anySchema, nullable: true}
	}
	for i := 0; !d.stop; i++ {
		d.value(elem, at, "", -1, i, false, depth+1)
		if d.stop {
			return
		}
		if !d.next(']', "an array", "array element") {
			return
		}
	}
}

// str reads a string literal at d.off, decoding it when want is set.
// Strings must be valid UTF-8 (RFC 8259 §8.1).
func (d *decoder) str(want bool) (string, bool) {
	d.off++ // "
	var b []byte
	plainFrom := d.off
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			if want {
				b = append(b, d.data[plainFrom:d.off]...)
			}
			d.off++
			return string(b), true
		case c == '\\':
			if want {
				b = append(b, d.data[plainFrom:d.off]...)
			}
			if d.off+1 >= len(d.data) {
				d.syntax("unexpected end of file in a string")
				return "", false
			}
			e := d.data[d.off+1]
			d.off += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(utf8.RuneError)
					if d.off+1 < len(d.data) && d.data[d.off] == '\\' && d.data[d.off+1] == 'u' {
						save := d.off
						d.off += 2
						lo, ok := d.hex4()
						if !ok {
							return "", false
						}
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r2 = dec
						} else {
							d.off = save
						}
					}
					r = r2
				}
				b = utf8.AppendRune(b, r)
			default:
				d.off -= 2
				d.syntax(`invalid escape in a string (expected \" \\ \/ \b \f \n \r \t or \uXXXX)`)
				return "", false
			}
			plainFrom = d.off
		case c < 0x20:
			d.syntax("control character in a string (write it as an escape such as \\n)")
			return "", false
		case c < utf8.RuneSelf:
			d.off++
		default:
			r, n := utf8.DecodeRune(d.data[d.off:])
			if r == utf8.RuneError && n <= 1 {
				d.syntax("a string is not valid UTF-8")
				return "", false
			}
			d.off += n
		}
	}
	d.syntax("unexpected end of file in a string")
	return "", false
}

func (d *decoder) hex4() (rune, bool) {
	if d.off+4 > len(d.data) {
		d.syntax(`unexpected end of file in a \u escape`)
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.off:d.off+4]), 16, 32)
	if err != nil {
		d.syntax(`expected four hexadecimal digits after \u`)
		return 0, false
	}
	d.off += 4
	return rune(n), true
}

// number reads a number literal (RFC 8259 §6).
func (d *decoder) number() (string, bool) {
	start := d.off
	digits := func() int {
		n := 0
		for d.off < len(d.data) && d.data[d.off] >= '0' && d.data[d.off] <= '9' {
			d.off++
			n++
		}
		return n
	}
	if d.data[d.off] == '-' {
		d.off++
	}
	if d.off < len(d.data) && d.data[d.off] == '0' {
		d.off++
	} else if digits() == 0 {
		d.syntax("expected a digit in a number")
		return "", false
	}
	if d.off < len(d.data) && d.data[d.off] == '.' {
		d.off++
		if digits() == 0 {
			d.syntax("expected a digit after the decimal point")
			return "", false
		}
	}
	if d.off < len(d.data) && (d.data[d.off] == 'e' || d.data[d.off] == 'E') {
		d.off++
		if d.off < len(d.data) && (d.data[d.off] == '+' || d.data[d.off] == '-') {
			d.off++
		}
		if digits() == 0 {
			d.syntax("expected a digit in the exponent")
			return "", false
		}
	}
	return string(d.data[start:d.off]), true
}

// suggest returns the known name closest to key when it is close enough:
// the same name in other case, or at most two edits away.
func suggest(key string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
		if d := textdist.Distance(strings.ToLower(key), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

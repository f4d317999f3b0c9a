package strictjson

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// shape is what a Go type accepts, in JSON terms.
type shape uint8

const (
	shapeAny shape = iota
	shapeObject
	shapeMap
	shapeArray
	shapeString
	shapeBool
	shapeInt
	shapeUint
	shapeFloat
)

// schema is the JSON a Go type accepts: the member names of a struct (its
// json tags, or for a type with its own UnmarshalJSON the names its
// MarshalJSON writes), element types, and number ranges.
type schema struct {
	shape    shape
	bits     int
	expected string
	fields   map[string]ref
	names    []string // sorted, for suggestions
	elem     ref
	// extra, when set, takes every name not in fields: an SDK model's
	// AdditionalProperties map.
	extra *ref
}

// ref is a use of a schema by a field, element or map value.
type ref struct {
	s *schema
	// typ is the declared Go type (with its pointer), for decoding the
	// value alone when the whole document fails to decode.
	typ reflect.Type
	// nullable: null leaves the value as it is (pointers, maps, slices,
	// interfaces), as encoding/json does.
	nullable bool
}

var anySchema = &schema{shape: shapeAny, expected: "a JSON value"}

var schemas sync.Map // reflect.Type -> *schema (complete)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	rawMessage      = reflect.TypeFor[json.RawMessage]()
	timeType        = reflect.TypeFor[time.Time]()
)

// schemaFor returns the schema of t, built once per type. A type deploykit
// cannot describe (a channel, a map with non-string keys, an interface
// with methods, a custom UnmarshalJSON whose names cannot be learnt) is an
// error: it is not modelled, so nothing of it is accepted.
func schemaFor(t reflect.Type) (ref, error) {
	b := &builder{building: map[reflect.Type]*schema{}}
	r, err := b.ref(t)
	if err != nil {
		return ref{}, err
	}
	for t, s := range b.building {
		schemas.LoadOrStore(t, s)
	}
	return r, nil
}

type builder struct {
	building map[reflect.Type]*schema
}

func (b *builder) ref(t reflect.Type) (ref, error) {
	r := ref{typ: t}
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		r.nullable = true
	}
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	s, err := b.schema(base)
	if err != nil {
		return ref{}, err
	}
	r.s = s
	return r, nil
}

func (b *builder) schema(t reflect.Type) (*schema, error) {
	if s, ok := schemas.Load(t); ok {
		return s.(*schema), nil
	}
	if s, ok := b.building[t]; ok {
		return s, nil // recursive type: filled in further up
	}
	switch {
	case t == rawMessage:
		return anySchema, nil
	case t == timeType:
		return &schema{shape: shapeString, expected: "a date-time string (RFC 3339)"}, nil
	case reflect.PointerTo(t).Implements(jsonUnmarshaler):
		if t.Kind() != reflect.Struct {
			return nil, fmt.Errorf("strictjson: %s has its own UnmarshalJSON and is not an object: not modelled", t)
		}
		s := &schema{shape: shapeObject, expected: "an object"}
		b.building[t] = s
		return s, b.probeFields(t, s)
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		return &schema{shape: shapeString, expected: "a string"}, nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() > 0 {
			return nil, fmt.Errorf("strictjson: interface %s: not modelled", t)
		}
		return anySchema, nil
	case reflect.String:
		return &schema{shape: shapeString, expected: "a string"}, nil
	case reflect.Bool:
		return &schema{shape: shapeBool, expected: "a boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &schema{shape: shapeInt, bits: t.Bits(), expected: "an integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &schema{shape: shapeUint, bits: t.Bits(), expected: "a non-negative integer"}, nil
	case reflect.Float32, reflect.Float64:
		return &schema{shape: shapeFloat, bits: t.Bits(), expected: "a number"}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(jsonUnmarshaler) {
			return &schema{shape: shapeString, expected: "a base64 string"}, nil
		}
		return b.container(t, shapeArray, "an array")
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("strictjson: %s: only string map keys are modelled", t)
		}
		return b.container(t, shapeMap, "an object")
	case reflect.Struct:
		s := &schema{shape: shapeObject, expected: "an object", fields: map[string]ref{}}
		b.building[t] = s
		if err := b.tagFields(t, s); err != nil {
			return nil, err
		}
		s.sortNames()
		return s, nil
	}
	return nil, fmt.Errorf("strictjson: %s: not modelled", t)
}

// container is the schema of a slice or map: its element's, recursively.
func (b *builder) container(t reflect.Type, sh shape, expected string) (*schema, error) {
	s := &schema{shape: sh, expected: expected}
	b.building[t] = s
	e, err := b.ref(t.Elem())
	if err != nil {
		return nil, err
	}
	s.elem = e
	return s, nil
}

func (s *schema) sortNames() {
	s.names = s.names[:0]
	for n := range s.fields {
		s.names = append(s.names, n)
	}
	sort.Strings(s.names)
}

// tagFields reads a plain struct's members as encoding/json does: the json
// tag's name, else the Go name; "-" and unexported fields skipped;
// untagged embedded structs promote their fields (the outer name wins).
func (b *builder) tagFields(t reflect.Type, s *schema) error {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, f)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if strings.Contains(tag, ",string") {
			return fmt.Errorf("strictjson: %s.%s: the ,string option is not modelled", t, f.Name)
		}
		if name == "" {
			name = f.Name
		}
		r, err := b.ref(f.Type)
		if err != nil {
			return err
		}
		s.fields[name] = r
	}
	for _, f := range embedded {
		et := f.Type
		if et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		inner := &schema{fields: map[string]ref{}}
		if err := b.tagFields(et, inner); err != nil {
			return err
		}
		for n, r := range inner.fields {
			if _, ok := s.fields[n]; !ok {
				s.fields[n] = r
			}
		}
	}
	return nil
}

// probeFields learns the member names of a struct with its own
// UnmarshalJSON (the Azure SDK's models, whose struct fields carry no json
// tags): it sets one field at a time and reads the name MarshalJSON
// writes for it. The SDK generates both methods from one property list.
// Names written for the zero value (constant discriminators such as
// "odata.type") belong to the field of the same name, ignoring case.
func (b *builder) probeFields(t reflect.Type, s *schema) error {
	if !t.Implements(jsonMarshaler) && !reflect.PointerTo(t).Implements(jsonMarshaler) {
		return fmt.Errorf("strictjson: %s has UnmarshalJSON but no MarshalJSON to learn its names from: not modelled", t)
	}
	s.fields = map[string]ref{}
	zero, err := marshalledNames(reflect.New(t))
	if err != nil {
		return fmt.Errorf("strictjson: %s: %w", t, err)
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Name == "AdditionalProperties" && f.Type.Kind() == reflect.Map && f.Type.Key().Kind() == reflect.String {
			// The SDK keeps every other name here (and writes it back).
			e, err := b.ref(f.Type.Elem())
			if err != nil {
				return err
			}
			s.extra = &e
			continue
		}
		v := reflect.New(t)
		if !fillProbe(v.Elem().Field(i)) {
			continue
		}
		names, err := marshalledNames(v)
		if err != nil {
			return fmt.Errorf("strictjson: %s.%s: %w", t, f.Name, err)
		}
		var added []string
		for n := range names {
			if !zero[n] {
				added = append(added, n)
			}
		}
		if len(added) > 1 {
			return fmt.Errorf("strictjson: %s.%s is written as %d names: not modelled", t, f.Name, len(added))
		}
		if len(added) == 1 {
			r, err := b.ref(f.Type)
			if err != nil {
				return err
			}
			s.fields[added[0]] = r
		}
	}
	for n := range zero {
		r := ref{s: anySchema, typ: reflect.TypeFor[any](), nullable: true}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && strings.EqualFold(strings.ReplaceAll(n, ".", ""), f.Name) {
				fr, err := b.ref(f.Type)
				if err != nil {
					return err
				}
				r = fr
			}
		}
		s.fields[n] = r
	}
	s.sortNames()
	return nil
}

// fillProbe gives a field a value the SDK's populate helpers write (they
// skip nil only); it reports false for kinds the SDK does not use.
func fillProbe(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
	case reflect.Interface:
		if v.NumMethod() > 0 {
			return false
		}
		v.Set(reflect.ValueOf("probe"))
	case reflect.String:
		v.SetString("probe")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	default:
		return false
	}
	return true
}

func marshalledNames(v reflect.Value) (map[string]bool, error) {
	out, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("MarshalJSON: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("MarshalJSON does not write an object: not modelled")
	}
	names := make(map[string]bool, len(m))
	for n := range m {
		names[n] = true
	}
	return names, nil
}

// rangeText names the integers a type holds, for Range problems.
func (s *schema) rangeText() string {
	switch s.shape {
	case shapeInt:
		return fmt.Sprintf("an integer from %d to %d", -(int64(1) << (s.bits - 1)), int64(1)<<(s.bits-1)-1)
	case shapeUint:
		return "an integer from 0 to " + strconv.FormatUint(uint64(1)<<(s.bits-1)*2-1, 10)
	case shapeFloat:
		return fmt.Sprintf("a number that fits a %d-bit float", s.bits)
	}
	return s.expected
}

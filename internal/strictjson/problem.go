package strictjson

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

// Code classifies a [Problem].
type Code uint8

// The problems Decode reports.
const (
	// Syntax is malformed JSON; decoding stops there.
	Syntax Code = iota + 1
	// TooLarge is a document over Options.MaxBytes; nothing is read.
	TooLarge
	// TooDeep is nesting over Options.MaxDepth; decoding stops there.
	TooDeep
	// TooMany is the last problem when Options.MaxProblems was reached.
	TooMany
	// Unknown is a member name the Go type does not have.
	Unknown
	// Duplicate is a member name given twice in one object.
	Duplicate
	// Type is a value of the wrong JSON kind (a string for a boolean...).
	Type
	// Range is a number that does not fit the Go type (2.5 for an
	// integer, 1e400, 300 for a uint8).
	Range
	// Invalid is a value of the right kind that the Go type's own decoder
	// refused (a malformed date-time, base64 or an SDK model's check).
	Invalid
)

// Kind is a JSON value's kind.
type Kind uint8

// The JSON kinds.
const (
	KindNone Kind = iota
	KindObject
	KindArray
	KindString
	KindNumber
	KindBool
	KindNull
)

// String is the kind's bare name: "object", "array", "string", "number",
// "boolean", "null".
func (k Kind) String() string {
	switch k {
	case KindObject:
		return "object"
	case KindArray:
		return "array"
	case KindString:
		return "string"
	case KindNumber:
		return "number"
	case KindBool:
		return "boolean"
	case KindNull:
		return "null"
	}
	return "nothing"
}

// Article is the kind with its article: "an object", "a string", "null".
func (k Kind) Article() string {
	switch k {
	case KindObject, KindArray:
		return "an " + k.String()
	case KindNull:
		return "null"
	case KindNone:
		return "nothing"
	}
	return "a " + k.String()
}

// Segment is one step of a [Path]: a member name or an array index.
type Segment struct {
	// Name is the member name ("" for an array element).
	Name string
	// Index is the array index, -1 for a member.
	Index int
	// InMap is true when the member is a key of a Go map (a name the user
	// chooses, such as an app setting) rather than a field of a struct.
	InMap bool
}

// Path locates a value from the document's root.
type Path []Segment

// Pointer renders the path as an RFC 6901 JSON pointer: "" for the root,
// "/routes/0/patterns", with "~" and "/" escaped as "~0" and "~1".
func (p Path) Pointer() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.Index >= 0 {
			b.WriteString(strconv.Itoa(s.Index))
		} else {
			b.WriteString(EscapePointer(s.Name))
		}
	}
	return b.String()
}

// Dotted renders the path as field names joined by dots, with map keys
// quoted in brackets as JSON strings and indexes in brackets:
// `autoscale.rules[0].when`, `appSettings["SECRET_KEY"]`.
func (p Path) Dotted() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.Index >= 0:
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		case s.InMap:
			q, _ := json.Marshal(s.Name) // a string always marshals
			b.WriteString("[" + string(q) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		}
	}
	return b.String()
}

// EscapePointer escapes a member name for a JSON pointer (RFC 6901 §3).
func EscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Problem is one thing wrong with a document, at its exact position.
// Messages never quote a string value (values may be secrets); they quote
// member names, and a number only when it was given for a number.
type Problem struct {
	Code Code
	// Pos is where the problem is: the member name for Unknown and
	// Duplicate, the value's first byte otherwise.
	Pos report.Position
	// Offset is Pos as a byte offset.
	Offset int
	// ValuePos is where the value starts (for Unknown and Duplicate, the
	// value after the name); it equals Pos for value problems.
	ValuePos report.Position
	// First is, for Duplicate, where the name was given first.
	First report.Position
	// Path is where the value is in the document.
	Path Path
	// Message says what was expected, e.g. `unknown field "alwayson" (did
	// you mean "alwaysOn"?)` or "expected a boolean, found a string".
	Message string
	// Expected is what the Go type takes, in JSON words ("a boolean",
	// "an object"), for Type, Range and Invalid.
	Expected string
	// Found is the kind given, for Type.
	Found Kind
	// Suggestion is the known name closest to an Unknown one, or "".
	Suggestion string
}

// Pointer is the problem's path as a JSON pointer.
func (p Problem) Pointer() string { return p.Path.Pointer() }

// String is "file:line:col: /pointer: message".
func (p Problem) String() string {
	s := p.Pos.String() + ": "
	if ptr := p.Pointer(); ptr != "" {
		s += ptr + ": "
	}
	return s + p.Message
}

// Error lists every problem of one document, in document order.
type Error struct {
	File     string
	Problems []Problem
}

// Error is one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

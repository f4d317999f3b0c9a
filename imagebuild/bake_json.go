package imagebuild

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// bakeNode is a JSON value with the position where it starts, so that
// validation errors can name a line and column.
type bakeNode struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	offset int64
	str    string
	num    json.Number
	b      bool
	keys   []bakeKey // objects, in document order
	items  []*bakeNode
}

type bakeKey struct {
	name   string
	offset int64
	value  *bakeNode
}

func (n *bakeNode) kindName() string {
	switch n.kind {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

// bakeParser reads a JSON document into bakeNodes.
type bakeParser struct {
	data []byte
	dec  *json.Decoder
}

// tokenStart returns the offset where the next token starts, skipping
// whitespace and the separators the decoder consumes silently.
func (p *bakeParser) tokenStart() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *bakeParser) value(depth int) (*bakeNode, error) {
	if depth > 64 {
		return nil, &bakeSyntaxError{offset: p.tokenStart(), msg: "nesting deeper than 64 levels"}
	}
	start := p.tokenStart()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err, start)
	}
	n := &bakeNode{offset: start}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n.kind = 'o'
			seen := map[string]bool{}
			for p.dec.More() {
				koff := p.tokenStart()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err, koff)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, &bakeSyntaxError{offset: koff, msg: "expected an object key"}
				}
				if seen[key] {
					return nil, &bakeSyntaxError{offset: koff, msg: fmt.Sprintf("key %q given twice", key)}
				}
				seen[key] = true
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, bakeKey{name: key, offset: koff, value: val})
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, p.tokenStart())
			}
		case '[':
			n.kind = 'a'
			for p.dec.More() {
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, val)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.syntax(err, p.tokenStart())
			}
		default:
			return nil, &bakeSyntaxError{offset: start, msg: fmt.Sprintf("unexpected %q", v)}
		}
	case string:
		n.kind, n.str = 's', v
	case json.Number:
		n.kind, n.num = 'n', v
	case bool:
		n.kind, n.b = 'b', v
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

func (p *bakeParser) syntax(err error, at int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &bakeSyntaxError{offset: se.Offset, msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &bakeSyntaxError{offset: int64(len(p.data)), msg: "unexpected end of file"}
	}
	return &bakeSyntaxError{offset: at, msg: err.Error()}
}

type bakeSyntaxError struct {
	offset int64
	msg    string
}

func (e *bakeSyntaxError) Error() string { return e.msg }

// parseBakeJSON parses data into a node tree; a syntax error comes back
// as a *BakeError with its position.
func parseBakeJSON(file string, data []byte) (*bakeNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &bakeParser{data: data, dec: dec}
	root, err := p.value(0)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = &bakeSyntaxError{offset: p.tokenStart(), msg: "unexpected data after the top-level value"}
		}
	}
	if err != nil {
		var se *bakeSyntaxError
		if errors.As(err, &se) {
			line, col := offsetPosition(data, se.offset)
			return nil, &BakeError{File: file, Line: line, Column: col, Message: "JSON syntax: " + se.msg}
		}
		return nil, &BakeError{File: file, Line: 1, Column: 1, Message: err.Error()}
	}
	return root, nil
}

// offsetPosition converts a byte offset to a 1-based line and column
// (columns count bytes).
func offsetPosition(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

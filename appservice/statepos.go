package appservice

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// sdkField matches the field chain the Azure SDK's UnmarshalJSON methods
// put in their errors ("struct field Properties: ... struct field AlwaysOn").
var sdkField = regexp.MustCompile(`struct field (\w+)`)

// stateFieldError positions an error of the SDK's decoders in a saved
// state: the SDK wraps encoding/json's errors in plain text, without the
// offset, so the field chain it names is walked in the document instead.
// top is the state's top-level key that failed to decode.
func stateFieldError(file string, data []byte, top string, err error) error {
	path := []string{top}
	for _, m := range sdkField.FindAllStringSubmatch(err.Error(), -1) {
		path = append(path, m[1])
	}
	off, found := valueOffset(data, 0, path)
	// The expected type is the last clause of encoding/json's message,
	// which names JSON and Go kinds only, never the value.
	msg := err.Error()
	if i := strings.LastIndex(msg, "json: "); i >= 0 {
		msg = msg[i+len("json: "):]
	}
	return fmt.Errorf("%s: %s: %s", offsetPos(file, data, off), strings.Join(found, "."), msg)
}

// valueOffset finds the value at keys (matched case-insensitively, as the
// SDK's Go field names are the JSON keys capitalised) inside the JSON
// object at data[base:], returning the offset of the deepest value found
// and the keys as written in the document.
func valueOffset(data []byte, base int64, keys []string) (int64, []string) {
	if len(keys) == 0 {
		return base, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data[base:]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return base, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return base, nil
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		after := dec.InputOffset()
		if err := dec.Decode(&raw); err != nil {
			return base, nil
		}
		if !strings.EqualFold(key, keys[0]) {
			continue
		}
		start := base + after
		for start < int64(len(data)) && (data[start] == ':' || data[start] == ' ' || data[start] == '\t' || data[start] == '\n' || data[start] == '\r') {
			start++
		}
		if len(keys) == 1 || len(raw) == 0 || raw[0] != '{' {
			return start, []string{key}
		}
		off, rest := valueOffset(data, start, keys[1:])
		return off, append([]string{key}, rest...)
	}
	return base, nil
}

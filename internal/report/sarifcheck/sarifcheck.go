package sarifcheck

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed sarif-schema-2.1.0.json
var sarifSchema []byte

// SchemaURL is the $id of the vendored SARIF 2.1.0 schema.
const SchemaURL = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

// MaxDocumentSize bounds the documents Validate and ValidateWith accept (64 MiB).
const MaxDocumentSize = 64 << 20

// Error lists every place where a document breaks its schema.
type Error struct {
	// Problems are "at '/json/pointer': what is wrong", one per failing
	// keyword, sorted.
	Problems []string
}

func (e *Error) Error() string {
	return "document does not match its schema:\n  " + strings.Join(e.Problems, "\n  ")
}

// Schema returns the text of the vendored SARIF 2.1.0 schema.
func Schema() []byte { return bytes.Clone(sarifSchema) }

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return Compile(SchemaURL, sarifSchema)
})

// Validate reports whether data is a SARIF 2.1.0 log that the official
// schema accepts. A schema violation is an *Error naming every failing
// place; malformed JSON is an ordinary error.
func Validate(data []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	return validate(sch, data)
}

// Compile compiles a JSON Schema document (draft-07 or later) offline; url
// is the schema's identity for references and error messages, and may end
// in a fragment ("...schema.json#/definitions/diagnostic") to compile one
// of its subschemas. References to other documents are refused, since
// nothing is fetched.
func Compile(url string, schema []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", url, err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(offline{})
	c.AssertFormat()
	base, _, _ := strings.Cut(url, "#")
	if err := c.AddResource(base, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", url, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", url, err)
	}
	return sch, nil
}

// ValidateWith validates data against a schema compiled with Compile.
func ValidateWith(sch *jsonschema.Schema, data []byte) error { return validate(sch, data) }

func validate(sch *jsonschema.Schema, data []byte) error {
	if len(data) > MaxDocumentSize {
		return fmt.Errorf("document is %d bytes, more than the %d this validator reads", len(data), MaxDocumentSize)
	}
	dec := bytes.NewReader(data)
	v, err := jsonschema.UnmarshalJSON(dec)
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	e := &Error{}
	leaves(ve, e)
	sort.Strings(e.Problems)
	return e
}

// leaves collects the innermost failures: the ones a person can act on.
func leaves(ve *jsonschema.ValidationError, e *Error) {
	if len(ve.Causes) == 0 {
		e.Problems = append(e.Problems, ve.Error())
		return
	}
	for _, c := range ve.Causes {
		leaves(c, e)
	}
}

// offline refuses every URL the schema did not bring with it.
type offline struct{}

func (offline) Load(url string) (any, error) {
	return nil, fmt.Errorf("sarifcheck loads no schema over the network (%s)", url)
}

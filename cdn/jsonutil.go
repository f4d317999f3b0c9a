package cdn

import (
	"encoding/json"
	"errors"
)

func jsonUnmarshalLoose(src []byte, v any) error { return json.Unmarshal(src, v) }

func asTypeError(err error) (*json.UnmarshalTypeError, bool) {
	var te *json.UnmarshalTypeError
	ok := errors.As(err, &te)
	return te, ok
}

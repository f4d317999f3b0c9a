package cdn

import (
	"errors"
	"net/url"
	"regexp"
)

// urlQuery matches a URL's query string in an error message.
var urlQuery = regexp.MustCompile(`(https?://[^\s"?]+)\?[^\s"]*`)

// sasError is an error whose message has every URL query string (a SAS
// token is one) removed; it unwraps to the scrubbed cause.
type sasError struct{ err error }

func (e *sasError) Error() string {
	return urlQuery.ReplaceAllString(e.err.Error(), "$1?(query removed)")
}

func (e *sasError) Unwrap() error { return e.err }

// scrubSAS removes query strings from the URLs an error carries: the
// *url.Error a transport failure returns names the request URL with the
// container's SAS token, and so would every message built from it. The
// url.Error in the chain is edited in place (it was made for this request),
// so that unwrapping does not reveal the token either.
func scrubSAS(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = "(query removed)"
			u.User = nil
			ue.URL = u.String()
		}
	}
	return &sasError{err: err}
}

package armtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// ErrNotFound is returned by [Patch] when the document does not exist.
var ErrNotFound = errors.New("armtest: not found")

// Store holds JSON documents by key (an ARM resource ID or any name; keys
// are case-insensitive like ARM's). It is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	docs map[string][]byte
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{docs: map[string][]byte{}} }

func norm(key string) string { return strings.ToLower(key) }

// Put stores v (JSON-encoded with its own MarshalJSON, so an SDK model's
// nil fields are omitted) under key, replacing what was there: PUT.
func Put[T any](s *Store, key string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("armtest: put %s: %w", key, err)
	}
	s.mu.Lock()
	s.docs[norm(key)] = b
	s.mu.Unlock()
	return nil
}

// Get decodes the document under key into a T; ok is false when absent.
func Get[T any](s *Store, key string) (v T, ok bool, err error) {
	s.mu.Lock()
	b, ok := s.docs[norm(key)]
	s.mu.Unlock()
	if !ok {
		return v, false, nil
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, true, fmt.Errorf("armtest: get %s: %w", key, err)
	}
	return v, true, nil
}

// Patch merges patch into the document under key with JSON merge patch
// semantics (RFC 7386: objects merge, arrays and scalars replace, null
// removes) and returns the result: PATCH. Because a typed body has already
// lost the difference between absent and null, nil fields leave the stored
// value unchanged. It returns [ErrNotFound] when key is absent.
func Patch[T any](s *Store, key string, patch T) (T, error) {
	var zero T
	pb, err := json.Marshal(patch)
	if err != nil {
		return zero, fmt.Errorf("armtest: patch %s: %w", key, err)
	}
	s.mu.Lock()
	doc, ok := s.docs[norm(key)]
	if !ok {
		s.mu.Unlock()
		return zero, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	merged, err := MergePatch(doc, pb)
	if err == nil {
		s.docs[norm(key)] = merged
	}
	s.mu.Unlock()
	if err != nil {
		return zero, fmt.Errorf("armtest: patch %s: %w", key, err)
	}
	var out T
	if err := json.Unmarshal(merged, &out); err != nil {
		return zero, fmt.Errorf("armtest: patch %s: %w", key, err)
	}
	return out, nil
}

// Has reports whether key exists.
func (s *Store) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.docs[norm(key)]
	return ok
}

// Delete removes key.
func (s *Store) Delete(key string) {
	s.mu.Lock()
	delete(s.docs, norm(key))
	s.mu.Unlock()
}

// Raw returns a copy of the stored JSON under key.
func (s *Store) Raw(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.docs[norm(key)]
	return bytes.Clone(b), ok
}

// Keys returns the stored keys, sorted.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.docs))
	for k := range s.docs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// MergePatch applies an RFC 7386 JSON merge patch to doc.
func MergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	if len(bytes.TrimSpace(doc)) > 0 {
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("document: %w", err)
		}
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("patch: %w", err)
	}
	return json.Marshal(merge(d, p))
}

func merge(doc, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		dm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(dm, k)
			continue
		}
		dm[k] = merge(dm[k], v)
	}
	return dm
}

// Respond returns a fake responder pair that answers status with v, for
// the return statement of a fake server's func field.
func Respond[T any](status int, v T) (azfake.Responder[T], azfake.ErrorResponder) {
	var r azfake.Responder[T]
	r.SetResponse(status, v, nil)
	return r, azfake.ErrorResponder{}
}

// Fail returns a fake responder pair that answers an ARM error with status
// and code, e.g. Fail[T](404, "ResourceNotFound") or Fail[T](409,
// "Conflict"). The fake marks it non-retriable.
func Fail[T any](status int, code string) (azfake.Responder[T], azfake.ErrorResponder) {
	var e azfake.ErrorResponder
	e.SetResponseError(status, code)
	return azfake.Responder[T]{}, e
}

// Done returns a poller responder pair for a long-running operation that
// is accepted (202) once and then succeeds with v.
func Done[T any](v T) (azfake.PollerResponder[T], azfake.ErrorResponder) {
	var p azfake.PollerResponder[T]
	p.AddNonTerminalResponse(http.StatusAccepted, nil)
	p.SetTerminalResponse(http.StatusOK, v, nil)
	return p, azfake.ErrorResponder{}
}

// FailLRO returns a poller responder pair whose operation is rejected
// synchronously with status and code.
func FailLRO[T any](status int, code string) (azfake.PollerResponder[T], azfake.ErrorResponder) {
	var e azfake.ErrorResponder
	e.SetResponseError(status, code)
	return azfake.PollerResponder[T]{}, e
}

// ClientOptions returns client options that send through transport and
// retry after a millisecond (azcore's defaults wait 800 ms and more).
func ClientOptions(transport policy.Transporter) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: transport,
		Retry:     policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond},
	}}
}

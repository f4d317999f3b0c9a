package armtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Request is one recorded HTTP request.
type Request struct {
	// Method is the HTTP verb.
	Method string
	// Path is the URL path, e.g. "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/config/web".
	Path string
	// Query is the raw query string (it holds api-version).
	Query string
	// API is the generated client's operation name from the request
	// context, e.g. "WebAppsClient.UpdateConfiguration" ("" if absent).
	API string
	// Body is the raw request body as sent on the wire.
	Body []byte
}

// Recorder is a policy.Transporter that records each request and passes
// the same *http.Request on to Next (the fake transports dispatch on its
// context, so it must not be cloned).
type Recorder struct {
	// Next answers the requests.
	Next policy.Transporter

	mu   sync.Mutex
	reqs []Request
}

// Do implements policy.Transporter. A request whose context is already
// done fails with the context's error without reaching Next, as net/http
// does; the SDK fakes would otherwise start a dispatch that outlives the
// request and races with the next poll of the same operation.
func (r *Recorder) Do(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("armtest: read request body: %w", err)
		}
		_ = req.Body.Close()
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	api, _ := req.Context().Value(runtime.CtxAPINameKey{}).(string)
	r.mu.Lock()
	r.reqs = append(r.reqs, Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, API: api, Body: body})
	r.mu.Unlock()
	return r.Next.Do(req)
}

// Requests returns a copy of what was recorded so far, in order.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}

// Count returns how many recorded requests satisfy match (all when nil).
func (r *Recorder) Count(match func(Request) bool) int {
	n := 0
	for _, q := range r.Requests() {
		if match == nil || match(q) {
			n++
		}
	}
	return n
}

// IsRead reports whether q only reads: GET, HEAD, or a POST to an ARM list
// action (".../list", e.g. ListApplicationSettings), which reads secrets
// but changes nothing. Polling GETs count as reads.
func IsRead(q Request) bool {
	switch q.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		return strings.HasSuffix(strings.ToLower(q.Path), "/list")
	}
	return false
}

// IsWrite is the complement of [IsRead].
func IsWrite(q Request) bool { return !IsRead(q) }

// ByAPI matches requests of one generated operation, e.g.
// "WebAppsClient.UpdateConfiguration".
func ByAPI(api string) func(Request) bool {
	return func(q Request) bool { return q.API == api }
}

// Transient is a policy.Transporter that answers the first Times requests
// that match with a real HTTP response of Status (429 or 503 are the ones
// azcore retries) carrying Retry-After headers, and passes every other
// request to Next.
type Transient struct {
	// Next answers the requests that are not failed.
	Next policy.Transporter
	// Status is the injected status code, e.g. 429 or 503.
	Status int
	// Times is how many matching requests fail before they pass through.
	Times int
	// Match selects the requests to fail; nil matches all.
	Match func(*http.Request) bool

	mu       sync.Mutex
	injected int
}

// Do implements policy.Transporter.
func (t *Transient) Do(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	fail := t.injected < t.Times && (t.Match == nil || t.Match(req))
	if fail {
		t.injected++
	}
	t.mu.Unlock()
	if !fail {
		return t.Next.Do(req)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	body := fmt.Sprintf(`{"error":{"code":"%s","message":"injected transient failure"}}`, codeFor(t.Status))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", "1")
	h.Set("Retry-After-Ms", "1") // preferred by azcore: keeps the test fast
	h.Set("x-ms-error-code", codeFor(t.Status))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", t.Status, http.StatusText(t.Status)),
		StatusCode:    t.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// Injected returns how many failures were returned so far.
func (t *Transient) Injected() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.injected
}

func codeFor(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

// Route sends each request to the transport registered for its generated
// client, the part of the API name before the dot ("WebAppsClient",
// "AutoscaleSettingsClient"). One fake ServerFactoryTransport serves the
// clients of one SDK module only; Route lets a single arm.ClientOptions
// serve clients of several modules. Poll requests of the fakes carry the
// API name too.
type Route map[string]policy.Transporter

// Do implements policy.Transporter.
func (r Route) Do(req *http.Request) (*http.Response, error) {
	api, _ := req.Context().Value(runtime.CtxAPINameKey{}).(string)
	client, _, _ := strings.Cut(api, ".")
	t, ok := r[client]
	if !ok {
		return nil, fmt.Errorf("armtest: no transport for client %q (API %q, %s %s)", client, api, req.Method, req.URL.Path)
	}
	return t.Do(req)
}

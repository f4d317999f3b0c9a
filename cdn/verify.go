package cdn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// VerifyOptions says what Verify requests and what it expects.
type VerifyOptions struct {
	// BaseURL is the origin (https://APP.azurewebsites.net) or the edge
	// (https://NAME.z01.azurefd.net). Files are requested at
	// BaseURL + StaticPrefix + name.
	BaseURL string
	// StaticPrefix is STATIC_URL's path; "" means "/static/".
	StaticPrefix string
	// Manifest lists the files: every hashed name is requested, and a
	// sample of the plain names.
	Manifest *Manifest
	// UnhashedSample is how many plain names to request (spread evenly over
	// the sorted list); 0 means 10, a negative value means all.
	UnhashedSample int
	// Concurrency bounds the requests in flight; 0 means 8.
	Concurrency int
	// Timeout bounds each request, body included; 0 means 15 s.
	Timeout time.Duration
	// Edge expects Front Door's X-Cache header on every response. Without
	// it, X-Cache is still checked when a response carries one.
	Edge bool
	// MaxUnhashedAge is the longest max-age accepted for plain names; 0
	// means ShortMaxAge (3600).
	MaxUnhashedAge int
	// Client sends the requests; nil means a client whose transport leaves
	// Content-Encoding alone (so compression can be seen) and that reports
	// redirects instead of following them.
	Client *http.Client
}

// Check is one header check of one file.
type Check struct {
	// Header is what was checked: "status", "Cache-Control", "Content-Type",
	// "Content-Encoding", "ETag/Last-Modified", "Access-Control-Allow-Origin", "X-Cache".
	Header string `json:"header"`
	// OK is true when the check passed.
	OK bool `json:"ok"`
	// Expected and Seen say what was wanted and what came back.
	Expected string `json:"expected"`
	Seen     string `json:"seen"`
}

// FileResult is what Verify found for one file.
type FileResult struct {
	// Name is the path under STATIC_ROOT, e.g. "css/site.dd1dd9204562.css".
	Name string `json:"name"`
	// URL is the requested URL, with any user:password removed.
	URL string `json:"url"`
	// Hashed is true for a manifest hashed name.
	Hashed bool `json:"hashed"`
	// Status is the HTTP status, 0 when the request failed.
	Status int `json:"status"`
	// Error is the transport error, "" when a response came back.
	Error string `json:"error,omitempty"`
	// Checks are the checks made, in a fixed order.
	Checks []Check `json:"checks"`
}

// OK reports whether every check of the file passed.
func (f FileResult) OK() bool {
	if f.Error != "" {
		return false
	}
	for _, c := range f.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Failures returns the failed checks.
func (f FileResult) Failures() []Check {
	var out []Check
	for _, c := range f.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// VerifySummary counts files.
type VerifySummary struct {
	Files          int `json:"files"`
	Passed         int `json:"passed"`
	Failed         int `json:"failed"`
	Hashed         int `json:"hashed"`
	HashedPassed   int `json:"hashed_passed"`
	Unhashed       int `json:"unhashed"`
	UnhashedPassed int `json:"unhashed_passed"`
}

// VerifyReport is the result of Verify, one entry per file requested.
type VerifyReport struct {
	BaseURL string        `json:"base_url"`
	Files   []FileResult  `json:"files"`
	Summary VerifySummary `json:"summary"`
}

// Failed reports whether any file failed a check.
func (r *VerifyReport) Failed() bool { return r.Summary.Failed > 0 }

// ErrNoFiles is returned when the manifest names no files.
var ErrNoFiles = errors.New("the manifest lists no files")

// Verify requests every hashed file of the manifest and a sample of the
// plain ones from a base URL, concurrently (bounded) and with timeouts, and
// checks what a CDN needs: status 200; Cache-Control "public, max-age >=
// one year, immutable" for hashed names and a short max-age for plain ones;
// Content-Type by extension; compression for text types (sent
// "Accept-Encoding: br, gzip"); an ETag or Last-Modified; CORS for fonts;
// and, on an edge, X-Cache. A failed request is a failed file, not an
// error; err is only for unusable options or a cancelled context.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyReport, error) {
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http(s)://HOST[/PATH]", redactURL(opts.BaseURL))
	}
	if opts.Manifest == nil || len(opts.Manifest.Paths) == 0 {
		return nil, ErrNoFiles
	}
	prefix := opts.StaticPrefix
	if prefix == "" {
		prefix = "/static/"
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 8
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	maxUnhashed := opts.MaxUnhashedAge
	if maxUnhashed <= 0 {
		maxUnhashed = ShortMaxAge
	}
	client := opts.Client
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableCompression = true
		tr.MaxIdleConnsPerHost = conc
		// Redirects are reported, not followed: a CDN path that answers
		// 301/302 costs every browser a round trip and is not cached as the file.
		client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// The transport is this call's own: close its keep-alive
		// connections on return, or their goroutines outlive Verify.
		defer tr.CloseIdleConnections()
	}

	type job struct {
		name   string
		hashed bool
	}
	var jobs []job
	for _, h := range opts.Manifest.Hashed() {
		jobs = append(jobs, job{h, true})
	}
	for _, u := range sample(opts.Manifest.Unhashed(), opts.UnhashedSample) {
		jobs = append(jobs, job{u, false})
	}
	results := make([]FileResult, len(jobs))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			u := *base
			u.Path = base.Path + prefix + j.name
			u.RawPath = ""
			results[i] = verifyOne(ctx, client, timeout, u.String(), j.name, j.hashed, opts.Edge, maxUnhashed)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &VerifyReport{BaseURL: redactURL(base.String()), Files: results}
	for _, f := range results {
		rep.Summary.Files++
		ok := f.OK()
		if ok {
			rep.Summary.Passed++
		} else {
			rep.Summary.Failed++
		}
		if f.Hashed {
			rep.Summary.Hashed++
			if ok {
				rep.Summary.HashedPassed++
			}
		} else {
			rep.Summary.Unhashed++
			if ok {
				rep.Summary.UnhashedPassed++
			}
		}
	}
	return rep, nil
}

// sample picks n names spread evenly over names (all when n < 0 or n >= len).
func sample(names []string, n int) []string {
	if n == 0 {
		n = 10
	}
	if n < 0 || n >= len(names) {
		return names
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, names[i*len(names)/n])
	}
	return out
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	q := u.Query()
	if len(q) > 0 {
		u.RawQuery = "(query removed)"
	}
	return u.String()
}

const maxBody = 64 << 20

func verifyOne(ctx context.Context, client *http.Client, timeout time.Duration, rawURL, name string, hashed, edge bool, maxUnhashed int) FileResult {
	res := FileResult{Name: name, URL: redactURL(rawURL), Hashed: hashed}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req.Header.Set("Accept-Encoding", "br, gzip")
	font := isFont(name)
	if font {
		req.Header.Set("Origin", "https://deploykit-verify.invalid")
	}
	resp, err := client.Do(req)
	if err != nil {
		res.Error = scrubErr(err, rawURL, res.URL)
		res.Checks = append(res.Checks, Check{Header: "status", Expected: "200", Seen: "no response: " + res.Error})
		return res
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	res.Status = resp.StatusCode
	h := resp.Header
	add := func(header string, ok bool, expected, seen string) {
		res.Checks = append(res.Checks, Check{Header: header, OK: ok, Expected: expected, Seen: seen})
	}
	add("status", resp.StatusCode == http.StatusOK, "200", strconv.Itoa(resp.StatusCode))
	if resp.StatusCode != http.StatusOK {
		return res
	}

	// Cache-Control.
	cc := h.Get("Cache-Control")
	d := parseCacheControl(cc)
	seen := quoteOrNone(cc)
	if hashed {
		ok := d.has("public") && d.maxAge >= HashedMinMaxAge && d.has("immutable") && !d.uncacheable()
		add("Cache-Control", ok, fmt.Sprintf("public, max-age>=%d, immutable (a hashed name never changes)", HashedMinMaxAge), seen)
	} else {
		// Always revalidated (no-cache) is never stale, so it passes too.
		ok := ((d.maxAge >= 0 && d.maxAge <= maxUnhashed) || d.has("no-cache")) && !d.has("immutable")
		exp := fmt.Sprintf("max-age<=%d without immutable (a plain name changes on deploy; the edge keeps it that long)", maxUnhashed)
		add("Cache-Control", ok, exp, seen)
	}

	// Content-Type.
	ct := h.Get("Content-Type")
	if want := expectedType(name); want != "" {
		got, _, _ := mime.ParseMediaType(ct)
		add("Content-Type", typeMatches(want, got), want, quoteOrNone(ct))
	} else {
		add("Content-Type", ct != "", "a Content-Type", quoteOrNone(ct))
	}

	// Compression.
	ce := h.Get("Content-Encoding")
	if compressible(name) {
		size := resp.ContentLength
		if size < 0 {
			size = n
		}
		switch {
		case ce == "br" || ce == "gzip":
			vary := strings.Contains(strings.ToLower(h.Get("Vary")), "accept-encoding")
			add("Content-Encoding", vary, ce+" with Vary: Accept-Encoding", ce+", Vary: "+quoteOrNone(h.Get("Vary")))
		case size < minCompressSize:
			add("Content-Encoding", true, fmt.Sprintf("br or gzip (files under %d bytes may go uncompressed)", minCompressSize), quoteOrNone(ce))
		default:
			add("Content-Encoding", false, "br or gzip for a text type asked with Accept-Encoding: br, gzip", quoteOrNone(ce))
		}
	}

	// Validators.
	et, lm := h.Get("ETag"), h.Get("Last-Modified")
	add("ETag/Last-Modified", et != "" || lm != "", "an ETag or Last-Modified", fmt.Sprintf("ETag %s, Last-Modified %s", quoteOrNone(et), quoteOrNone(lm)))

	// CORS for fonts.
	if font {
		acao := h.Get("Access-Control-Allow-Origin")
		add("Access-Control-Allow-Origin", acao == "*" || acao == "https://deploykit-verify.invalid",
			"* (fonts from a CDN host are cross-origin)", quoteOrNone(acao))
	}

	// Edge.
	if xc := h.Get("X-Cache"); edge || xc != "" {
		up := strings.ToUpper(xc)
		ok := xc != "" && !strings.Contains(up, "CONFIG_NOCACHE") && !strings.Contains(up, "PRIVATE_NOSTORE") && !strings.Contains(up, "UNCACHEABLE")
		add("X-Cache", ok, "TCP_HIT, TCP_REMOTE_HIT or TCP_MISS (CONFIG_NOCACHE means the route has no cache configuration)", quoteOrNone(xc))
	}
	return res
}

// minCompressSize is the smallest body Front Door compresses (1 KB, per
// "how-to-compression"); WhiteNoise also skips files that do not shrink.
const minCompressSize = 1024

func scrubErr(err error, raw, redacted string) string {
	return strings.ReplaceAll(err.Error(), raw, redacted)
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(s)
}

type cacheControl struct {
	dirs   map[string]string
	maxAge int // -1 when absent or unparsable
}

func (c cacheControl) has(d string) bool { _, ok := c.dirs[d]; return ok }

func (c cacheControl) uncacheable() bool {
	return c.has("private") || c.has("no-store") || c.has("no-cache")
}

func parseCacheControl(v string) cacheControl {
	c := cacheControl{dirs: map[string]string{}, maxAge: -1}
	for _, part := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		c.dirs[k] = val
		if k == "s-maxage" || (k == "max-age" && c.maxAge < 0) {
			if n, err := strconv.Atoi(val); err == nil && n >= 0 {
				c.maxAge = n
			}
		}
	}
	return c
}

// Content types by extension: what Django/WhiteNoise (Python's mimetypes
// plus WhiteNoise's media_types.py) and Blob uploads should send.
var contentTypes = map[string]string{
	".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
	".map": "application/json", ".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
	".xml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
	".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".eot": "application/vnd.ms-fontobject", ".wasm": "application/wasm", ".pdf": "application/pdf",
	".mp4": "video/mp4", ".webm": "video/webm", ".webmanifest": "application/manifest+json",
}

// equivalent media types that servers send for the same extension.
var typeAliases = map[string][]string{
	"text/javascript": {"application/javascript", "application/x-javascript"},
	"image/x-icon":    {"image/vnd.microsoft.icon"},
	"application/xml": {"text/xml"},
	"font/ttf":        {"application/x-font-ttf", "font/sfnt"},
	"font/otf":        {"application/x-font-opentype", "font/sfnt"},
}

// ContentType returns the Content-Type deploykit uploads name with:
// the table above (text types with charset=utf-8), "" when unknown.
func ContentType(name string) string {
	t := expectedType(name)
	if strings.HasPrefix(t, "text/") || t == "application/json" || t == "image/svg+xml" || t == "application/manifest+json" {
		return t + "; charset=utf-8"
	}
	return t
}

func expectedType(name string) string {
	return contentTypes[strings.ToLower(path.Ext(name))]
}

func typeMatches(want, got string) bool {
	if want == got {
		return true
	}
	for _, a := range typeAliases[want] {
		if a == got {
			return true
		}
	}
	return false
}

func isFont(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".woff", ".woff2", ".ttf", ".otf", ".eot":
		return true
	}
	return false
}

// compressible reports whether Front Door and WhiteNoise compress the type.
func compressible(name string) bool {
	t := expectedType(name)
	return strings.HasPrefix(t, "text/") || t == "application/json" || t == "image/svg+xml" ||
		t == "application/xml" || t == "application/manifest+json" || t == "application/vnd.ms-fontobject" ||
		t == "font/ttf" || t == "font/otf"
}

// WriteText writes one line per file ("ok" or "FAIL", name, kind), the
// failed checks under a failing file (file, header, expected, seen), and a
// summary. With failuresOnly, passing files are left out.
func (r *VerifyReport) WriteText(w io.Writer, failuresOnly bool) error {
	var b strings.Builder
	files := append([]FileResult(nil), r.Files...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, f := range files {
		kind := "unhashed"
		if f.Hashed {
			kind = "hashed"
		}
		if f.OK() {
			if !failuresOnly {
				fmt.Fprintf(&b, "ok   %s (%s)\n", f.Name, kind)
			}
			continue
		}
		fmt.Fprintf(&b, "FAIL %s (%s) %s\n", f.Name, kind, f.URL)
		for _, c := range f.Failures() {
			fmt.Fprintf(&b, "     %s: %s: expected %s; seen %s\n", f.Name, c.Header, c.Expected, c.Seen)
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "%d files from %s: %d passed, %d failed (hashed %d/%d, unhashed %d/%d passed).\n",
		s.Files, r.BaseURL, s.Passed, s.Failed, s.HashedPassed, s.Hashed, s.UnhashedPassed, s.Unhashed)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r *VerifyReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

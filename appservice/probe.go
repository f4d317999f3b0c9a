package appservice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"time"
)

// Cause classifies one health probe.
type Cause string

// The probe causes. Anything but CauseOK fails the probe; the cause says
// why, so a redirect or a Host header problem is not reported as
// "unhealthy".
const (
	// CauseOK: a 2xx answer.
	CauseOK Cause = "ok"
	// CauseRedirect: a 3xx answer. App Service's health check and swap
	// warm-up do not follow redirects (typically HTTP → HTTPS).
	CauseRedirect Cause = "redirect"
	// CauseDisallowedHost: Django answered 400 because the Host header is
	// not in ALLOWED_HOSTS (App Service probes with internal addresses).
	CauseDisallowedHost Cause = "disallowed-host"
	// CauseUnhealthy: any other status (4xx, 5xx).
	CauseUnhealthy Cause = "unhealthy"
	// CauseTimeout: no answer within the probe timeout.
	CauseTimeout Cause = "timeout"
	// CauseConnection: the connection failed (refused, reset, DNS).
	CauseConnection Cause = "connection"
)

// ProbeResult is the outcome of one probe.
type ProbeResult struct {
	URL     string        `json:"url"`
	Status  int           `json:"status,omitempty"`
	Cause   Cause         `json:"cause"`
	Detail  string        `json:"detail,omitempty"`
	Latency time.Duration `json:"latency"`
}

func (r ProbeResult) String() string {
	switch r.Cause {
	case CauseOK:
		return fmt.Sprintf("HTTP %d", r.Status)
	case CauseRedirect:
		return fmt.Sprintf("redirect: HTTP %d to %s (health checks and warm-up do not follow redirects; serve the health path over plain HTTP)", r.Status, r.Detail)
	case CauseDisallowedHost:
		return fmt.Sprintf("disallowed host: HTTP 400 (%s) — add the probe's Host to Django's ALLOWED_HOSTS or exempt the health path", r.Detail)
	case CauseTimeout:
		return "timeout: " + r.Detail
	case CauseConnection:
		return "connection failed: " + r.Detail
	}
	return fmt.Sprintf("unhealthy: HTTP %d", r.Status)
}

// ProbeOptions tune health probes.
type ProbeOptions struct {
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
	// Host overrides the Host header, e.g. to probe as App Service's
	// internal health check does.
	Host string
	// Client is the HTTP client (default: one that never follows
	// redirects). Its CheckRedirect is not consulted: redirects are causes.
	Client *http.Client
}

func (o ProbeOptions) client() *http.Client {
	c := o.Client
	if c == nil {
		c = &http.Client{}
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// Probe sends one GET to url and classifies the answer.
func Probe(ctx context.Context, url string, opts ProbeOptions) ProbeResult {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	res := ProbeResult{URL: RedactURL(url)}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		res.Cause, res.Detail = CauseConnection, "bad URL"
		return res
	}
	if opts.Host != "" {
		req.Host = opts.Host
	}
	req.Header.Set("User-Agent", "deploykit-appservice-probe")
	start := time.Now()
	resp, err := opts.client().Do(req)
	res.Latency = time.Since(start)
	if err != nil {
		var ne net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
			res.Cause, res.Detail = CauseTimeout, fmt.Sprintf("no answer within %s", timeout)
		default:
			res.Cause, res.Detail = CauseConnection, shortErr(err)
		}
		return res
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	res.Status = resp.StatusCode
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.Cause = CauseOK
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Cause, res.Detail = CauseRedirect, RedactURL(resp.Header.Get("Location"))
	case resp.StatusCode == http.StatusBadRequest:
		// Django answers DisallowedHost with a bare 400 when DEBUG is off
		// and names it when DEBUG is on.
		res.Cause = CauseDisallowedHost
		res.Detail = "Host " + req.Host
		if !bytes.Contains(body, []byte("DisallowedHost")) && !bytes.Contains(body, []byte("Invalid HTTP_HOST")) && !bytes.Contains(body, []byte("Bad Request (400)")) {
			res.Cause, res.Detail = CauseUnhealthy, ""
		}
	default:
		res.Cause = CauseUnhealthy
	}
	return res
}

// RedactURL removes user info and the query from a URL before it is
// printed: a health URL may carry basic-auth credentials or a key, and a
// redirect's Location a code or token. Unparseable input is replaced whole.
func RedactURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		u.User = neturl.User("REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

func shortErr(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op + " " + oe.Err.Error()
	}
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err.Error() // the url.Error's own text names the full URL
	}
	return err.Error()
}

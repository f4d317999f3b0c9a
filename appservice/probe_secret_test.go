package appservice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/deploykit/deploykit/appservice"
	"github.com/stretchr/testify/assert"
)

// TestProbeNeverPrintsCredentials: a health URL with user info or a token
// in its query (a slot behind basic auth, a health key) must not reach a
// probe result, a warm-up or verify error, or a progress message.
func TestProbeNeverPrintsCredentials(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://login.example/callback?code=hunter2-prod", http.StatusFound)
	}))
	defer redirect.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, base := range []string{closedURL, redirect.URL} {
		u := "http://deploy:s3cr3t-do-not-print-1234@" + base[len("http://"):] + "/healthz?key=hunter2-prod"
		r := appservice.Probe(context.Background(), u, appservice.ProbeOptions{Timeout: time.Second})
		for _, s := range []string{r.URL, r.Detail, r.String(),
			(&appservice.WarmupError{URL: r.URL, Want: 3, Attempts: 1, Last: r}).Error(),
			(&appservice.VerifyError{URL: r.URL, Failures: 2, Last: r}).Error()} {
			assert.NotContains(t, s, "s3cr3t-do-not-print-1234")
			assert.NotContains(t, s, "hunter2-prod")
		}
	}
}

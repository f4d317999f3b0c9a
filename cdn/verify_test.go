package cdn

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// There is no Front Door in the test harness; these tests stand in for an
// edge with a server that sends what front-door-caching.md documents
// (X-Cache values), and check the parts of Verify a real origin cannot
// show: X-Cache, bounded concurrency, timeouts, redaction.

func manyFiles(n int) *Manifest {
	m := &Manifest{Version: "1.0", Paths: map[string]string{}}
	for i := 0; i < n; i++ {
		m.Paths[fmt.Sprintf("js/f%03d.js", i)] = fmt.Sprintf("js/f%03d.%012x.js", i, i)
	}
	return m
}

func edgeHandler(xcache string, inflight, peak *int64, delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inflight != nil {
			n := atomic.AddInt64(inflight, 1)
			for {
				p := atomic.LoadInt64(peak)
				if n <= p || atomic.CompareAndSwapInt64(peak, p, n) {
					break
				}
			}
			defer atomic.AddInt64(inflight, -1)
		}
		time.Sleep(delay)
		hashed := strings.Count(r.URL.Path, ".") == 2
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		if hashed {
			w.Header().Set("Cache-Control", "max-age=315360000, public, immutable")
		} else {
			w.Header().Set("Cache-Control", "max-age=60, public")
		}
		w.Header().Set("ETag", `"x"`)
		w.Header().Set("X-Cache", xcache)
		_, _ = w.Write([]byte("export {}\n"))
	})
}

func TestVerifyEdgeXCache(t *testing.T) {
	m := manyFiles(3)
	for _, c := range []struct {
		xcache string
		ok     bool
	}{{"TCP_HIT", true}, {"TCP_REMOTE_HIT", true}, {"TCP_MISS", true}, {"CONFIG_NOCACHE", false}, {"PRIVATE_NOSTORE", false}, {"", false}} {
		srv := httptest.NewServer(edgeHandler(c.xcache, nil, nil, 0))
		rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: m, Edge: true})
		srv.Close()
		require.NoError(t, err)
		assert.Equal(t, !c.ok, rep.Failed(), c.xcache)
		if !c.ok {
			f := rep.Files[0].Failures()
			require.Len(t, f, 1, c.xcache)
			assert.Equal(t, "X-Cache", f[0].Header)
		}
	}
}

func TestVerifyIsBoundedAndTimesOut(t *testing.T) {
	var inflight, peak int64
	srv := httptest.NewServer(edgeHandler("TCP_HIT", &inflight, &peak, 20*time.Millisecond))
	defer srv.Close()
	rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: manyFiles(40), Concurrency: 3, UnhashedSample: -1})
	require.NoError(t, err)
	assert.False(t, rep.Failed())
	assert.Equal(t, 80, rep.Summary.Files)
	assert.LessOrEqual(t, atomic.LoadInt64(&peak), int64(3), "never more than Concurrency requests in flight")

	slow := httptest.NewServer(edgeHandler("TCP_HIT", nil, nil, 500*time.Millisecond))
	defer slow.Close()
	rep, err = Verify(context.Background(), VerifyOptions{BaseURL: slow.URL, Manifest: manyFiles(1), Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	require.True(t, rep.Failed())
	assert.Contains(t, rep.Files[0].Error, "deadline exceeded")
}

func TestVerifyRedactsCredentials(t *testing.T) {
	srv := httptest.NewServer(edgeHandler("TCP_HIT", nil, nil, 0))
	defer srv.Close()
	base := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1)
	rep, err := Verify(context.Background(), VerifyOptions{BaseURL: base, Manifest: manyFiles(1)})
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, rep.WriteJSON(&b))
	assert.NotContains(t, b.String(), "s3cret")
	_, err = Verify(context.Background(), VerifyOptions{BaseURL: "ftp://user:s3cret@host/", Manifest: manyFiles(1)})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

func TestUnhashedCacheControl(t *testing.T) {
	for _, c := range []struct {
		cc string
		ok bool
	}{{"max-age=60, public", true}, {"no-cache", true}, {"max-age=0", true}, {"public, max-age=3600", true},
		{"max-age=31536000, public", false}, {"", false}, {"max-age=60, public, immutable", false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("ETag", `"1"`)
			if c.cc != "" {
				w.Header().Set("Cache-Control", c.cc)
			}
		}))
		m := &Manifest{Version: "1.0", Paths: map[string]string{"a.png": "a.0123456789ab.png"}}
		rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: m})
		srv.Close()
		require.NoError(t, err)
		for _, f := range rep.Files {
			if !f.Hashed {
				assert.Equal(t, c.ok, f.OK(), "%q: %v", c.cc, f.Failures())
			}
		}
	}
}

func TestVerifyReportsRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.invalid"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: manyFiles(1)})
	require.NoError(t, err)
	require.True(t, rep.Failed())
	assert.Equal(t, []Check{{Header: "status", Expected: "200", Seen: "301"}}, rep.Files[0].Failures())
}

package cdn

import (
	"bytes"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyRealOrigin runs verify against gunicorn + Django 3.2 + WhiteNoise
// after a real collectstatic with CompressedManifestStaticFilesStorage, and
// against the two misconfigurations the design document leads to.
func TestVerifyRealOrigin(t *testing.T) {
	g := testenv.Gunicorn(t)

	good := djangoProject(t, g, "")
	m := readManifest(t, good)
	require.Equal(t, "1.0", m.Version, "Django 3.2 writes manifest version 1.0")
	require.Len(t, m.Paths, 5)

	t.Run("rendered settings pass", func(t *testing.T) {
		srv := serveProject(t, g, good)
		rep := verifyOrigin(t, srv, m)
		var out bytes.Buffer
		require.NoError(t, rep.WriteText(&out, false))
		assert.False(t, rep.Failed(), "%s", out.String())
		assert.Equal(t, VerifySummary{Files: 10, Passed: 10, Hashed: 5, HashedPassed: 5, Unhashed: 5, UnhashedPassed: 5}, rep.Summary)
		assert.Contains(t, out.String(), "ok   css/"+strings.TrimPrefix(m.Paths["css/site.css"], "css/")+" (hashed)")
	})

	t.Run("seed WHITENOISE_MAX_AGE fails on unhashed files", func(t *testing.T) {
		dir := djangoProject(t, g, "WHITENOISE_MAX_AGE = 31536000  # 1 year for static files with hash names")
		srv := serveProject(t, g, dir)
		rep := verifyOrigin(t, srv, readManifest(t, dir))
		fails := failures(rep)
		// Every plain name fails on Cache-Control, and nothing else fails:
		// hashed names were already served for ten years.
		assert.Len(t, fails, 5, "%v", fails)
		for _, name := range []string{"css/site.css", "js/app.js", "fonts/body.woff2", "img/logo.png", "robots.txt"} {
			assert.Equal(t, `expected max-age<=3600 without immutable (a plain name changes on deploy; the edge keeps it that long); seen "max-age=31536000, public"`,
				fails[name+": Cache-Control"], name)
		}
		assert.Equal(t, 5, rep.Summary.HashedPassed)
		var out bytes.Buffer
		require.NoError(t, rep.WriteText(&out, true))
		assert.Contains(t, out.String(), `     css/site.css: Cache-Control: expected max-age<=3600`)
		assert.NotContains(t, out.String(), "ok   ")
	})

	t.Run("no manifest storage fails on hashed files", func(t *testing.T) {
		// The files were collected by a manifest build, but the running
		// settings drop the manifest storage: WhiteNoise can no longer tell
		// hashed names and serves them for 60 seconds, not immutable.
		dir := djangoProject(t, g, "")
		editSettings(t, dir, func(s string) string {
			return strings.Replace(s, `STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"`, "", 1)
		})
		srv := serveProject(t, g, dir)
		mm := readManifest(t, dir)
		rep := verifyOrigin(t, srv, mm)
		fails := failures(rep)
		assert.Len(t, fails, 5, "%v", fails)
		for _, hashed := range mm.Hashed() {
			assert.Equal(t, `expected public, max-age>=31536000, immutable (a hashed name never changes); seen "max-age=60, public"`,
				fails[hashed+": Cache-Control"], hashed)
		}
		assert.Equal(t, 5, rep.Summary.UnhashedPassed)
	})

	t.Run("no manifest storage at collectstatic: hashed files missing", func(t *testing.T) {
		dir := djangoProject(t, g, "")
		editSettings(t, dir, func(s string) string {
			return strings.Replace(s, `STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"`, "", 1)
		})
		// A fresh STATIC_ROOT collected without the manifest storage.
		require.NoError(t, removeAll(dir+"/staticfiles"))
		collectstatic(t, g, dir)
		srv := serveProject(t, g, dir)
		rep := verifyOrigin(t, srv, m) // the manifest the templates were rendered with
		fails := failures(rep)
		for _, hashed := range m.Hashed() {
			assert.Equal(t, "expected 200; seen 404", fails[hashed+": status"], hashed)
		}
		// Without CompressedManifestStaticFilesStorage there are no .gz
		// siblings either: the text files over 1 KB go uncompressed.
		for _, plain := range []string{"css/site.css", "js/app.js"} {
			assert.Equal(t, "expected br or gzip for a text type asked with Accept-Encoding: br, gzip; seen (none)", fails[plain+": Content-Encoding"], plain)
		}
		assert.Len(t, fails, 7, "%v", fails)
	})
}

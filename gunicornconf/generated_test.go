package gunicornconf

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCatalogueIsGenerated: catalogue.json is exactly what the generator
// makes of gunicorn's config.py texts, so nobody edits it by hand.
func TestCatalogueIsGenerated(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if testenv.InCI() {
			t.Fatal("CI=true and python3 is missing")
		}
		testenv.Unavailable(t, "python3 is missing (apt-get install python3)")
	}
	out, err := exec.Command(py, "testdata/catalogue/generate.py").Output()
	require.NoError(t, err)
	have, err := os.ReadFile("catalogue.json")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(out, have), "catalogue.json is stale: run python3 testdata/catalogue/generate.py > catalogue.json")
}

// TestCatalogueFacts checks the list against the generated data.
func TestCatalogueFacts(t *testing.T) {
	for _, name := range []string{"protocol", "uwsgi_allow_ips", "root_path", "asgi_loop", "asgi_lifespan",
		"asgi_disconnect_grace_period", "enable_backlog_metric", "control_socket", "control_socket_mode",
		"control_socket_disable", "http_parser", "dirty_apps"} {
		s, ok := Lookup(name)
		require.True(t, ok, name)
		assert.True(t, s.In(mustVersion("26.2")), name)
		assert.False(t, s.In(mustVersion("23.0")), name)
	}
	_, ok := Lookup("dirty_app")
	assert.False(t, ok, "the setting is dirty_apps")
	fh, _ := Lookup("forwarder_headers")
	assert.False(t, fh.In(mustVersion("20.1")))
	assert.True(t, fh.In(mustVersion("23.0")))
	td, _ := Lookup("tolerate_dangerous_framing")
	assert.True(t, td.In(mustVersion("22.0")))
	assert.False(t, td.In(mustVersion("21.0")))
	assert.False(t, td.In(mustVersion("23.0")))
	assert.False(t, td.In(mustVersion("26.2")))
	pp, _ := Lookup("proxy_protocol")
	assert.Equal(t, ValidateBool, pp.ValidatorIn(mustVersion("24.0")))
	assert.Equal(t, ValidateProxyProtocol, pp.ValidatorIn(mustVersion("24.1")))
	h2c, _ := Lookup("http2_cleartext")
	assert.False(t, h2c.In(mustVersion("26.1")), "http2_cleartext arrived in 26.2")
	_, err := ParseVersion("19.9")
	assert.Error(t, err)
	_, err = ParseVersion("27.0")
	assert.Error(t, err)
}

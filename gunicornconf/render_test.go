package gunicornconf

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render")

type renderCase struct {
	name string
	opts RenderOptions
}

func sku(t testing.TB, name string) *SKU {
	s, ok := LookupSKU(name)
	require.True(t, ok, name)
	return &s
}

func renderCases(t testing.TB) []renderCase {
	return []renderCase{
		{"b1-gthread", RenderOptions{App: "mysite.wsgi:application", SKU: sku(t, "B1")}},
		{"p1v3-sync", RenderOptions{App: "mysite.wsgi:application", SKU: sku(t, "P1v3"), WorkerClass: "sync"}},
		{"p3v3-io", RenderOptions{App: "mysite.wsgi:application", SKU: sku(t, "P3v3"), Profile: ProfileIO}},
		{"s1-container", RenderOptions{App: "app:application", SKU: sku(t, "S1"), Platform: PlatformContainer, Port: 8080}},
		{"runtime-gthread", RenderOptions{App: "mysite.wsgi:application"}},
		{"runtime-sync-plain", RenderOptions{App: "app:application", WorkerClass: "sync", Platform: PlatformPlain}},
	}
}

func TestRenderGolden(t *testing.T) {
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r, err := Render(c.opts)
			require.NoError(t, err)
			got := append(append([]byte{}, r.Config...), []byte("\n# startup: "+r.StartupCommand+"\n")...)
			golden := filepath.Join("testdata", "render", c.name+".conf.py")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run TestRenderGolden -update")
			assert.Equal(t, string(want), string(got))

			again, err := Render(c.opts)
			require.NoError(t, err)
			assert.Equal(t, r.Config, again.Config, "rendering is deterministic")
		})
	}
}

// TestRenderedConfigsLintClean: deploykit's own output has no warnings or
// errors for the platform it was rendered for, when started with its own
// startup command.
func TestRenderedConfigsLintClean(t *testing.T) {
	for _, c := range renderCases(t) {
		r, err := Render(c.opts)
		require.NoError(t, err)
		cfg, err := Load(c.name, r.Config)
		require.NoError(t, err)
		p := c.opts.Platform
		if p == "" {
			p = PlatformAppServiceContainer
		}
		words, err := SplitShell(r.StartupCommand)
		require.NoError(t, err)
		for _, v := range []Version{mustVersion("20.1"), mustVersion("23.0")} {
			for _, f := range cfg.Validate(Options{Version: v, Platform: p, Args: words[1:]}) {
				assert.Equal(t, report.SeverityInfo, f.Severity, "%s on %s: %+v", c.name, v, f)
			}
		}
		if c.opts.SKU != nil {
			assert.Equal(t, r.Sizing.Workers, cfg.Workers, "%s: the file's fallback worker count is the sizing", c.name)
			assert.Equal(t, r.Sizing.WorkerClass, cfg.WorkerClass)
		}
	}
}

func TestRenderRejectsBadInput(t *testing.T) {
	for _, app := range []string{"", "app", ":app", "my-site.wsgi:app", "app:", "app:1x", "a b:c"} {
		_, err := Render(RenderOptions{App: app})
		assert.Error(t, err, app)
	}
	_, err := Render(RenderOptions{App: "a:b", Port: 70000})
	assert.Error(t, err)
	_, err = Render(RenderOptions{App: "a:b", Profile: "weird"})
	assert.Error(t, err)
}

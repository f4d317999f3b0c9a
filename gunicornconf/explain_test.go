package gunicornconf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExplainGolden(t *testing.T) {
	seed, err := os.ReadFile("testdata/lint/seed.conf.py")
	require.NoError(t, err)
	b1, err := Render(RenderOptions{App: "mysite.wsgi:application", SKU: sku(t, "B1")})
	require.NoError(t, err)
	cases := []struct {
		name, sku string
		src       []byte
		opts      Options
	}{
		{"seed-s1", "S1", seed, Options{}},
		{"seed-p3v3", "P3v3", seed, Options{}},
		{"generated-b1-with-startup", "B1", b1.Config, Options{Args: []string{"--bind=0.0.0.0:8000", "--timeout=30"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(c.name+".conf.py", c.src)
			require.NoError(t, err)
			var out bytes.Buffer
			require.NoError(t, Explain(&out, cfg, ExplainOptions{SKU: *sku(t, c.sku), Validate: c.opts}))
			golden := filepath.Join("testdata", "explain", c.name+".txt")
			if *update {
				require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run TestExplainGolden -update")
			assert.Equal(t, string(want), out.String())
		})
	}
}

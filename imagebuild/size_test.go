package imagebuild

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"300MB", 300_000_000, ""},
		{"300mb", 300_000_000, ""},
		{"1.5GB", 1_500_000_000, ""},
		{"512MiB", 512 << 20, ""},
		{"1048576", 1 << 20, ""},
		{"10 kB", 10_000, ""},
		{"2KiB", 2048, ""},
		{"", 0, "expected a number"},
		{"MB", 0, "expected a number"},
		{"12XB", 0, `unknown unit "XB"`},
		{"1.2.3MB", 0, "bad number"},
		{"99999999999TB", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"300MB", "1.5GiB", "0", "", "1e9", ".", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d < 0", s, n)
		}
	})
}

func TestFormatSize(t *testing.T) {
	assert.Equal(t, "999B", FormatSize(999))
	assert.Equal(t, "1.0kB", FormatSize(1000))
	assert.Equal(t, "312.4MB", FormatSize(312_400_000))
	assert.Equal(t, "2.0GB", FormatSize(2_000_000_000))
}

func TestCheckSizeBudget(t *testing.T) {
	r := SizeReport{Size: 301_000_000}
	err := CheckSizeBudget(r, 300_000_000)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrSizeBudgetExceeded))
	var be *SizeBudgetError
	require.True(t, errors.As(err, &be))
	assert.Equal(t, int64(301_000_000), be.Size)
	assert.NoError(t, CheckSizeBudget(r, 0), "no budget")
	assert.NoError(t, CheckSizeBudget(r, 301_000_000), "equal is within")
}

func TestAddedOnTop(t *testing.T) {
	base := SizeReport{Layers: []Layer{{Digest: "a", Size: 10}, {Digest: "b", Size: 20}}}
	img := SizeReport{Layers: []Layer{{Digest: "a", Size: 10}, {Digest: "b", Size: 20}, {Digest: "c", Size: 5}, {Digest: "d", Size: 7}}}
	assert.Equal(t, int64(12), img.AddedOnTop(base))
}

func TestAttributeLayers(t *testing.T) {
	df := []byte(`FROM base AS builder
RUN --mount=type=cache,target=/root/.cache pip install \
    -r requirements.txt
FROM base
WORKDIR /app
COPY --from=builder --chown=1000:1000 /venv /venv
COPY . .
RUN ["python", "-m", "compileall", "/app"]
`)
	r := &SizeReport{Layers: []Layer{
		{CreatedBy: "COPY busybox /bin/busybox # buildkit"}, // base image layer
		{CreatedBy: "WORKDIR /app"},
		{CreatedBy: "COPY --chown=1000:1000 /venv /venv # buildkit"},
		{CreatedBy: "COPY . . # buildkit"},
		{CreatedBy: "RUN python -m compileall /app # buildkit"},
	}}
	AttributeLayers(r, df)
	var lines []int
	for _, l := range r.Layers {
		lines = append(lines, l.Line)
	}
	assert.Equal(t, []int{0, 5, 6, 7, 8}, lines)

	r2 := &SizeReport{Layers: []Layer{{CreatedBy: "RUN |1 X=1 /bin/sh -c pip install -r requirements.txt # buildkit"}}}
	AttributeLayers(r2, df)
	assert.Equal(t, 2, r2.Layers[0].Line, "a multi-line RUN with build args")

	var sb strings.Builder
	require.NoError(t, SizeReport{Ref: "x", Size: 10, Layers: r.Layers}.WriteText(&sb))
	assert.Contains(t, sb.String(), "COPY . .")
}

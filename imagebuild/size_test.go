package imagebuild

import (
	"errors"
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

package textdist

import "testing"

// Expected distances are the textbook ones: Levenshtein's kitten/sitting
// is 3, and an adjacent transposition costs 1 under optimal string
// alignment (where plain Levenshtein would charge 2).
func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"timeotu", "timeout", 1},
		{"workers", "workers", 0},
		{"ca", "abc", 3},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	long := string(make([]byte, 65))
	if got := Distance(long, "x"); got != 1<<20 {
		t.Errorf("a 65-byte string is never close: got %d", got)
	}
}

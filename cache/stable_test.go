package cache

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

// stableExpect applies HashFilesStable's documented format by hand.
func stableExpect(pairs ...string) string {
	h := sha256.New()
	for i := 0; i < len(pairs); i += 2 {
		d := sha256.Sum256([]byte(pairs[i+1]))
		fmt.Fprintf(h, "%s\x00%x\n", pairs[i], d)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestHashFilesStable(t *testing.T) {
	ctx := context.Background()
	crlf := tree(t, map[string]string{"b/x": "1\r\n2\r\n", "a/y": "y\r"})
	lf := tree(t, map[string]string{"b/x": "1\n2\n", "a/y": "y\r"})
	s1, err := HashFilesStable(ctx, crlf, []string{"b/**", "a/**"}, HashOptions{})
	require.NoError(t, err)
	s2, err := HashFilesStable(ctx, lf, []string{"a/**", "b/**"}, HashOptions{})
	require.NoError(t, err)
	assert.Equal(t, s1, s2)
	assert.Equal(t, stableExpect("a/y", "y\r", "b/x", "1\n2\n"), s1)

	h1, err := HashFiles(ctx, lf, []string{"b/**", "a/**"}, HashOptions{})
	require.NoError(t, err)
	h2, err := HashFiles(ctx, lf, []string{"a/**", "b/**"}, HashOptions{})
	require.NoError(t, err)
	assert.NotEqual(t, h1, h2, "hashFiles depends on pattern order, the stable hash does not")
	assert.NotEqual(t, h1, s1)

	empty, err := HashFilesStable(ctx, lf, []string{"nothing"}, HashOptions{})
	require.NoError(t, err)
	assert.Equal(t, "", empty)
}

func gitBlobID(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00%s", len(content), content)
	return hex.EncodeToString(h.Sum(nil))
}

func TestHashFilesGitIndex(t *testing.T) {
	ctx := context.Background()
	ws := tree(t, map[string]string{"poetry.lock": "lock", "svc/poetry.lock": "svc", "untracked.lock": "u"})
	gitCmd := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = ws
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Unavailable(t, "git is not installed")
	}
	gitCmd("init", "-q")
	gitCmd("add", "poetry.lock", "svc/poetry.lock")

	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%o\x00%s\n", "poetry.lock", 0o100644, gitBlobID("lock"))
	fmt.Fprintf(h, "%s\x00%o\x00%s\n", "svc/poetry.lock", 0o100644, gitBlobID("svc"))
	want := hex.EncodeToString(h.Sum(nil))

	got, err := HashFilesGitIndex(ctx, ws, []string{"**/*.lock"}, HashOptions{})
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Unstaged edits do not change it (no file is read).
	require.NoError(t, os.WriteFile(filepath.Join(ws, "poetry.lock"), []byte("edited"), 0o644))
	got, err = HashFilesGitIndex(ctx, filepath.Join(ws, "."), []string{"**/*.lock"}, HashOptions{})
	require.NoError(t, err)
	assert.Equal(t, want, got)

	got, err = HashFilesGitIndex(ctx, ws, []string{"nothing"}, HashOptions{})
	require.NoError(t, err)
	assert.Equal(t, "", got)
}

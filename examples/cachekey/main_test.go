package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/cache"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, env)
	return out.String(), errb.String(), code
}

// hashOf is sha256 over the sha256 digests of the contents, in order.
func hashOf(contents ...string) string {
	h := sha256.New()
	for _, c := range contents {
		d := sha256.Sum256([]byte(c))
		h.Write(d[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func workspace(t *testing.T) string {
	ws := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(ws, "svc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(ws, "poetry.lock"), []byte("root"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(ws, "svc", "poetry.lock"), []byte("svc"), 0o644))
	require.NoError(t, os.Symlink("missing", filepath.Join(ws, "dangling")))
	return ws
}

func TestHash(t *testing.T) {
	ws := workspace(t)
	out, errOut, code := runCLI(t, nil, "hash", "-C", ws, "**/poetry.lock")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, hashOf("root", "svc")+"\n", out)
	assert.Empty(t, errOut, "no progress line when stderr is not a terminal")
}

func TestHashNoMatchPrintsEmptyLine(t *testing.T) {
	ws := workspace(t)
	out, _, code := runCLI(t, nil, "hash", "-C", ws, "**/*.nothing")
	require.Equal(t, 0, code)
	assert.Equal(t, "\n", out)
}

func TestHashRunnerFailureExits1(t *testing.T) {
	ws := workspace(t)
	out, errOut, code := runCLI(t, nil, "hash", "-C", ws, "*")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "dangling")

	_, errOut, code = runCLI(t, nil, "hash", "-C", ws, "../x")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "'.' and '..'")

	// With the option the dangling link is omitted.
	out, errOut, code = runCLI(t, nil, "hash", "-C", ws, "--follow-symbolic-links", "*")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, hashOf("root", "svc")+"\n", out)
}

func TestHashWithStatCache(t *testing.T) {
	ws := workspace(t)
	dir := t.TempDir()
	for range 2 {
		out, errOut, code := runCLI(t, nil, "hash", "-C", ws, "-stat-cache", dir, "**/poetry.lock")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, hashOf("root", "svc")+"\n", out)
	}
	_, err := os.Stat(filepath.Join(dir, "statcache.bin"))
	// Files written just now are racy and not remembered; the cache file
	// may or may not exist, but the answer is the same either way.
	_ = err
}

func TestKey(t *testing.T) {
	ws := workspace(t)
	env := []string{"RUNNER_OS=Linux", "GITHUB_REF_NAME=main", "PY=3.12"}
	out, errOut, code := runCLI(t, env, "key", "-C", ws, "-matrix", "python=3.11",
		"${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}-${{ env.PY }}-${{ matrix.python }}-${{ github.ref_name }}")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Linux-poetry-"+hashOf("root", "svc")+"-3.12-3.11-main\n", out)
}

func TestKeyErrorHasColumn(t *testing.T) {
	_, errOut, code := runCLI(t, nil, "key", "${{ secrets.X }}")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "column 5")
}

func TestUsage(t *testing.T) {
	_, _, code := runCLI(t, nil)
	assert.Equal(t, 2, code)
	_, _, code = runCLI(t, nil, "bogus")
	assert.Equal(t, 2, code)
}

func TestProgressOnlyAfterTwoSecondsOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, tty: true}
	p.update(cache.HashProgress{Elapsed: time.Second, Visited: 10})
	assert.Empty(t, buf.String())
	p.update(cache.HashProgress{Elapsed: 3 * time.Second, Visited: 10, Matched: 2})
	assert.Contains(t, buf.String(), "10 entries visited, 2 files matched")
	p.update(cache.HashProgress{Done: true})
	assert.True(t, strings.HasSuffix(buf.String(), "\r\033[K"), "the line is cleared at the end")

	var quiet bytes.Buffer
	np := &progress{w: &quiet} // not a terminal
	np.update(cache.HashProgress{Elapsed: 3 * time.Second})
	assert.Empty(t, quiet.String())
}

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
	code := runEnv(context.Background(), args, &out, &errb, env)
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
	out, errOut, code := runCLI(t, nil, "hash", "-C", ws, "**/*.nothing")
	require.Equal(t, 0, code)
	assert.Equal(t, "\n", out)
	assert.Equal(t, "cachekey: no file matched\n", errOut)
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
	// The stat cache only trusts digests of files whose mtime and ctime
	// are two seconds older than the read (Git's racy guard): wait that out.
	time.Sleep(2100 * time.Millisecond)
	dir := t.TempDir()
	out, errOut, code := runCLI(t, nil, "hash", "-C", ws, "-stat-cache", dir, "-v", "**/poetry.lock")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, hashOf("root", "svc")+"\n", out)
	assert.Contains(t, errOut, "2 files hashed, 7 bytes read, 0 digests from the stat cache")
	st, err := os.Stat(filepath.Join(dir, "statcache.bin"))
	require.NoError(t, err, "the first run saved the digests")
	assert.Positive(t, st.Size())

	out, errOut, code = runCLI(t, nil, "hash", "-C", ws, "-stat-cache", dir, "-v", "**/poetry.lock")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, hashOf("root", "svc")+"\n", out)
	assert.Contains(t, errOut, "2 files hashed, 0 bytes read, 2 digests from the stat cache")

	// A changed file is read again.
	require.NoError(t, os.WriteFile(filepath.Join(ws, "svc", "poetry.lock"), []byte("svc2"), 0o644))
	out, _, code = runCLI(t, nil, "hash", "-C", ws, "-stat-cache", dir, "**/poetry.lock")
	require.Equal(t, 0, code)
	assert.Equal(t, hashOf("root", "svc2")+"\n", out)
}

func TestVerboseListsFilesInHashOrder(t *testing.T) {
	ws := workspace(t)
	require.NoError(t, os.WriteFile(filepath.Join(ws, "a.lock"), []byte("a"), 0o644))
	out, errOut, code := runCLI(t, nil, "hash", "**/poetry.lock", "a.lock", "-v", "-C", ws)
	require.Equal(t, 0, code, errOut)
	// Both patterns search the workspace root, walked once depth first in
	// byte order: a.lock, poetry.lock, svc/poetry.lock.
	assert.Equal(t, hashOf("a", "root", "svc")+"\n", out)
	assert.True(t, strings.HasPrefix(errOut, "a.lock\npoetry.lock\nsvc/poetry.lock\n"), errOut)
}

func TestKeyWithCommaExits2(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "key", "a,b")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "comma")
	_, _, code = runCLI(t, nil, "key", strings.Repeat("k", 513))
	assert.Equal(t, 2, code, "longer than 512 characters")
}

func TestVersionMatchesCacheVersion(t *testing.T) {
	// 769c63ce... is what @actions/cache 6.3.0's getCacheVersion returns for
	// ["~/.cache/pypoetry", ".venv"] with "zstd" (cache's differential test
	// checks the whole table); the default here is zstd-without-long.
	out, errOut, code := runCLI(t, nil, "version", "-compression", "zstd", "~/.cache/pypoetry", ".venv")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "769c63ce70316693b52246fe98ee307ee801d3f0f90e372483015743721d3857\n", out)
	out, _, code = runCLI(t, nil, "version", "~/.cache/pypoetry", ".venv")
	require.Equal(t, 0, code)
	assert.Equal(t, cache.CacheVersion([]string{"~/.cache/pypoetry", ".venv"}, cache.CompressionZstdWithoutLong, false, false)+"\n", out)
}

// TestConventions runs the command rules every example command follows.
func TestConventions(t *testing.T) {
	ws := workspace(t)
	other := workspace(t)
	require.NoError(t, os.WriteFile(filepath.Join(other, "poetry.lock"), []byte("other"), 0o644))
	cases := []struct {
		name       string
		args       []string
		code       int
		out, inErr string
	}{
		{"-h", []string{"-h"}, 0, "hash", ""},
		{"--help", []string{"--help"}, 0, "version", ""},
		{"help", []string{"help"}, 0, "key", ""},
		{"help hash", []string{"help", "hash"}, 0, "NOT hashFiles-compatible", ""},
		{"hash -h", []string{"hash", "-h"}, 0, "-stat-cache", ""},
		{"no arguments", nil, 2, "", "Usage"},
		{"unknown verb", []string{"bogus"}, 2, "", "unknown command"},
		{"unknown flag", []string{"hash", "-nope", "x"}, 2, "", "unknown"},
		{"hash without pattern", []string{"hash"}, 2, "", "requires at least 1 arg"},
		{"flags after arguments", []string{"hash", "poetry.lock", "-C", other}, 0, hashOf("other") + "\n", ""},
		{"single-dash long flag after arguments", []string{"hash", "**/poetry.lock", "-dir", ws, "-q"}, 0, hashOf("root", "svc") + "\n", ""},
		{"missing -C directory", []string{"hash", "-C", filepath.Join(ws, "nope"), "x"}, 2, "", "not a directory"},
		{"runner failure", []string{"hash", "-C", ws, "*"}, 1, "", "dangling"},
		{"no file matched", []string{"hash", "-C", ws, "nothing"}, 0, "\n", "no file matched"},
		{"-q silences the note", []string{"hash", "-C", ws, "-q", "nothing"}, 0, "\n", ""},
		{"bad mode", []string{"hash", "-mode", "x", "a"}, 2, "", "expected hashfiles"},
		{"stable mode labelled", []string{"hash", "-C", ws, "-mode", "stable", "**/poetry.lock"}, 0, "", "NOT hashFiles-compatible"},
		{"bad template", []string{"key", "${{ secrets.X }}"}, 2, "", "column 5"},
		{"bad matrix", []string{"key", "-matrix", "x", "k"}, 2, "", "NAME=VALUE"},
		{"bad compression", []string{"version", "-compression", "xz", "p"}, 2, "", "expected zstd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, c.args...)
			assert.Equal(t, c.code, code, "stdout %q stderr %q", out, errOut)
			if c.out != "" {
				if strings.HasSuffix(c.out, "\n") {
					assert.Equal(t, c.out, out)
				} else {
					assert.Contains(t, out, c.out)
				}
			}
			if c.inErr != "" {
				assert.Contains(t, errOut, c.inErr)
			} else if c.code == 0 && c.name != "stable mode labelled" {
				assert.Empty(t, errOut)
			}
		})
	}
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

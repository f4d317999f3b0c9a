package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// seeHint matches a hint such as "see 'imagebuild build -h'".
var seeHint = regexp.MustCompile(`see '([^']+)'`)

// TestConventions checks the shared command conventions (issue 11): help
// exits 0 and describes every verb, flags after positional arguments are
// flags, Go-style single-dash long flags work, exit codes are 0 ok, 1
// failed check, 2 usage or I/O, and every hint names a command that exists.
// Cases marked buildkit run against the harness's buildkitd ($ADDR) and a
// context directory holding a FROM scratch Dockerfile of about 120 kB ($CTX).
func TestConventions(t *testing.T) {
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "")
	t.Setenv("ACTIONS_RESULTS_URL", "")
	t.Setenv("DEPLOYKIT_REGISTRY_USERNAME", "")
	t.Setenv("BUILDKIT_HOST", "")
	ctxDir := fixture(t, 120_000)
	cases := []struct {
		name     string
		args     []string
		buildkit bool
		code     int
		contains []string
		absent   []string
	}{
		{name: "-h lists and describes every verb", args: []string{"-h"}, code: 0,
			contains: []string{"build   build (and with -push, push) an image", "size    read an image from a registry", "Exit status"}},
		{name: "help", args: []string{"help"}, code: 0, contains: []string{"Available Commands", "build", "size"}},
		{name: "--help", args: []string{"--help"}, code: 0, contains: []string{"size"}},
		{name: "help build describes its flags", args: []string{"help", "build"}, code: 0,
			contains: []string{"-cache-from", "-cache-to", "-max-size", "-push", "-tag", "-quiet", "-verbose", "type=gha", "Exit status"}},
		{name: "build -h", args: []string{"build", "-h"}, code: 0, contains: []string{"-metadata-file", "-platform"}},
		{name: "size -h", args: []string{"size", "-h"}, code: 0, contains: []string{"-json", "-insecure", "-quiet"}},
		{name: "no verb", args: nil, code: 2, contains: []string{"a command is required"}},
		{name: "unknown verb", args: []string{"nope"}, code: 2, contains: []string{`unknown command "nope"`}},
		{name: "unknown flag", args: []string{"build", "-bogus"}, code: 2, contains: []string{"bogus"}},
		{name: "build needs -addr and -context", args: []string{"build", "-context", "."}, code: 2,
			contains: []string{"-addr and -context are required"}},
		{name: "build takes no arguments", args: []string{"build", "-addr", "unix:///x", "-context", ".", "extra"}, code: 2,
			contains: []string{`unexpected argument "extra"`}},
		{name: "size wants one ref", args: []string{"size"}, code: 2, contains: []string{"want 1 argument"}},
		{name: "size: flags after the ref are flags", args: []string{"size", "r/a:1", "-q", "-v"}, code: 2,
			contains: []string{"-q and -v exclude each other"}},
		{name: "size: unknown flag after the ref", args: []string{"size", "r/a:1", "-bogus"}, code: 2, contains: []string{"bogus"}},
		{name: "Go-style -max-size", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir, "-max-size", "lots"}, code: 2,
			contains: []string{"-max-size"}},
		{name: "-max-size=VALUE", args: []string{"build", "-addr=unix:///x", "-context=" + ctxDir, "-max-size=lots"}, code: 2,
			contains: []string{"-max-size"}},
		{name: "double-dash flags too", args: []string{"build", "--addr", "unix:///x", "--context", ctxDir, "--progress", "fancy"}, code: 2,
			contains: []string{"-progress"}},
		{name: "-push needs -tag", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir, "-push"}, code: 2,
			contains: []string{"-push needs -tag"}},
		{name: "cache spec with commas is one value", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir,
			"-tag", "r/a:1", "-push", "-cache-to", "type=registry,ref=r/a:1,mode=max"}, code: 2, contains: []string{"separate ref"}},
		{name: "bad -build-arg", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir, "-build-arg", "NOEQUALS"}, code: 2,
			contains: []string{"want KEY=VALUE"}},
		{name: "-q with -v", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir, "-q", "-v"}, code: 2,
			contains: []string{"exclude each other"}},
		{name: "unreachable buildkitd is an I/O error", args: []string{"build", "-addr", "unix://" + filepath.Join(t.TempDir(), "none.sock"), "-context", ctxDir, "-q"}, code: 2,
			contains: []string{"buildkitd is unavailable"}},
		{name: "gha token on the command line is not echoed", args: []string{"build", "-addr", "unix:///x", "-context", ctxDir,
			"-cache-to", "type=gha,scope=main,url_v2=http://127.0.0.1:1/,token=hdr.SECRETTOKENPAYLOAD.sig"}, code: 2,
			contains: []string{"not an Actions runtime token"}, absent: []string{"SECRETTOKENPAYLOAD"}},
		{name: "over the budget exits 1", buildkit: true, args: []string{"build", "-addr", "$ADDR", "-context", ctxDir, "-max-size", "100kB", "-q"}, code: 1,
			contains: []string{"budget"}},
		{name: "flags in any order, under the budget", buildkit: true, args: []string{"build", "-q", "-context", ctxDir, "-addr", "$ADDR", "-max-size=1MB"}, code: 0,
			contains: []string{"compressed, 2 layers"}},
		{name: "-q prints one line and no progress", buildkit: true, args: []string{"build", "-addr", "$ADDR", "-context", ctxDir, "-q", "-inspect"}, code: 0,
			absent: []string{"#1 ", "efficiency", "created by"}},
		{name: "-v prints every layer with its line", buildkit: true, args: []string{"build", "-addr", "$ADDR", "-context", ctxDir, "-progress", "quiet", "-v"}, code: 0,
			contains: []string{"created by", "COPY payload.bin /payload.bin"}},
	}
	var hints []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.buildkit {
				addr := testenv.BuildKit(t)
				args = append([]string(nil), args...)
				for i, a := range args {
					args[i] = strings.ReplaceAll(a, "$ADDR", addr)
				}
			}
			code, out, errOut := runCLI(args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range tc.contains {
				assert.Contains(t, out+errOut, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, out+errOut, s)
			}
			if tc.name == "-q prints one line and no progress" {
				assert.Equal(t, 1, strings.Count(out, "\n"), "%q", out)
			}
			for _, m := range seeHint.FindAllStringSubmatch(out+errOut, -1) {
				hints = append(hints, m[1])
			}
		})
	}
	require.NotEmpty(t, hints)
	for _, h := range hints {
		f := strings.Fields(h)
		require.Equal(t, "imagebuild", f[0], h)
		code, out, errOut := runCLI(f[1:]...)
		assert.Equal(t, 0, code, "hint %q: %s%s", h, out, errOut)
	}
}

// TestGHAEnvironmentNeverPrinted: the token is read from the environment by
// the command, checked before anything is sent, and never appears in the
// output; a run without it says which variable to set.
func TestGHAEnvironmentNeverPrinted(t *testing.T) {
	dir := fixture(t, 10)
	t.Setenv("ACTIONS_RESULTS_URL", "http://127.0.0.1:1/")
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "hdr.ENVSECRETPAYLOAD.sig")
	for _, flag := range []string{"-cache-to", "-cache-from"} {
		code, out, errOut := runCLI("build", "-addr", "unix:///x", "-context", dir, flag, "type=gha,scope=main")
		assert.Equal(t, 2, code, "%s: %s", flag, errOut)
		assert.Contains(t, errOut, "not an Actions runtime token")
		assert.NotContains(t, out+errOut, "ENVSECRETPAYLOAD")
	}
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "")
	code, _, errOut := runCLI("build", "-addr", "unix:///x", "-context", dir, "-cache-to", "type=gha,scope=main")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "ACTIONS_RUNTIME_TOKEN")
}

// TestSizeQuietVerbose pushes a small image and reads it back with the
// flags after the reference: -q gives one line, -v the whole report.
func TestSizeQuietVerbose(t *testing.T) {
	addr := testenv.BuildKit(t)
	reg := testenv.Registry(t)
	t.Setenv("DEPLOYKIT_REGISTRY_USERNAME", "")
	dir := fixture(t, 30_000)
	ref := fmt.Sprintf("%s/deploykit-example/size-%d:v1", reg, time.Now().UnixNano())
	code, _, errOut := runCLI("build", "-addr", addr, "-context", dir, "-tag", ref, "-push", "-insecure", "-q")
	require.Equal(t, 0, code, errOut)

	code, out, errOut := runCLI("size", ref, "-insecure", "-q")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^sha256:[0-9a-f]{64} \S+ compressed, 2 layers\n$`, out)

	code, out, errOut = runCLI("size", ref, "-insecure", "-v")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "efficiency 100.0%")
	assert.Contains(t, out, "uncompressed")

	code, _, _ = runCLI("size", "-insecure", strings.TrimSuffix(ref, ":v1")+":missing")
	assert.Equal(t, 1, code, "a missing image is a failed read")
}

package cache

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deploykit/deploykit/internal/testenv"
)

// The differential test runs the same hashFiles calls through the real
// @actions/glob 0.4.0 (the version the runner bundles, with minimatch 3)
// under Node and through HashFiles, and requires identical answers. It
// needs node on PATH and DEPLOYKIT_TEST_ACTIONS_GLOB pointing at a
// node_modules directory holding @actions/glob@0.4.0; `make services`
// installs it (pinned in internal/testenv/actionsglob) and exports it.

// nodeHashFiles does what the runner's hashFiles script does with the
// globber's results (written for this test from the documented behaviour).
const nodeHashFiles = `
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const stream = require('stream');
const util = require('util');
const glob = require('@actions/glob');
async function run() {
  const followSymbolicLinks = process.env.followSymbolicLinks === 'true';
  const ws = process.cwd();
  const result = crypto.createHash('sha256');
  let has = false;
  const globber = await glob.create(process.env.patterns || '', {followSymbolicLinks});
  for await (const file of globber.globGenerator()) {
    if (!file.startsWith(ws + path.sep)) continue;
    if (fs.statSync(file).isDirectory()) continue;
    const h = crypto.createHash('sha256');
    await util.promisify(stream.pipeline)(fs.createReadStream(file), h);
    result.write(h.digest());
    has = true;
  }
  result.end();
  process.stderr.write('__OUTPUT__' + (has ? result.digest('hex') : '') + '__OUTPUT__');
}
run().then(() => process.exit(0), (e) => { process.stderr.write(String(e)); process.exit(1); });
`

var outputRE = regexp.MustCompile(`__OUTPUT__([0-9a-f]*)__OUTPUT__`)

type nodeRunner struct {
	script, modules, home string
}

func (n nodeRunner) hash(t *testing.T, ws, patterns string, follow bool) (string, bool, string) {
	cmd := exec.Command("node", n.script)
	cmd.Dir = ws
	cmd.Env = []string{"NODE_PATH=" + n.modules, "HOME=" + n.home, "patterns=" + patterns, "PATH=" + os.Getenv("PATH")}
	if follow {
		cmd.Env = append(cmd.Env, "followSymbolicLinks=true")
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("node: %v", err)
		}
		return "", false, errb.String()
	}
	m := outputRE.FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("node printed no result: %s", errb.String())
	}
	return m[1], true, ""
}

func differentialTree(t *testing.T) string {
	ws := tree(t, map[string]string{
		"a/b/c.txt": "c", "a/.hidden": "h", ".git/config": "g", "x.py": "x", "sub/x.py": "sx",
		"sub/test_x.py": "t", "we ird/f": "w", "b[1]/f": "b1", "B": "B", "_": "_", "a-b": "ab",
		"a.txt": "at", "é.txt": "e", "😀.py": "emoji", "-": "dash", "deep/1/2/3/4/poetry.lock": "p",
		"poetry.lock": "root", "svc/poetry.lock": "svc", "lnk-file": "->x.py", "lnk-dir": "->sub",
		"sub/loop": "->..", "q?/f": "q", "st*r/f": "s", "sp ace": "sp", "a/b/d/": "",
	})
	require.NoError(t, os.WriteFile(filepath.Join(ws, "\nnl.py"), []byte("nl"), 0o644))
	return ws
}

var differentialPatterns = []string{
	"**/poetry.lock", "**/*.py", "*", "**", "a", "a/", "a/**", "a/**/", "!a", "*.txt",
	"**/*.py\n!**/test_*.py", "**\n!sub/**\nsub/x.py", "!!x.py", "! x.py\nx.py", "sub\n!sub/test_x.py",
	"b[1]/f", "b\\[1\\]/f", "[ab]*", "[!a]*", "[^a]*", "?", "??", "?.py", "*.p?", "[z-a]", "*[",
	"[]a]", "\\*", "st\\*r/*", "q\\?/f", "we ird/*", "é.txt", "?.txt", "*.py\n# comment\n  \n",
	"./x.py", "~/x", "../x", "a/../b", "a/./b", "a/\\./b", "a/[.]/b", "\\./x.py", "!", "lnk-file",
	"lnk-dir", "lnk-dir/**", "lnk-dir/", "sub/loop/**", "deep/**/poetry.lock", "deep/*/2/**",
	"x.py/y", "nothing/**", "/etc/hostname", "B\n_\nA", "*\n!**/.git/**", ".*", "**/.*",
	"a/b", "a/b/", "a/b/**/", "**/", "[[:alpha:]]*", "*\\", "a\\", "sp ace", "sp ace ", "@(x).py",
	"{x,sub}.py", "!(x).py", "+(x).py", "*.{py,txt}", "**/*", "**/*/", "*/", "*/*", "*/**/*.py",
	"[!]*", "[]", "[a-]*", "[\\d]*", "[z\\-a]*", "?😀*", "??.py", "*[z-a]*", "x[", "*x[", "b[[]1]/*",
	"**/*.py\n!sub\nsub/test_x.py", "deep/**/**/poetry.lock", "**/1/**", "#x.py\nx.py", "  !  x.py  \n*.py",
}

func TestDifferentialAgainstActionsGlob(t *testing.T) {
	modules := testenv.ActionsGlob(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: make test installs it (Debian package nodejs)")
	}
	dir := t.TempDir()
	n := nodeRunner{script: filepath.Join(dir, "hashfiles.js"), modules: modules, home: t.TempDir()}
	require.NoError(t, os.WriteFile(n.script, []byte(nodeHashFiles), 0o644))

	check := func(t *testing.T, ws, patterns string, follow bool) {
		t.Helper()
		want, wantOK, nodeErr := n.hash(t, ws, patterns, follow)
		args := []string{patterns}
		if follow {
			args = []string{FollowSymbolicLinksOption, patterns}
		}
		got, err := HashFiles(context.Background(), ws, args, HashOptions{HomeDir: n.home})
		if wantOK != (err == nil) || got != want {
			t.Errorf("patterns %q follow=%v:\n node: %q ok=%v %s\n go:   %q err=%v", patterns, follow, want, wantOK, strings.TrimSpace(nodeErr), got, err)
		}
	}

	ws := differentialTree(t)
	for _, p := range differentialPatterns {
		check(t, ws, p, false)
		check(t, ws, p, true)
	}

	// Dangling links and invalid UTF-8 names, each in its own tree.
	dang := tree(t, map[string]string{"a": "a", "dangling": "->missing", "d/x": "x"})
	for _, p := range []string{"*", "a", "!dangling\n*", "**", "d/**", "dangling"} {
		check(t, dang, p, false)
		check(t, dang, p, true)
	}
	bad := tree(t, map[string]string{"ok": "ok", "d/x": "x"})
	require.NoError(t, os.WriteFile(filepath.Join(bad, "bad\xff"), []byte("b"), 0o644))
	for _, p := range []string{"*", "ok", "d/**", "b*", "!bad*\n*"} {
		check(t, bad, p, false)
		check(t, bad, p, true)
	}

	// Random patterns over the same tree.
	rng := rand.New(rand.NewPCG(7, 11))
	atoms := []string{"*", "**", "?", "[ab]", "[!x]", "a", "b", "sub", "x.py", "*.py", ".git", "b[1]", "loop", "lnk-dir", "deep", "poetry.lock", "\\*", ".", "..", "[z-a]", "q?", "1", "2"}
	for i := 0; i < 60; i++ {
		var lines []string
		for l := 0; l < 1+rng.IntN(3); l++ {
			var segs []string
			for s := 0; s < 1+rng.IntN(4); s++ {
				segs = append(segs, atoms[rng.IntN(len(atoms))])
			}
			line := strings.Join(segs, "/")
			if rng.IntN(4) == 0 {
				line = "!" + line
			}
			if rng.IntN(6) == 0 {
				line += "/"
			}
			lines = append(lines, line)
		}
		check(t, ws, strings.Join(lines, "\n"), rng.IntN(2) == 0)
	}
	fmt.Fprintln(os.Stderr, "differential: compared", len(differentialPatterns)*2+22+60, "calls")
}

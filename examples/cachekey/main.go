// Command cachekey computes GitHub Actions cache keys outside the runner.
//
//	cachekey hash [-C DIR] [-stat-cache DIR] [--follow-symbolic-links] PATTERN...
//	cachekey key  [-C DIR] [-stat-cache DIR] [-matrix NAME=VALUE]... 'TEMPLATE'
//
// hash prints exactly what hashFiles(PATTERN, ...) returns on a Linux or
// macOS runner whose workspace is DIR (hex, or an empty line) and exits 0;
// when the runner would fail the call it prints the reason to stderr and
// exits 1. key prints the evaluated key template, reading runner.*, env.*
// and github.* from the environment (RUNNER_OS, RUNNER_ARCH, GITHUB_*).
// The persistent stat cache is off unless -stat-cache is given. A progress
// line appears on stderr only when stderr is a terminal and the walk takes
// more than two seconds.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/deploykit/deploykit/cache"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

const usage = `usage:
  cachekey hash [-C DIR] [-stat-cache DIR] [--follow-symbolic-links] PATTERN...
  cachekey key  [-C DIR] [-stat-cache DIR] [-matrix NAME=VALUE]... 'TEMPLATE'
`

type multiFlag []string

// String implements flag.Value.
func (m *multiFlag) String() string { return strings.Join(*m, ",") }

// Set implements flag.Value.
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("cachekey "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", ".", "workspace directory")
	statDir := fs.String("stat-cache", "", "turn the persistent stat cache on, stored in this directory")
	var follow *bool
	var matrix multiFlag
	switch cmd {
	case "hash":
		follow = fs.Bool("follow-symbolic-links", false, "follow symbolic links (like hashFiles('--follow-symbolic-links', ...))")
	case "key":
		fs.Var(&matrix, "matrix", "matrix value NAME=VALUE (repeatable)")
	default:
		fmt.Fprintf(stderr, "cachekey: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts := cache.HashOptions{}
	if *statDir != "" {
		sc, err := cache.OpenStatCache(cache.StatCacheOptions{Dir: *statDir})
		if err != nil {
			fmt.Fprintf(stderr, "cachekey: %v\n", err)
			return 1
		}
		defer func() {
			if err := sc.Save(); err != nil {
				fmt.Fprintf(stderr, "cachekey: saving stat cache: %v\n", err)
			}
		}()
		opts.StatCache = sc
	}
	prog := newProgress(stderr)
	opts.Progress = prog.update
	switch cmd {
	case "hash":
		patterns := fs.Args()
		if *follow {
			patterns = append([]string{cache.FollowSymbolicLinksOption}, patterns...)
		}
		h, err := cache.HashFiles(ctx, *dir, patterns, opts)
		if err != nil {
			fmt.Fprintf(stderr, "cachekey: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, h)
		return 0
	default:
		if fs.NArg() != 1 {
			fmt.Fprintf(stderr, "cachekey key: expected exactly one TEMPLATE argument\n%s", usage)
			return 2
		}
		kc := keyContext(environ)
		kc.Workspace = *dir
		kc.Hash = opts
		for _, m := range matrix {
			k, v, ok := strings.Cut(m, "=")
			if !ok {
				fmt.Fprintf(stderr, "cachekey key: -matrix %q: expected NAME=VALUE\n", m)
				return 2
			}
			kc.Matrix[k] = v
		}
		key, err := cache.EvalKey(ctx, fs.Arg(0), kc)
		if err != nil {
			fmt.Fprintf(stderr, "cachekey: %v\n", err)
			return 1
		}
		if err := cache.ValidateKey(key); err != nil {
			fmt.Fprintf(stderr, "cachekey: warning: %v\n", err)
		}
		fmt.Fprintln(stdout, key)
		return 0
	}
}

func keyContext(environ []string) cache.KeyContext {
	kc := cache.KeyContext{
		RunnerOS:   cache.RunnerOS(runtime.GOOS),
		RunnerArch: cache.RunnerArch(runtime.GOARCH),
		Env:        map[string]string{},
		Matrix:     map[string]string{},
		Github:     map[string]string{},
	}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		kc.Env[k] = v
		switch {
		case k == "RUNNER_OS" && v != "":
			kc.RunnerOS = v
		case k == "RUNNER_ARCH" && v != "":
			kc.RunnerArch = v
		case strings.HasPrefix(k, "GITHUB_"):
			kc.Github[strings.ToLower(strings.TrimPrefix(k, "GITHUB_"))] = v
		}
	}
	return kc
}

// progress prints a status line when stderr is a terminal and the call has
// run for more than two seconds.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	printed bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(s cache.HashProgress) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.Done {
		if p.printed {
			fmt.Fprint(p.w, "\r\033[K")
		}
		return
	}
	if s.Elapsed < 2*time.Second {
		return
	}
	p.printed = true
	fmt.Fprintf(p.w, "\r\033[Khashing: %d entries visited, %d files matched, %d hashed, %.1f MB read, %s",
		s.Visited, s.Matched, s.Hashed, float64(s.BytesRead)/1e6, s.Elapsed.Truncate(time.Second))
}

// Command cachekey computes GitHub Actions cache keys and versions outside
// the runner, with deploykit's cache package.
//
//	cachekey hash    [-C DIR] [-stat-cache DIR] [--follow-symbolic-links] [-mode hashfiles|stable|git-index] [-v|-q] PATTERN...
//	cachekey key     [-C DIR] [-stat-cache DIR] [-matrix NAME=VALUE]... [-v|-q] 'TEMPLATE'
//	cachekey version [-compression zstd-without-long|zstd|gzip] [-enable-cross-os-archive] PATH...
//	cachekey help [COMMAND]
//
// hash prints exactly what hashFiles(PATTERN, ...) returns on a Linux or
// macOS runner whose workspace is DIR: hex, or an empty line when no file
// matched (then "no file matched" goes to stderr). -v lists the matched
// files on stderr in hash order. -mode stable and -mode git-index are
// deploykit's own keys, NOT hashFiles-compatible (see the cache package).
// key prints the evaluated key template, reading runner.*, env.* and
// github.* from the environment (RUNNER_OS, RUNNER_ARCH, GITHUB_*); a key
// actions/cache would refuse (a comma, more than 512 characters) is an
// error. version prints the cache version actions/cache computes for the
// path input lines. Flags may come before or after the arguments.
//
// Exit codes: 0 success; 1 when the runner would fail the hashFiles call;
// 2 for usage errors, invalid templates or keys, and I/O errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/deploykit/deploykit/cache"
	"github.com/deploykit/deploykit/internal/cli"
	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runEnv(ctx, args, stdout, stderr, os.Environ())
}

func fail(code int, format string, args ...any) error {
	return &cli.ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

type common struct {
	dir, statDir string
	verbose      bool
	quiet        bool
}

func (c *common) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&c.dir, "dir", "C", ".", "workspace directory (what hashFiles and relative paths start from)")
	cmd.Flags().StringVar(&c.statDir, "stat-cache", "", "turn the persistent stat cache on, stored in this directory")
	cmd.Flags().BoolVarP(&c.verbose, "verbose", "v", false, "list the matched files (stderr) in hash order")
	cmd.Flags().BoolVarP(&c.quiet, "quiet", "q", false, "print nothing but the result")
}

// hashOptions opens the stat cache if asked; done saves it.
func (c *common) hashOptions(stderr io.Writer) (opts cache.HashOptions, done func(), err error) {
	if st, err := os.Stat(c.dir); err != nil || !st.IsDir() {
		return opts, nil, fail(2, "-C %s: not a directory", c.dir)
	}
	done = func() {}
	if c.statDir != "" {
		sc, err := cache.OpenStatCache(cache.StatCacheOptions{Dir: c.statDir})
		if err != nil {
			return opts, nil, fail(2, "%v", err)
		}
		opts.StatCache = sc
		done = func() {
			if err := sc.Save(); err != nil {
				fmt.Fprintf(stderr, "cachekey: saving stat cache: %v\n", err)
			}
		}
	}
	prog := newProgress(stderr)
	opts.Progress = prog.update
	return opts, done, nil
}

func (c *common) listFiles(stderr io.Writer, r *cache.HashResult) {
	if !c.verbose || r == nil {
		return
	}
	ws, _ := filepath.Abs(c.dir)
	if real, err := filepath.EvalSymlinks(ws); err == nil {
		ws = real
	}
	for _, f := range r.Files {
		if rel, err := filepath.Rel(ws, f); err == nil {
			f = rel
		}
		fmt.Fprintln(stderr, f)
	}
	fmt.Fprintf(stderr, "cachekey: %d files hashed, %d bytes read, %d digests from the stat cache\n", len(r.Files), r.BytesRead, r.CacheHits)
}

func hashCmd(stdout, stderr io.Writer) *cobra.Command {
	var c common
	var follow bool
	var mode string
	cmd := &cobra.Command{
		Use:   "hash [flags] PATTERN...",
		Short: "print what hashFiles(PATTERN, ...) returns on a Linux or macOS runner",
		Long: `hash prints exactly what the expression hashFiles(PATTERN, ...) evaluates to
on a Linux or macOS GitHub runner whose workspace is -C DIR: lowercase hex, or
an empty line when no file matched ("no file matched" on stderr). It exits 1
when the runner would fail the call (a dangling link, '..' in a pattern).

-mode stable and -mode git-index are NOT hashFiles-compatible: stable hashes
sorted paths and CRLF-normalised contents (keys that survive checkout line
endings and walk order); git-index hashes the blob ids of tracked files from
.git/index without reading them.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, done, err := c.hashOptions(stderr)
			if err != nil {
				return err
			}
			defer done()
			opts.FollowSymbolicLinks = follow
			ctx := cmd.Context()
			var h string
			switch mode {
			case "hashfiles":
				r, err := cache.HashFilesDetailed(ctx, c.dir, args, opts)
				if err != nil {
					return hashError(err)
				}
				c.listFiles(stderr, r)
				h = r.Hash
			case "stable", "git-index":
				if !c.quiet {
					fmt.Fprintf(stderr, "cachekey: -mode %s is NOT hashFiles-compatible\n", mode)
				}
				if mode == "stable" {
					h, err = cache.HashFilesStable(ctx, c.dir, args, opts)
				} else {
					h, err = cache.HashFilesGitIndex(ctx, c.dir, args, opts)
				}
				if err != nil {
					return hashError(err)
				}
			default:
				return fail(2, "-mode %q: expected hashfiles, stable or git-index", mode)
			}
			if h == "" && !c.quiet {
				fmt.Fprintln(stderr, "cachekey: no file matched")
			}
			fmt.Fprintln(stdout, h)
			return nil
		},
	}
	c.register(cmd)
	cmd.Flags().BoolVar(&follow, "follow-symbolic-links", false, "follow symbolic links, like hashFiles('--follow-symbolic-links', ...)")
	cmd.Flags().StringVar(&mode, "mode", "hashfiles", "hashfiles (the runner's), or stable / git-index (NOT hashFiles-compatible)")
	return cmd
}

// hashError maps a failure the runner would also fail on to exit 1, and
// anything else (the workspace, permissions) to 2.
func hashError(err error) error {
	if errors.Is(err, cache.ErrRunnerFailure) {
		return fail(1, "%v", err)
	}
	return fail(2, "%v", err)
}

func keyCmd(stdout, stderr io.Writer, environ []string) *cobra.Command {
	var c common
	var matrix []string
	cmd := &cobra.Command{
		Use:   "key [flags] 'TEMPLATE'",
		Short: "evaluate a cache key template such as '${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}'",
		Long: `key evaluates a key template: literal text with ${{ runner.os }},
${{ runner.arch }}, ${{ env.NAME }}, ${{ matrix.NAME }} (from -matrix),
${{ github.NAME }} (from GITHUB_NAME in the environment) and
${{ hashFiles('PATTERN', ...) }} blocks. A resulting key that actions/cache
refuses (a comma, more than 512 characters) exits 2.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kc := keyContext(environ)
			for _, m := range matrix {
				k, v, ok := strings.Cut(m, "=")
				if !ok || k == "" {
					return fail(2, "-matrix %q: expected NAME=VALUE", m)
				}
				kc.Matrix[k] = v
			}
			opts, done, err := c.hashOptions(stderr)
			if err != nil {
				return err
			}
			defer done()
			kc.Workspace = c.dir
			kc.Hash = opts
			key, err := cache.EvalKey(cmd.Context(), args[0], kc)
			if err != nil {
				if errors.Is(err, cache.ErrRunnerFailure) {
					return fail(1, "%v", err)
				}
				return fail(2, "%v", err)
			}
			if err := cache.ValidateKey(key); err != nil {
				return fail(2, "%v (actions/cache fails the step on this key)", err)
			}
			fmt.Fprintln(stdout, key)
			return nil
		},
	}
	c.register(cmd)
	cmd.Flags().StringArrayVar(&matrix, "matrix", nil, "matrix value NAME=VALUE (repeatable)")
	return cmd
}

func versionCmd(stdout io.Writer) *cobra.Command {
	var compression string
	var cross bool
	cmd := &cobra.Command{
		Use:   "version [flags] PATH...",
		Short: "print the cache version actions/cache computes for the path input",
		Long: `version prints the version actions/cache sends with a key for the given
path input lines (as written, in order): it changes with the paths, the
compression (zstd-without-long whenever zstd is installed, gzip otherwise)
and, on Windows only, -enable-cross-os-archive.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch m := cache.CompressionMethod(compression); m {
			case cache.CompressionZstdWithoutLong, cache.CompressionZstd, cache.CompressionGzip:
				cp := cache.CachePaths{Paths: args, EnableCrossOSArchive: cross}
				fmt.Fprintln(stdout, cp.Version(m))
				return nil
			}
			return fail(2, "-compression %q: expected zstd-without-long, zstd or gzip", compression)
		},
	}
	cmd.Flags().StringVar(&compression, "compression", string(cache.CompressionZstdWithoutLong), "compression method: zstd-without-long, zstd or gzip")
	cmd.Flags().BoolVar(&cross, "enable-cross-os-archive", false, "actions/cache's enableCrossOsArchive (changes the version on Windows only)")
	return cmd
}

func runEnv(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	root := &cobra.Command{
		Use:   "cachekey",
		Short: "GitHub Actions cache keys, hashFiles() and cache versions outside the runner",
		Long: `cachekey computes GitHub Actions cache keys outside the runner:
  hash     what hashFiles(PATTERN, ...) returns
  key      a key template with runner, env, matrix, github and hashFiles()
  version  the cache version actions/cache computes for path lines`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(hashCmd(stdout, stderr), keyCmd(stdout, stderr, environ), versionCmd(stdout))
	root.CompletionOptions.DisableDefaultCmd = true
	if len(args) == 0 {
		root.SetOut(stderr)
		_ = root.Usage()
		return 2
	}
	// cli.Run gives the shared conventions: Go-style single-dash long flags,
	// flags after arguments, help exiting 0, and exit 2 for usage errors.
	root.SetContext(ctx)
	return cli.Run(root, args, stdout, stderr)
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

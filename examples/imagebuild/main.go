// Command imagebuild builds container images on BuildKit and reports their
// size: a thin command line over github.com/deploykit/deploykit/imagebuild.
//
//	imagebuild build -addr ADDR -context DIR [-file F] [-target T] [-tag REF -push]
//	    [-platform P[,P]] [-cache-from SPEC]... [-cache-to SPEC]... [-max-size SIZE]
//	    [-progress plain|tty|rawjson|quiet] [-metadata-file F] [-q|-v]
//	imagebuild size [-insecure] [-json] [-platform P] [-q|-v] IMAGE_REF
//
// SPEC uses buildx syntax (type=registry,ref=REF,mode=max). Exit status: 0
// ok, 1 when the build fails, the image is over -max-size or the registry
// refuses the read, 2 on bad usage or when buildkitd cannot be reached.
// -metadata-file writes {"digest","size","layers":[{"digest","size",
// "created_by"}],"cache_hit_ratio"} (compressed sizes in bytes).
//
// Registry credentials come from DEPLOYKIT_REGISTRY_USERNAME and
// DEPLOYKIT_REGISTRY_PASSWORD: build hands them to buildkitd for the
// registries of -tag and of registry caches, size reads the image with
// them. Without them registries are accessed anonymously. A type=gha cache
// takes its service URL and token from ACTIONS_RESULTS_URL and
// ACTIONS_RUNTIME_TOKEN, as buildx does; neither is ever printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/imagebuild"
	"github.com/deploykit/deploykit/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	// BuildKit's client libraries log through logrus; keep their
	// warnings out of the program's output.
	logrus.SetLevel(logrus.ErrorLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := newRoot()
	root.SetContext(ctx)
	return cli.Run(root, args, stdout, stderr)
}

const rootLong = `imagebuild builds container images on a BuildKit daemon and reports where
their bytes go.

Verbs:
  build   build (and with -push, push) an image from a Dockerfile on buildkitd,
          with buildx-style cache imports and exports, secrets and a size budget
  size    read an image from a registry and print its size, layer by layer,
          with the waste analysis (duplicated, overwritten and deleted files)

Registry credentials come from DEPLOYKIT_REGISTRY_USERNAME and
DEPLOYKIT_REGISTRY_PASSWORD (anonymous without them). A type=gha cache reads
ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN, as buildx does.

Exit status: 0 ok, 1 a failed build, an exceeded -max-size or a refused
registry read, 2 usage or I/O errors (including an unreachable buildkitd).`

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "imagebuild",
		Short: "Build container images on BuildKit and report their size",
		Long:  rootLong,
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return cli.Usagef("a command is required (build, size); see 'imagebuild -h'")
		},
	}
	root.AddCommand(newBuild(), newSize())
	return root
}

// noArgs refuses positional arguments with an exit-2 usage error.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		if c.HasSubCommands() {
			return cli.Usagef("unknown command %q; see '%s -h'", args[0], c.CommandPath())
		}
		return cli.Usagef("%s: unexpected argument %q (usage: %s)", c.CommandPath(), args[0], c.UseLine())
	}
	return nil
}

// ioError is an exit-2 error for I/O failures.
func ioError(err error) error { return &cli.ExitError{Code: cli.ExitUsage, Err: err} }

type buildFlags struct {
	addr, contextDir, file, target, maxSize, progress, metadata string
	push, insecure, inspect, builtin, quiet, verbose            bool
	tags, platforms, cacheFrom, cacheTo, buildArgs, secrets     []string
	contexts                                                    []string
}

func newBuild() *cobra.Command {
	var f buildFlags
	c := &cobra.Command{
		Use:   "build -addr ADDR -context DIR [flags]",
		Short: "Build an image on buildkitd, push it, and check its size budget",
		Long: `build sends the build context to buildkitd (-addr, default $BUILDKIT_HOST),
builds the Dockerfile (CONTEXT/Dockerfile unless -file), and prints the image
digest, its compressed size, layer count and cache hit ratio. With -push the
image goes to the registry of every -tag. Cache specs use buildx syntax:
  -cache-from type=registry,ref=REG/APP:buildcache
  -cache-to   type=registry,ref=REG/APP:buildcache,mode=max
  -cache-to   type=gha,scope=main   (url_v2 and token from ACTIONS_RESULTS_URL
                                     and ACTIONS_RUNTIME_TOKEN)
Progress goes to stderr. -q prints only the summary, -v the whole size report
(every layer with its Dockerfile line; with -inspect the waste analysis).

Exit status: 0 ok, 1 the build failed or the image is over -max-size,
2 usage errors or an unreachable buildkitd.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("progress") && f.quiet {
				f.progress = "quiet"
			}
			return runBuild(cmd, &f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.addr, "addr", os.Getenv("BUILDKIT_HOST"), "buildkitd `ADDRESS` (unix://, tcp://); default $BUILDKIT_HOST")
	fl.StringVar(&f.contextDir, "context", "", "build context `DIR` (required)")
	fl.StringVar(&f.file, "file", "", "Dockerfile path (default CONTEXT/Dockerfile)")
	fl.StringVar(&f.target, "target", "", "`STAGE` to build (default: the last)")
	fl.StringArrayVar(&f.tags, "tag", nil, "image `REF` (repeatable)")
	fl.BoolVar(&f.push, "push", false, "push the image to the registry of every -tag")
	fl.StringSliceVar(&f.platforms, "platform", nil, "`PLATFORM`s to build, e.g. linux/amd64,linux/arm64 (repeatable; default buildkitd's); each is sized and budgeted")
	fl.BoolVar(&f.insecure, "insecure", false, "allow plain-HTTP registries")
	fl.StringVar(&f.maxSize, "max-size", "", "fail (exit 1) when the compressed image is larger than `SIZE` (e.g. 300MB, 512MiB)")
	fl.StringVar(&f.progress, "progress", "plain", "progress output on stderr: plain, tty, rawjson or quiet")
	fl.StringVar(&f.metadata, "metadata-file", "", "write build metadata JSON to this `FILE`")
	fl.BoolVar(&f.inspect, "inspect", false, "read the layers back and print the waste analysis")
	fl.BoolVar(&f.builtin, "builtin-frontend", false, "ignore # syntax= and use buildkitd's built-in Dockerfile frontend")
	fl.StringArrayVar(&f.cacheFrom, "cache-from", nil, "cache import, buildx `SPEC` (repeatable)")
	fl.StringArrayVar(&f.cacheTo, "cache-to", nil, "cache export, buildx `SPEC` (repeatable)")
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "`KEY=VALUE` build argument (repeatable)")
	fl.StringArrayVar(&f.secrets, "secret", nil, "id=ID,src=FILE or id=ID,env=VAR (repeatable)")
	fl.StringArrayVar(&f.contexts, "build-context", nil, "NAME=DIR|docker-image://REF|oci-layout:///DIR[:TAG] (repeatable)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress (unless -progress is given) and only the summary line")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print the whole size report: every layer with its Dockerfile line")
	return c
}

func runBuild(cmd *cobra.Command, f *buildFlags) error {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if f.addr == "" || f.contextDir == "" {
		return cli.Usagef("build: -addr and -context are required (see 'imagebuild build -h')")
	}
	if f.quiet && f.verbose {
		return cli.Usagef("build: -q and -v exclude each other")
	}
	t := imagebuild.Target{
		Context: f.contextDir, Dockerfile: f.file, Stage: f.target, Tags: f.tags, Push: f.push,
		Platforms: f.platforms, Insecure: f.insecure, Inspect: f.inspect, BuiltinFrontend: f.builtin,
		Progress: stderr, BuildArgs: map[string]string{}, NamedContexts: map[string]string{},
	}
	var err error
	if t.ProgressMode, err = imagebuild.ParseProgressMode(f.progress); err != nil {
		return cli.Usagef("build: -progress: %v", err)
	}
	if f.maxSize != "" {
		if t.MaxSize, err = imagebuild.ParseSize(f.maxSize); err != nil {
			return cli.Usagef("build: -max-size: %v", err)
		}
	}
	for _, s := range f.cacheFrom {
		spec, err := imagebuild.ParseCacheSpec(s)
		if err != nil {
			return cli.Usagef("build: -cache-from: %v", err)
		}
		spec = ghaFromEnv(spec)
		if err := imagebuild.ValidateCacheImport(spec); err != nil {
			return cli.Usagef("build: -cache-from: %v", err)
		}
		t.CacheFrom = append(t.CacheFrom, spec)
	}
	for _, s := range f.cacheTo {
		spec, err := imagebuild.ParseCacheSpec(s)
		if err != nil {
			return cli.Usagef("build: -cache-to: %v", err)
		}
		spec = ghaFromEnv(spec)
		if spec.Type == imagebuild.CacheGHA {
			if err := imagebuild.ValidateCacheExport(spec, nil); err != nil {
				return cli.Usagef("build: -cache-to: %v", err)
			}
		}
		t.CacheTo = append(t.CacheTo, spec)
	}
	for _, kv := range f.buildArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return cli.Usagef("build: -build-arg %q: want KEY=VALUE", kv)
		}
		t.BuildArgs[k] = v
	}
	for _, kv := range f.contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return cli.Usagef("build: -build-context %q: want NAME=VALUE", kv)
		}
		t.NamedContexts[k] = v
	}
	for _, s := range f.secrets {
		sec, err := imagebuild.ParseSecret(s)
		if err != nil {
			return cli.Usagef("build: -secret: %v", err)
		}
		t.Secrets = append(t.Secrets, sec)
	}
	t.Keychain = imagebuild.Credentials(registryAuth(t.Tags, t.CacheFrom, t.CacheTo))
	if t.Push && len(t.Tags) == 0 {
		return cli.Usagef("build: -push needs -tag")
	}

	b, err := imagebuild.NewBuilder(ctx, imagebuild.BuilderConfig{Addr: f.addr})
	if err != nil {
		return ioError(fmt.Errorf("build: %w", err))
	}
	defer b.Close()
	res, err := b.Build(ctx, t)
	if errors.Is(err, imagebuild.ErrCacheRefIsImageRef) {
		return cli.Usagef("build: %v", err)
	}
	if res != nil {
		for _, d := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", d)
		}
		if res.ManifestDigest != "" && f.metadata != "" {
			data, merr := json.MarshalIndent(res.Metadata(), "", "  ")
			if merr == nil {
				merr = os.WriteFile(f.metadata, append(data, '\n'), 0o644)
			}
			if merr != nil {
				return cli.Failed(fmt.Errorf("build: -metadata-file: %w", merr))
			}
		}
		if res.Size != nil && err == nil {
			fmt.Fprintf(stdout, "%s %s compressed, %d layers, cache hit ratio %.2f\n",
				res.ManifestDigest, imagebuild.FormatSize(res.Size.Size), len(res.Size.Layers), res.Cache.HitRatio())
			switch {
			case f.verbose:
				fmt.Fprintln(stdout)
				if werr := res.Size.WriteText(stdout); werr != nil {
					return ioError(werr)
				}
			case !f.quiet && res.Size.Waste != nil:
				_ = res.Size.Waste.WriteText(stdout)
			}
		}
		if len(res.Sizes) > 0 {
			fmt.Fprintf(stdout, "index %s\n", res.IndexDigest)
			for _, pl := range t.Platforms {
				if r := res.Sizes[pl]; r != nil {
					fmt.Fprintf(stdout, "  %s %s %s compressed, %d layers\n", pl, r.ManifestDigest, imagebuild.FormatSize(r.Size), len(r.Layers))
				}
			}
			if f.verbose {
				for _, pl := range t.Platforms {
					if r := res.Sizes[pl]; r != nil {
						fmt.Fprintf(stdout, "\n%s:\n", pl)
						if werr := r.WriteText(stdout); werr != nil {
							return ioError(werr)
						}
					}
				}
			}
		}
	}
	if err != nil {
		if errors.Is(err, imagebuild.ErrBuilderUnavailable) {
			return ioError(fmt.Errorf("build: %w", err))
		}
		return cli.Failed(fmt.Errorf("build: %w", err))
	}
	return nil
}

// ghaFromEnv fills a type=gha cache's service URL and token from the
// runner's environment, as buildx does: ACTIONS_RESULTS_URL (the cache
// service v2) and ACTIONS_RUNTIME_TOKEN, unless the spec names them. The
// library never reads the environment, and nothing here prints them.
func ghaFromEnv(spec imagebuild.CacheSpec) imagebuild.CacheSpec {
	if spec.Type != imagebuild.CacheGHA {
		return spec
	}
	if spec.Attrs == nil {
		spec.Attrs = map[string]string{}
	}
	if _, ok := spec.Attrs["url_v2"]; !ok {
		if v := os.Getenv("ACTIONS_RESULTS_URL"); v != "" {
			spec.Attrs["url_v2"] = v
		}
	}
	if _, ok := spec.Attrs["token"]; !ok {
		if v := os.Getenv("ACTIONS_RUNTIME_TOKEN"); v != "" {
			spec.Attrs["token"] = v
		}
	}
	return spec
}

// registryAuth gives the credentials in DEPLOYKIT_REGISTRY_USERNAME and
// DEPLOYKIT_REGISTRY_PASSWORD to the registries of the image tags and the
// registry caches; nil (anonymous) when no username is set.
func registryAuth(tags []string, caches ...[]imagebuild.CacheSpec) map[string]imagebuild.BuildCredentials {
	user := os.Getenv("DEPLOYKIT_REGISTRY_USERNAME")
	if user == "" {
		return nil
	}
	c := imagebuild.BuildCredentials{Username: user, Password: os.Getenv("DEPLOYKIT_REGISTRY_PASSWORD")}
	refs := append([]string(nil), tags...)
	for _, specs := range caches {
		for _, s := range specs {
			if s.Type == imagebuild.CacheRegistry && s.Attrs["ref"] != "" {
				refs = append(refs, s.Attrs["ref"])
			}
		}
	}
	auth := map[string]imagebuild.BuildCredentials{}
	for _, r := range refs {
		ref, err := name.ParseReference(r)
		if err != nil {
			continue // Build reports the bad ref
		}
		host := ref.Context().RegistryStr()
		if host == name.DefaultRegistry {
			host = "docker.io"
		}
		auth[host] = c
	}
	return auth
}

func newSize() *cobra.Command {
	var (
		insecure, asJSON, quiet, verbose bool
		platform                         string
	)
	c := &cobra.Command{
		Use:   "size [flags] IMAGE_REF",
		Short: "Print an image's size, layer by layer, with the waste analysis",
		Long: `size reads IMAGE_REF from its registry, downloads its layers and prints the
compressed and uncompressed size of every layer and the waste analysis: files
stored in several layers, overwritten, deleted later, or copied up by a
chown/chmod. The waste table lists the 20 most reclaimable paths; -v lists
them all. -q reads manifests only and prints one summary line. -json prints
the report as JSON.

Exit status: 0 ok, 1 the image cannot be read (missing, or the registry
refuses access), 2 usage errors.`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, pos []string) error {
			if quiet && verbose {
				return cli.Usagef("size: -q and -v exclude each other")
			}
			stdout := cmd.OutOrStdout()
			rep, err := imagebuild.ReadSize(cmd.Context(), pos[0], imagebuild.SizeOptions{
				Insecure: insecure, Files: !quiet, Platform: platform,
				Keychain: imagebuild.Credentials(registryAuth(pos)),
			})
			if err != nil {
				return cli.Failed(err)
			}
			switch {
			case asJSON:
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(rep)
			case quiet:
				_, err = fmt.Fprintf(stdout, "%s %s compressed, %d layers\n", rep.ManifestDigest, imagebuild.FormatSize(rep.Size), len(rep.Layers))
			case verbose && rep.Waste != nil:
				err = writeFullReport(stdout, *rep)
			default:
				err = rep.WriteText(stdout)
			}
			if err != nil {
				return ioError(err)
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.BoolVar(&insecure, "insecure", false, "plain-HTTP registry")
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fl.StringVar(&platform, "platform", "", "`PLATFORM` of a multi-platform image (os/arch[/variant]; default linux and this machine's arch)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "read manifests only and print one line: digest, compressed size, layer count")
	fl.BoolVarP(&verbose, "verbose", "v", false, "list every wasteful path, not only the 20 largest")
	return c
}

// writeFullReport is SizeReport.WriteText with every wasteful path listed.
func writeFullReport(w io.Writer, rep imagebuild.SizeReport) error {
	waste := *rep.Waste
	rep.Waste = nil
	if err := rep.WriteText(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	files := waste.Files
	waste.Files = nil
	if err := waste.WriteText(w); err != nil {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "reclaimable\tcopies\tkind\tpath\n")
	for _, f := range files {
		fmt.Fprintf(tw, "%s\t%d\t%s\t/%s\n", imagebuild.FormatSize(f.ReclaimableBytes), len(f.Layers), f.Kind, f.Path)
	}
	return tw.Flush()
}

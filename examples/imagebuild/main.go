// Command imagebuild builds container images on BuildKit and reports their
// size: a thin command line over github.com/deploykit/deploykit/imagebuild.
//
//	imagebuild build -addr ADDR -context DIR [-file F] [-target T] [-tag REF -push]
//	    [-cache-from SPEC]... [-cache-to SPEC]... [-max-size SIZE]
//	    [-progress plain|tty|rawjson] [-metadata-file F]
//	imagebuild size [-insecure] IMAGE_REF
//
// SPEC uses buildx syntax (type=registry,ref=REF,mode=max). build exits 1
// when the build fails or the image is over -max-size, 2 on bad usage.
// -metadata-file writes {"digest","size","layers":[{"digest","size",
// "created_by"}],"cache_hit_ratio"} (compressed sizes in bytes).
//
// Registry credentials come from DEPLOYKIT_REGISTRY_USERNAME and
// DEPLOYKIT_REGISTRY_PASSWORD: build hands them to buildkitd for the
// registries of -tag and of registry caches, size reads the image with
// them. Without them registries are accessed anonymously.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/deploykit/deploykit/imagebuild"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sirupsen/logrus"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  imagebuild build -addr ADDR -context DIR [-file F] [-target T] [-tag REF -push]
      [-cache-from SPEC]... [-cache-to SPEC]... [-max-size SIZE]
      [-progress plain|tty|rawjson] [-metadata-file F]
  imagebuild size [-insecure] IMAGE_REF`)
}

// run is the whole program; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	// BuildKit's client libraries log through logrus; keep their
	// warnings out of the program's output.
	logrus.SetLevel(logrus.ErrorLevel)
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch args[0] {
	case "build":
		return runBuild(ctx, args[1:], stdout, stderr)
	case "size":
		return runSize(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "imagebuild: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr                                                   = fs.String("addr", os.Getenv("BUILDKIT_HOST"), "buildkitd address (unix://, tcp://); default $BUILDKIT_HOST")
		contextDir                                             = fs.String("context", "", "build context directory (required)")
		file                                                   = fs.String("file", "", "Dockerfile path (default CONTEXT/Dockerfile)")
		target                                                 = fs.String("target", "", "stage to build")
		push                                                   = fs.Bool("push", false, "push the image to the registry of -tag")
		insecure                                               = fs.Bool("insecure", false, "allow plain-HTTP registries")
		maxSize                                                = fs.String("max-size", "", "fail when the compressed image is larger (e.g. 300MB)")
		progress                                               = fs.String("progress", "plain", "progress output: plain, tty, rawjson or quiet")
		metadata                                               = fs.String("metadata-file", "", "write build metadata JSON to this file")
		inspect                                                = fs.Bool("inspect", false, "read the layers and print the waste analysis")
		builtin                                                = fs.Bool("builtin-frontend", false, "ignore # syntax= and use buildkitd's built-in Dockerfile frontend")
		tags, cacheFrom, cacheTo, buildArgs, secrets, contexts multiFlag
	)
	fs.Var(&tags, "tag", "image reference (repeatable)")
	fs.Var(&cacheFrom, "cache-from", "cache import, buildx syntax (repeatable)")
	fs.Var(&cacheTo, "cache-to", "cache export, buildx syntax (repeatable)")
	fs.Var(&buildArgs, "build-arg", "KEY=VALUE (repeatable)")
	fs.Var(&secrets, "secret", "id=ID,src=FILE or id=ID,env=VAR (repeatable)")
	fs.Var(&contexts, "build-context", "NAME=DIR|docker-image://REF|oci-layout:///DIR[:TAG] (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "imagebuild build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *addr == "" || *contextDir == "" {
		fmt.Fprintln(stderr, "imagebuild build: -addr and -context are required")
		return 2
	}
	t := imagebuild.Target{
		Context: *contextDir, Dockerfile: *file, Stage: *target, Tags: tags, Push: *push,
		Insecure: *insecure, Inspect: *inspect, BuiltinFrontend: *builtin, Progress: stderr,
		BuildArgs: map[string]string{}, NamedContexts: map[string]string{},
	}
	var err error
	if t.ProgressMode, err = imagebuild.ParseProgressMode(*progress); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *maxSize != "" {
		if t.MaxSize, err = imagebuild.ParseSize(*maxSize); err != nil {
			fmt.Fprintf(stderr, "imagebuild build: -max-size: %v\n", err)
			return 2
		}
	}
	for _, s := range cacheFrom {
		spec, err := imagebuild.ParseCacheSpec(s)
		if err != nil {
			fmt.Fprintf(stderr, "imagebuild build: -cache-from: %v\n", err)
			return 2
		}
		spec = ghaFromEnv(spec)
		if err := imagebuild.ValidateCacheImport(spec); err != nil {
			fmt.Fprintf(stderr, "imagebuild build: -cache-from: %v\n", err)
			return 2
		}
		t.CacheFrom = append(t.CacheFrom, spec)
	}
	for _, s := range cacheTo {
		spec, err := imagebuild.ParseCacheSpec(s)
		if err != nil {
			fmt.Fprintf(stderr, "imagebuild build: -cache-to: %v\n", err)
			return 2
		}
		spec = ghaFromEnv(spec)
		if spec.Type == imagebuild.CacheGHA {
			if err := imagebuild.ValidateCacheExport(spec, nil); err != nil {
				fmt.Fprintf(stderr, "imagebuild build: -cache-to: %v\n", err)
				return 2
			}
		}
		t.CacheTo = append(t.CacheTo, spec)
	}
	for _, kv := range buildArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(stderr, "imagebuild build: -build-arg %q: want KEY=VALUE\n", kv)
			return 2
		}
		t.BuildArgs[k] = v
	}
	for _, kv := range contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(stderr, "imagebuild build: -build-context %q: want NAME=VALUE\n", kv)
			return 2
		}
		t.NamedContexts[k] = v
	}
	for _, s := range secrets {
		sec, err := imagebuild.ParseSecret(s)
		if err != nil {
			fmt.Fprintf(stderr, "imagebuild build: -secret: %v\n", err)
			return 2
		}
		t.Secrets = append(t.Secrets, sec)
	}
	t.Keychain = imagebuild.Credentials(registryAuth(t.Tags, t.CacheFrom, t.CacheTo))
	if t.Push && len(t.Tags) == 0 {
		fmt.Fprintln(stderr, "imagebuild build: -push needs -tag")
		return 2
	}

	b, err := imagebuild.NewBuilder(ctx, imagebuild.BuilderConfig{Addr: *addr})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer b.Close()
	res, err := b.Build(ctx, t)
	if errors.Is(err, imagebuild.ErrCacheRefIsImageRef) {
		fmt.Fprintf(stderr, "imagebuild build: %v\n", err)
		return 2
	}
	if res != nil {
		for _, d := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", d)
		}
		if res.ManifestDigest != "" && *metadata != "" {
			data, merr := json.MarshalIndent(res.Metadata(), "", "  ")
			if merr == nil {
				merr = os.WriteFile(*metadata, append(data, '\n'), 0o644)
			}
			if merr != nil {
				fmt.Fprintf(stderr, "imagebuild build: -metadata-file: %v\n", merr)
				return 1
			}
		}
		if res.Size != nil && err == nil {
			fmt.Fprintf(stdout, "%s %s compressed, %d layers, cache hit ratio %.2f\n",
				res.ManifestDigest, imagebuild.FormatSize(res.Size.Size), len(res.Size.Layers), res.Cache.HitRatio())
			if res.Size.Waste != nil {
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
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "imagebuild build: %v\n", err)
		return 1
	}
	return 0
}

// ghaFromEnv fills a type=gha cache's service URL and token from the
// runner's environment, as buildx does: ACTIONS_RESULTS_URL (the cache
// service v2) and ACTIONS_RUNTIME_TOKEN, unless the spec names them. The
// library never reads the environment.
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

func runSize(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("size", flag.ContinueOnError)
	fs.SetOutput(stderr)
	insecure := fs.Bool("insecure", false, "plain-HTTP registry")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: imagebuild size [-insecure] [-json] IMAGE_REF")
		return 2
	}
	rep, err := imagebuild.ReadSize(ctx, fs.Arg(0), imagebuild.SizeOptions{
		Insecure: *insecure, Files: true,
		Keychain: imagebuild.Credentials(registryAuth([]string{fs.Arg(0)})),
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if err := rep.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

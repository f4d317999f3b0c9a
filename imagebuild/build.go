package imagebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/moby/buildkit/identity"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/util/grpcerrors"
	"github.com/tonistiigi/fsutil"
	"google.golang.org/grpc/codes"
)

// ErrBuilderUnavailable is returned (wrapped) when buildkitd cannot be
// reached or goes away during a build.
var ErrBuilderUnavailable = errors.New("imagebuild: buildkitd is unavailable")

// ErrBuildChecksFailed is returned (wrapped) when Target.Checks is
// BuildCheckFail and the Dockerfile's build checks report a problem.
var ErrBuildChecksFailed = errors.New("imagebuild: build checks failed")

// BuilderConfig says how to reach buildkitd. Only Addr is required.
type BuilderConfig struct {
	// Addr is buildkitd's address as client.New takes it:
	// "unix:///run/buildkit/buildkitd.sock", "tcp://buildkit.example.com:1234",
	// "kube-pod://..." and so on. A build that outgrows one machine moves to
	// a remote buildkitd by changing only this.
	Addr string
	// TLS configures mutual TLS for tcp:// addresses; nil means none.
	TLS *BuilderTLS
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// BuilderTLS holds the PEM file paths for talking to buildkitd over TLS
// (buildkitd --tlscacert/--tlscert/--tlskey on the other side).
type BuilderTLS struct {
	// ServerName overrides the name checked in the server certificate
	// ("" means the host of Addr).
	ServerName string
	// CACert verifies the server.
	CACert string
	// Cert and Key are the client's certificate and key (both or none).
	Cert, Key string
}

// Builder runs image builds on one buildkitd. It is safe for concurrent
// use: several Builds (see BuildAll) share one connection.
type Builder struct {
	c   *client.Client
	log *slog.Logger
}

// NewBuilder connects to buildkitd. The connection is lazy: an unreachable
// daemon is reported by the first Build.
func NewBuilder(ctx context.Context, cfg BuilderConfig) (*Builder, error) {
	if cfg.Addr == "" {
		return nil, errors.New("imagebuild: BuilderConfig.Addr is empty (want e.g. unix:///run/buildkit/buildkitd.sock)")
	}
	var opts []client.ClientOpt
	if t := cfg.TLS; t != nil {
		if t.CACert != "" || t.ServerName != "" {
			opts = append(opts, client.WithServerConfig(t.ServerName, t.CACert))
		}
		if (t.Cert == "") != (t.Key == "") {
			return nil, errors.New("imagebuild: BuilderTLS needs both Cert and Key, or neither")
		}
		if t.Cert != "" {
			opts = append(opts, client.WithCredentials(t.Cert, t.Key))
		}
	}
	c, err := client.New(ctx, cfg.Addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: connecting to buildkitd at %s: %w", cfg.Addr, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Builder{c: c, log: log}, nil
}

// Close closes the connection to buildkitd.
func (b *Builder) Close() error { return b.c.Close() }

// Secret is a build secret, available to `RUN --mount=type=secret,id=ID`
// and never stored in a layer. Exactly one of Value, File or Env is used,
// in that order.
type Secret struct {
	ID string
	// Value is the secret itself.
	Value []byte
	// File is read when the build starts.
	File string
	// Env names an environment variable of this process to read.
	Env string
}

// OutputType is the kind of an extra build output.
type OutputType string

// Output types besides pushing to a registry (Target.Push).
const (
	// OutputOCI writes an OCI image layout directory at Dest.
	OutputOCI OutputType = "oci"
	// OutputOCITar writes an OCI image layout tarball to the file Dest.
	OutputOCITar OutputType = "oci-tar"
	// OutputLocal writes the final filesystem (not an image) to Dest.
	OutputLocal OutputType = "local"
)

// Output is an extra destination for the build result.
type Output struct {
	Type OutputType
	Dest string
}

// BuildCheckMode says whether Build runs the Dockerfile's build checks
// (the frontend's frontend.lint subrequest) before building.
type BuildCheckMode string

// Build check modes.
const (
	// BuildCheckOff (the zero value) skips the separate check pass; the
	// frontend still streams its warnings during the build and they are
	// returned in BuildResult.Warnings.
	BuildCheckOff BuildCheckMode = ""
	// BuildCheckWarn runs the checks first and reports their findings.
	BuildCheckWarn BuildCheckMode = "warn"
	// BuildCheckFail runs the checks first and fails fast, without
	// building, when any finding is a warning or an error.
	BuildCheckFail BuildCheckMode = "fail"
)

// Target is one image to build. Context is required; every other zero
// value means "not set" as documented per field.
type Target struct {
	// Name identifies the target in logs and BuildAll results.
	Name string
	// Context is the build context directory.
	Context string
	// Dockerfile is the Dockerfile path, relative to Context unless
	// absolute; "" means Context/Dockerfile.
	Dockerfile string
	// Stage is the stage to build (`--target`); "" means the last one.
	Stage string
	// BuildArgs are `--build-arg` values.
	BuildArgs map[string]string
	// Labels are added to the image config.
	Labels map[string]string
	// Platforms to build for, e.g. "linux/amd64"; nil means buildkitd's.
	Platforms []string
	// NoCache disables the build cache.
	NoCache bool
	// NamedContexts replace a stage or image name with another source
	// (`--build-context NAME=VALUE`). VALUE is a local directory, a
	// "docker-image://REF", or "oci-layout:///DIR[:TAG|@DIGEST]" for an
	// image in an OCI layout on the client: with that an air-gapped build
	// gets its base images from disk.
	NamedContexts map[string]string
	// Secrets for `RUN --mount=type=secret`.
	Secrets []Secret
	// Keychain supplies registry credentials, to buildkitd (base image
	// pulls, pushes, registry caches) and to the size read-back alike:
	// Credentials(map) for fixed ones, authn.DefaultKeychain for Docker's
	// config file. nil means anonymous access.
	Keychain authn.Keychain
	// Tags name the image; with Push the image is pushed under each.
	Tags []string
	// Push pushes the image to the registries of Tags.
	Push bool
	// Insecure allows plain-HTTP registries for push, cache and the size
	// read-back (loopback registries are plain HTTP to buildkitd anyway).
	Insecure bool
	// Outputs are extra destinations.
	Outputs []Output
	// CacheFrom and CacheTo import and export the build cache. A registry
	// cache ref equal to one of Tags is refused (ErrCacheRefIsImageRef).
	CacheFrom, CacheTo []CacheSpec
	// MaxSize fails the build (ErrSizeBudgetExceeded) when the image's
	// compressed size is over it; 0 means no budget. For a multi-platform
	// build it is the budget of every platform's image.
	MaxSize int64
	// MaxSizeByPlatform sets a platform's own budget ("linux/arm64" ->
	// bytes), replacing MaxSize for it.
	MaxSizeByPlatform map[string]int64
	// Inspect downloads the built image's layers to report uncompressed
	// sizes and the waste analysis (BuildResult.Size.Waste).
	Inspect bool
	// Checks runs the Dockerfile build checks before building.
	Checks BuildCheckMode
	// BuiltinFrontend ignores a `# syntax=` directive and uses the
	// Dockerfile frontend built into buildkitd, which needs no registry
	// access (air-gapped builds).
	BuiltinFrontend bool
	// Progress receives progress output in ProgressMode; nil discards it.
	Progress     io.Writer
	ProgressMode ProgressMode
}

// BuildResult is what one build produced.
type BuildResult struct {
	// Target is Target.Name.
	Target string
	// ManifestDigest and ConfigDigest identify the image ("" when the
	// build exported no image, e.g. OutputLocal only, and for a
	// multi-platform build, whose images are in Sizes).
	ManifestDigest string
	ConfigDigest   string
	// IndexDigest is the image index of a multi-platform build ("" for
	// one platform).
	IndexDigest string
	// Size is the size report of the image: total, layers, and with
	// Target.Inspect the waste analysis. Nil when no image was exported
	// or the build had several platforms.
	Size *SizeReport
	// Sizes has one size report per platform of a multi-platform build,
	// keyed by Target.Platforms' entries.
	Sizes map[string]*SizeReport
	// Cache counts the steps and cache hits from the status stream.
	Cache BuildCacheStats
	// Warnings are the build checks' findings (streamed by the frontend,
	// and from the check pass with Target.Checks).
	Warnings []Diagnostic
	// Duration is the wall time of the solve.
	Duration time.Duration
	// ExporterResponse is BuildKit's raw exporter response.
	ExporterResponse map[string]string
}

// BuildMetadata is the JSON document `imagebuild build -metadata-file`
// writes: {"digest","size","layers":[{"digest","size","created_by"}],
// "cache_hit_ratio"}; sizes are compressed bytes.
type BuildMetadata struct {
	Digest        string               `json:"digest"`
	Size          int64                `json:"size"`
	Layers        []BuildMetadataLayer `json:"layers"`
	CacheHitRatio float64              `json:"cache_hit_ratio"`
}

// BuildMetadataLayer is one layer in BuildMetadata.
type BuildMetadataLayer struct {
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	CreatedBy string `json:"created_by"`
}

// Metadata returns the result as the stable BuildMetadata document.
func (r *BuildResult) Metadata() BuildMetadata {
	m := BuildMetadata{Digest: r.ManifestDigest, CacheHitRatio: r.Cache.HitRatio(), Layers: []BuildMetadataLayer{}}
	if r.Size != nil {
		m.Size = r.Size.Size
		for _, l := range r.Size.Layers {
			m.Layers = append(m.Layers, BuildMetadataLayer{Digest: l.Digest, Size: l.Size, CreatedBy: l.CreatedBy})
		}
	}
	return m
}

// BuildError is a build failure that BuildKit tied to a place in the
// Dockerfile: a syntax error, an unknown instruction, a failing RUN.
type BuildError struct {
	File   string
	Line   int
	Column int
	// Message is BuildKit's error message.
	Message string
	Err     error
}

func (e *BuildError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d", pos, e.Line)
		if e.Column > 0 {
			pos = fmt.Sprintf("%s:%d", pos, e.Column)
		}
	}
	return pos + ": " + e.Message
}

// Unwrap returns BuildKit's error.
func (e *BuildError) Unwrap() error { return e.Err }

// Build builds t with the dockerfile.v0 frontend and exports it as t asks
// (push, OCI layout, tarball). When t has no image output, the image is
// exported to a temporary OCI layout so the result still carries its
// digests and size. Then it reads the image back for the size report,
// checks the size budget, and returns the result. When the build fails,
// or the image is over budget (ErrSizeBudgetExceeded), the result so far
// (warnings, cache counts, and for a budget failure the size report) is
// returned with the error.
func (b *Builder) Build(ctx context.Context, t Target) (*BuildResult, error) {
	res := &BuildResult{Target: t.Name}
	if t.Checks != BuildCheckOff {
		diags, err := b.Check(ctx, t)
		if err != nil {
			return nil, err
		}
		res.Warnings = diags
		if t.Checks == BuildCheckFail && len(diags) > 0 {
			return res, fmt.Errorf("%w: %d findings, first: %s", ErrBuildChecksFailed, len(diags), diags[0])
		}
	}
	opt, cleanup, layoutDir, err := b.solveOpt(t, true)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	col := newStatusCollector()
	printer := newProgressPrinter(t.Progress, t.ProgressMode, progressPrefix(t.Name))
	ch := make(chan *client.SolveStatus)
	var wg sync.WaitGroup
	wg.Go(func() {
		for s := range ch {
			col.update(s)
			printer.update(s)
		}
		printer.done()
	})
	start := time.Now()
	b.log.DebugContext(ctx, "solve", "target", t.Name, "context", t.Context)
	resp, err := b.c.Solve(ctx, nil, opt, ch)
	wg.Wait()
	res.Duration = time.Since(start)
	res.Cache = col.stats()
	res.Warnings = mergeDiagnostics(res.Warnings, col.diagnostics())
	if err != nil {
		return res, classifyBuildError(ctx, err)
	}
	res.ExporterResponse = resp.ExporterResponse
	exported := resp.ExporterResponse["containerimage.digest"]
	res.ManifestDigest = exported
	res.ConfigDigest = resp.ExporterResponse["containerimage.config.digest"]
	if exported == "" {
		return res, nil
	}
	platforms := []string{""}
	if len(t.Platforms) > 1 {
		// The exporter's digest is the index: each platform's image is
		// read and budgeted on its own.
		res.IndexDigest, res.ManifestDigest, res.ConfigDigest = exported, "", ""
		platforms = t.Platforms
		res.Sizes = map[string]*SizeReport{}
	}
	var budgetErr error
	for _, pl := range platforms {
		sopt := SizeOptions{Insecure: t.Insecure, Files: t.Inspect, Keychain: t.Keychain, Platform: pl}
		var rep *SizeReport
		switch {
		case t.Push && len(t.Tags) > 0:
			var d name.Digest
			if d, err = digestRef(t.Tags[0], exported); err != nil {
				break
			}
			// The read-back goes where buildkitd pushed: go-containerregistry's
			// scheme rule (plain HTTP for loopback and private registries) is
			// containerd's for localhost, which buildkitd follows.
			if d.Context().Scheme() == "http" {
				sopt.Insecure = true
			}
			rep, err = ReadSize(ctx, d.String(), sopt)
		case layoutDir != "":
			rep, err = ReadSizeFromLayout(ctx, layoutDir, exported, sopt)
		}
		if err != nil {
			return res, fmt.Errorf("imagebuild: size of the built image%s: %w", platformSuffix(pl), err)
		}
		if rep == nil {
			continue
		}
		if prov, perr := buildProvenance(ctx, b.c, opt.Ref, pl); perr == nil {
			attributeFromSourceMap(rep, prov.layerSources())
		} else {
			b.log.DebugContext(ctx, "no source map for the layers", "error", perr)
		}
		max := t.MaxSize
		if m, ok := t.MaxSizeByPlatform[pl]; ok {
			max = m
		}
		if pl == "" {
			res.Size = rep
		} else {
			res.Sizes[pl] = rep
		}
		if err := CheckSizeBudget(*rep, max); err != nil && budgetErr == nil {
			var be *SizeBudgetError
			if errors.As(err, &be) {
				be.Platform = pl
			}
			budgetErr = err
		}
	}
	return res, budgetErr
}

func platformSuffix(p string) string {
	if p == "" {
		return ""
	}
	return " for " + p
}

func progressPrefix(name string) string {
	if name == "" {
		return ""
	}
	return "[" + name + "] "
}

func dockerfilePath(t Target) string {
	df := t.Dockerfile
	if df == "" {
		df = "Dockerfile"
	}
	if !filepath.IsAbs(df) {
		df = filepath.Join(t.Context, df)
	}
	return df
}

func mergeDiagnostics(a, b []Diagnostic) []Diagnostic {
	out := slices.Clone(a)
	for _, d := range b {
		dup := false
		for _, e := range out {
			if e.Rule == d.Rule && e.Pos.Line == d.Pos.Line {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

// solveOpt turns a Target into BuildKit's SolveOpt. With exports false (the
// check pass) it sets up only the inputs. layoutDir is the OCI layout the
// image is exported to, when there is one to read back.
func (b *Builder) solveOpt(t Target, exports bool) (opt client.SolveOpt, cleanup func(), layoutDir string, err error) {
	cleanup = func() {}
	if exports {
		if err := validateOutputs(t); err != nil {
			return opt, cleanup, "", err
		}
	}
	if t.Context == "" {
		return opt, cleanup, "", errors.New("imagebuild: Target.Context is empty")
	}
	ctxFS, err := fsutil.NewFS(t.Context)
	if err != nil {
		return opt, cleanup, "", fmt.Errorf("imagebuild: build context %s: %w", t.Context, err)
	}
	df := dockerfilePath(t)
	if _, err := os.Stat(df); err != nil {
		return opt, cleanup, "", fmt.Errorf("imagebuild: Dockerfile: %w", err)
	}
	dfFS, err := fsutil.NewFS(filepath.Dir(df))
	if err != nil {
		return opt, cleanup, "", fmt.Errorf("imagebuild: Dockerfile directory: %w", err)
	}
	attrs := map[string]string{"filename": filepath.Base(df)}
	if t.Stage != "" {
		attrs["target"] = t.Stage
	}
	for k, v := range t.BuildArgs {
		attrs["build-arg:"+k] = v
	}
	for k, v := range t.Labels {
		attrs["label:"+k] = v
	}
	if len(t.Platforms) > 0 {
		attrs["platform"] = strings.Join(t.Platforms, ",")
	}
	if t.NoCache {
		attrs["no-cache"] = ""
	}
	if t.BuiltinFrontend {
		// The built-in frontend skips `# syntax=` when cmdline is set.
		attrs["cmdline"] = ""
	}
	opt = client.SolveOpt{
		// A ref of our own, to find the build's history record (and its
		// source map) afterwards.
		Ref:           identity.NewID(),
		Frontend:      "dockerfile.v0",
		FrontendAttrs: attrs,
		LocalMounts:   map[string]fsutil.FS{"context": ctxFS, "dockerfile": dfFS},
	}
	for name, v := range t.NamedContexts {
		if err := addNamedContext(&opt, name, v); err != nil {
			return opt, cleanup, "", err
		}
	}
	secrets := map[string][]byte{}
	for _, s := range t.Secrets {
		v, err := secretValue(s)
		if err != nil {
			return opt, cleanup, "", err
		}
		secrets[s.ID] = v
	}
	opt.Session = []session.Attachable{secretsprovider.FromMap(secrets), newSessionAuth(t.Keychain)}
	if !exports {
		return opt, cleanup, "", nil
	}

	for _, c := range t.CacheFrom {
		opt.CacheImports = append(opt.CacheImports, cacheEntry(c, t.Insecure))
	}
	for _, c := range t.CacheTo {
		opt.CacheExports = append(opt.CacheExports, cacheEntry(c, t.Insecure))
	}
	hasImage := false
	if len(t.Tags) > 0 {
		attrs := map[string]string{"name": strings.Join(t.Tags, ",")}
		if t.Push {
			attrs["push"] = "true"
			hasImage = true
		}
		if t.Insecure {
			attrs["registry.insecure"] = "true"
		}
		opt.Exports = append(opt.Exports, client.ExportEntry{Type: client.ExporterImage, Attrs: attrs})
	}
	for _, o := range t.Outputs {
		switch o.Type {
		case OutputOCI:
			opt.Exports = append(opt.Exports, client.ExportEntry{Type: client.ExporterOCI, Attrs: map[string]string{"tar": "false"}, OutputDir: o.Dest})
			if layoutDir == "" {
				layoutDir = o.Dest
			}
			hasImage = true
		case OutputOCITar:
			dest := o.Dest
			opt.Exports = append(opt.Exports, client.ExportEntry{Type: client.ExporterOCI, Output: func(map[string]string) (io.WriteCloser, error) {
				return os.Create(dest)
			}})
		case OutputLocal:
			opt.Exports = append(opt.Exports, client.ExportEntry{Type: client.ExporterLocal, OutputDir: o.Dest})
			hasImage = true // no image to measure; do not add a temporary one
		default:
			return opt, cleanup, "", fmt.Errorf("imagebuild: unknown output type %q (want oci, oci-tar or local)", o.Type)
		}
	}
	if !hasImage && layoutDir == "" {
		tmp, err := os.MkdirTemp("", "deploykit-image-")
		if err != nil {
			return opt, cleanup, "", err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		layoutDir = tmp
		opt.Exports = append(opt.Exports, client.ExportEntry{Type: client.ExporterOCI, Attrs: map[string]string{"tar": "false"}, OutputDir: tmp})
	}
	return opt, cleanup, layoutDir, nil
}

// validateOutputs checks what Build exports before anything is sent.
func validateOutputs(t Target) error {
	if t.Push && len(t.Tags) == 0 {
		return errors.New("imagebuild: Target.Push needs at least one tag")
	}
	for _, p := range t.Platforms {
		if _, err := parsePlatform(p); err != nil {
			return fmt.Errorf("imagebuild: Target.Platforms: %w", err)
		}
	}
	for p := range t.MaxSizeByPlatform {
		if !slices.Contains(t.Platforms, p) {
			return fmt.Errorf("imagebuild: Target.MaxSizeByPlatform names %q, which is not in Target.Platforms %v", p, t.Platforms)
		}
	}
	for _, c := range t.CacheFrom {
		if err := ValidateCacheImport(c); err != nil {
			return err
		}
	}
	for _, c := range t.CacheTo {
		if err := ValidateCacheExport(c, t.Tags); err != nil {
			return err
		}
	}
	return nil
}

func cacheEntry(c CacheSpec, insecure bool) client.CacheOptionsEntry {
	attrs := maps.Clone(c.Attrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	if c.Type == CacheRegistry && insecure {
		if _, ok := attrs["registry.insecure"]; !ok {
			attrs["registry.insecure"] = "true"
		}
	}
	if c.Type == CacheGHA && attrs["version"] == "" {
		attrs["version"] = "2" // BuildKit's remotecache/gha: url_v2 with version 2
	}
	return client.CacheOptionsEntry{Type: c.Type, Attrs: attrs}
}

func secretValue(s Secret) ([]byte, error) {
	if s.ID == "" {
		return nil, errors.New("imagebuild: a Secret has no ID")
	}
	switch {
	case s.Value != nil:
		return s.Value, nil
	case s.File != "":
		v, err := os.ReadFile(s.File)
		if err != nil {
			return nil, fmt.Errorf("imagebuild: secret %s: %w", s.ID, err)
		}
		return v, nil
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return nil, fmt.Errorf("imagebuild: secret %s: environment variable %s is not set", s.ID, s.Env)
		}
		return []byte(v), nil
	}
	return nil, fmt.Errorf("imagebuild: secret %s has no Value, File or Env", s.ID)
}

// addNamedContext wires one `--build-context NAME=VALUE` into opt.
func addNamedContext(opt *client.SolveOpt, name, v string) error {
	key := "context:" + name
	switch {
	case strings.HasPrefix(v, "docker-image://"), strings.HasPrefix(v, "target:"):
		opt.FrontendAttrs[key] = v
	case strings.HasPrefix(v, "oci-layout://"):
		dir, ref := splitLayoutRef(strings.TrimPrefix(v, "oci-layout://"))
		ii, err := layout.ImageIndexFromPath(dir)
		if err != nil {
			return fmt.Errorf("imagebuild: named context %s: %w", name, err)
		}
		im, err := ii.IndexManifest()
		if err != nil {
			return fmt.Errorf("imagebuild: named context %s: %s/index.json: %w", name, dir, err)
		}
		d, err := layoutDescriptor(im, ref)
		if err != nil {
			return fmt.Errorf("imagebuild: named context %s: %s: %w", name, dir, err)
		}
		store, err := contentlocal.NewStore(dir)
		if err != nil {
			return fmt.Errorf("imagebuild: named context %s: %w", name, err)
		}
		sum := sha256.Sum256([]byte(dir))
		storeID := "deploykit-oci-" + hex.EncodeToString(sum[:8])
		if opt.OCIStores == nil {
			opt.OCIStores = map[string]content.Store{}
		}
		opt.OCIStores[storeID] = store
		opt.FrontendAttrs[key] = "oci-layout://" + storeID + "@" + d.Digest.String()
	default:
		dir := strings.TrimPrefix(v, "local:")
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return fmt.Errorf("imagebuild: named context %s: %w", name, err)
		}
		sum := sha256.Sum256([]byte(name))
		mount := "deploykit-ctx-" + hex.EncodeToString(sum[:8])
		opt.LocalMounts[mount] = fs
		opt.FrontendAttrs[key] = "local:" + mount
	}
	return nil
}

// splitLayoutRef splits "/dir:tag" or "/dir@sha256:..." into the directory
// and the tag or digest ("" when neither).
func splitLayoutRef(s string) (dir, ref string) {
	if i := strings.Index(s, "@sha256:"); i >= 0 {
		return s[:i], s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// classifyBuildError wraps what BuildKit returned: a daemon that went
// away becomes ErrBuilderUnavailable, an error with a Dockerfile position
// a *BuildError.
func classifyBuildError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("imagebuild: build interrupted: %w", err)
	}
	if srcs := errdefs.Sources(err); len(srcs) > 0 {
		s := srcs[len(srcs)-1]
		be := &BuildError{Message: err.Error(), Err: err}
		if s.Info != nil {
			be.File = s.Info.Filename
		}
		if len(s.Ranges) > 0 && s.Ranges[0].Start != nil {
			be.Line = int(s.Ranges[0].Start.Line)
			if ch := int(s.Ranges[0].Start.Character); ch > 0 {
				be.Column = ch
			}
		}
		return be
	}
	switch grpcerrors.Code(err) {
	case codes.Unavailable:
		return fmt.Errorf("%w: %w", ErrBuilderUnavailable, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such file or directory") && strings.Contains(msg, "dial") || strings.Contains(msg, "error reading from server: EOF") {
		return fmt.Errorf("%w: %w", ErrBuilderUnavailable, err)
	}
	return fmt.Errorf("imagebuild: build failed: %w", err)
}

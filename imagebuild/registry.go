package imagebuild

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Image access is go-containerregistry's, end to end: references are
// parsed by pkg/name, registries read through pkg/v1/remote, OCI layouts
// through pkg/v1/layout, media types are pkg/v1/types', layers are
// decompressed by v1.Layer.Uncompressed (gzip and zstd), and credentials
// come from one authn.Keychain.

// annotationRefName is the OCI annotation that tags an image in an OCI
// layout's index.json.
const annotationRefName = "org.opencontainers.image.ref.name"

// SizeOptions configures ReadSize and ReadSizeFromLayout. The zero value
// reads manifests and configs only, over HTTPS without credentials, for
// the platform of the running program.
type SizeOptions struct {
	// Insecure lets ReadSize talk plain HTTP to the registry (a loopback
	// test registry). Without it only HTTPS is used, even for loopback and
	// private addresses, where go-containerregistry alone would fall back
	// to HTTP.
	Insecure bool
	// Keychain supplies registry credentials (the same keychain a Target
	// uses: Credentials for a fixed map, authn.DefaultKeychain for Docker's
	// config file); nil means anonymous access. A registry that refuses
	// access yields an error wrapping ErrRegistryAuth.
	Keychain authn.Keychain
	// HTTPClient is the client for registry requests; nil means
	// go-containerregistry's remote.DefaultTransport (proxy from the
	// environment, 30 s dial timeout).
	HTTPClient *http.Client
	// Files downloads every layer to measure uncompressed sizes and run
	// the waste analysis (SizeReport.Waste).
	Files bool
	// Platform picks the manifest of a multi-platform image, as
	// "os/arch" or "os/arch/variant"; "" means linux and the running
	// program's architecture.
	Platform string
}

// ReadSize reads the image ref ("host:port/repo:tag" or "...@sha256:...")
// from its registry and reports its size; with opt.Files it also downloads
// the layers for uncompressed sizes and the waste analysis. For an index
// (a multi-platform image) it reports the manifest of opt.Platform and
// records the index digest in SizeReport.IndexDigest.
func ReadSize(ctx context.Context, ref string, opt SizeOptions) (*SizeReport, error) {
	r, err := parseImageRef(ref, opt.Insecure)
	if err != nil {
		return nil, err
	}
	kc := opt.Keychain
	if kc == nil {
		kc = anonymousKeychain{}
	}
	auth, err := kc.Resolve(r.Context())
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: credentials: %w", ref, err)
	}
	hasCreds, user := auth != authn.Anonymous, ""
	if hasCreds {
		if cfg, err := authn.Authorization(ctx, auth); err == nil {
			user = cfg.Username // named in errors; the secret never is
		}
	}
	ro := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(registryTransport(r.Context().RegistryStr(), opt)),
	}
	explain := func(err error) error { return explainRegistryError(r.Context().RegistryStr(), hasCreds, user, err) }
	desc, err := remote.Get(r, ro...)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, explain(err))
	}
	var img v1.Image
	indexDigest := ""
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, explain(err))
		}
		indexDigest = desc.Digest.String()
		if img, err = imageForPlatform(idx, opt.Platform); err != nil {
			return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, explain(err))
		}
	} else if img, err = desc.Image(); err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, explain(err))
	}
	rep, err := readSize(img, opt)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, explain(err))
	}
	rep.Ref, rep.IndexDigest = ref, indexDigest
	if indexDigest != "" {
		rep.Platform = platformOrDefault(opt.Platform)
	}
	return rep, nil
}

// ReadSizeFromLayout reports the size of an image in an OCI image layout
// directory (what BuildKit's oci exporter writes with tar=false). ref is a
// tag (org.opencontainers.image.ref.name), a digest, or "" when the index
// holds a single image.
func ReadSizeFromLayout(ctx context.Context, dir, ref string, opt SizeOptions) (*SizeReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(err error) error { return fmt.Errorf("imagebuild: reading OCI layout %s: %w", dir, err) }
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fail(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, fail(fmt.Errorf("index.json: %w", err))
	}
	d, err := layoutDescriptor(im, ref)
	if err != nil {
		return nil, fail(err)
	}
	var img v1.Image
	indexDigest := ""
	if d.MediaType.IsIndex() {
		child, err := ii.ImageIndex(d.Digest)
		if err != nil {
			return nil, fail(err)
		}
		indexDigest = d.Digest.String()
		if img, err = imageForPlatform(child, opt.Platform); err != nil {
			return nil, fail(err)
		}
	} else if img, err = ii.Image(d.Digest); err != nil {
		return nil, fail(err)
	}
	rep, err := readSize(img, opt)
	if err != nil {
		return nil, fail(err)
	}
	rep.Ref, rep.IndexDigest = "oci-layout://"+dir, indexDigest
	if ref != "" {
		rep.Ref += ":" + ref
	}
	if indexDigest != "" {
		rep.Platform = platformOrDefault(opt.Platform)
	}
	return rep, nil
}

func readSize(img v1.Image, opt SizeOptions) (*SizeReport, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	dg, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	rep := &SizeReport{ManifestDigest: dg.String(), ConfigDigest: m.Config.Digest.String()}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var createdBy []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}
	for i, d := range m.Layers {
		l := Layer{Digest: d.Digest.String(), MediaType: string(d.MediaType), Size: d.Size}
		if len(createdBy) == len(m.Layers) {
			l.CreatedBy = createdBy[i]
		}
		rep.Size += d.Size
		rep.Layers = append(rep.Layers, l)
	}
	if opt.Files {
		layers, err := img.Layers()
		if err != nil {
			return nil, fmt.Errorf("layers: %w", err)
		}
		if err := readLayers(layers, rep.Layers); err != nil {
			return nil, err
		}
		for _, l := range rep.Layers {
			rep.UncompressedSize += l.UncompressedSize
		}
		w := AnalyzeWaste(rep.Layers)
		rep.Waste = &w
	}
	return rep, nil
}

// readLayers downloads the layers, two at a time, decompressed by
// go-containerregistry, and fills in their files and uncompressed sizes.
func readLayers(src []v1.Layer, layers []Layer) error {
	if len(src) != len(layers) {
		return fmt.Errorf("manifest lists %d layers, image has %d", len(layers), len(src))
	}
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	errs := make([]error, len(layers))
	for i := range layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rc, err := src[i].Uncompressed()
			if err != nil {
				errs[i] = fmt.Errorf("layer %s: %w", layers[i].Digest, err)
				return
			}
			defer rc.Close()
			files, n, err := ReadLayerFiles(rc)
			if err != nil {
				errs[i] = fmt.Errorf("layer %s: %w", layers[i].Digest, err)
				return
			}
			layers[i].Files, layers[i].UncompressedSize = files, n
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func platformOrDefault(p string) string {
	if p == "" {
		return "linux/" + runtime.GOARCH
	}
	return p
}

// parsePlatform reads "os/arch[/variant]".
func parsePlatform(p string) (v1.Platform, error) {
	pl, err := v1.ParsePlatform(platformOrDefault(p))
	if err != nil {
		return v1.Platform{}, fmt.Errorf("platform %q: %w", p, err)
	}
	if pl.OS == "" || pl.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", p)
	}
	return *pl, nil
}

// imageForPlatform returns the image of idx for platform ("" means
// linux/GOARCH), skipping attestation manifests; an index with a single
// image yields it whatever its platform.
func imageForPlatform(idx v1.ImageIndex, platform string) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	d, err := pickPlatform(im, platform)
	if err != nil {
		return nil, err
	}
	return idx.Image(d.Digest)
}

// pickPlatform chooses the manifest for platform from an index, skipping
// attestation manifests (BuildKit's unknown/unknown provenance entries).
func pickPlatform(im *v1.IndexManifest, platform string) (v1.Descriptor, error) {
	want, err := parsePlatform(platform)
	if err != nil {
		return v1.Descriptor{}, err
	}
	var images []v1.Descriptor
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		if d.Platform != nil && d.Platform.OS == "unknown" {
			continue
		}
		if d.MediaType.IsIndex() {
			continue
		}
		images = append(images, d)
	}
	for _, d := range images {
		if d.Platform != nil && d.Platform.Satisfies(want) {
			return d, nil
		}
	}
	if len(images) == 1 {
		return images[0], nil
	}
	return v1.Descriptor{}, fmt.Errorf("no manifest for platform %s in the index (%d images)", platformOrDefault(platform), len(images))
}

// IndexPlatforms lists the platforms of an image index's images (skipping
// attestations), as "os/arch[/variant]".
func IndexPlatforms(im *v1.IndexManifest) []string {
	var out []string
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		out = append(out, d.Platform.String())
	}
	return out
}

// layoutDescriptor finds the entry of index.json named ref (a tag in the
// ref.name annotation, a digest, or the only entry when ref is "").
func layoutDescriptor(im *v1.IndexManifest, ref string) (v1.Descriptor, error) {
	if ref == "" {
		if len(im.Manifests) == 1 {
			return im.Manifests[0], nil
		}
		return v1.Descriptor{}, fmt.Errorf("index.json has %d entries: name one by tag", len(im.Manifests))
	}
	for _, d := range im.Manifests {
		if d.Annotations[annotationRefName] == ref || d.Digest.String() == ref {
			return d, nil
		}
	}
	return v1.Descriptor{}, fmt.Errorf("index.json has no image tagged %q", ref)
}

// ErrRegistryAuth reports that a registry refused to serve an image
// without credentials, or refused the credentials given (the keychain's).
var ErrRegistryAuth = errors.New("imagebuild: registry refused access")

// parseImageRef parses ref with go-containerregistry's reference grammar:
// "host/repo:tag", "host/repo@sha256:..." or "host/repo:tag@sha256:..."; a
// ref without a registry host is on Docker Hub ("python" is
// index.docker.io/library/python:latest). insecure lets the registry be
// reached over plain HTTP.
func parseImageRef(ref string, insecure bool) (name.Reference, error) {
	s := strings.TrimSpace(ref)
	if s == "" {
		return nil, fmt.Errorf("imagebuild: bad image ref %q: want HOST/REPO[:TAG][@DIGEST]", ref)
	}
	opts := []name.Option{name.StrictValidation}
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(s, opts...)
	if err != nil {
		// StrictValidation refuses an implicit :latest; retry without.
		opts[0] = name.WeakValidation
		if r, err = name.ParseReference(s, opts...); err != nil {
			return nil, fmt.Errorf("imagebuild: bad image ref %q: want HOST/REPO[:TAG][@DIGEST]: %w", ref, err)
		}
	}
	return r, nil
}

// digestRef returns ref's repository with dgst: "r/a:t" -> "r/a@sha256:...".
func digestRef(ref, dgst string) (name.Digest, error) {
	r, err := parseImageRef(ref, false)
	if err != nil {
		return name.Digest{}, err
	}
	d, err := name.NewDigest(r.Context().Name() + "@" + dgst)
	if err != nil {
		return name.Digest{}, fmt.Errorf("imagebuild: bad digest %q for %s: %w", dgst, ref, err)
	}
	return d, nil
}

// registryTransport is the HTTP transport for one registry host:
// SizeOptions.HTTPClient when set, and plain HTTP to host only with
// SizeOptions.Insecure.
func registryTransport(host string, opt SizeOptions) http.RoundTripper {
	var rt http.RoundTripper = remote.DefaultTransport
	if opt.HTTPClient != nil {
		rt = clientTransport{opt.HTTPClient}
	}
	if !opt.Insecure {
		rt = httpsOnly{host: host, inner: rt}
	}
	return rt
}

// clientTransport sends requests through an http.Client, so its timeout,
// redirect policy and cookie jar apply as they did to every request.
type clientTransport struct{ c *http.Client }

func (t clientTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.c.Do(req) }

// httpsOnly refuses plain-HTTP requests to the registry host.
// go-containerregistry falls back to HTTP by itself for loopback and
// private (RFC 1918) addresses; deploykit keeps the rule that only
// SizeOptions.Insecure allows HTTP, so credentials never travel in clear
// text unasked.
type httpsOnly struct {
	host  string
	inner http.RoundTripper
}

func (t httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && req.URL.Host == t.host {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("plain HTTP to %s is not allowed without Insecure (-insecure)", t.host)
	}
	return t.inner.RoundTrip(req)
}

// registryAuthError is a refusal by the registry: it matches
// ErrRegistryAuth and the registry's own error.
type registryAuthError struct {
	msg string
	err error
}

func (e *registryAuthError) Error() string   { return e.msg }
func (e *registryAuthError) Unwrap() []error { return []error{ErrRegistryAuth, e.err} }

// explainRegistryError turns a registry's error response into deploykit's:
// a 401 or 403 wraps ErrRegistryAuth and says whether credentials were
// given; other statuses are named with their code ("404 Not Found: ...").
func explainRegistryError(host string, hasCreds bool, user string, err error) error {
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	status := fmt.Sprintf("%d %s", te.StatusCode, http.StatusText(te.StatusCode))
	switch te.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg := fmt.Sprintf("registry %s refused access (%s) and no credentials were given (set SizeOptions.Keychain, e.g. imagebuild.Credentials): %v", host, status, err)
		if hasCreds {
			msg = fmt.Sprintf("registry %s refused access (%s) to user %q: %v", host, status, user, err)
		}
		return &registryAuthError{msg: msg, err: err}
	}
	return fmt.Errorf("%s: %s: %w", host, status, err)
}

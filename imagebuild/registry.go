package imagebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Media types deploykit reads (OCI and their Docker v2 equivalents).
const (
	mediaOCIIndex     = "application/vnd.oci.image.index.v1+json"
	mediaOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mediaDockerList   = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaDockerV2     = "application/vnd.docker.distribution.manifest.v2+json"
	annotationRefName = "org.opencontainers.image.ref.name"
	maxManifestSize   = 4 << 20
	dockerHubRegistry = "registry-1.docker.io"
)

// SizeOptions configures ReadSize and ReadSizeFromLayout. The zero value
// reads manifests and configs only, over HTTPS without credentials, for
// the platform of the running program.
type SizeOptions struct {
	// Insecure lets ReadSize talk plain HTTP to the registry (a loopback
	// test registry). Without it only HTTPS is used, even for loopback and
	// private addresses, where go-containerregistry alone would fall back
	// to HTTP.
	Insecure bool
	// Username and Password authenticate to the registry (basic auth, or
	// exchanged for a bearer token when the registry asks for one). An
	// empty Username means anonymous access; a registry that refuses it
	// yields an error wrapping ErrRegistryAuth.
	Username, Password string
	// HTTPClient is the client for registry requests; nil means
	// go-containerregistry's remote.DefaultTransport (proxy from the
	// environment, 30 s dial timeout).
	HTTPClient *http.Client
	// Files downloads every layer to measure uncompressed sizes and run
	// the waste analysis (SizeReport.Waste).
	Files bool
	// Platform picks the manifest of a multi-platform image, as
	// "os/arch"; "" means linux and the running program's architecture.
	Platform string
}

// imageStore is where image manifests and blobs are read from: a registry
// or an OCI layout directory.
type imageStore interface {
	// manifest returns the manifest or index named by ref (a tag or a
	// digest) and its media type.
	manifest(ctx context.Context, ref string) ([]byte, string, error)
	blob(ctx context.Context, dgst string) (io.ReadCloser, error)
}

// ReadSize reads the image ref ("host:port/repo:tag" or "...@sha256:...")
// from its registry and reports its size; with opt.Files it also downloads
// the layers for uncompressed sizes and the waste analysis. Registry access
// goes through github.com/google/go-containerregistry (pkg/v1/remote),
// which checks a manifest fetched by digest against that digest and
// retries transient network errors.
func ReadSize(ctx context.Context, ref string, opt SizeOptions) (*SizeReport, error) {
	r, err := parseImageRef(ref, opt.Insecure)
	if err != nil {
		return nil, err
	}
	rs, err := newRegistryStore(r.Context(), opt)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, err)
	}
	rep, err := readSize(ctx, rs, r.Identifier(), opt)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading %s: %w", ref, err)
	}
	rep.Ref = ref
	return rep, nil
}

// ReadSizeFromLayout reports the size of an image in an OCI image layout
// directory (what BuildKit's oci exporter writes with tar=false). ref is a
// tag (org.opencontainers.image.ref.name), a digest, or "" when the index
// holds a single image.
func ReadSizeFromLayout(ctx context.Context, dir, ref string, opt SizeOptions) (*SizeReport, error) {
	ls := &layoutStore{dir: dir}
	rep, err := readSize(ctx, ls, ref, opt)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: reading OCI layout %s: %w", dir, err)
	}
	rep.Ref = "oci-layout://" + dir
	if ref != "" {
		rep.Ref += ":" + ref
	}
	return rep, nil
}

func readSize(ctx context.Context, st imageStore, ref string, opt SizeOptions) (*SizeReport, error) {
	data, mt, err := st.manifest(ctx, ref)
	if err != nil {
		return nil, err
	}
	if isIndex(mt, data) {
		var idx ocispecs.Index
		if err := json.Unmarshal(data, &idx); err != nil {
			return nil, fmt.Errorf("parsing index: %w", err)
		}
		desc, err := pickPlatform(idx, opt.Platform)
		if err != nil {
			return nil, err
		}
		if data, _, err = st.manifest(ctx, desc.Digest.String()); err != nil {
			return nil, err
		}
	}
	var m ocispecs.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parsing manifest: %w", err)
	}
	sum := sha256.Sum256(data)
	rep := &SizeReport{ManifestDigest: "sha256:" + hex.EncodeToString(sum[:]), ConfigDigest: m.Config.Digest.String()}

	var cfg ocispecs.Image
	if err := readJSONBlob(ctx, st, m.Config.Digest.String(), &cfg); err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var createdBy []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}
	for i, d := range m.Layers {
		l := Layer{Digest: d.Digest.String(), MediaType: d.MediaType, Size: d.Size}
		if len(createdBy) == len(m.Layers) {
			l.CreatedBy = createdBy[i]
		}
		rep.Size += d.Size
		rep.Layers = append(rep.Layers, l)
	}
	if opt.Files {
		if err := readLayers(ctx, st, rep.Layers); err != nil {
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

// readLayers downloads the layers, two at a time, and fills in their
// files and uncompressed sizes.
func readLayers(ctx context.Context, st imageStore, layers []Layer) error {
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	errs := make([]error, len(layers))
	for i := range layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rc, err := st.blob(ctx, layers[i].Digest)
			if err != nil {
				errs[i] = err
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

func readJSONBlob(ctx context.Context, st imageStore, dgst string, v any) error {
	rc, err := st.blob(ctx, dgst)
	if err != nil {
		return err
	}
	defer rc.Close()
	return json.NewDecoder(io.LimitReader(rc, maxManifestSize)).Decode(v)
}

func isIndex(mediaType string, data []byte) bool {
	switch mediaType {
	case mediaOCIIndex, mediaDockerList:
		return true
	case mediaOCIManifest, mediaDockerV2:
		return false
	}
	var probe struct {
		MediaType string            `json:"mediaType"`
		Manifests []json.RawMessage `json:"manifests"`
	}
	_ = json.Unmarshal(data, &probe)
	return probe.MediaType == mediaOCIIndex || probe.MediaType == mediaDockerList || len(probe.Manifests) > 0
}

// pickPlatform chooses the manifest for platform ("os/arch", default
// linux/GOARCH) from an index, skipping attestation manifests. An index
// with a single image manifest yields it whatever its platform.
func pickPlatform(idx ocispecs.Index, platform string) (ocispecs.Descriptor, error) {
	if platform == "" {
		platform = "linux/" + runtime.GOARCH
	}
	wantOS, wantArch, _ := strings.Cut(platform, "/")
	wantArch, _, _ = strings.Cut(wantArch, "/")
	var images []ocispecs.Descriptor
	for _, d := range idx.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		if d.Platform != nil && d.Platform.OS == "unknown" {
			continue
		}
		images = append(images, d)
	}
	for _, d := range images {
		if d.Platform != nil && d.Platform.OS == wantOS && d.Platform.Architecture == wantArch {
			return d, nil
		}
	}
	if len(images) == 1 {
		return images[0], nil
	}
	return ocispecs.Descriptor{}, fmt.Errorf("no manifest for platform %s in the index (%d images)", platform, len(images))
}

// ErrRegistryAuth reports that a registry refused to serve an image
// without credentials, or refused the credentials given
// (SizeOptions.Username and Password).
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
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: bad image ref %q: want HOST/REPO[:TAG][@DIGEST]: %w", ref, err)
	}
	return r, nil
}

// splitImageRef splits "host/repo:tag" or "host/repo@digest" into its
// registry host, repository and tag-or-digest. A ref without a registry
// host is on Docker Hub, whose registry host is registry-1.docker.io.
func splitImageRef(ref string) (host, repo, reference string, err error) {
	r, err := parseImageRef(ref, false)
	if err != nil {
		return "", "", "", err
	}
	host = r.Context().RegistryStr()
	if host == name.DefaultRegistry {
		host = dockerHubRegistry
	}
	return host, r.Context().RepositoryStr(), r.Identifier(), nil
}

// registryStore reads from a registry through go-containerregistry's
// remote package. One Puller serves every request, so the registry is
// pinged and a bearer token fetched once per ReadSize.
type registryStore struct {
	repo     name.Repository
	puller   *remote.Puller
	hasCreds bool
	user     string
}

func newRegistryStore(repo name.Repository, opt SizeOptions) (*registryStore, error) {
	auth := authn.Anonymous
	if opt.Username != "" {
		auth = authn.FromConfig(authn.AuthConfig{Username: opt.Username, Password: opt.Password})
	}
	p, err := remote.NewPuller(remote.WithAuth(auth), remote.WithTransport(registryTransport(repo.RegistryStr(), opt)))
	if err != nil {
		return nil, err
	}
	return &registryStore{repo: repo, puller: p, hasCreds: opt.Username != "", user: opt.Username}, nil
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

// reference names ref (a tag or a digest) in the store's repository.
func (r *registryStore) reference(ref string) name.Reference {
	if strings.HasPrefix(ref, "sha256:") {
		return r.repo.Digest(ref)
	}
	return r.repo.Tag(ref)
}

func (r *registryStore) manifest(ctx context.Context, ref string) ([]byte, string, error) {
	desc, err := r.puller.Get(ctx, r.reference(ref))
	if err != nil {
		return nil, "", r.explain(err)
	}
	return desc.Manifest, string(desc.MediaType), nil
}

func (r *registryStore) blob(ctx context.Context, dgst string) (io.ReadCloser, error) {
	l, err := r.puller.Layer(ctx, r.repo.Digest(dgst))
	if err != nil {
		return nil, r.explain(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, r.explain(err)
	}
	return rc, nil
}

// explain turns a registry's error response into deploykit's: a 401 or
// 403 wraps ErrRegistryAuth and says whether credentials were given;
// other statuses are named with their code ("404 Not Found: ...").
func (r *registryStore) explain(err error) error {
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	host := r.repo.RegistryStr()
	status := fmt.Sprintf("%d %s", te.StatusCode, http.StatusText(te.StatusCode))
	switch te.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg := fmt.Sprintf("registry %s refused access (%s) and no credentials were given (set SizeOptions.Username and Password): %v", host, status, err)
		if r.hasCreds {
			msg = fmt.Sprintf("registry %s refused access (%s) to user %q: %v", host, status, r.user, err)
		}
		return &registryAuthError{msg: msg, err: err}
	}
	return fmt.Errorf("%s: %s: %w", host, status, err)
}

// layoutStore reads from an OCI image layout directory.
type layoutStore struct{ dir string }

func (l *layoutStore) manifest(ctx context.Context, ref string) ([]byte, string, error) {
	if strings.HasPrefix(ref, "sha256:") {
		rc, err := l.blob(ctx, ref)
		if err != nil {
			return nil, "", err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxManifestSize))
		return data, "", err
	}
	data, err := os.ReadFile(filepath.Join(l.dir, "index.json"))
	if err != nil {
		return nil, "", err
	}
	var idx ocispecs.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, "", fmt.Errorf("index.json: %w", err)
	}
	d, err := layoutDescriptor(idx, ref)
	if err != nil {
		return nil, "", err
	}
	return l.manifest(ctx, d.Digest.String())
}

// layoutDescriptor finds the entry of index.json named ref (a tag in the
// ref.name annotation, or the only entry when ref is "").
func layoutDescriptor(idx ocispecs.Index, ref string) (ocispecs.Descriptor, error) {
	if ref == "" {
		if len(idx.Manifests) == 1 {
			return idx.Manifests[0], nil
		}
		return ocispecs.Descriptor{}, fmt.Errorf("index.json has %d entries: name one by tag", len(idx.Manifests))
	}
	for _, d := range idx.Manifests {
		if d.Annotations[annotationRefName] == ref || d.Digest.String() == ref {
			return d, nil
		}
	}
	return ocispecs.Descriptor{}, fmt.Errorf("index.json has no image tagged %q", ref)
}

func (l *layoutStore) blob(_ context.Context, dgst string) (io.ReadCloser, error) {
	alg, hexd, ok := strings.Cut(dgst, ":")
	if !ok || alg != "sha256" || len(hexd) != 64 || strings.ContainsAny(hexd, "/\\.") {
		return nil, fmt.Errorf("bad digest %q", dgst)
	}
	return os.Open(filepath.Join(l.dir, "blobs", alg, hexd))
}

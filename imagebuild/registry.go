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
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Media types deploykit reads (OCI and their Docker v2 equivalents).
const (
	mediaOCIIndex      = "application/vnd.oci.image.index.v1+json"
	mediaOCIManifest   = "application/vnd.oci.image.manifest.v1+json"
	mediaDockerList    = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaDockerV2      = "application/vnd.docker.distribution.manifest.v2+json"
	annotationRefName  = "org.opencontainers.image.ref.name"
	maxManifestSize    = 4 << 20
	dockerHubRegistry  = "registry-1.docker.io"
	dockerHubShortName = "docker.io"
)

// SizeOptions configures ReadSize and ReadSizeFromLayout. The zero value
// reads manifests and configs only, over HTTPS without credentials, for
// the platform of the running program.
type SizeOptions struct {
	// Insecure talks plain HTTP to the registry (a loopback test registry).
	Insecure bool
	// Username and Password authenticate to the registry (basic auth, or
	// exchanged for a bearer token when the registry asks for one).
	Username, Password string
	// HTTPClient is the client for registry requests; nil means
	// http.DefaultClient.
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
// the layers for uncompressed sizes and the waste analysis.
func ReadSize(ctx context.Context, ref string, opt SizeOptions) (*SizeReport, error) {
	host, repo, reference, err := splitImageRef(ref)
	if err != nil {
		return nil, err
	}
	rc := &registryStore{host: host, repo: repo, opt: opt}
	rep, err := readSize(ctx, rc, reference, opt)
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

// splitImageRef splits "host/repo:tag" or "host/repo@digest" into its
// registry host, repository and tag-or-digest. A ref without a registry
// host is on Docker Hub.
func splitImageRef(ref string) (host, repo, reference string, err error) {
	s := strings.TrimSpace(ref)
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return "", "", "", fmt.Errorf("imagebuild: bad image ref %q: want HOST/REPO[:TAG][@DIGEST]", ref)
	}
	name, dgst, hasDigest := strings.Cut(s, "@")
	tag := ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	first, rest, hasSlash := strings.Cut(name, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		host, repo = first, rest
	} else {
		host, repo = dockerHubShortName, name
		if !strings.Contains(repo, "/") {
			repo = "library/" + repo
		}
	}
	if host == dockerHubShortName {
		host = dockerHubRegistry
	}
	switch {
	case hasDigest:
		if !strings.HasPrefix(dgst, "sha256:") || len(dgst) != len("sha256:")+64 {
			return "", "", "", fmt.Errorf("imagebuild: bad image ref %q: digest %q is not sha256:<64 hex>", ref, dgst)
		}
		reference = dgst
	case tag != "":
		reference = tag
	default:
		reference = "latest"
	}
	if repo == "" || strings.ToLower(repo) != repo {
		return "", "", "", fmt.Errorf("imagebuild: bad image ref %q: repository must be non-empty lowercase", ref)
	}
	return host, repo, reference, nil
}

// registryStore reads from a registry with the distribution HTTP API.
type registryStore struct {
	host, repo string
	opt        SizeOptions

	mu    sync.Mutex
	authz string // Authorization header value once known
}

func (r *registryStore) client() *http.Client {
	if r.opt.HTTPClient != nil {
		return r.opt.HTTPClient
	}
	return http.DefaultClient
}

func (r *registryStore) url(kind, ref string) string {
	scheme := "https"
	if r.opt.Insecure {
		scheme = "http"
	}
	return fmt.Sprintf("%s://%s/v2/%s/%s/%s", scheme, r.host, r.repo, kind, ref)
}

func (r *registryStore) manifest(ctx context.Context, ref string) ([]byte, string, error) {
	accept := strings.Join([]string{mediaOCIIndex, mediaOCIManifest, mediaDockerList, mediaDockerV2}, ", ")
	resp, err := r.get(ctx, r.url("manifests", ref), accept)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize))
	if err != nil {
		return nil, "", err
	}
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return data, strings.TrimSpace(mt), nil
}

func (r *registryStore) blob(ctx context.Context, dgst string) (io.ReadCloser, error) {
	resp, err := r.get(ctx, r.url("blobs", dgst), "")
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// get performs a GET, answering one authentication challenge (basic or
// bearer token) if the registry asks.
func (r *registryStore) get(ctx context.Context, u, accept string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		r.mu.Lock()
		if r.authz != "" {
			req.Header.Set("Authorization", r.authz)
		}
		r.mu.Unlock()
		resp, err := r.client().Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			challenge := resp.Header.Get("WWW-Authenticate")
			resp.Body.Close()
			if err := r.authenticate(ctx, challenge); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
		}
		return resp, nil
	}
}

func (r *registryStore) authenticate(ctx context.Context, challenge string) error {
	scheme, params := parseChallenge(challenge)
	switch strings.ToLower(scheme) {
	case "basic":
		if r.opt.Username == "" {
			return fmt.Errorf("registry %s wants basic auth and no credentials were given", r.host)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
		req.SetBasicAuth(r.opt.Username, r.opt.Password)
		r.mu.Lock()
		r.authz = req.Header.Get("Authorization")
		r.mu.Unlock()
		return nil
	case "bearer":
		realm := params["realm"]
		if realm == "" {
			return fmt.Errorf("registry %s: bearer challenge without realm", r.host)
		}
		q := url.Values{}
		if s := params["service"]; s != "" {
			q.Set("service", s)
		}
		scope := params["scope"]
		if scope == "" {
			scope = "repository:" + r.repo + ":pull"
		}
		q.Set("scope", scope)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, realm+"?"+q.Encode(), nil)
		if err != nil {
			return err
		}
		if r.opt.Username != "" {
			req.SetBasicAuth(r.opt.Username, r.opt.Password)
		}
		resp, err := r.client().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("registry %s: token request: %s", r.host, resp.Status)
		}
		var tok struct {
			Token       string `json:"token"`
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
			return fmt.Errorf("registry %s: token response: %w", r.host, err)
		}
		t := tok.Token
		if t == "" {
			t = tok.AccessToken
		}
		r.mu.Lock()
		r.authz = "Bearer " + t
		r.mu.Unlock()
		return nil
	}
	return fmt.Errorf("registry %s: unsupported authentication challenge %q", r.host, challenge)
}

// parseChallenge parses `Bearer realm="...",service="...",scope="..."`.
func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		var v string
		if strings.HasPrefix(after, `"`) {
			end := strings.Index(after[1:], `"`)
			if end < 0 {
				v, rest = after[1:], ""
			} else {
				v, rest = after[1:1+end], after[2+end:]
			}
		} else {
			v, rest, _ = strings.Cut(after, ",")
		}
		params[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return scheme, params
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

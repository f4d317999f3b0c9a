package imagebuild

import (
	"context"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth"
	"google.golang.org/grpc"
)

// BuildCredentials are the credentials for one registry host.
type BuildCredentials struct {
	Username string
	// Password is a password or an access token.
	Password string
}

// Credentials returns an authn.Keychain that answers with creds for the
// registry hosts it names ("registry.example.com", "docker.io"; Docker
// Hub's index.docker.io and registry-1.docker.io count as docker.io) and
// anonymously for every other host. It is the one credential shape of the
// package: Target.Keychain (buildkitd's pulls, pushes and registry caches,
// and the size read-back) and SizeOptions.Keychain take it, as they take
// authn.DefaultKeychain (Docker's config file) or any other keychain.
func Credentials(creds map[string]BuildCredentials) authn.Keychain {
	m := make(staticKeychain, len(creds))
	for h, c := range creds {
		m[canonicalHost(h)] = c
	}
	return m
}

type staticKeychain map[string]BuildCredentials

func canonicalHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	switch h {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return name.DefaultRegistry
	}
	return h
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	c, ok := k[canonicalHost(r.RegistryStr())]
	if !ok {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: c.Username, Password: c.Password}), nil
}

type anonymousKeychain struct{}

func (anonymousKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.Anonymous, nil
}

// sessionAuth answers buildkitd's credential requests from a keychain. It
// implements only the Credentials call: buildkitd then fetches registry
// tokens itself with those credentials.
type sessionAuth struct {
	auth.UnimplementedAuthServer
	kc authn.Keychain
}

func newSessionAuth(kc authn.Keychain) session.Attachable {
	if kc == nil {
		kc = anonymousKeychain{}
	}
	return &sessionAuth{kc: kc}
}

func (a *sessionAuth) Register(server *grpc.Server) {
	auth.RegisterAuthServer(server, a)
}

// Credentials returns the keychain's credentials for req.Host, or empty
// ones (anonymous access).
func (a *sessionAuth) Credentials(ctx context.Context, req *auth.CredentialsRequest) (*auth.CredentialsResponse, error) {
	host := strings.ToLower(req.GetHost())
	if canonicalHost(host) == name.DefaultRegistry {
		host = name.DefaultRegistry
	}
	reg, err := name.NewRegistry(host, name.WeakValidation)
	if err != nil {
		return &auth.CredentialsResponse{}, nil
	}
	authr, err := a.kc.Resolve(reg)
	if err != nil || authr == authn.Anonymous {
		return &auth.CredentialsResponse{}, nil
	}
	cfg, err := authn.Authorization(ctx, authr)
	if err != nil {
		return &auth.CredentialsResponse{}, nil
	}
	if cfg.IdentityToken != "" {
		return &auth.CredentialsResponse{Secret: cfg.IdentityToken}, nil
	}
	return &auth.CredentialsResponse{Username: cfg.Username, Secret: cfg.Password}, nil
}

package imagebuild

import (
	"context"
	"strings"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth"
	"google.golang.org/grpc"
)

// BuildCredentials are the credentials for one registry host, handed to
// buildkitd when it pulls a base image, pushes the result or reads and
// writes a registry cache.
type BuildCredentials struct {
	Username string
	// Password is a password or an access token.
	Password string
}

// sessionAuth answers buildkitd's credential requests from a map keyed by
// registry host. It implements only the Credentials call: buildkitd then
// fetches registry tokens itself with those credentials, so deploykit does
// not need Docker's config file machinery (docker/cli).
type sessionAuth struct {
	auth.UnimplementedAuthServer
	creds map[string]BuildCredentials
}

func newSessionAuth(creds map[string]BuildCredentials) session.Attachable {
	return &sessionAuth{creds: creds}
}

func (a *sessionAuth) Register(server *grpc.Server) {
	auth.RegisterAuthServer(server, a)
}

// Credentials returns the credentials for req.Host, or empty ones
// (anonymous access) when none are configured.
func (a *sessionAuth) Credentials(_ context.Context, req *auth.CredentialsRequest) (*auth.CredentialsResponse, error) {
	c, ok := a.lookup(req.GetHost())
	if !ok {
		return &auth.CredentialsResponse{}, nil
	}
	return &auth.CredentialsResponse{Username: c.Username, Secret: c.Password}, nil
}

func (a *sessionAuth) lookup(host string) (BuildCredentials, bool) {
	host = strings.ToLower(host)
	if c, ok := a.creds[host]; ok {
		return c, true
	}
	switch host {
	case "registry-1.docker.io", "index.docker.io":
		c, ok := a.creds["docker.io"]
		return c, ok
	}
	return BuildCredentials{}, false
}

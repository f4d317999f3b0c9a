package buildkitcheck

import (
	"context"
	"errors"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// errOffline is what the offline gateway answers to anything but reading
// the build context's .dockerignore.
var errOffline = errors.New("buildkitcheck: not available offline")

// contextGateway is the smallest frontend gateway BuildKit's Dockerfile
// frontend needs to read the build context's .dockerignore: every solve
// yields a reference whose only file is .dockerignore, holding the
// patterns the caller gave. It never talks to a daemon.
type contextGateway struct {
	opts     map[string]string
	ignore   []byte
	resolver offlineResolver
}

func (g contextGateway) ResolveSourceMetadata(context.Context, *pb.SourceOp, sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	return nil, errOffline
}

func (g contextGateway) Solve(context.Context, gateway.SolveRequest) (*gateway.Result, error) {
	res := gateway.NewResult()
	res.SetRef(ignoreRef(g.ignore))
	return res, nil
}

func (g contextGateway) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return g.resolver.ResolveImageConfig(ctx, ref, opt)
}

func (g contextGateway) BuildOpts() gateway.BuildOpts {
	return gateway.BuildOpts{
		Opts:    g.opts,
		LLBCaps: pb.Caps.CapSet(pb.Caps.All()),
		Caps:    gwpb.Caps.CapSet(gwpb.Caps.All()),
	}
}

func (g contextGateway) Inputs(context.Context) (map[string]llb.State, error) {
	return map[string]llb.State{}, nil
}

func (g contextGateway) NewContainer(context.Context, gateway.NewContainerRequest) (gateway.Container, error) {
	return nil, errOffline
}

func (g contextGateway) Warn(context.Context, digest.Digest, string, gateway.WarnOpts) error {
	return nil
}

// ignoreRef is a solved reference holding only .dockerignore.
type ignoreRef []byte

func (r ignoreRef) ToState() (llb.State, error)    { return llb.Scratch(), nil }
func (r ignoreRef) Evaluate(context.Context) error { return nil }

func (r ignoreRef) ReadFile(_ context.Context, req gateway.ReadRequest) ([]byte, error) {
	if strings.TrimPrefix(req.Filename, "/") == ".dockerignore" {
		return []byte(r), nil
	}
	return nil, errOffline
}

func (r ignoreRef) StatFile(context.Context, gateway.StatRequest) (*fstypes.Stat, error) {
	return nil, errOffline
}

func (r ignoreRef) ReadDir(context.Context, gateway.ReadDirRequest) ([]*fstypes.Stat, error) {
	return nil, errOffline
}

// Package buildkitcheck runs BuildKit's built-in Dockerfile checks (the ones
// "docker build --check" runs: UndefinedVar, CopyIgnoredFile,
// SecretsUsedInArgOrEnv, ...) offline, as a dockerfile.Checker.
//
// It is a package of its own because BuildKit implements those checks in
// its Dockerfile-to-LLB converter (frontend/dockerfile/dockerfile2llb),
// which imports the gateway client, gRPC and containerd. A program that
// wants only deploykit's rules imports imagebuild/dockerfile alone and
// stays small; one that wants BuildKit's checks too passes Checker{}:
//
//	a, err := dockerfile.Lint(ctx, src, dockerfile.LintConfig{BuildKit: buildkitcheck.Checker{}})
//
// Nothing is fetched from the network: base images are answered by an
// offline resolver (DefaultBaseImageEnv, overridable per image with
// dockerfile.CheckOptions.BaseImageEnv), so UndefinedVar knows PATH.
package buildkitcheck

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
)

// DefaultBaseImageEnv is the environment assumed for a base image the
// caller does not describe: the PATH every Debian-based image sets and, for
// the official python images, the variables they define (PYTHON_VERSION
// from the tag when it names one).
func DefaultBaseImageEnv(ref string) []string {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return env
	}
	if reference.FamiliarName(named) == "python" {
		env = append(env, "LANG=C.UTF-8", "GPG_KEY=", "PYTHON_SHA256=")
		if t, ok := named.(reference.Tagged); ok {
			if v := tagVersionRE.FindString(t.Tag()); v != "" {
				env = append(env, "PYTHON_VERSION="+v)
			}
		}
	}
	return env
}

var tagVersionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?`)

// offlineResolver answers BuildKit's image config requests from defaults,
// never from a registry.
type offlineResolver struct {
	env map[string][]string
}

func (r offlineResolver) lookup(ref string) []string {
	if env, ok := r.env[ref]; ok {
		return env
	}
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		for _, k := range []string{reference.FamiliarString(named), reference.FamiliarName(named), named.Name()} {
			if env, ok := r.env[k]; ok {
				return env
			}
		}
	}
	return DefaultBaseImageEnv(ref)
}

func (r offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{
		Platform: platform,
		Config:   ocispecs.ImageConfig{Env: r.lookup(ref)},
		RootFS:   ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString(ref)}},
	}
	dt, err := json.Marshal(img)
	return ref, "", dt, err
}

// Checker runs BuildKit's checks through dockerfile2llb.DockerfileLint. The
// zero value is ready to use.
type Checker struct{}

// Check implements dockerfile.Checker. Warnings come back even when BuildKit
// also reports an error (an undefined base image argument, say): the error
// is returned as a *dockerfile.LintError beside them.
func (Checker) Check(ctx context.Context, src []byte, opt dockerfile.CheckOptions) ([]dockerfile.Diagnostic, error) {
	file := opt.File
	if file == "" {
		file = "Dockerfile"
	}
	cfg := dockerui.Config{BuildArgs: opt.BuildArgs, Target: opt.Target}
	conv := dockerfile2llb.ConvertOpt{
		Config:         cfg,
		MetaResolver:   offlineResolver{env: opt.BaseImageEnv},
		SourceMap:      &llb.SourceMap{Definition: &llb.Definition{}, Filename: file, Data: src},
		TargetPlatform: &ocispecs.Platform{OS: "linux", Architecture: "amd64"},
	}
	if opt.IgnorePatterns != nil {
		// Hand BuildKit the .dockerignore patterns through an offline
		// gateway, so that its CopyIgnoredFile check runs.
		opts := map[string]string{}
		for k, v := range opt.BuildArgs {
			opts["build-arg:"+k] = v
		}
		if opt.Target != "" {
			opts["target"] = opt.Target
		}
		gw := contextGateway{opts: opts, ignore: []byte(strings.Join(opt.IgnorePatterns, "\n") + "\n"), resolver: offlineResolver{env: opt.BaseImageEnv}}
		if c, err := dockerui.NewClient(gw); err == nil {
			conv.Client = c
		}
	}
	res, err := dockerfile2llb.DockerfileLint(ctx, src, conv)
	if err != nil {
		return nil, &dockerfile.LintError{File: file, Line: 1, Column: 1, Message: err.Error(), Err: err}
	}
	var out []dockerfile.Diagnostic
	for _, w := range res.Warnings {
		d := dockerfile.Diagnostic{Rule: w.RuleName, Severity: dockerfile.SeverityWarning, Message: w.Detail,
			URL: w.URL, Pos: dockerfile.Position{File: file}}
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			r := w.Location.Ranges[0]
			d.Pos.Line = int(r.Start.Line)
			d.Pos.Column = int(r.Start.Character) + 1
		}
		out = append(out, d)
	}
	if res.Error != nil && strings.HasPrefix(res.Error.Message, "lint violation found for rules:") {
		// "# check=error=true" ends the run with this error after the
		// warnings; the caller reports them as errors instead.
		res.Error = nil
	}
	if res.Error != nil {
		le := &dockerfile.LintError{File: file, Line: 1, Column: 1, Message: res.Error.Message}
		if rs := res.Error.Location.Ranges; len(rs) > 0 && rs[0].Start != nil {
			le.Line = max(int(rs[0].Start.Line), 1)
			le.Column = int(rs[0].Start.Character) + 1
		}
		return out, le
	}
	return out, nil
}

// Rules lists the names of the BuildKit checks that Check reports, for rule
// tables and skip lists.
func Rules() []string {
	return []string{
		"StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
		"DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated",
		"UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed",
		"LegacyKeyValueFormat", "InvalidBaseImagePlatform", "RedundantTargetPlatform",
		"SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed",
		"CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
	}
}

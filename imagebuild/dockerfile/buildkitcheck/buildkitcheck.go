package imagebuild

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
)

// DefaultBaseImageEnv is the environment deploykit assumes for a base image
// it is not told about: the PATH every Debian-based image sets and, for the
// official python images, the variables they define (PYTHON_VERSION from
// the tag when it names one).
func DefaultBaseImageEnv(ref string) []string {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return env
	}
	if reference.FamiliarName(named) == "python" {
		env = append(env, "LANG=C.UTF-8", "GPG_KEY=", "PYTHON_SHA256=")
		if t, ok := named.(reference.Tagged); ok {
			if v := pythonTagVersionRE.FindString(t.Tag()); v != "" {
				env = append(env, "PYTHON_VERSION="+v)
			}
		}
	}
	return env
}

var pythonTagVersionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?`)

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

// buildkitChecks runs BuildKit's built-in checks (the ones "docker build
// --check" runs) with the offline resolver.
func buildkitChecks(ctx context.Context, dt []byte, cfg LintConfig, m *lintModel) ([]Diagnostic, error) {
	opt := dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			BuildArgs: cfg.BuildArgs,
			Target:    cfg.Target,
		},
		MetaResolver:   offlineResolver{env: cfg.BaseImageEnv},
		SourceMap:      &llb.SourceMap{Definition: &llb.Definition{}, Filename: cfg.File, Data: dt},
		TargetPlatform: &ocispecs.Platform{OS: "linux", Architecture: "amd64"},
	}
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, opt)
	if err != nil {
		return nil, &LintError{File: cfg.File, Message: err.Error(), Err: err}
	}
	// With "# check=error=true" BuildKit ends the run with this error after
	// collecting the warnings; they are reported as errors below instead.
	if res.Error != nil && m.check.ReturnAsError && strings.HasPrefix(res.Error.Message, "lint violation found for rules:") {
		res.Error = nil
	}
	if res.Error != nil {
		le := &LintError{File: cfg.File, Message: res.Error.Message}
		if rs := res.Error.Location.Ranges; len(rs) > 0 && rs[0].Start != nil {
			le.Line = int(rs[0].Start.Line)
			le.Column = int(rs[0].Start.Character) + 1
		}
		return nil, le
	}
	sev := SeverityWarning
	if m.check.ReturnAsError {
		sev = SeverityError
	}
	var out []Diagnostic
	for _, w := range res.Warnings {
		d := Diagnostic{Rule: w.RuleName, Severity: sev, Message: w.Detail}
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			d.Line = int(w.Location.Ranges[0].Start.Line)
			d.Column = int(w.Location.Ranges[0].Start.Character) + 1
		}
		fix := strings.TrimSpace(w.Description)
		if fix != "" && !strings.HasSuffix(fix, ".") {
			fix += "."
		}
		if w.URL != "" {
			fix += " See " + w.URL
		}
		d.Fix = strings.TrimSpace(fix)
		out = append(out, d)
	}
	return out, nil
}

// LintBuildKitRules lists the names of BuildKit's built-in checks that Lint
// reports (under these names), for SARIF rule tables and skip lists.
var LintBuildKitRules = []string{
	"StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
	"DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated",
	"UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed",
	"LegacyKeyValueFormat", "InvalidBaseImagePlatform", "RedundantTargetPlatform",
	"SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed",
	"CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
}

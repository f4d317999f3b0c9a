package imagebuild

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/lint"
)

// Check runs the Dockerfile frontend's build checks on t without building
// anything (the frontend.lint subrequest, what `docker build --check`
// does) and returns their findings as Diagnostics named after BuildKit's
// checks ("FromAsCasing", "UndefinedVar", ...). A Dockerfile that does
// not parse yields a *BuildError with its position.
func (b *Builder) Check(ctx context.Context, t Target) ([]Diagnostic, error) {
	opt, cleanup, _, err := b.solveOpt(t, false)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	attrs := maps.Clone(opt.FrontendAttrs)
	attrs["requestid"] = lint.RequestLint
	var raw []byte
	_, err = b.c.Build(ctx, opt, "deploykit", func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		res, err := c.Solve(ctx, gateway.SolveRequest{Frontend: "dockerfile.v0", FrontendOpt: attrs})
		if err != nil {
			return nil, err
		}
		raw = res.Metadata["result.json"]
		return gateway.NewResult(), nil
	}, nil)
	if err != nil {
		return nil, classifyBuildError(ctx, err)
	}
	diags, err := lintDiagnostics(raw)
	if err != nil {
		return nil, err
	}
	return diags, nil
}

// lintDiagnostics converts the frontend.lint result document.
func lintDiagnostics(raw []byte) ([]Diagnostic, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("imagebuild: the Dockerfile frontend returned no lint result")
	}
	var res lint.LintResults
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("imagebuild: lint result: %w", err)
	}
	file := func(idx int32) string {
		if idx >= 0 && int(idx) < len(res.Sources) && res.Sources[idx] != nil {
			return res.Sources[idx].Filename
		}
		return ""
	}
	if e := res.Error; e != nil {
		be := &BuildError{Message: e.Message, File: file(e.Location.SourceIndex), Err: fmt.Errorf("%s", e.Message)}
		if len(e.Location.Ranges) > 0 && e.Location.Ranges[0].Start != nil {
			be.Line = int(e.Location.Ranges[0].Start.Line)
		}
		return nil, be
	}
	var out []Diagnostic
	for _, w := range res.Warnings {
		d := Diagnostic{Rule: w.RuleName, Severity: SeverityWarning, Message: w.Detail}
		if w.Location != nil {
			d.Pos.File = file(w.Location.SourceIndex)
			if len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
				d.Pos.Line = int(w.Location.Ranges[0].Start.Line)
			}
		}
		if w.URL != "" {
			d.URL = w.URL
		}
		out = append(out, d)
	}
	return out, nil
}

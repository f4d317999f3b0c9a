// Command dockerfile lints Dockerfiles, generates optimised ones for Python
// web applications and prints stage graphs, over deploykit's imagebuild
// package.
//
//	dockerfile lint [-context DIR] [-format text|json|sarif|github] DOCKERFILE
//	dockerfile generate [-project DIR] [-o DIR] [spec overrides...]
//	dockerfile graph DOCKERFILE
//
// lint exits 0 when no finding is at error level, 1 when one is, and 2 on
// bad input (flags, unreadable files, a Dockerfile that does not parse).
// Its JSON output is {"findings":[{"rule","severity","line","column",
// "message","fix"}]}. Nothing touches the network.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/imagebuild/dockerfile/buildkitcheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  dockerfile lint [-context DIR] [-format text|json|sarif|github] DOCKERFILE
  dockerfile generate [-project DIR] [-o DIR] [overrides]   (see dockerfile generate -h)
  dockerfile graph DOCKERFILE
`

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx := context.Background()
	switch args[0] {
	case "lint":
		return runLint(ctx, args[1:], stdout, stderr)
	case "generate":
		return runGenerate(ctx, args[1:], stdout, stderr)
	case "graph":
		return runGraph(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "dockerfile: unknown command %q\n%s", args[0], usage)
	return 2
}

// jsonFinding is the JSON contract, exactly.
type jsonFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	contextDir := fs.String("context", "", "build context `directory` (enables the context checks)")
	format := fs.String("format", "text", "output `format`: text, json, sarif or github")
	target := fs.String("target", "", "stage to analyse (default: the last)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, "dockerfile lint: need exactly one DOCKERFILE\n")
		return 2
	}
	switch *format {
	case "text", "json", "sarif", "github":
	default:
		fmt.Fprintf(stderr, "dockerfile lint: unknown -format %q (want text, json, sarif or github)\n", *format)
		return 2
	}
	a, err := dockerfile.LintFile(ctx, fs.Arg(0), *contextDir, dockerfile.LintConfig{Target: *target, BuildKit: buildkitcheck.Checker{}})
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile lint: %v\n", err)
		return 2
	}
	switch *format {
	case "json":
		doc := struct {
			Findings []jsonFinding `json:"findings"`
		}{Findings: []jsonFinding{}}
		for _, d := range a.Diagnostics {
			doc.Findings = append(doc.Findings, jsonFinding{d.Rule, string(d.Severity), d.Pos.Line, d.Pos.Column, d.Message, d.FixText()})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	default:
		err = dockerfile.WriteDiagnostics(stdout, dockerfile.DiagnosticFormat(*format), a.Diagnostics)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile lint: %v\n", err)
		return 2
	}
	if a.MaxSeverity() == dockerfile.SeverityError {
		return 1
	}
	return 0
}

// listFlag is a comma-separated list; set means the flag was given.
type listFlag struct {
	values []string
	set    bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }
func (l *listFlag) Set(s string) error {
	l.set = true
	l.values = []string{}
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			l.values = append(l.values, v)
		}
	}
	return nil
}

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	project := fs.String("project", ".", "project `directory` to infer the spec from")
	out := fs.String("o", "", "write Dockerfile and .dockerignore into this `directory` instead of stdout")
	var o dockerfile.Spec
	manager := fs.String("manager", "", "dependency manager: poetry, requirements or uv")
	fs.StringVar(&o.PythonVersion, "python", "", "Python `version` (3.13 or 3.13.1)")
	fs.StringVar(&o.BaseImage, "base", "", "base `image` without digest (default python:<version>-slim-bookworm)")
	fs.StringVar(&o.BaseDigest, "digest", "", "base image `digest` (sha256:...)")
	fs.StringVar(&o.PoetryVersion, "poetry-version", "", "Poetry `version` to pin")
	fs.StringVar(&o.UVVersion, "uv-version", "", "uv `version` to pin")
	fs.StringVar(&o.SettingsModule, "settings", "", "DJANGO_SETTINGS_MODULE")
	fs.StringVar(&o.WSGIApp, "wsgi", "", "WSGI application (module:attr)")
	fs.StringVar(&o.ASGIApp, "asgi", "", "ASGI application (module:attr), served with uvicorn workers")
	fs.StringVar(&o.SecretID, "secret-id", "", "BuildKit secret id for collectstatic")
	fs.IntVar(&o.Port, "port", 0, "port gunicorn binds (default 8000)")
	fs.IntVar(&o.UID, "uid", 0, "numeric uid/gid the app runs as (default 10001)")
	collect := fs.Bool("collectstatic", false, "run collectstatic at build time (inferred from STATIC_ROOT)")
	noCollect := fs.Bool("no-collectstatic", false, "do not run collectstatic")
	var reqs, buildPkgs, runtimePkgs, writable listFlag
	fs.Var(&reqs, "requirements", "comma-separated requirement files")
	fs.Var(&buildPkgs, "build-packages", "comma-separated Debian packages for the builder stage")
	fs.Var(&runtimePkgs, "runtime-packages", "comma-separated Debian packages for the runtime stage")
	fs.Var(&writable, "writable", "comma-separated directories the app writes at run time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "dockerfile generate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	o.Manager = dockerfile.DependencyManager(*manager)
	o.CollectStatic = *collect
	if reqs.set {
		o.RequirementsFiles = reqs.values
	}
	if buildPkgs.set {
		o.BuildPackages = buildPkgs.values
	}
	if runtimePkgs.set {
		o.RuntimePackages = runtimePkgs.values
	}
	if writable.set {
		o.WritableDirs = writable.values
	}
	spec, err := dockerfile.InferSpec(ctx, *project, o)
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile generate: %v\n", err)
		return 2
	}
	if *noCollect {
		spec.CollectStatic = false
	}
	df, di, err := dockerfile.Generate(spec)
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile generate: %v\n", err)
		if errors.Is(err, dockerfile.ErrInvalidSpec) {
			fmt.Fprint(stderr, "(set the missing or wrong value with a flag; see dockerfile generate -h)\n")
		}
		return 2
	}
	if *out == "" {
		fmt.Fprintf(stdout, "# ==> Dockerfile <==\n%s\n# ==> .dockerignore <==\n%s", df, di)
		return 0
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "dockerfile generate: %v\n", err)
		return 2
	}
	for name, data := range map[string][]byte{"Dockerfile": df, ".dockerignore": di} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fmt.Fprintf(stderr, "dockerfile generate: %v\n", err)
			return 2
		}
	}
	return 0
}

func runGraph(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, "dockerfile graph: need exactly one DOCKERFILE\n")
		return 2
	}
	a, err := dockerfile.LintFile(ctx, fs.Arg(0), "", dockerfile.LintConfig{})
	if err != nil {
		fmt.Fprintf(stderr, "dockerfile graph: %v\n", err)
		return 2
	}
	fmt.Fprint(stdout, a.Graph.String())
	return 0
}

// Command gunicornconf lints, generates and explains gunicorn.conf.py files
// with deploykit's gunicornconf package.
//
//	gunicornconf lint [-format text|json|sarif|github] [-worker-class K] [-platform appservice|container|plain] [-gunicorn-version V] [-startup CMD] [-cmd-args ARGS] FILE
//	gunicornconf generate [-sku B1|S1|P1v3...] [-app module:callable] [-worker-class K] [-profile cpu|mixed|io] [-platform P] [-o FILE]
//	gunicornconf explain -sku S1 [-startup CMD] FILE
//
// lint exits 1 when an error-level finding exists, 2 on bad usage or a
// file that is not valid Python.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deploykit/deploykit/gunicornconf"
	"github.com/deploykit/deploykit/internal/report"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  gunicornconf lint [-format text|json|sarif|github] [-worker-class K] [-platform appservice|container|plain] [-gunicorn-version V] [-startup CMD] [-cmd-args ARGS] FILE
  gunicornconf generate [-sku B1|S1|P1v3...] [-app module:callable] [-worker-class K] [-profile cpu|mixed|io] [-platform appservice|container|plain] [-o FILE]
  gunicornconf explain -sku S1 [-platform P] [-startup CMD] FILE
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "lint":
		return lint(args[1:], stdout, stderr)
	case "generate":
		return generate(args[1:], stdout, stderr)
	case "explain":
		return explain(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "gunicornconf: unknown command %q\n%s", args[0], usage)
	return 2
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gunicornconf "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// jsonFinding is the contract's JSON schema for one finding.
type jsonFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Line     int    `json:"line"`
	Setting  string `json:"setting"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

func lint(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lint", stderr)
	format := fs.String("format", "text", "output format: text, json, sarif or github")
	workerClass := fs.String("worker-class", "", "worker class assumed when the file sets none (e.g. passed with -k)")
	platform := fs.String("platform", "appservice-container", "where gunicorn runs: appservice-container, appservice-code, container or plain")
	version := fs.String("gunicorn-version", gunicornconf.DefaultVersion.String(), "gunicorn version that reads the file")
	startup := fs.String("startup", "", "the command that starts gunicorn (e.g. the App Service startup command)")
	cmdArgs := fs.String("cmd-args", "", "GUNICORN_CMD_ARGS as gunicorn sees it; \"-\" for unset (default on appservice: Oryx's)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "gunicornconf lint: want one FILE\n%s", usage)
		return 2
	}
	startArgs, err := startupArgs(*startup)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	p, err := gunicornconf.ParsePlatform(*platform)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	v, err := gunicornconf.ParseVersion(*version)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	file := fs.Arg(0)
	cfg, err := load(file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	findings := cfg.Validate(gunicornconf.Options{Version: v, Platform: p, WorkerClass: *workerClass, Args: startArgs, CmdArgsEnv: *cmdArgs})
	results := make([]report.Result, len(findings))
	for i, f := range findings {
		results[i] = f.Result(file)
	}
	switch *format {
	case "text":
		err = report.WriteText(stdout, results)
	case "github":
		err = report.WriteGitHub(stdout, results)
	case "sarif":
		err = report.WriteSARIF(stdout, report.Tool{Name: "deploykit-gunicornconf", InformationURI: "https://github.com/deploykit/deploykit"}, gunicornconf.Rules(), results)
	case "json":
		out := struct {
			Findings []jsonFinding `json:"findings"`
		}{Findings: []jsonFinding{}}
		for _, f := range findings {
			out.Findings = append(out.Findings, jsonFinding{Rule: f.Rule, Severity: string(f.Severity), Line: f.Line, Setting: f.Setting, Message: f.Message, Fix: f.Fix})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	default:
		fmt.Fprintf(stderr, "gunicornconf lint: unknown format %q (want text, json, sarif or github)\n", *format)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if gunicornconf.HasErrors(findings) {
		return 1
	}
	return 0
}

// startupArgs splits a startup command and drops the program name.
func startupArgs(cmd string) ([]string, error) {
	if strings.TrimSpace(cmd) == "" {
		return nil, nil
	}
	words, err := gunicornconf.SplitShell(cmd)
	if err != nil {
		return nil, err
	}
	for len(words) > 0 && !strings.HasPrefix(words[0], "-") {
		prog := words[0]
		words = words[1:]
		if strings.HasSuffix(prog, "gunicorn") {
			break
		}
	}
	return words, nil
}

func load(file string) (*gunicornconf.Config, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	cfg, err := gunicornconf.Load(file, src)
	var pe *gunicornconf.ParseError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%w (gunicorn would stop with a SyntaxError)", err)
	}
	return cfg, err
}

func generate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", stderr)
	skuName := fs.String("sku", "", "App Service plan (B1..P3v3); empty: size at runtime from cgroup limits")
	app := fs.String("app", "app:app", "WSGI application, module:callable")
	workerClass := fs.String("worker-class", "", "worker class (default: gthread, or sync for -profile cpu)")
	profile := fs.String("profile", "mixed", "I/O profile: cpu, mixed or io")
	platform := fs.String("platform", "appservice-container", "appservice-container, appservice-code, container or plain")
	perWorker := fs.Int("per-worker-mb", gunicornconf.DefaultPerWorkerMB, "memory budget per worker, MB")
	out := fs.String("o", "", "write the file here (default: stdout)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gunicornconf generate: unexpected arguments %v\n", fs.Args())
		return 2
	}
	p, err := gunicornconf.ParsePlatform(*platform)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	o := gunicornconf.RenderOptions{App: *app, WorkerClass: *workerClass, Profile: gunicornconf.IOProfile(*profile), Platform: p, PerWorkerMB: *perWorker}
	if *skuName != "" {
		sku, ok := gunicornconf.LookupSKU(*skuName)
		if !ok {
			fmt.Fprintf(stderr, "gunicornconf generate: unknown SKU %q (known: %s)\n", *skuName, skuNames())
			return 2
		}
		o.SKU = &sku
	}
	r, err := gunicornconf.Render(o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *out == "" {
		_, err = stdout.Write(r.Config)
	} else {
		if err = os.WriteFile(*out, r.Config, 0o644); err == nil {
			fmt.Fprintf(stdout, "wrote %s\nstartup command: %s\n", *out, r.StartupCommand)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return 0
}

func skuNames() string {
	var names []string
	for _, s := range gunicornconf.SKUs() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func explain(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explain", stderr)
	skuName := fs.String("sku", "", "App Service plan (B1..P3v3), required")
	platform := fs.String("platform", "appservice-container", "appservice-container, appservice-code, container or plain")
	workerClass := fs.String("worker-class", "", "worker class assumed when the file sets none")
	startup := fs.String("startup", "", "the command that starts gunicorn (e.g. the App Service startup command)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	startArgs, err := startupArgs(*startup)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if fs.NArg() != 1 || *skuName == "" {
		fmt.Fprintf(stderr, "gunicornconf explain: want -sku SKU and one FILE\n%s", usage)
		return 2
	}
	sku, ok := gunicornconf.LookupSKU(*skuName)
	if !ok {
		fmt.Fprintf(stderr, "gunicornconf explain: unknown SKU %q (known: %s)\n", *skuName, skuNames())
		return 2
	}
	p, err := gunicornconf.ParsePlatform(*platform)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, err := load(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := gunicornconf.Explain(stdout, cfg, gunicornconf.ExplainOptions{SKU: sku, Validate: gunicornconf.Options{Platform: p, WorkerClass: *workerClass, Args: startArgs}}); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return 0
}

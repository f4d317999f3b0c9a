// Command gunicornconf lints, generates and explains gunicorn.conf.py files
// with deploykit's gunicornconf package.
//
//	gunicornconf lint FILE [-platform P] [-gunicorn-version V] [-startup CMD] [-cmd-args ARGS] [-worker-class K] [-format text|json|sarif|github] [-fail-on error|warning|info] [-fix|-diff] [-q|-v]
//	gunicornconf generate [-sku B1|S1|P1v3...] [-app module:callable] [-worker-class K] [-profile cpu|mixed|io] [-platform P] [-o FILE]
//	gunicornconf explain FILE -sku S1 [-platform P] [-startup CMD] [-worker-class K]
//	gunicornconf versions
//
// Platforms: appservice-container (the default: a custom container on App
// Service, what deploykit deploys), appservice-code (App Service's built-in
// Python, started by Oryx), container, plain. Exit codes: 0 clean, 1
// findings at or above -fail-on, 2 usage errors, unreadable files and
// files that are not valid Python.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/gunicornconf"
	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/internal/report"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the testable entry point.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(), args, stdout, stderr)
}

// defaultPlatform is the one default every verb shares.
const defaultPlatform = string(gunicornconf.PlatformAppServiceContainer)

const platformHelp = "where gunicorn runs: appservice-container (custom container on App Service), appservice-code (App Service built-in Python, started by Oryx), container or plain"

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "gunicornconf",
		Short: "Lint, generate and explain gunicorn.conf.py files",
		Long: "gunicornconf checks a gunicorn.conf.py against the settings of a gunicorn release and the platform it runs on (lint),\n" +
			"writes one sized for an App Service plan (generate), tells what gunicorn will really run (explain),\n" +
			"and lists the gunicorn releases it has a catalogue for (versions).",
		SilenceUsage: true,
	}
	root.AddCommand(lintCmd(), generateCmd(), explainCmd(), versionsCmd())
	return root
}

type lintFlags struct {
	format, failOn, workerClass, platform, version, startup, cmdArgs string
	cli.FixFlags
}

func lintCmd() *cobra.Command {
	f := &lintFlags{}
	c := &cobra.Command{
		Use:   "lint FILE",
		Short: "Report settings gunicorn ignores, rejects or that behave differently than written",
		Long: "lint parses FILE as Python (syntax errors exit 2 with line:col), then checks every setting against the catalogue of the\n" +
			"target gunicorn release and the platform's rules. Findings print in -format; exit 1 when one is at or above -fail-on.\n" +
			"-fix applies the mechanical fixes in place (misspelt setting names, `name: value` annotations); -diff prints them.",
		Args: cli.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return runLint(c, f, args[0]) },
	}
	fl := c.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fl.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning or info")
	fl.StringVar(&f.workerClass, "worker-class", "", "worker class assumed when neither the file nor -startup sets one")
	fl.StringVar(&f.platform, "platform", defaultPlatform, platformHelp)
	fl.StringVar(&f.version, "gunicorn-version", gunicornconf.DefaultVersion().String(), "gunicorn release that reads the file (see 'gunicornconf versions')")
	fl.StringVar(&f.startup, "startup", "", "the command that starts gunicorn (App Service startup command or the image's CMD)")
	fl.StringVar(&f.cmdArgs, "cmd-args", "", "GUNICORN_CMD_ARGS as gunicorn sees it; \"-\" for unset (default on appservice-code: Oryx's)")
	f.Register(fl, cli.FixHelp{
		Fix:     "apply the mechanical fixes to FILE in place, then lint again",
		Diff:    "print the mechanical fixes as a unified diff instead of applying them",
		Quiet:   "print only findings at or above -fail-on",
		Verbose: "also print the catalogue gaps of the target release",
	})
	return c
}

func validateOptions(platform, version, workerClass, startup, cmdArgs string) (gunicornconf.Options, error) {
	p, err := gunicornconf.ParsePlatform(platform)
	if err != nil {
		return gunicornconf.Options{}, cli.Usagef("-platform: %v", err)
	}
	o := gunicornconf.Options{Platform: p, WorkerClass: workerClass, CmdArgsEnv: cmdArgs}
	if version != "" {
		if o.Version, err = gunicornconf.ParseVersion(version); err != nil {
			return o, cli.Usagef("-gunicorn-version: %v", err)
		}
	}
	if o.Args, err = startupArgs(startup); err != nil {
		return o, cli.Usagef("-startup: %v", err)
	}
	return o, nil
}

func runLint(c *cobra.Command, f *lintFlags, file string) error {
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return cli.Usagef("-format: %v", err)
	}
	threshold, err := report.ParseSeverity(f.failOn)
	if err != nil {
		return cli.Usagef("-fail-on: %v", err)
	}
	if err := f.Validate(); err != nil {
		return err
	}
	opts, err := validateOptions(f.platform, f.version, f.workerClass, f.startup, f.cmdArgs)
	if err != nil {
		return err
	}
	findings, err := lintFile(file, opts)
	if err != nil {
		return err
	}
	done, changed, err := f.Apply(c, gunicornconf.Diagnostics(findings))
	if err != nil || done {
		return err
	}
	if changed {
		if findings, err = lintFile(file, opts); err != nil {
			return err
		}
	}
	if f.Verbose {
		v := opts.Version
		if v == (gunicornconf.Version{}) {
			v = gunicornconf.DefaultVersion()
		}
		for _, g := range gunicornconf.Gaps(v) {
			fmt.Fprintf(stderr, "gunicornconf: catalogue gap for %s: %s\n", v, g)
		}
	}
	findings = cli.Shown(&f.FixFlags, findings, threshold, func(x gunicornconf.Finding) report.Severity { return x.Severity })
	switch format {
	case report.FormatJSON:
		out := struct {
			SchemaVersion int                    `json:"schemaVersion"`
			Tool          string                 `json:"tool"`
			Findings      []gunicornconf.Finding `json:"findings"`
		}{report.SchemaVersion, "gunicornconf", findings}
		if out.Findings == nil {
			out.Findings = []gunicornconf.Finding{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	default:
		tool := report.Tool{Name: "deploykit-gunicornconf", InformationURI: "https://github.com/deploykit/deploykit"}
		err = report.Write(stdout, format, tool, gunicornconf.Rules(), gunicornconf.Diagnostics(findings))
	}
	if err != nil {
		return err
	}
	if report.AtOrAbove(gunicornconf.Diagnostics(findings), threshold) {
		return cli.Findings()
	}
	return nil
}

func lintFile(file string, opts gunicornconf.Options) ([]gunicornconf.Finding, error) {
	cfg, err := load(file)
	if err != nil {
		return nil, err
	}
	return cfg.Validate(opts), nil
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

// load reads and parses a file; every failure is an exit-2 error.
func load(file string) (*gunicornconf.Config, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	cfg, err := gunicornconf.Load(file, src)
	if err != nil {
		var b strings.Builder
		b.WriteString(err.Error())
		var pe *gunicornconf.ParseError
		if asParseError(err, &pe) && len(pe.Errors) > 1 {
			for _, e := range pe.Errors[1:] {
				fmt.Fprintf(&b, "\n%s:%d:%d: %s", file, e.Line, e.Column, e.Msg)
			}
		}
		b.WriteString("\n(gunicorn would stop with a SyntaxError before reading any setting)")
		return nil, cli.Usagef("%s", b.String())
	}
	return cfg, nil
}

func asParseError(err error, pe **gunicornconf.ParseError) bool {
	p, ok := err.(*gunicornconf.ParseError)
	if ok {
		*pe = p
	}
	return ok
}

func generateCmd() *cobra.Command {
	var skuName, app, workerClass, profile, platform, out string
	var perWorker int
	c := &cobra.Command{
		Use:   "generate",
		Short: "Write a gunicorn.conf.py sized for an App Service plan, or sized at runtime from cgroup limits",
		Args:  cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := gunicornconf.ParsePlatform(platform)
			if err != nil {
				return cli.Usagef("-platform: %v", err)
			}
			o := gunicornconf.RenderOptions{App: app, WorkerClass: workerClass, Profile: gunicornconf.IOProfile(profile), Platform: p, PerWorkerMB: perWorker}
			if skuName != "" {
				sku, ok := gunicornconf.LookupSKU(skuName)
				if !ok {
					return cli.Usagef("-sku: unknown SKU %q (known: %s)", skuName, skuNames())
				}
				o.SKU = &sku
			}
			r, err := gunicornconf.Render(o)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			if out == "" {
				_, err = c.OutOrStdout().Write(r.Config)
				return err
			}
			if err := os.WriteFile(out, r.Config, 0o644); err != nil {
				return cli.Usagef("%v", err)
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %s\nstartup command: %s\n", out, r.StartupCommand)
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&skuName, "sku", "", "App Service plan (B1..P3v3); empty: size at runtime from cgroup limits")
	fl.StringVar(&app, "app", "app:app", "WSGI application, module:callable")
	fl.StringVar(&workerClass, "worker-class", "", "worker class (default: gthread, or sync for -profile cpu)")
	fl.StringVar(&profile, "profile", "mixed", "I/O profile: cpu, mixed or io")
	fl.StringVar(&platform, "platform", defaultPlatform, platformHelp)
	fl.IntVar(&perWorker, "per-worker-mb", gunicornconf.DefaultPerWorkerMB, "memory budget per worker, MB")
	fl.StringVarP(&out, "output", "o", "", "write the file here (default: stdout)")
	return c
}

func skuNames() string {
	var names []string
	for _, s := range gunicornconf.SKUs() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func explainCmd() *cobra.Command {
	var skuName, platform, workerClass, startup, version string
	c := &cobra.Command{
		Use:   "explain FILE -sku SKU",
		Short: "Say what gunicorn will really run from FILE on an App Service plan, and what deploykit would size instead",
		Args:  cli.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if skuName == "" {
				return cli.Usagef("explain: -sku is required (known: %s)", skuNames())
			}
			sku, ok := gunicornconf.LookupSKU(skuName)
			if !ok {
				return cli.Usagef("-sku: unknown SKU %q (known: %s)", skuName, skuNames())
			}
			opts, err := validateOptions(platform, version, workerClass, startup, "")
			if err != nil {
				return err
			}
			cfg, err := load(args[0])
			if err != nil {
				return err
			}
			return gunicornconf.Explain(c.OutOrStdout(), cfg, gunicornconf.ExplainOptions{SKU: sku, Validate: opts})
		},
	}
	fl := c.Flags()
	fl.StringVar(&skuName, "sku", "", "App Service plan (B1..P3v3), required")
	fl.StringVar(&platform, "platform", defaultPlatform, platformHelp)
	fl.StringVar(&workerClass, "worker-class", "", "worker class assumed when neither the file nor -startup sets one")
	fl.StringVar(&startup, "startup", "", "the command that starts gunicorn")
	fl.StringVar(&version, "gunicorn-version", gunicornconf.DefaultVersion().String(), "gunicorn release that reads the file")
	return c
}

func versionsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "versions",
		Short: "List the gunicorn releases the catalogue knows, and what it cannot decide for each",
		Args:  cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			for _, v := range gunicornconf.Versions() {
				gaps := gunicornconf.Gaps(v)
				state := "exact (gunicorn's config.py or its notes decide every setting)"
				if len(gaps) > 0 {
					state = fmt.Sprintf("%d setting(s) not modelled: %s", len(gaps), strings.Join(gaps, "; "))
				}
				fmt.Fprintf(c.OutOrStdout(), "%s\t%s\n", v, state)
			}
			return nil
		},
	}
}

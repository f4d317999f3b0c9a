// Command appservice plans and applies an Azure App Service app's owned
// settings, plans and simulates its autoscale rules, and deploys an image
// blue/green with a health gate, using deploykit's appservice package.
//
//	appservice plan -spec site.json [-current state.json] [-out plan.json] [-format text|json] [-detailed-exitcode]
//	appservice apply -spec site.json [-plan plan.json] [-format text|json]
//	appservice autoscale plan|apply -spec site.json [-current state.json] [-plan plan.json]
//	appservice autoscale simulate -spec site.json -trace cpu.csv [-trace-instances N] [-format text|json] [-q]
//	appservice deploy -spec site.json -slot staging -image REF -health /healthz [-preview] [-format text|json]
//
// Exit codes: 0 clean (plan: no changes), 1 an error from Azure, the spec or
// a failed deploy, 2 usage or I/O errors; plan -detailed-exitcode exits 2
// when there are changes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/appservice"
	"github.com/deploykit/deploykit/internal/cli"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// env is what the commands take from outside; tests replace it.
type env struct {
	armOptions *arm.ClientOptions
	credential azcore.TokenCredential
	poll       time.Duration
}

func run(args []string, stdout, stderr io.Writer) int {
	return runWith(env{}, args, stdout, stderr)
}

func runWith(e env, args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(e), args, stdout, stderr)
}

func newRoot(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "appservice",
		Short: "App Service as reviewable plan/apply, autoscale that cannot flap, health-gated blue/green",
		Long: `appservice manages an Azure App Service app (Linux container) from a desired-state
JSON file (-spec site.json).

  plan       show what apply would change: owned fields only, old -> new, app setting
             values masked, restart and cost marks; offline with -current state.json
  apply      make the owned settings match (PATCH only changed fields, settings merged)
  autoscale  plan, apply or simulate the plan's autoscale setting over a CSV trace
  deploy     blue/green: slot image, warm-up, swap (or swap with preview), verify,
             automatic swap-back

Credentials: azidentity's DefaultAzureCredential (environment, managed identity,
Azure CLI login). The subscription comes from the spec's target.

Exit codes: 0 clean, 1 errors from Azure or the spec and failed deploys, 2 usage
or I/O errors; plan -detailed-exitcode exits 2 when there are changes.`,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	as := &cobra.Command{
		Use:   "autoscale",
		Short: "plan, apply or simulate the plan's autoscale setting",
		Long: `autoscale plan|apply works like plan|apply restricted to the autoscale setting.
autoscale simulate replays a CSV metric trace (header time,CpuPercentage; time in
minutes from start or RFC 3339) through Azure's autoscale engine and prints every
scale event and every flap the projection guard prevented.`,
	}
	as.AddCommand(planCmd(e, true), applyCmd(e, true), simulateCmd())
	root.AddCommand(planCmd(e, false), applyCmd(e, false), as, deployCmd(e))
	return root
}

func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return cli.Usagef("unknown format %q (want text or json)", f)
	}
	return nil
}

// failed turns an error from the package into exit 1; I/O errors on files
// the user named stay exit 2.
func failed(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &cli.ExitError{Code: cli.ExitUsage, Err: err}
	}
	return cli.Failed(err)
}

func loadSpec(path string, autoscaleOnly bool) (*appservice.Spec, error) {
	if path == "" {
		return nil, cli.Usagef("-spec site.json is required")
	}
	s, err := appservice.LoadSpec(path)
	if err != nil {
		return nil, failed(err)
	}
	if autoscaleOnly {
		if s.Autoscale == nil {
			return nil, cli.Failed(fmt.Errorf("%s has no autoscale section", path))
		}
		s = s.AutoscaleOnly()
	}
	return s, nil
}

func (e env) client(spec *appservice.Spec) (*appservice.Client, error) {
	c, err := appservice.NewClient(spec.Target.Subscription, e.credential, &appservice.Options{ClientOptions: e.armOptions, PollFrequency: e.poll})
	if err != nil {
		return nil, cli.Failed(err)
	}
	return c, nil
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func planCmd(e env, autoscaleOnly bool) *cobra.Command {
	var specFile, currentFile, out, format string
	var detailed, reveal bool
	c := &cobra.Command{
		Use:   "plan -spec site.json [-current state.json]",
		Short: "show what apply would change (owned fields only, old -> new, restart and cost marks)",
		Long: `plan reads the owned resources (from Azure, or from -current state.json for an
offline plan that needs no credentials) and prints the changes Terraform-style.
-out saves the plan as JSON for apply -plan, which refuses it once the state moved.
App setting values are never printed.`,
		Args: cli.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			spec, err := loadSpec(specFile, autoscaleOnly)
			if err != nil {
				return err
			}
			var p *appservice.Plan
			if currentFile != "" {
				st, err := appservice.LoadState(currentFile)
				if err != nil {
					return failed(err)
				}
				if p, err = appservice.Diff(st, spec); err != nil {
					return cli.Failed(err)
				}
			} else {
				c, err := e.client(spec)
				if err != nil {
					return err
				}
				ctx, cancel := signalContext()
				defer cancel()
				if p, _, err = c.Plan(ctx, spec); err != nil {
					return cli.Failed(err)
				}
			}
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return &cli.ExitError{Code: cli.ExitUsage, Err: err}
				}
				if err := p.WriteJSON(f); err != nil {
					f.Close()
					return &cli.ExitError{Code: cli.ExitUsage, Err: err}
				}
				if err := f.Close(); err != nil {
					return &cli.ExitError{Code: cli.ExitUsage, Err: err}
				}
			}
			w := cmd.OutOrStdout()
			if format == "json" {
				err = p.WriteJSON(w)
			} else {
				err = p.WriteText(w, appservice.TextOptions{RevealSensitive: false, ShowUnchanged: reveal})
			}
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: err}
			}
			if code := appservice.ExitCode(p, nil, detailed); code != 0 {
				return &cli.ExitError{Code: code}
			}
			return nil
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state JSON file (required)")
	c.Flags().StringVar(&currentFile, "current", "", "saved state JSON: plan offline, without credentials")
	c.Flags().StringVar(&out, "out", "", "save the plan as JSON for apply -plan")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes (0 none, 1 error)")
	c.Flags().BoolVar(&reveal, "show-unchanged", false, "list resources without changes too")
	return c
}

func applyCmd(e env, autoscaleOnly bool) *cobra.Command {
	var specFile, planFile, format string
	c := &cobra.Command{
		Use:   "apply -spec site.json [-plan plan.json]",
		Short: "make the owned settings match the spec, writing only what changed",
		Long: `apply reads the owned resources again and writes only what changed: the site config
by PATCH of the changed fields, app settings by list-merge-PUT (other keys kept), sticky
names merged, the SKU by plan GET-edit-PUT, the autoscale setting. With -plan it applies
a plan saved by plan -out and refuses it when the resources or the spec changed since.`,
		Args: cli.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			spec, err := loadSpec(specFile, autoscaleOnly)
			if err != nil {
				return err
			}
			var saved *appservice.Plan
			if planFile != "" {
				f, err := os.Open(planFile)
				if err != nil {
					return &cli.ExitError{Code: cli.ExitUsage, Err: err}
				}
				saved, err = appservice.ReadPlanJSON(f)
				f.Close()
				if err != nil {
					return cli.Failed(fmt.Errorf("%s: %w", planFile, err))
				}
			}
			c, err := e.client(spec)
			if err != nil {
				return err
			}
			ctx, cancel := signalContext()
			defer cancel()
			res, err := c.Apply(ctx, spec, saved)
			if err != nil {
				return cli.Failed(err)
			}
			w := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(w, map[string]any{"writes": res.Writes, "written": res.Written, "summary": res.Plan.Summary()})
			}
			if res.Writes == 0 {
				fmt.Fprintln(w, "No changes. Nothing was written.")
				return nil
			}
			s := res.Plan.Summary()
			fmt.Fprintf(w, "Apply complete! Resources: %d created, %d changed, %d destroyed (%d write requests).\n", s.Create, s.Modify, s.Delete, res.Writes)
			return nil
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state JSON file (required)")
	c.Flags().StringVar(&planFile, "plan", "", "apply exactly this saved plan (refused when stale)")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return c
}

func simulateCmd() *cobra.Command {
	var specFile, traceFile, format string
	var traceInstances int
	var quiet bool
	c := &cobra.Command{
		Use:   "simulate -spec site.json -trace cpu.csv",
		Short: "replay a metric trace through Azure's autoscale engine",
		Long: `simulate replays the trace through the spec's autoscale rules: scale-out when any
rule fires, scale-in only when all do, the cooldowns, and the projection guard that
skips or reduces a scale-in that would trip a scale-out. The trace's values are
taken as measured with -trace-instances instances (default: the setting's default)
under constant total load, Azure's own assumption. Rules that validation would
reject for flapping are simulated anyway, with a warning.`,
		Args: cli.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if specFile == "" || traceFile == "" {
				return cli.Usagef("simulate: -spec and -trace are required")
			}
			spec, err := appservice.LoadSpec(specFile)
			if err != nil {
				var se *appservice.SpecError
				var te *appservice.TierError
				if !errors.As(err, &se) && !errors.As(err, &te) {
					return failed(err)
				}
				// Advice (flapping margins) or the tier must not stop a
				// simulation: use the autoscale section as written;
				// Simulate still rejects what Azure would refuse.
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err)
				if spec, err = loadLenient(specFile); err != nil {
					return failed(err)
				}
			}
			if spec.Autoscale == nil {
				return cli.Failed(fmt.Errorf("%s has no autoscale section", specFile))
			}
			f, err := os.Open(traceFile)
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: err}
			}
			defer f.Close()
			tr, err := appservice.ParseTrace(traceFile, f)
			if err != nil {
				return cli.Failed(err)
			}
			res, err := appservice.Simulate(spec.Autoscale, tr, appservice.SimulateOptions{TraceInstances: traceInstances})
			if err != nil {
				return cli.Failed(err)
			}
			w := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(w, res)
			}
			if quiet {
				_, err = fmt.Fprintf(w, "final %d instances; %d scale events, %d flaps prevented\n", res.Final, len(res.Events), len(res.Prevented))
				return err
			}
			return res.WriteText(w)
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state JSON file with an autoscale section (required)")
	c.Flags().StringVar(&traceFile, "trace", "", "CSV metric trace (required)")
	c.Flags().IntVar(&traceInstances, "trace-instances", 0, "instance count the trace was recorded at (default: autoscale.default)")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the summary line")
	return c
}

// loadLenient decodes the spec without validation, for simulate.
func loadLenient(path string) (*appservice.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s appservice.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

func deployCmd(e env) *cobra.Command {
	var specFile, slot, image, health, format string
	var preview bool
	var warmup, verify time.Duration
	c := &cobra.Command{
		Use:   "deploy -spec site.json -slot staging -image REF -health /healthz [-preview]",
		Short: "blue/green deploy with warm-up, swap, verification and automatic swap-back",
		Long: `deploy sets the slot's image and owned config (creating the slot, Standard tier or
higher), warms it up until 3 consecutive 2xx from the health path (a redirect, a
Django DisallowedHost 400 or a timeout is reported by cause), swaps it into
production (-preview: apply production's settings to the slot, verify, then complete
or reset), verifies production for -verify and swaps back when it fails. Ctrl-C
leaves production on the old version with no preview pending.`,
		Args: cli.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if image == "" {
				return cli.Usagef("deploy: -image is required")
			}
			spec, err := loadSpec(specFile, false)
			if err != nil {
				return err
			}
			c, err := e.client(spec)
			if err != nil {
				return err
			}
			ctx, cancel := signalContext()
			defer cancel()
			w := cmd.OutOrStdout()
			opts := appservice.DeployOptions{Slot: slot, Image: image, HealthPath: health, Preview: preview,
				Warmup: appservice.WarmupOptions{Timeout: warmup}, Verify: appservice.VerifyOptions{Window: verify}}
			if format == "text" {
				opts.Progress = func(ev appservice.Event) {
					if ev.Status != "start" {
						fmt.Fprintf(cmd.ErrOrStderr(), "%-8s %-6s %s\n", ev.Step, ev.Status, ev.Message)
					}
				}
			}
			res, derr := c.Deploy(ctx, spec, opts)
			if res != nil {
				if format == "json" {
					if err := writeJSON(w, res); err != nil {
						return &cli.ExitError{Code: cli.ExitUsage, Err: err}
					}
				} else {
					fmt.Fprintf(w, "production: %s (%s version); swapped: %t; rolled back: %t; preview pending: %t\n",
						res.Final.Production, res.Final.Version, res.Swapped, res.RolledBack, res.Final.PreviewPending)
				}
			}
			if derr != nil {
				return cli.Failed(derr)
			}
			return nil
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state JSON file (required)")
	c.Flags().StringVar(&slot, "slot", "staging", "staging slot (created when missing)")
	c.Flags().StringVar(&image, "image", "", "new container image reference (required)")
	c.Flags().StringVar(&health, "health", "", "health path to probe (default: the spec's healthCheckPath, else /)")
	c.Flags().BoolVar(&preview, "preview", false, "swap with preview: apply production's settings to the slot and verify first")
	c.Flags().DurationVar(&warmup, "warmup", 5*time.Minute, "warm-up timeout")
	c.Flags().DurationVar(&verify, "verify", 2*time.Minute, "post-swap verification window")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return c
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

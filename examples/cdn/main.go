// Command cdn sets up Azure Front Door for a Django app's static files with
// deploykit's cdn package, proves the cache headers over HTTP, purges what
// changed, uploads collectstatic output to Blob Storage and estimates cost.
//
//	cdn plan -spec cdn.json [-current state.json] [-out plan.json] [-format text|json]
//	cdn apply -spec cdn.json [-plan plan.json]
//	cdn verify -base URL -manifest staticfiles.json [-format text|json] [-edge] [-q]
//	cdn purge -old OLD.json -new NEW.json [-dry-run] [-profile P -endpoint E -resource-group RG]
//	cdn upload -dir staticfiles/ -container URL [-prefix static] [-precompressed] [-delete-stale]
//	cdn cost -gb 500 -requests 20000000 [-origin-gb N] [-rules N]
//	cdn settings [-django 3.2|4.2]
//	cdn check settings.py [-django 3.2] [-format text|json|sarif|github] [-fail-on warning]
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/spf13/cobra"

	"github.com/deploykit/deploykit/cdn"
	"github.com/deploykit/deploykit/internal/cli"
	"github.com/deploykit/deploykit/internal/plan"
	"github.com/deploykit/deploykit/internal/report"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// env gives the commands what they take from outside: ARM clients and the
// environment. Tests replace it.
type env struct {
	armOptions *arm.ClientOptions
	credential azcore.TokenCredential
	getenv     func(string) string
}

func run(args []string, stdout, stderr io.Writer) int {
	return runWith(env{getenv: os.Getenv}, args, stdout, stderr)
}

func runWith(e env, args []string, stdout, stderr io.Writer) int {
	return cli.Run(newRoot(e), args, stdout, stderr)
}

func newRoot(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "cdn",
		Short: "Azure Front Door for Django static files: plan/apply, verify headers, purge, upload, cost, settings",
		Long: `cdn sets up Azure Front Door Standard/Premium in front of an App Service app's
static files, proves the cache headers over real HTTP, purges only what changed,
uploads collectstatic output to Blob Storage and estimates the monthly cost.

Azure CDN Standard from Microsoft (classic) takes no new profiles and retires on
2027-09-30: cdn plans existing classic profiles, never creates one.

Exit codes: 0 clean, 1 findings or failed checks (plan -detailed-exitcode: 2 =
changes), 2 usage or I/O errors.`,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(planCmd(e), applyCmd(e), verifyCmd(), purgeCmd(e), uploadCmd(e), costCmd(), settingsCmd(), checkCmd())
	return root
}

func formatFlag(c *cobra.Command, p *string, allowed string) {
	c.Flags().StringVar(p, "format", "text", "output format: "+allowed)
}

func checkFormat(f string, allowed ...string) error {
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return cli.Usagef("unknown format %q (want %s)", f, strings.Join(allowed, ", "))
}

func subscription(e env, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if s := e.getenv("AZURE_SUBSCRIPTION_ID"); s != "" {
		return s, nil
	}
	return "", cli.Usagef("no subscription: pass -subscription or set AZURE_SUBSCRIPTION_ID")
}

func clients(e env, sub string) (*cdn.Clients, *armcdn.ClientFactory, error) {
	cred := e.credential
	if cred == nil {
		c, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("azure credential: %w", err)
		}
		cred = c
	}
	f, err := armcdn.NewClientFactory(sub, cred, e.armOptions)
	if err != nil {
		return nil, nil, err
	}
	return cdn.NewClients(f), f, nil
}

func planCmd(e env) *cobra.Command {
	var specFile, currentFile, out, format, sub string
	var detailed bool
	c := &cobra.Command{
		Use:   "plan -spec cdn.json [-current state.json]",
		Short: "show what apply would change (owned fields only, old -> new, cost marks)",
		Long: `plan reads the desired state (-spec) and the current state (from Azure, or from
-current state.json for an offline plan) and prints the changes Terraform-style.
-out saves the plan (JSON) for apply -plan, which refuses it once the state moved.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if specFile == "" {
				return cli.Usagef("plan: -spec is required")
			}
			s, err := cdn.ReadSpec(specFile)
			if err != nil {
				return err
			}
			var cur *cdn.State
			if currentFile != "" {
				b, err := os.ReadFile(currentFile)
				if err != nil {
					return err
				}
				cur = &cdn.State{}
				if err := json.Unmarshal(b, cur); err != nil {
					return fmt.Errorf("%s: not a saved state: %w", currentFile, err)
				}
				if sub == "" {
					sub = e.getenv("AZURE_SUBSCRIPTION_ID")
				}
			} else {
				if sub, err = subscription(e, sub); err != nil {
					return err
				}
				cl, _, err := clients(e, sub)
				if err != nil {
					return err
				}
				if cur, err = cdn.ReadState(c.Context(), cl, s); err != nil {
					return err
				}
			}
			p, err := cdn.PlanChanges(s, cur, sub)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			if format == "json" {
				err = p.Changes.WriteJSON(w)
			} else {
				err = p.WriteText(w, plan.TextOptions{})
			}
			if err != nil {
				return err
			}
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				if err := p.Changes.WriteJSON(f); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			if detailed && p.Changes.HasChanges() {
				return &cli.ExitError{Code: 2}
			}
			return nil
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state (JSON)")
	c.Flags().StringVar(&currentFile, "current", "", "current state (JSON, as ARM returns it) instead of reading Azure")
	c.Flags().StringVar(&out, "out", "", "save the plan here for apply -plan")
	c.Flags().StringVar(&sub, "subscription", "", "subscription ID (default $AZURE_SUBSCRIPTION_ID)")
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes")
	formatFlag(c, &format, "text or json")
	return c
}

func applyCmd(e env) *cobra.Command {
	var specFile, planFile, sub string
	c := &cobra.Command{
		Use:   "apply -spec cdn.json [-plan plan.json]",
		Short: "create missing resources and PATCH changed owned fields",
		Long: `apply reads Azure, computes the plan for -spec, and carries it out. With -plan
(from plan -out) it first refuses a stale plan: the owned state changed, or the
spec no longer gives the same review. Classic profiles are never changed.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if specFile == "" {
				return cli.Usagef("apply: -spec is required")
			}
			s, err := cdn.ReadSpec(specFile)
			if err != nil {
				return err
			}
			if sub, err = subscription(e, sub); err != nil {
				return err
			}
			cl, _, err := clients(e, sub)
			if err != nil {
				return err
			}
			cur, err := cdn.ReadState(c.Context(), cl, s)
			if err != nil {
				return err
			}
			p, err := cdn.PlanChanges(s, cur, sub)
			if err != nil {
				return err
			}
			if planFile != "" {
				f, err := os.Open(planFile)
				if err != nil {
					return err
				}
				saved, err := plan.ReadJSON(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", planFile, err)
				}
				if err := p.CheckSaved(saved); err != nil {
					return cli.Failed(err)
				}
			}
			if !p.Changes.HasChanges() && !p.Classic {
				fmt.Fprintln(c.OutOrStdout(), "No changes. The owned settings match the desired state.")
				return nil
			}
			if err := cdn.Apply(c.Context(), cl, p); err != nil {
				if errors.Is(err, cdn.ErrClassicProfile) || errors.Is(err, cdn.ErrBlocked) || errors.Is(err, plan.ErrStale) {
					return cli.Failed(err)
				}
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "Apply complete: %s.\n", p.Summary())
			return nil
		},
	}
	c.Flags().StringVar(&specFile, "spec", "", "desired state (JSON)")
	c.Flags().StringVar(&planFile, "plan", "", "saved plan from plan -out; refused when stale")
	c.Flags().StringVar(&sub, "subscription", "", "subscription ID (default $AZURE_SUBSCRIPTION_ID)")
	return c
}

func verifyCmd() *cobra.Command {
	var base, manifest, format, prefix string
	var edge, quiet bool
	var conc, sample int
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "verify -base URL -manifest staticfiles.json",
		Short: "request every hashed file and a sample of unhashed ones; check status and cache headers",
		Long: `verify requests every hashed file of the manifest and a sample of the unhashed
ones from -base (the origin or the Front Door endpoint), and checks status 200,
Cache-Control (public, max-age >= 1 year, immutable for hashed names; at most
3600 s for unhashed ones), Content-Type, compression (Accept-Encoding: br, gzip),
ETag/Last-Modified, CORS for fonts and, with -edge, X-Cache. It exits 1 when a
check fails, naming the file, the header, what was expected and what was seen.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if base == "" || manifest == "" {
				return cli.Usagef("verify: -base and -manifest are required")
			}
			m, err := cdn.ReadManifest(manifest)
			if err != nil {
				return err
			}
			rep, err := cdn.Verify(c.Context(), cdn.VerifyOptions{BaseURL: base, StaticPrefix: prefix, Manifest: m, Edge: edge, Concurrency: conc, Timeout: timeout, UnhashedSample: sample})
			if err != nil {
				return err
			}
			if format == "json" {
				err = rep.WriteJSON(c.OutOrStdout())
			} else {
				err = rep.WriteText(c.OutOrStdout(), quiet)
			}
			if err != nil {
				return err
			}
			if rep.Failed() {
				return cli.Findings()
			}
			return nil
		},
	}
	c.Flags().StringVar(&base, "base", "", "origin or edge base URL, e.g. https://NAME.z01.azurefd.net")
	c.Flags().StringVar(&manifest, "manifest", "", "staticfiles.json from collectstatic")
	c.Flags().StringVar(&prefix, "prefix", "/static/", "STATIC_URL path")
	c.Flags().BoolVar(&edge, "edge", false, "expect Front Door's X-Cache header")
	c.Flags().IntVar(&conc, "concurrency", 8, "requests in flight")
	c.Flags().IntVar(&sample, "sample", 10, "unhashed files to request (-1: all)")
	c.Flags().DurationVar(&timeout, "timeout", 15*time.Second, "timeout per request")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print failures and the summary only")
	formatFlag(c, &format, "text or json")
	return c
}

func purgeCmd(e env) *cobra.Command {
	var oldF, newF, prefix, sub, rg, profile, endpoint, format string
	var dry bool
	c := &cobra.Command{
		Use:   "purge -old OLD.json -new NEW.json [-dry-run]",
		Short: "purge only the unhashed files that changed between two manifests",
		Long: `purge compares the previous deploy's staticfiles.json with the new one and purges,
with AFDEndpointsClient.BeginPurgeContent, only the unhashed paths whose content
changed or that were removed. Hashed files never need purging. Purges are
case-insensitive and ignore query strings.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if oldF == "" || newF == "" {
				return cli.Usagef("purge: -old and -new are required")
			}
			om, err := cdn.ReadManifest(oldF)
			if err != nil {
				return err
			}
			nm, err := cdn.ReadManifest(newF)
			if err != nil {
				return err
			}
			paths := cdn.PurgePaths(om, nm, prefix)
			ep := cdn.Endpoint{ResourceGroup: rg, Profile: profile, Name: endpoint}
			if !dry && len(paths) > 0 {
				if err := ep.Validate(); err != nil {
					return cli.Usagef("purge: %v (pass -resource-group, -profile and -endpoint, or -dry-run)", err)
				}
			}
			w := c.OutOrStdout()
			if format == "json" {
				if paths == nil {
					paths = []cdn.PurgePath{}
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(struct {
					DryRun bool            `json:"dry_run"`
					Paths  []cdn.PurgePath `json:"paths"`
					Note   string          `json:"note"`
				}{dry, paths, cdn.PurgeNote}); err != nil {
					return err
				}
			} else if err := cdn.WritePurgeText(w, paths, dry); err != nil {
				return err
			}
			if dry || len(paths) == 0 {
				return nil
			}
			if sub, err = subscription(e, sub); err != nil {
				return err
			}
			_, f, err := clients(e, sub)
			if err != nil {
				return err
			}
			return cdn.Purge(c.Context(), f.NewAFDEndpointsClient(), ep, paths, cdn.PurgeOptions{})
		},
	}
	c.Flags().StringVar(&oldF, "old", "", "previous deploy's staticfiles.json")
	c.Flags().StringVar(&newF, "new", "", "new staticfiles.json")
	c.Flags().StringVar(&prefix, "prefix", "/static/", "STATIC_URL path")
	c.Flags().BoolVar(&dry, "dry-run", false, "print the paths, purge nothing")
	c.Flags().StringVar(&sub, "subscription", "", "subscription ID (default $AZURE_SUBSCRIPTION_ID)")
	c.Flags().StringVar(&rg, "resource-group", "", "resource group of the profile")
	c.Flags().StringVar(&profile, "profile", "", "Front Door profile")
	c.Flags().StringVar(&endpoint, "endpoint", "", "Front Door endpoint")
	formatFlag(c, &format, "text or json")
	return c
}

func uploadCmd(e env) *cobra.Command {
	var dir, containerURL, prefix string
	var pre, del, quiet bool
	var conc int
	c := &cobra.Command{
		Use:   "upload -dir staticfiles/ -container URL",
		Short: "upload collectstatic output to a Blob container (MD5 skip, resumable)",
		Long: `upload copies collectstatic output to a Blob Storage container with Content-Type,
Cache-Control (immutable for hashed names, 60 s for unhashed ones) and Content-MD5.
Unchanged blobs are skipped by MD5, so a killed upload resumes by running it again.
-container is the container URL; a SAS token in it is used as the credential
(and never printed), otherwise DefaultAzureCredential. -delete-stale removes blobs
with no local file; without it they are only listed.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if dir == "" || containerURL == "" {
				return cli.Usagef("upload: -dir and -container are required")
			}
			u, err := url.Parse(containerURL)
			if err != nil || u.Host == "" {
				return cli.Usagef("upload: -container: want https://ACCOUNT.blob.core.windows.net/CONTAINER[?SAS]")
			}
			var cc *container.Client
			if u.Query().Get("sig") != "" {
				cc, err = container.NewClientWithNoCredential(containerURL, nil)
			} else {
				cred := e.credential
				if cred == nil {
					cred, err = azidentity.NewDefaultAzureCredential(nil)
					if err != nil {
						return fmt.Errorf("azure credential: %w", err)
					}
				}
				cc, err = container.NewClient(containerURL, cred, nil)
			}
			if err != nil {
				return errors.New(scrub(err.Error(), u))
			}
			w := c.OutOrStdout()
			res, err := cdn.Upload(c.Context(), cc, cdn.UploadOptions{Dir: dir, Prefix: prefix, Precompressed: pre, DeleteStale: del, Concurrency: conc,
				Progress: func(p cdn.UploadProgress) {
					if !quiet && p.Action != cdn.Skipped {
						fmt.Fprintf(w, "[%d/%d] %s %s\n", p.Done, p.Total, p.Action, p.Name)
					}
				}})
			if err != nil {
				return errors.New(scrub(err.Error(), u))
			}
			fmt.Fprintf(w, "%d uploaded (%s), %d unchanged, %d deleted, %d stale kept.\n", len(res.Uploaded), report.Bytes(res.Bytes), len(res.Skipped), len(res.Deleted), len(res.Stale))
			for _, s := range res.Stale {
				fmt.Fprintf(w, "stale: %s (pass -delete-stale to remove)\n", s)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "collectstatic output (STATIC_ROOT)")
	c.Flags().StringVar(&containerURL, "container", "", "container URL, optionally with a SAS token")
	c.Flags().StringVar(&prefix, "prefix", "", "blob name prefix, e.g. static")
	c.Flags().BoolVar(&pre, "precompressed", false, "also upload WhiteNoise's .gz/.br siblings with Content-Encoding")
	c.Flags().BoolVar(&del, "delete-stale", false, "delete blobs that have no local file")
	c.Flags().IntVar(&conc, "concurrency", 8, "uploads in flight")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print the summary only")
	return c
}

// scrub removes a SAS token from s.
func scrub(s string, u *url.URL) string {
	if u.RawQuery == "" {
		return s
	}
	return strings.ReplaceAll(s, u.RawQuery, "(SAS removed)")
}

func costCmd() *cobra.Command {
	var gb, requests, originGB, hit float64
	var rules int
	var format string
	c := &cobra.Command{
		Use:   "cost -gb 500 -requests 20000000",
		Short: "estimate the monthly cost of Front Door Standard/Premium, classic CDN and App Service egress",
		Long: `cost prices a month of static-file traffic (GB to clients, requests, rules)
with the embedded price table (list prices with their source and capture date).
-origin-gb defaults to GB * (1 - hit ratio).`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			t := cdn.Prices()
			ests, err := cdn.EstimateCost(t, cdn.Usage{EgressGB: gb, Requests: requests, OriginGB: originGB, CacheHitRatio: hit, Rules: rules})
			if err != nil {
				return cli.Usagef("%v", err)
			}
			if format == "json" {
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Captured  string         `json:"captured"`
					Estimates []cdn.Estimate `json:"estimates"`
				}{t.Captured, ests})
			}
			return cdn.WriteCostText(c.OutOrStdout(), t, ests)
		},
	}
	c.Flags().Float64Var(&gb, "gb", 0, "GB per month sent to clients (1 TB = 1000 GB)")
	c.Flags().Float64Var(&requests, "requests", 0, "requests per month")
	c.Flags().Float64Var(&originGB, "origin-gb", -1, "GB per month the edge pulls from the origin (default from -hit-ratio)")
	c.Flags().Float64Var(&hit, "hit-ratio", 0.95, "cache hit ratio used when -origin-gb is not given")
	c.Flags().IntVar(&rules, "rules", 0, "rules-engine rules")
	formatFlag(c, &format, "text or json")
	return c
}

func settingsCmd() *cobra.Command {
	var django, envName string
	c := &cobra.Command{
		Use:   "settings [-django 3.2|4.2]",
		Short: "print the Django settings snippet for static files behind Front Door",
		Long: `settings prints the settings.py snippet: WhiteNoise's manifest storage with
compression (STATICFILES_STORAGE before Django 4.2, STORAGES from 4.2) and
STATIC_URL from an environment variable that points at the endpoint.`,
		Args: cli.ExactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			v, err := cdn.ParseDjangoVersion(django)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			_, err = io.WriteString(c.OutOrStdout(), cdn.RenderSettings(cdn.SettingsOptions{Django: v, StaticHostEnv: envName}))
			return err
		},
	}
	c.Flags().StringVar(&django, "django", "4.2", "Django version (3.2 uses STATICFILES_STORAGE)")
	c.Flags().StringVar(&envName, "env", "DJANGO_STATIC_HOST", "environment variable holding the endpoint URL")
	return c
}

func checkCmd() *cobra.Command {
	var django, format, failOn string
	var production bool
	c := &cobra.Command{
		Use:   "check settings.py",
		Short: "check a settings module for static-file settings that defeat a CDN",
		Long: `check reads a Django settings module (without running it) and reports
WHITENOISE_MAX_AGE beyond an hour, storages without hashed names, azureedge.net
host names, and, with -django, a storage setting that version ignores. Caching
rules apply only to the module production runs: development and test modules
(by file name, DEBUG = True in an override, if DEBUG / else branches) get a
CDN009 note instead. Pass -production for the module DJANGO_SETTINGS_MODULE
selects in production when its name says otherwise. Run 'cdn settings' for the
fixed snippet.`,
		Args: cli.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			min, err := report.ParseSeverity(failOn)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			var opts cdn.CheckOptions
			if production {
				opts.Role = cdn.RoleProduction
			}
			if django != "" {
				if opts.Django, err = cdn.ParseDjangoVersion(django); err != nil {
					return cli.Usagef("%v", err)
				}
			}
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			diags := cdn.CheckSettings(args[0], src, opts)
			if err := report.Write(c.OutOrStdout(), f, report.Tool{Name: "deploykit-cdn", InformationURI: "https://github.com/deploykit/deploykit"}, cdn.Rules(), diags); err != nil {
				return err
			}
			if report.AtOrAbove(diags, min) {
				return cli.Findings()
			}
			return nil
		},
	}
	c.Flags().StringVar(&django, "django", "", "Django version the settings run on (enables CDN007)")
	c.Flags().BoolVar(&production, "production", false, "check the file as the production settings module, whatever its name")
	c.Flags().StringVar(&failOn, "fail-on", "warning", "exit 1 at or above this severity: info, warning or error")
	formatFlag(c, &format, "text, json, sarif or github")
	return c
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/deploykit/deploykit/internal/report"
)

func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// renderer writes the text and Markdown reports: the same content, two
// dialects.
type renderer struct {
	w  *bufio.Writer
	md bool
}

func (p *renderer) f(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *renderer) heading(s string) {
	if p.md {
		p.f("\n## %s\n\n", s)
	} else {
		p.f("\n== %s %s\n\n", s, strings.Repeat("=", max(0, 74-len(s))))
	}
}

func (p *renderer) sub(s string) {
	if p.md {
		p.f("\n### %s\n\n", s)
	} else {
		p.f("\n-- %s\n", s)
	}
}

func (p *renderer) table(header []string, rows [][]string) {
	if p.md {
		esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
		p.f("| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, r := range rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = esc(c)
			}
			p.f("| %s |\n", strings.Join(cells, " | "))
		}
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func (p *renderer) code(lang, text string) {
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if p.md {
		p.f("```%s\n%s```\n", lang, text)
		return
	}
	for _, l := range strings.SplitAfter(text, "\n") {
		if l != "" {
			p.f("    %s", l)
		}
	}
}

func (p *renderer) list(items []string) {
	for _, s := range items {
		if p.md {
			p.f("- %s\n", s)
		} else {
			p.f("  - %s\n", s)
		}
	}
}

func (p *renderer) diags(diags []report.Diagnostic) {
	if len(diags) == 0 {
		p.f("No findings.\n")
		return
	}
	if p.md {
		for _, d := range diags {
			rule := d.Rule
			if d.URL != "" {
				rule = fmt.Sprintf("[%s](%s)", d.Rule, d.URL)
			}
			p.f("- `%s` **%s** %s (%s)\n", d.Pos, d.Severity, oneLine(d.Message), rule)
		}
		return
	}
	for _, d := range diags {
		p.f("  %s: %s: %s [%s]\n", d.Pos, d.Severity, oneLine(d.Message), d.Rule)
		if fix := d.FixText(); fix != "" {
			p.f("      fix: %s\n", oneLine(fix))
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func writeText(w io.Writer, r *Report, quiet bool) error     { return render(w, r, quiet, false) }
func writeMarkdown(w io.Writer, r *Report, quiet bool) error { return render(w, r, quiet, true) }

func render(w io.Writer, r *Report, quiet, md bool) error {
	p := &renderer{w: bufio.NewWriter(w), md: md}
	if md {
		p.f("# deployplan: %s\n\n", r.Project)
	} else {
		p.f("deployplan: %s (checked %s)\n\n", r.Project, r.Today)
	}
	var rows [][]string
	for _, s := range r.Summary {
		rows = append(rows, []string{s.Section, s.Status, fmt.Sprint(s.Errors), fmt.Sprint(s.Warnings), fmt.Sprint(s.Infos), s.Headline})
	}
	p.table([]string{"SECTION", "STATUS", "ERR", "WARN", "INFO", "HEADLINE"}, rows)
	p.f("\n")
	rows = nil
	for _, c := range r.Compare {
		rows = append(rows, []string{c.Measure, c.Seed, c.After})
	}
	p.table([]string{"MEASURE", "THE SEED AS WRITTEN", "WITH DEPLOYKIT"}, rows)
	if quiet {
		return p.w.Flush()
	}
	p.cache(r)
	p.image(r)
	p.migrations(r)
	p.gunicorn(r)
	p.appService(r)
	p.frontDoor(r)
	p.pipeline(r)
	if len(r.Notes) > 0 {
		p.heading("Notes")
		p.list(r.Notes)
	}
	return p.w.Flush()
}

func (p *renderer) keys(keys []CacheKey) {
	for _, k := range keys {
		p.f("%s\n", k.Source)
		if len(k.Paths) > 0 {
			p.f("  paths:    %s\n", strings.Join(k.Paths, ", "))
		}
		p.f("  template: %s\n", k.Template)
		if k.Error != "" {
			p.f("  error:    %s\n", k.Error)
			continue
		}
		p.f("  key:      %s\n", k.Key)
		if len(k.Files) > 0 {
			p.f("  busted by an edit of: %s\n", strings.Join(k.Files, ", "))
		}
		if len(k.BustedBy) > 0 {
			p.f("  and by:   %s\n", strings.Join(k.BustedBy, "; "))
		}
	}
}

func (p *renderer) cache(r *Report) {
	p.heading("Cache")
	p.sub("The workflow's cache keys (hashFiles exactly as the runner computes it, on Linux)")
	if p.md {
		p.f("```\n")
	}
	p.keys(r.Cache.Seed)
	if p.md {
		p.f("```\n")
	}
	p.sub("Cache-key findings")
	p.diags(r.Cache.Findings)
	p.sub("The generated pipeline's dependency cache")
	if p.md {
		p.f("```\n")
	}
	p.keys(r.Cache.Generated)
	if p.md {
		p.f("```\n")
	}
}

func (p *renderer) image(r *Report) {
	p.heading("Image")
	p.sub("Dockerfile findings")
	p.diags(r.Image.Findings)
	p.sub("Generated Dockerfile")
	p.code("dockerfile", r.Image.Dockerfile)
	p.sub("Generated .dockerignore")
	p.code("", r.Image.DockerIgnore)
	p.sub("Generated Dockerfile findings")
	p.diags(r.Image.GeneratedFindings)
	if len(r.Image.Builds) > 0 {
		p.sub("Builds (BuildKit)")
		var rows [][]string
		for _, b := range r.Image.Builds {
			if b.Error != "" {
				rows = append(rows, []string{b.Dockerfile, "failed: " + oneLine(b.Error), "", "", "", ""})
				continue
			}
			rows = append(rows, []string{b.Dockerfile, formatBytes(b.Bytes), formatBytes(b.AddedBytes), fmt.Sprint(b.Layers), buildTimes(b), hitText(b)})
		}
		p.table([]string{"DOCKERFILE", "IMAGE", "ADDED OVER BASE", "LAYERS", "COLD / WARM", "WARM CACHE HITS"}, rows)
	}
	if len(r.Image.Written) > 0 {
		p.sub("Written")
		p.list(r.Image.Written)
	}
}

func (p *renderer) migrations(r *Report) {
	p.heading("Migrations")
	p.f("PostgreSQL %d, each migration in one transaction as Django runs it.\n", r.Migrations.PGVersion)
	if r.Migrations.Database != "" {
		p.f("Database: %s\n", r.Migrations.Database)
	}
	for _, m := range r.Migrations.Migrations {
		pending := ""
		if m.Pending {
			pending = " (pending)"
		}
		p.sub(fmt.Sprintf("%s.%s: %s%s", m.App, m.Name, m.Verdict, pending))
		p.diags(m.Findings)
		if t := m.Trace; t != nil {
			p.f("Trace on the database: %s, %.1f ms, schema restored: %v\n", t.Verdict, t.Millis, t.Restored)
			for _, s := range t.Statements {
				line := fmt.Sprintf("line %d %s: %s", s.Line, s.Status, oneLine(s.SQL))
				if len(s.Locks) > 0 {
					line += "; locks " + strings.Join(s.Locks, ", ")
				}
				if len(s.Rewrites) > 0 {
					line += "; rewrites " + strings.Join(s.Rewrites, ", ")
				}
				if len(s.Scans) > 0 {
					line += "; scans " + strings.Join(s.Scans, ", ")
				}
				if s.Message != "" {
					line += " (" + s.Message + ")"
				}
				p.list([]string{line})
			}
		}
	}
}

func (p *renderer) gunicorn(r *Report) {
	g := r.Gunicorn
	p.heading("Gunicorn")
	p.f("Checked against gunicorn %s (%s).\n", g.Version, g.VersionFrom)
	p.sub("gunicorn.conf.py findings (App Service, custom container)")
	p.diags(g.Findings)
	p.sub(fmt.Sprintf("Generated for %s: %d workers (%s) x %d threads", g.SKU, g.Workers, g.WorkerClass, g.Threads))
	p.list(g.Sizing)
	p.code("python", g.Config)
	p.f("Startup command: %s\n", g.StartupCommand)
	p.sub("Generated configuration findings")
	p.diags(g.GeneratedFindings)
}

func (p *renderer) sim(title string, s *Simulation) {
	if s == nil {
		return
	}
	p.sub(title)
	p.f("Rules: %s\n", s.Rules)
	p.f("%s, %d flaps prevented, final count %d, %.0f instance-minutes\n", plural(len(s.Events), "scale event"), s.PreventedFlaps, s.Final, s.InstanceMinutes)
	p.list(s.Events)
	for _, w := range s.Warnings {
		p.list([]string{"advice: " + w})
	}
}

func (p *renderer) appService(r *Report) {
	a := r.AppService
	p.heading("App Service")
	if len(a.SeedProblems) > 0 {
		p.sub("The seed's settings as written (" + fileAppSeed + ")")
		p.list(a.SeedProblems)
	}
	if len(a.TierProblems) > 0 {
		p.sub("Tier problems of the desired state")
		p.list(a.TierProblems)
	}
	if a.Plan != "" {
		p.sub("Plan (" + fileAppService + " against " + fileAppState + ")")
		p.code("", a.Plan)
		var cur []string
		for k := range a.MonthlyDelta {
			cur = append(cur, k)
		}
		sort.Strings(cur)
		for _, k := range cur {
			p.f("Monthly cost change: %+.2f %s\n", a.MonthlyDelta[k], k)
		}
	}
	if a.Trace != "" {
		p.sim("Autoscale of the seed over "+a.Trace, a.Seed)
		p.sim("Autoscale of the desired state over "+a.Trace, a.Desired)
	}
}

func (p *renderer) frontDoor(r *Report) {
	f := r.FrontDoor
	p.heading("Front Door")
	p.sub("Static settings check")
	p.diags(f.Findings)
	p.f("\nstaticfiles.json: %d hashed files (cached for ever), %d unhashed: %s\n", f.Hashed, len(f.Unhashed), strings.Join(f.Unhashed, ", "))
	if f.Plan != "" {
		p.sub("Plan (" + fileFrontDoor + " against " + fileFrontState + ")")
		p.code("", f.Plan)
		if f.Blocked != "" {
			p.f("Blocked: %s\n", oneLine(f.Blocked))
		}
	}
}

func (p *renderer) pipeline(r *Report) {
	p.heading("Pipeline")
	p.sub("Workflow findings")
	p.diags(r.Pipeline.Findings)
	p.sub("Generated .github/workflows/ci-cd.yml")
	p.code("yaml", r.Pipeline.Generated)
	p.sub("Generated workflow findings")
	p.diags(r.Pipeline.GeneratedFindings)
}

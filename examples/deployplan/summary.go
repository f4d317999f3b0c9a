package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

func status(c Counts) string {
	switch {
	case c.Errors > 0:
		return "error"
	case c.Warnings > 0:
		return "warning"
	}
	return "ok"
}

func plural(n int, one string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %ss", n, one)
}

func countText(c Counts) string {
	return fmt.Sprintf("%d errors, %d warnings, %d info", c.Errors, c.Warnings, c.Infos)
}

func (c *collector) summarise() {
	r := c.rep
	row := func(section string, cnt Counts, headline string) {
		r.Summary = append(r.Summary, SummaryRow{Section: section, Errors: cnt.Errors, Warnings: cnt.Warnings, Infos: cnt.Infos, Status: status(cnt), Headline: headline})
	}

	// Cache.
	cc := countOf(r.Cache.Findings)
	row("Cache", cc, fmt.Sprintf("%s in the workflow; the generated key pins the interpreter and the lockfile", plural(len(r.Cache.Seed), "cache key")))

	// Image.
	ic := countOf(r.Image.Findings)
	row("Image", ic, fmt.Sprintf("generated Dockerfile: %s", countText(countOf(r.Image.GeneratedFindings))))

	// Migrations.
	var mdiags []report.Diagnostic
	verdicts := map[string]int{}
	for _, m := range r.Migrations.Migrations {
		mdiags = append(mdiags, m.Findings...)
		verdicts[m.Verdict]++
	}
	var vs []string
	for v, n := range verdicts {
		vs = append(vs, fmt.Sprintf("%d %s", n, v))
	}
	sort.Strings(vs)
	row("Migrations", countOf(mdiags), fmt.Sprintf("%s: %s", plural(len(r.Migrations.Migrations), "migration"), strings.Join(vs, ", ")))

	// Gunicorn.
	row("Gunicorn", countOf(r.Gunicorn.Findings), fmt.Sprintf("generated for %s: %d %s workers x %d threads", r.Gunicorn.SKU, r.Gunicorn.Workers, r.Gunicorn.WorkerClass, r.Gunicorn.Threads))

	// App Service: every seed problem and tier problem is an error.
	as := Counts{Errors: len(r.AppService.SeedProblems) + len(r.AppService.TierProblems)}
	head := fmt.Sprintf("plan: %s", plural(r.AppService.Changes, "change"))
	if d, ok := r.AppService.MonthlyDelta["USD"]; ok && d != 0 {
		head += fmt.Sprintf(", %+.2f USD/month", d)
	}
	if len(r.AppService.SeedProblems) > 0 {
		head += fmt.Sprintf("; the seed's settings: %s", plural(len(r.AppService.SeedProblems), "problem"))
	}
	row("App Service", as, head)

	// Front Door.
	fc := countOf(r.FrontDoor.Findings)
	fh := fmt.Sprintf("%d hashed, %d unhashed static files", r.FrontDoor.Hashed, len(r.FrontDoor.Unhashed))
	if r.FrontDoor.Classic {
		fh = "classic CDN profile (retiring): migrate to Front Door; " + fh
	}
	row("Front Door", fc, fh)

	// Pipeline.
	row("Pipeline", countOf(r.Pipeline.Findings), fmt.Sprintf("generated ci-cd.yml: %s", countText(countOf(r.Pipeline.GeneratedFindings))))

	c.compare()
}

func (c *collector) compare() {
	r := c.rep
	add := func(measure, seed, after string) {
		r.Compare = append(r.Compare, CompareRow{Measure: measure, Seed: seed, After: after})
	}
	add("Dockerfile findings", countText(countOf(r.Image.Findings)), countText(countOf(r.Image.GeneratedFindings)))
	add("gunicorn.conf.py findings", countText(countOf(r.Gunicorn.Findings)), countText(countOf(r.Gunicorn.GeneratedFindings)))
	add("pipeline findings", countText(countOf(r.Pipeline.Findings)), countText(countOf(r.Pipeline.GeneratedFindings)))
	var genCache []report.Diagnostic
	for _, d := range r.Pipeline.GeneratedFindings {
		if cacheRules[d.Rule] {
			genCache = append(genCache, d)
		}
	}
	add("cache-key problems (WF006-WF010)", fmt.Sprint(len(r.Cache.Findings)), fmt.Sprint(len(genCache)))
	if len(r.AppService.SeedProblems) > 0 || r.AppService.Plan != "" {
		add("App Service settings problems", fmt.Sprint(len(r.AppService.SeedProblems)), fmt.Sprint(len(r.AppService.TierProblems)))
	}
	if s, d := r.AppService.Seed, r.AppService.Desired; s != nil && d != nil {
		add("autoscale over the CPU trace", simText(s), simText(d))
	}
	if b := r.Image.Builds; len(b) == 2 {
		add("image bytes added over the base", buildText(b[0], func(b Build) string { return formatBytes(b.AddedBytes) }), buildText(b[1], func(b Build) string { return formatBytes(b.AddedBytes) }))
		add("image layers", buildText(b[0], func(b Build) string { return fmt.Sprint(b.Layers) }), buildText(b[1], func(b Build) string { return fmt.Sprint(b.Layers) }))
		add("build time cold / warm", buildText(b[0], buildTimes), buildText(b[1], buildTimes))
		add("warm-build cache hit ratio", buildText(b[0], hitText), buildText(b[1], hitText))
	} else {
		add("image bytes, layers, build time, cache hits", "needs -buildkit", "needs -buildkit")
	}
}

func simText(s *Simulation) string {
	return fmt.Sprintf("%s, ends at %d, %.0f instance-minutes", plural(len(s.Events), "scale event"), s.Final, s.InstanceMinutes)
}

func buildText(b Build, f func(Build) string) string {
	if b.Error != "" {
		return "build failed"
	}
	return f(b)
}

func buildTimes(b Build) string {
	return fmt.Sprintf("%.1f s / %.1f s", float64(b.ColdMillis)/1000, float64(b.WarmMillis)/1000)
}

func hitText(b Build) string { return fmt.Sprintf("%.0f%%", 100*b.HitRatio) }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// hasErrors reports whether anything in the report is at error level.
func (r *Report) hasErrors() bool {
	for _, s := range r.Summary {
		if s.Errors > 0 {
			return true
		}
	}
	return false
}

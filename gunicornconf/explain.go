package gunicornconf

import (
	"fmt"
	"io"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

// ExplainOptions are the inputs of Explain besides the configuration.
type ExplainOptions struct {
	// SKU is the App Service plan the file will run on (required).
	SKU SKU
	// Validate carries the validator options (platform defaults to
	// App Service, since a SKU is given).
	Validate Options
	// Sizing carries the memory budget and I/O profile for the
	// recommendation (CPUs and memory come from SKU).
	Sizing SizingInput
}

// Explain writes, for a parsed configuration and a plan, what gunicorn will
// actually run: the worker class, workers and threads (or why they are not
// statically known and what they become on the plan), the memory they
// need, the effective timeout, what deploykit would size instead (with the
// arithmetic), and a count of findings.
func Explain(w io.Writer, c *Config, o ExplainOptions) error {
	vo := o.Validate
	if vo.Platform == "" {
		vo.Platform = PlatformAppServiceContainer
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	name := c.Path
	if name == "" {
		name = "gunicorn.conf.py"
	}
	sku := o.SKU
	p("%s on App Service plan %s (%s): %s vCPU, %d MB RAM", name, sku.Name, sku.Tier, trimFloat(sku.VCPU), sku.MemoryMB)
	p("")

	class, classKnown := c.EffectiveWorkerClass(vo.WorkerClass)
	switch {
	case !classKnown:
		p("worker class: not statically known (%s)", describe(c, "worker_class"))
	default:
		p("worker class: %s (%s)", class, origin(c, "worker_class"))
	}
	threads := c.Threads
	if a, ok := c.Set["threads"]; ok && !a.Value.Known() {
		p("threads:      not statically known: %s", a.Value.Reason)
		threads = 0
	} else {
		p("threads:      %d (%s)", threads, origin(c, "threads"))
	}
	workers := c.Workers
	if a, ok := c.Set["workers"]; ok && !a.Value.Known() && a.Value.Fallback != nil {
		p("workers:      %d (line %d; $%s replaces it when set)", workers, a.Line, strings.Join(a.Value.Env, ", $"))
	} else if a, ok := c.Set["workers"]; ok && !a.Value.Known() {
		p("workers:      %s (line %d) is not statically known: %s", a.Expr, a.Line, a.Value.Reason)
		workers = 0
	} else {
		p("workers:      %d (%s)", workers, origin(c, "workers"))
	}
	per := o.Sizing.PerWorkerMB
	if per == 0 {
		per = DefaultPerWorkerMB
	}
	if workers > 0 {
		p("memory:       %d workers x %d MB = %d MB of %d MB (%d%%)", workers, per, workers*per, sku.MemoryMB, workers*per*100/max(1, sku.MemoryMB))
		if threads > 0 {
			p("concurrency:  %d workers x %d threads = %d requests at once", workers, threads, workers*threads)
		}
	}
	vd := &validation{c: c, opts: vo, v: vo.version()}
	if t, from, ok := vd.effectiveTimeout(); ok {
		p("timeout:      %d s (from %s)", t, from)
		if t > AppServiceFrontEndTimeout || t == 0 {
			p("              App Service's front end answers with an error after %d s anyway", AppServiceFrontEndTimeout)
		}
	} else {
		p("timeout:      not statically known (%s)", describe(c, "timeout"))
	}
	p("")
	in := o.Sizing
	if in.WorkerClass == "" && classKnown {
		in.WorkerClass = class
	}
	sz, err := SizeForSKU(sku, in)
	if err != nil {
		return err
	}
	p("deploykit's sizing for %s:", sku.Name)
	for _, s := range sz.Steps {
		p("  %s", s)
	}
	findings := c.Validate(vo)
	counts := map[report.Severity]int{}
	for _, f := range findings {
		counts[f.Severity]++
	}
	p("")
	p("findings: %d error(s), %d warning(s), %d info (run lint for details)", counts[report.SeverityError], counts[report.SeverityWarning], counts[report.SeverityInfo])
	_, err = io.WriteString(w, b.String())
	return err
}

func origin(c *Config, name string) string {
	if a, ok := c.Set[name]; ok {
		return fmt.Sprintf("line %d", a.Line)
	}
	return "gunicorn's default"
}

func describe(c *Config, name string) string {
	if a, ok := c.Set[name]; ok {
		return fmt.Sprintf("line %d: %s", a.Line, a.Value.Reason)
	}
	return "default"
}

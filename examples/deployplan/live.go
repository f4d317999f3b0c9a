package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/imagebuild"
	"github.com/deploykit/deploykit/imagebuild/dockerfile"
	"github.com/deploykit/deploykit/migrate"
)

// pending lists what the database has not applied and traces each pending
// migration in a transaction that is rolled back (migrate.Trace).
func (c *collector) pending(ctx context.Context, pa *migrate.ProjectAnalysis) error {
	sec := &c.rep.Migrations
	sec.Database = migrate.RedactURL(c.opt.db)
	conn, err := migrate.Connect(ctx, c.opt.db, migrate.ConnectOptions{ApplicationName: "deploykit-deployplan"})
	if err != nil {
		return usageErr(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	pr, err := migrate.Pending(ctx, conn, c.opt.dir)
	if err != nil {
		return err
	}
	todo := map[string]bool{}
	for _, p := range pr.Pending {
		todo[p.App+"."+p.Name] = true
	}
	for i, am := range pa.Migrations {
		m := &sec.Migrations[i]
		if !todo[m.App+"."+m.Name] {
			continue
		}
		m.Pending = true
		if am.Report == nil {
			m.Trace = &Trace{Verdict: "not traced: " + am.Err.Error()}
			continue
		}
		c.progress("tracing %s.%s", m.App, m.Name)
		tr, err := migrate.Trace(ctx, conn, am.SQLPath, am.SQL, migrate.TraceOptions{Static: am.Report})
		if err != nil {
			m.Trace = &Trace{Verdict: "not traced: " + err.Error()}
			continue
		}
		t := &Trace{Verdict: string(tr.Verdict), Restored: tr.SchemaRestored, Millis: float64(tr.Duration.Microseconds()) / 1000}
		for _, s := range tr.Statements {
			ts := TracedStmt{Line: s.Line, SQL: s.SQL, Status: string(s.Status), Verdict: string(s.Verdict), Message: s.Message}
			if s.Error != "" {
				ts.Message = strings.TrimSpace(ts.Message + " " + s.Error)
			}
			for _, l := range s.Locks {
				ts.Locks = append(ts.Locks, fmt.Sprintf("%s %s", l.Mode, l.Relation))
			}
			for _, e := range s.Rewrites {
				ts.Rewrites = append(ts.Rewrites, fmt.Sprint(e.Relation))
			}
			for _, e := range s.Scans {
				ts.Scans = append(ts.Scans, fmt.Sprint(e.Relation))
			}
			t.Statements = append(t.Statements, ts)
		}
		m.Trace = t
	}
	if pr.NoHistory {
		c.note("the database has no django_migrations table: every migration is pending")
	}
	return nil
}

// builds builds the seed's and the generated Dockerfile on BuildKit, each
// cold (no cache) and then warm, and reads the image sizes.
func (c *collector) builds(ctx context.Context) error {
	if c.dockerfile == nil {
		c.note("image builds skipped: no Dockerfile was generated")
		return nil
	}
	b, err := imagebuild.NewBuilder(ctx, imagebuild.BuilderConfig{Addr: c.opt.buildkit})
	if err != nil {
		return usageErr(err)
	}
	defer b.Close()
	gen, err := c.generatedContext()
	if err != nil {
		return err
	}
	defer os.RemoveAll(gen)
	secretID := c.spec.SecretID
	if secretID == "" {
		secretID = dockerfile.DefaultSecretID
	}
	secret := []imagebuild.Secret{{ID: secretID, Value: []byte("deployplan-build-only-not-a-secret")}}
	seed := imagebuild.Target{Name: "seed", Context: c.opt.dir, Secrets: secret}
	after := imagebuild.Target{Name: "generated", Context: gen, Secrets: secret}
	if base := c.opt.base; base != "" {
		seed.BuiltinFrontend, after.BuiltinFrontend = true, true
		seed.NamedContexts = map[string]string{}
		for _, ref := range c.seedBases() {
			seed.NamedContexts[ref] = "docker-image://" + base
		}
		after.BuildArgs = map[string]string{"PYTHON_IMAGE": base}
	}
	var baseSize *imagebuild.SizeReport
	if c.opt.base != "" {
		if r, err := imagebuild.ReadSize(ctx, c.opt.base, imagebuild.SizeOptions{Insecure: loopback(c.opt.base)}); err == nil {
			baseSize = r
		} else {
			c.note("base image size unknown (%v): bytes added over the base not shown", err)
		}
	}
	for _, t := range []struct {
		label string
		tg    imagebuild.Target
	}{{fileDockerfile + " (the seed)", seed}, {generatedDFName, after}} {
		c.rep.Image.Builds = append(c.rep.Image.Builds, c.build(ctx, b, t.label, t.tg, baseSize))
	}
	return nil
}

func loopback(ref string) bool {
	return strings.HasPrefix(ref, "127.0.0.1:") || strings.HasPrefix(ref, "localhost:") || strings.HasPrefix(ref, "[::1]:")
}

// seedBases are the image references the seed's stages start from.
func (c *collector) seedBases() []string {
	a, err := dockerfile.LintFile(context.Background(), c.path(fileDockerfile), "", dockerfile.LintConfig{File: fileDockerfile, Now: c.opt.today})
	if err != nil || a.Graph == nil {
		return nil
	}
	seen := map[string]bool{}
	var refs []string
	for _, s := range a.Graph.Stages {
		if s.BaseStage < 0 && !seen[s.BaseRef] {
			seen[s.BaseRef] = true
			refs = append(refs, s.BaseRef)
		}
	}
	sort.Strings(refs)
	return refs
}

func (c *collector) build(ctx context.Context, b *imagebuild.Builder, label string, t imagebuild.Target, base *imagebuild.SizeReport) Build {
	out := Build{Dockerfile: label}
	layout, err := os.MkdirTemp("", "deployplan-oci-")
	if err != nil {
		out.Error = err.Error()
		return out
	}
	defer os.RemoveAll(layout)
	var progress io.Writer = io.Discard
	if !c.opt.quiet {
		progress = c.opt.stderr
		fmt.Fprintf(c.opt.stderr, "deployplan: building %s\n", label)
	}
	t.Progress, t.ProgressMode = progress, imagebuild.ProgressAuto
	t.Outputs = []imagebuild.Output{{Type: imagebuild.OutputOCI, Dest: filepath.Join(layout, "cold")}}
	t.NoCache = true
	cold, err := b.Build(ctx, t)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	t.NoCache = false
	t.Outputs = []imagebuild.Output{{Type: imagebuild.OutputOCI, Dest: filepath.Join(layout, "warm")}}
	warm, err := b.Build(ctx, t)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.ColdMillis, out.WarmMillis = cold.Duration.Milliseconds(), warm.Duration.Milliseconds()
	out.HitRatio = warm.Cache.HitRatio()
	size := warm.Size
	if size == nil {
		if size, err = imagebuild.ReadSizeFromLayout(ctx, filepath.Join(layout, "warm"), "", imagebuild.SizeOptions{}); err != nil {
			out.Error = "reading the image size: " + err.Error()
			return out
		}
	}
	out.Bytes, out.Layers = size.Size, len(size.Layers)
	out.AddedBytes = size.Size
	if base != nil {
		out.AddedBytes = size.AddedOnTop(*base)
	}
	return out
}

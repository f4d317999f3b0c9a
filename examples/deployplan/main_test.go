package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deploykit/deploykit/gunicornconf"
	"github.com/deploykit/deploykit/internal/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// seedDay is the design document's date: the golden reports judge Python's
// end of life against it, so they do not change as time passes.
const seedDay = "2026-02-12"

func runCmd(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestConventions(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{"help flag", []string{"-h"}, 0, "Exit status: 0 clean, 1", ""},
		{"help verb", []string{"help"}, 0, "-buildkit", ""},
		{"long help flag", []string{"--help"}, 0, "Front Door", ""},
		{"unknown flag", []string{"-nope"}, 2, "", "nope"},
		{"positional argument", []string{"extra"}, 2, "", ""},
		{"bad format", []string{"-format", "xml"}, 2, "", "-format"},
		{"bad date", []string{"-today", "12/02/2026"}, 2, "", "YYYY-MM-DD"},
		{"quiet and verbose", []string{"-q", "-v"}, 2, "", "exclude"},
		{"base image needs buildkit", []string{"-base-image", "python:3.12-slim"}, 2, "", "-buildkit"},
		{"missing project", []string{"-project", filepath.Join(t.TempDir(), "none")}, 2, "", "none"},
		{"unknown sku", []string{"-sku", "Z9", "-today", seedDay}, 2, "", "Z9"},
		{"embedded project has errors", []string{"-q", "-today", seedDay}, 1, "THE SEED AS WRITTEN", ""},
		{"go-style flags", []string{"-format", "json", "-today=" + seedDay}, 1, `"schemaVersion": 1`, ""},
		{"double-dash flags", []string{"--format=markdown", "--today", seedDay, "--quiet"}, 1, "| SECTION |", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errs)
			assert.Contains(t, out, tc.out)
			assert.Contains(t, errs, tc.err)
		})
	}
}

// TestHelpNamesEverySection checks that -h describes every report section
// and every command it points to exists.
func TestHelpNamesEverySection(t *testing.T) {
	_, out, _ := runCmd(t, "-h")
	for _, s := range []string{"Cache", "Image", "Migrations", "Gunicorn", "App Service", "Front Door", "Pipeline"} {
		assert.Contains(t, out, "\n  "+s+" ", s)
	}
	for _, cmd := range []string{"cachekey", "dockerfile", "imagebuild", "migratecheck", "gunicornconf", "appservice", "cdn", "workflow"} {
		assert.Contains(t, out, cmd)
		_, err := os.Stat(filepath.Join("..", cmd, "main.go"))
		assert.NoError(t, err, "the help names examples/%s", cmd)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{"text", "report.txt"}, {"markdown", "report.md"}, {"json", "report.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			code, out, errs := runCmd(t, "-format", tc.format, "-today", seedDay)
			require.Equal(t, 1, code, errs)
			golden := filepath.Join("testdata", "golden", tc.file)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run TestGolden -update")
			assert.Equal(t, string(want), out)
		})
	}
}

// report runs deployplan with -format json and decodes the report.
func jsonReport(t *testing.T, args ...string) (int, *Report) {
	t.Helper()
	code, out, errs := runCmd(t, append([]string{"-format", "json", "-today", seedDay}, args...)...)
	require.Contains(t, []int{0, 1}, code, errs)
	var r Report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return code, &r
}

func rules(diags []report.Diagnostic) map[string]int {
	m := map[string]int{}
	for _, d := range diags {
		m[d.Rule]++
	}
	return m
}

func TestJSONReport(t *testing.T) {
	code, r := jsonReport(t)
	assert.Equal(t, 1, code)
	assert.Equal(t, 1, r.SchemaVersion)
	assert.Equal(t, "minimalwave-blog", r.Project)
	var sections []string
	for _, s := range r.Summary {
		sections = append(sections, s.Section)
	}
	assert.Equal(t, []string{"Cache", "Image", "Migrations", "Gunicorn", "App Service", "Front Door", "Pipeline"}, sections)

	// What the seed gets wrong, by the packages' own rules.
	assert.Contains(t, rules(r.Image.Findings), "DK109", "the seed's minimalwave-blog.wsgi is not importable")
	assert.Contains(t, rules(r.Gunicorn.Findings), "GC008", "cpu_count() ignores the container's quota")
	assert.Contains(t, rules(r.Cache.Findings), "WF006", "the venv cache key has no Python version")
	assert.Contains(t, rules(r.Pipeline.Findings), "WF004", "migrations run inside the running app")
	require.Len(t, r.Migrations.Migrations, 4)
	assert.Equal(t, "safe", r.Migrations.Migrations[0].Verdict)
	assert.Contains(t, rules(r.Migrations.Migrations[3].Findings), "DKM010", "RemoveField breaks the running app")
	assert.True(t, r.FrontDoor.Classic, "the seed's Standard_Microsoft profile is classic")
	assert.Len(t, r.AppService.SeedProblems, 2)

	// What deploykit generates is clean.
	for name, diags := range map[string][]report.Diagnostic{"Dockerfile": r.Image.GeneratedFindings, "gunicorn": r.Gunicorn.GeneratedFindings, "pipeline": r.Pipeline.GeneratedFindings} {
		assert.Zero(t, countOf(diags).Errors+countOf(diags).Warnings, name)
	}
	// The embedded poetry.lock (see project/minimalwave-blog/SOURCE.md)
	// locks Django 4.2.3 and gunicorn 20.1.0 in the main group: the
	// generated image installs that gunicorn rather than adding one.
	assert.Contains(t, strings.Join(r.Image.Reasons, "\n"), "Django 4.2.3")
	assert.Contains(t, r.Image.Reasons, "server: gunicorn (installed)")
	assert.NotContains(t, r.Image.Dockerfile, "pip install gunicorn")
	// Both gunicorn configurations are checked against that locked 20.1.0
	// (line 108 of the lock: `version = "20.1.0"` under name = "gunicorn"),
	// not against the newest release the catalogue holds.
	assert.Equal(t, "20.1.0", r.Gunicorn.Version)
	assert.Equal(t, "poetry.lock:108", r.Gunicorn.VersionFrom)
	assert.Contains(t, r.Image.Dockerfile, `CMD ["gunicorn", `)
	// The cache key is hashFiles over the embedded poetry.lock.
	require.NotEmpty(t, r.Cache.Seed)
	assert.Equal(t, []string{"poetry.lock"}, r.Cache.Seed[0].Files)
	assert.True(t, strings.HasPrefix(r.Cache.Seed[0].Key, "Linux-poetry-"))
	assert.Equal(t, strings.TrimPrefix(r.Cache.Seed[0].Key, "Linux-poetry-"), strings.TrimPrefix(r.Cache.Generated[0].Key, "Linux-py3.11-poetry-"))
}

func TestNoSecretInAnyFormat(t *testing.T) {
	for _, f := range []string{"text", "markdown", "json"} {
		_, out, _ := runCmd(t, "-format", f, "-today", seedDay)
		assert.NotContains(t, out, "example-password-not-real", f)
		assert.NotContains(t, out, "deployplan-build-only", f)
	}
}

// TestProjectWithOneDefectFixed runs -project on a copy of the embedded
// project whose Dockerfile writes AS in capitals: the FromAsCasing finding
// is gone and nothing else changes.
func TestProjectWithOneDefectFixed(t *testing.T) {
	dir, err := materialise()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	_, before := jsonReport(t, "-project", dir)
	df := filepath.Join(dir, "Dockerfile")
	src, err := os.ReadFile(df)
	require.NoError(t, err)
	fixed := strings.Replace(string(src), "FROM python:3.10-slim as builder", "FROM python:3.10-slim AS builder", 1)
	require.NotEqual(t, string(src), fixed)
	require.NoError(t, os.WriteFile(df, []byte(fixed), 0o644))
	_, after := jsonReport(t, "-project", dir)

	b, a := rules(before.Image.Findings), rules(after.Image.Findings)
	assert.Equal(t, 1, b["FromAsCasing"])
	assert.Zero(t, a["FromAsCasing"])
	delete(b, "FromAsCasing")
	assert.Equal(t, b, a, "only the fixed finding is gone")
	assert.Equal(t, filepath.Base(dir), after.Project)
}

func TestOutWritesGeneratedFilesAndNeverReplaces(t *testing.T) {
	out := t.TempDir()
	code, _, errs := runCmd(t, "-q", "-today", seedDay, "-out", out)
	require.Equal(t, 1, code, errs)
	for _, f := range []string{"Dockerfile", ".dockerignore", "gunicorn.conf.py", ".github/workflows/ci-cd.yml"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		require.NoError(t, err, f)
		assert.NotEmpty(t, b, f)
	}
	code, _, errs = runCmd(t, "-q", "-today", seedDay, "-out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "exists")
}

func BenchmarkReport(b *testing.B) {
	today, _ := time.Parse("2006-01-02", seedDay)
	dir, err := materialise()
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var buf bytes.Buffer
	for b.Loop() {
		rep, _, err := collect(context.Background(), options{dir: dir, name: embeddedName, sku: "B1", today: today, stderr: &buf})
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := writeText(&buf, rep, false); err != nil {
			b.Fatal(err)
		}
	}
}

// A lock pin the catalogue cannot serve is named in a note, and the
// configurations are checked against the newest catalogued release.
func TestUncataloguedGunicornPinIsNoted(t *testing.T) {
	dir, err := materialise()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	lock := filepath.Join(dir, "poetry.lock")
	src, err := os.ReadFile(lock)
	require.NoError(t, err)
	old := "name = \"gunicorn\"\nversion = \"20.1.0\""
	require.Contains(t, string(src), old)
	// gunicorn 19.9.0 is a real release (2018) that the catalogue does not hold.
	require.NoError(t, os.WriteFile(lock, []byte(strings.Replace(string(src), old, "name = \"gunicorn\"\nversion = \"19.9.0\"", 1)), 0o644))
	_, r := jsonReport(t, "-project", dir)
	assert.Equal(t, gunicornconf.DefaultVersion().String(), r.Gunicorn.Version)
	assert.Contains(t, strings.Join(r.Notes, "\n"), "poetry.lock:108")
	assert.Contains(t, strings.Join(r.Notes, "\n"), "19.9.0")
}

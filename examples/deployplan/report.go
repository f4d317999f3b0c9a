package main

import "github.com/deploykit/deploykit/internal/report"

// schemaVersion is the version of the JSON report. It grows only by adding
// fields; a field is never renamed, retyped or removed without a new version.
const schemaVersion = 1

// Report is everything deployplan found, in the order the text and Markdown
// renderings show it. Its JSON encoding is the stable schema documented in
// README.md ("JSON report").
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Project       string `json:"project"`
	// Today is the date end-of-life checks compared with (YYYY-MM-DD).
	Today string `json:"today"`
	// Summary is one row per section: its worst severity and counts.
	Summary []SummaryRow `json:"summary"`
	// Compare is the before -> after table: the seed as written against
	// the files deploykit generates.
	Compare []CompareRow `json:"compare"`

	Cache      CacheSection      `json:"cache"`
	Image      ImageSection      `json:"image"`
	Migrations MigrationSection  `json:"migrations"`
	Gunicorn   GunicornSection   `json:"gunicorn"`
	AppService AppServiceSection `json:"appService"`
	FrontDoor  FrontDoorSection  `json:"frontDoor"`
	Pipeline   PipelineSection   `json:"pipeline"`

	// Notes are steps that were skipped and why (no -buildkit, no -db, a
	// missing file).
	Notes []string `json:"notes,omitempty"`
}

// SummaryRow is one line of the summary table.
type SummaryRow struct {
	Section  string `json:"section"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	Infos    int    `json:"infos"`
	// Status is "ok", "warning", "error" or "skipped".
	Status string `json:"status"`
	// Headline is the one thing to know about the section.
	Headline string `json:"headline"`
}

// CompareRow is one measure of the before -> after table.
type CompareRow struct {
	Measure string `json:"measure"`
	Seed    string `json:"seed"`
	After   string `json:"deploykit"`
}

// Counts are findings by severity.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

func countOf(diags []report.Diagnostic) Counts {
	var c Counts
	for _, d := range diags {
		switch d.Severity {
		case report.SeverityError:
			c.Errors++
		case report.SeverityWarning:
			c.Warnings++
		default:
			c.Infos++
		}
	}
	return c
}

// CacheKey is one CI cache key: its template, the exact key hashFiles gives
// for this tree, and what changes it.
type CacheKey struct {
	// Source says where the template comes from ("ci-cd.yml: Cache Poetry
	// dependencies", "generated ci-cd.yml").
	Source   string   `json:"source"`
	Paths    []string `json:"paths,omitempty"`
	Template string   `json:"template"`
	Key      string   `json:"key"`
	// Files are the files hashFiles hashed, relative to the project, in
	// hash order: editing any of them busts the key.
	Files []string `json:"files"`
	// BustedBy lists what else changes the key.
	BustedBy []string `json:"bustedBy,omitempty"`
	// Error is set when the key cannot be computed (the runner would fail).
	Error string `json:"error,omitempty"`
}

// CacheSection holds the seed's and the generated pipeline's cache keys.
type CacheSection struct {
	Seed      []CacheKey          `json:"seed"`
	Generated []CacheKey          `json:"generated"`
	Findings  []report.Diagnostic `json:"findings"`
}

// Build is one real BuildKit build of a Dockerfile (with -buildkit).
type Build struct {
	Dockerfile string `json:"dockerfile"`
	// Bytes is the compressed image size; AddedBytes what the image adds on
	// top of its base.
	Bytes      int64   `json:"bytes"`
	AddedBytes int64   `json:"addedBytes"`
	Layers     int     `json:"layers"`
	ColdMillis int64   `json:"coldMillis"`
	WarmMillis int64   `json:"warmMillis"`
	HitRatio   float64 `json:"cacheHitRatio"`
	Error      string  `json:"error,omitempty"`
}

// ImageSection is the Dockerfile analysis, the generated files and builds.
type ImageSection struct {
	Findings          []report.Diagnostic `json:"findings"`
	GeneratedFindings []report.Diagnostic `json:"generatedFindings"`
	Reasons           []string            `json:"reasons"`
	Dockerfile        string              `json:"generatedDockerfile"`
	DockerIgnore      string              `json:"generatedDockerignore"`
	Builds            []Build             `json:"builds,omitempty"`
	Written           []string            `json:"written,omitempty"`
}

// Migration is the verdict on one Django migration.
type Migration struct {
	App      string              `json:"app"`
	Name     string              `json:"name"`
	Path     string              `json:"path"`
	SQLPath  string              `json:"sqlPath,omitempty"`
	Verdict  string              `json:"verdict"`
	Findings []report.Diagnostic `json:"findings"`
	// Pending is set with -db: the database has not applied it.
	Pending bool `json:"pending,omitempty"`
	// Trace is the lock trace with -db (pending migrations only).
	Trace *Trace `json:"trace,omitempty"`
}

// Trace is what a traced migration did on the database.
type Trace struct {
	Verdict    string       `json:"verdict"`
	Statements []TracedStmt `json:"statements"`
	Restored   bool         `json:"schemaRestored"`
	Millis     float64      `json:"millis"`
}

// TracedStmt is one traced statement: its locks and effects.
type TracedStmt struct {
	Line     int      `json:"line"`
	SQL      string   `json:"sql"`
	Status   string   `json:"status"`
	Locks    []string `json:"locks,omitempty"`
	Rewrites []string `json:"rewrites,omitempty"`
	Scans    []string `json:"scans,omitempty"`
	Verdict  string   `json:"verdict,omitempty"`
	Message  string   `json:"message,omitempty"`
}

// MigrationSection is the migrations' analysis.
type MigrationSection struct {
	PGVersion  int         `json:"pgVersion"`
	Migrations []Migration `json:"migrations"`
	// Database is set with -db: the redacted URL.
	Database string `json:"database,omitempty"`
}

// GunicornSection is the gunicorn configuration's analysis and the
// generated one.
type GunicornSection struct {
	Findings []report.Diagnostic `json:"findings"`
	// Version is the gunicorn release both configurations are checked
	// against: the one the project's lock pins, else the newest catalogued.
	Version string `json:"gunicornVersion"`
	// VersionFrom says where Version came from (file:line of the pin).
	VersionFrom       string              `json:"gunicornVersionFrom"`
	SKU               string              `json:"sku"`
	Workers           int                 `json:"workers"`
	Threads           int                 `json:"threads"`
	WorkerClass       string              `json:"workerClass"`
	Sizing            []string            `json:"sizing"`
	Config            string              `json:"generatedConfig"`
	StartupCommand    string              `json:"startupCommand"`
	GeneratedFindings []report.Diagnostic `json:"generatedFindings"`
}

// Simulation is an autoscale replay over the sample trace.
type Simulation struct {
	Rules           string   `json:"rules"`
	Events          []string `json:"events"`
	PreventedFlaps  int      `json:"preventedFlaps"`
	Final           int      `json:"final"`
	InstanceMinutes float64  `json:"instanceMinutes"`
	Warnings        []string `json:"warnings,omitempty"`
}

// AppServiceSection is the App Service plan against saved state.
type AppServiceSection struct {
	// SeedProblems are what is wrong with the seed's settings as written
	// (deploy/appservice.seed.json).
	SeedProblems []string `json:"seedProblems"`
	// TierProblems are the desired spec's problems with its plan's tier.
	TierProblems []string `json:"tierProblems"`
	Plan         string   `json:"plan"`
	Changes      int      `json:"changes"`
	Restarts     bool     `json:"restarts"`
	// MonthlyDelta is the plan's cost change by currency.
	MonthlyDelta map[string]float64 `json:"monthlyDelta"`
	Seed         *Simulation        `json:"seedSimulation,omitempty"`
	Desired      *Simulation        `json:"simulation,omitempty"`
	Trace        string             `json:"trace,omitempty"`
}

// FrontDoorSection is the Front Door plan, the settings check and the
// static files manifest.
type FrontDoorSection struct {
	Plan     string              `json:"plan"`
	Classic  bool                `json:"classic"`
	Blocked  string              `json:"blocked,omitempty"`
	Findings []report.Diagnostic `json:"findings"`
	Hashed   int                 `json:"hashedFiles"`
	Unhashed []string            `json:"unhashedFiles"`
}

// PipelineSection is the workflow analysis and the generated workflow.
type PipelineSection struct {
	Findings          []report.Diagnostic `json:"findings"`
	Generated         string              `json:"generatedWorkflow"`
	GeneratedFindings []report.Diagnostic `json:"generatedFindings"`
}

package workflow

import (
	"github.com/deploykit/deploykit/internal/report"
)

// Diagnostic is one finding: a position (file:line:col), a rule ID, a
// severity, a message and suggested fixes as text edits.
type Diagnostic = report.Diagnostic

// Position is a place in a workflow file (1-based line and byte column).
type Position = report.Position

// SuggestedFix is one way to fix a diagnostic.
type SuggestedFix = report.SuggestedFix

// TextEdit replaces a range of a file with new text.
type TextEdit = report.TextEdit

// Related is another position that explains a diagnostic.
type Related = report.Related

// Severity is how bad a finding is: info, warning or error.
type Severity = report.Severity

// RuleDoc documents one rule: ID, name, summary, why and the safe
// alternative, documentation URL and default severity.
type RuleDoc = report.Rule

// The severities, re-exported so that callers need not import internal/.
const (
	SeverityInfo    = report.SeverityInfo
	SeverityWarning = report.SeverityWarning
	SeverityError   = report.SeverityError
)

// Format is an output format for diagnostics.
type Format = report.Format

// The output formats.
const (
	FormatText   = report.FormatText
	FormatJSON   = report.FormatJSON
	FormatSARIF  = report.FormatSARIF
	FormatGitHub = report.FormatGitHub
)

// ParseFormat parses text, json, sarif or github.
func ParseFormat(s string) (Format, error) { return report.ParseFormat(s) }

// ParseSeverity parses info, warning or error.
func ParseSeverity(s string) (Severity, error) { return report.ParseSeverity(s) }

// docBase is where rule anchors live: the package README.
const docBase = "https://github.com/deploykit/deploykit/blob/main/workflow/README.md#"

// actionlintDocs is actionlint's list of checks, the anchor for its kinds.
const actionlintDocs = "https://github.com/rhysd/actionlint/blob/v1.7.12/docs/checks.md"

// Rule IDs of deploykit's own workflow rules. Rules from actionlint are
// reported as "actionlint/<kind>", e.g. "actionlint/expression".
const (
	RuleDockerHubLibraryPush   = "WF001"
	RuleMutableDeployTag       = "WF002"
	RuleCacheRefIsImageRef     = "WF003"
	RuleMigrateInRunningApp    = "WF004"
	RuleMigrateUnchecked       = "WF005"
	RuleVenvKeyNoPython        = "WF006"
	RuleVenvNoInterpreterCheck = "WF007"
	RuleCacheKeyNoRunnerOS     = "WF008"
	RuleCacheKeyNoLockfileHash = "WF009"
	RuleRestoreKeysCrossPython = "WF010"
	RuleDeployNotGated         = "WF011"
	RuleDeployNotModelled      = "WF012"
)

// rules is the catalogue; Rules returns a copy.
func rules() []RuleDoc {
	r := []RuleDoc{
		{ID: RuleDockerHubLibraryPush, Name: "docker-hub-library-push", Severity: SeverityError,
			Summary: "An image is pushed by a bare name (no registry, no namespace), which goes to Docker Hub's library namespace.",
			Help: "docker push NAME with no registry host or namespace resolves to docker.io/library/NAME: the official-images namespace, which " +
				"nobody outside Docker can push to, and certainly not the registry the deploy step pulls from. The push fails, or, with a namespace " +
				"guessed later, ships to a public registry. Safe: tag and push the full reference, ${{ env.REGISTRY }}/NAME:${{ github.sha }}."},
		{ID: RuleMutableDeployTag, Name: "mutable-deploy-tag", Severity: SeverityError,
			Summary: "A deploy step deploys an image by :latest (or by no tag), a mutable reference.",
			Help: ":latest is moved by every push: the App Service pulls whatever was pushed last (possibly another branch's build), two " +
				"instances can run different images, and there is no previous tag to roll back to. Safe: deploy the immutable tag the build " +
				"pushed, IMAGE:${{ github.sha }} (or a digest), and keep the previous one as the rollback target."},
		{ID: RuleCacheRefIsImageRef, Name: "cache-ref-is-image-ref", Severity: SeverityWarning,
			Summary: "The BuildKit registry cache is exported to the image's own repository (or its very tag).",
			Help: "A registry cache written to the tag the app is deployed from overwrites the image with a cache manifest that cannot run; " +
				"written to another tag of the same repository it mixes non-runnable cache manifests (mode=max holds every stage's layers) " +
				"with deployable images, so retention policies, webhooks on the repository and 'latest tag' tooling see them. Safe: a " +
				"repository of its own for the cache, e.g. REGISTRY/NAME-buildcache:main, with mode=max."},
		{ID: RuleMigrateInRunningApp, Name: "migrate-in-running-app", Severity: SeverityError,
			Summary: "Migrations run inside the running app (az webapp ssh / remote shell), i.e. from the old image.",
			Help: "The app that is running is the previous release: its image does not contain this commit's migration files, so " +
				"'manage.py migrate' there applies nothing new (or the wrong set), and the step reports success. Safe: run migrations from " +
				"the new image or code, e.g. docker run IMAGE:${{ github.sha }} python manage.py migrate, or in the staging slot after the " +
				"new tag is deployed to it, before the swap."},
		{ID: RuleMigrateUnchecked, Name: "migrate-unchecked", Severity: SeverityWarning,
			Summary: "Migrations are applied to the deployed database with no migration safety check before them.",
			Help: "Migrations applied before the new code is live must be backward compatible with the code still serving (no dropped or " +
				"renamed columns, no table-rewriting ALTERs under load). Nothing in the pipeline checks that before this step. Safe: a " +
				"migrate-check job (makemigrations --check, sqlmigrate analysis, deploykit's migration gate) that the applying job needs."},
		{ID: RuleVenvKeyNoPython, Name: "venv-key-no-python", Severity: SeverityWarning,
			Summary: "A cached virtualenv's key omits the Python version the venv is bound to.",
			Help: "A virtualenv holds absolute symlinks to its interpreter and compiled extension modules built for one CPython ABI. When " +
				"the runner's Python changes (setup-python, a matrix entry, an image update) the same key restores a venv whose python " +
				"symlink is dangling or whose extensions do not import. Safe: put the full interpreter version in the key, " +
				"e.g. ${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-poetry-${{ hashFiles('poetry.lock') }}."},
		{ID: RuleVenvNoInterpreterCheck, Name: "venv-no-interpreter-check", Severity: SeverityWarning,
			Summary: "A restored .venv is used (poetry install / uv sync / pip install) with no check that its interpreter matches.",
			Help: "After a cache restore the venv may belong to another interpreter (a partial restore-keys hit, a changed runner image). " +
				"poetry install then reuses it as is: a broken python symlink, or packages built for another ABI. Safe: key the cache on " +
				"the exact interpreter (setup-python's python-version output, no looser restore-keys), or check before installing, e.g. " +
				"'.venv/bin/python -c pass || rm -rf .venv' or 'poetry env use \"$(which python)\"'."},
		{ID: RuleCacheKeyNoRunnerOS, Name: "cache-key-no-runner-os", Severity: SeverityWarning,
			Summary: "A cache key does not contain runner.os.",
			Help: "actions/cache does not separate caches by operating system: Linux and macOS runners (same compression) can restore each " +
				"other's archive under a key that omits the OS, and platform-specific wheels or venvs then break. A warning when the job's " +
				"runner is picked by an expression (a matrix of OSes), a note when the job has one fixed OS. Keys built by an earlier " +
				"step (needs/steps outputs, env, inputs) are not judged. Safe: start the key (and every restore-key) with ${{ runner.os }}-."},
		{ID: RuleCacheKeyNoLockfileHash, Name: "cache-key-no-lockfile-hash", Severity: SeverityWarning,
			Summary: "A dependency cache key does not hash the lockfile.",
			Help: "A dependency cache keyed without the lockfile's hash is restored after dependencies change: a cached venv keeps the old " +
				"packages (a warning), a download cache (pip, Poetry, uv) is never refreshed because an exact key hit skips saving (a note). " +
				"Only Python caches are judged, and keys built by an earlier step are not. Safe: end the key with " +
				"${{ hashFiles('poetry.lock') }} (uv.lock, requirements*.txt, Pipfile.lock)."},
		{ID: RuleRestoreKeysCrossPython, Name: "restore-keys-cross-python", Severity: SeverityWarning,
			Summary: "A restore-key of a cached virtualenv can restore a venv built for another Python.",
			Help: "restore-keys match by prefix. A prefix without the Python version matches a venv saved by any interpreter, so a partial " +
				"hit restores a venv for the wrong Python. Safe: every restore-key keeps the Python version (and OS) segment of the key, " +
				"dropping only the lockfile hash; or no restore-keys for a venv at all."},
		{ID: RuleDeployNotGated, Name: "deploy-not-gated", Severity: SeverityError,
			Summary: "A deploy job does not need the test and lint jobs (or runs even when they fail).",
			Help: "Jobs without needs run in parallel: the deploy starts, and usually finishes, before tests fail. A job deploys when it " +
				"has a deploy step (WF012's too); jobs that deploy documentation, packages or previews, and e2e jobs that deploy into a " +
				"cluster they create, are not app deploys. With no test or lint job at all in the workflow (and none in the job before " +
				"the deploy, and no workflow_run on a successful CI run) it is a warning. Safe: needs: [test, lint] on the deploy job " +
				"(transitively is fine), and no always() / !cancelled() in its if: that would run it after a failure."},
		{ID: RuleDeployNotModelled, Name: "deploy-not-modelled", Severity: SeverityInfo,
			Summary: "A step looks like a deploy, but deploykit cannot model what it does.",
			Help: "The rules above only see what they can parse: az webapp commands, azure/webapps-deploy, docker push and build-push-action. " +
				"A deploy script, another action or another shell is not checked for mutable tags, migrations or gating; this note says " +
				"so instead of reporting the step as fine. Safe: call the deploy commands from the workflow itself, or check the script by hand."},
	}
	for i := range r {
		r[i].HelpURI = docBase + lowerID(r[i].ID)
	}
	return r
}

func lowerID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Rules documents deploykit's own workflow rules, in ID order. actionlint's
// checks are documented at its checks.md.
func Rules() []RuleDoc { return rules() }

// RuleByID returns the documentation of one of deploykit's rules.
func RuleByID(id string) (RuleDoc, bool) {
	for _, r := range rules() {
		if r.ID == id {
			return r, true
		}
	}
	return RuleDoc{}, false
}

// FixEdits collects, per file, the text edits of the first suggested fix of
// each diagnostic that has edits (fixes that are advice only are left out).
func FixEdits(diags []Diagnostic) map[string][]TextEdit { return report.FixEdits(diags) }

// ApplyEdits applies one file's edits; overlapping edits are refused whole.
func ApplyEdits(src []byte, edits []TextEdit) ([]byte, error) { return report.ApplyEdits(src, edits) }

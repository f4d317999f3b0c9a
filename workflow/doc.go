// Package workflow checks and generates the GitHub Actions pipeline that
// builds a Python web app's image and deploys it to Azure App Service.
//
// Lint runs actionlint (github.com/rhysd/actionlint, as a library: no files
// are read, no shellcheck or pyflakes is started) for syntax, expressions
// and action inputs, and deploykit's own deploy rules, WF001 to WF012, for
// what needs deploy knowledge: a docker push that lands in Docker Hub's
// library namespace, a deploy of :latest, a build cache exported into the
// image's repository, migrations run inside the running (old) app or with no
// safety check before them, virtualenv caches whose keys or restore-keys do
// not pin the interpreter, cache keys without runner.os or the lockfile's
// hash, and deploy jobs that do not need the test and lint jobs. Findings
// are Diagnostics (file:line:col, a stable rule ID, a severity, a message
// and, where the fix is mechanical, text edits). Rules documents each rule:
// why it matters and what is safe instead. A step that looks like a deploy
// but that the rules cannot model is reported as such (WF012), never passed
// over as fine. A venv cache is judged by what the job's installers write
// there (Poetry's virtualenvs.* settings, uv's project environment, pip
// --target, venvs created or used), not by the path's name.
//
// CacheSteps lists a workflow's actions/cache steps with their paths, key
// and restore-keys as written, for callers that evaluate the keys (with
// deploykit's cache package, say) without parsing workflows themselves.
//
// Generate writes .github/workflows/ci-cd.yml from Facts: test and lint in
// parallel, an image pushed under ${{ github.sha }} with a BuildKit registry
// cache on its own ref (mode=max), a migrate-check job, and a deploy job that
// needs all of them, runs only on the main branch, logs in to Azure with
// OIDC, deploys the new tag to the staging slot, applies migrations from the
// new image and swaps with a health check and an automatic swap-back. The
// output is byte-stable and lints clean.
//
// The package is pure: bytes in, diagnostics out; facts in, YAML out. It
// imports no other top-level deploykit package; cache keys computed by
// deploykit's cache package are passed in as Facts.CacheKey.
package workflow

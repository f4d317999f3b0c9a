// Package dockerfile analyses Dockerfiles for Python web applications and
// generates optimised multi-stage Dockerfiles for them. It is pure: it
// imports BuildKit's parser and linter, never the BuildKit client,
// containerd or gRPC, and does no I/O beyond the files it is asked to read.
//
// # Analysis
//
// Lint parses a Dockerfile with BuildKit's own parser
// (github.com/moby/buildkit/frontend/dockerfile/parser and instructions),
// runs the BuildKit checks that parser makes (FromAsCasing,
// StageNameCasing, ...) or, given LintConfig.BuildKit (package
// buildkitcheck), all of BuildKit's built-in checks (the ones "docker build
// --check" runs) offline, and then deploykit's rules, which know what BuildKit and
// hadolint do not: that "COPY . ." can overwrite a venv copied from the
// builder stage when the context holds a .venv, that "chown -R" after a COPY
// stores every byte twice, that Kubernetes runAsNonRoot refuses a user
// name, that "minimalwave-blog.wsgi" cannot be a Python module.
//
//	a, err := dockerfile.LintFile(ctx, "Dockerfile", ".", dockerfile.LintConfig{})
//	if err != nil { ... }          // *LintError: file, line, column, message
//	for _, d := range a.Diagnostics {
//		fmt.Println(d)             // Dockerfile:34:1: error: COPY . . brings .venv ... [DK101]
//	}
//
// Nothing is fetched from the network: buildkitcheck resolves base images
// offline (overridable with LintConfig.BaseImageEnv), so BuildKit's
// UndefinedVar check knows PATH.
// Given the build context (ContextFromDir applies .dockerignore with
// github.com/moby/patternmatcher, as BuildKit does), Lint also knows which
// files each COPY brings, their size, which of them leak secrets (.env,
// keys, .git) and which bust the cache.
//
// Each deploykit rule has a stable ID (DK101...), a default severity and a
// documented reason and alternative (Rules, RuleByID, the package README).
// BuildKit's findings keep their BuildKit names (FromAsCasing, UndefinedVar,
// ...). Findings are suppressed by BuildKit's "# check=skip=Rule1,Rule2"
// directive (for both kinds), by a "# deploykit:ignore DK102,DK107 reason"
// comment on the line(s) before an instruction, or by LintConfig.Skip.
//
// The stage graph (Graph) tells which stages a target needs, which build in
// parallel (Levels) and which are unused.
//
// # Output
//
// Diagnostics are internal/report's one model, exported here as type
// aliases (Diagnostic, Position, SuggestedFix, TextEdit, Related): a range,
// the rule's stable ID and documentation URL, a severity, a message,
// suggested fixes (text edits where the fix is mechanical: FROM ... AS
// casing, --no-install-recommends, pip --no-cache-dir, apk --no-cache,
// chown -R to COPY --chown) and related positions. WriteDiagnostics renders
// text, GitHub annotations, SARIF 2.1.0 and JSON; the JSON schema is stable
// and only grows:
//
//	{"schemaVersion": 1, "findings": [{"rule": "DK101", "severity": "error",
//	  "file": "Dockerfile", "line": 34, "column": 1, "message": "...",
//	  "fix": "...", "url": "...", "fixes": [{"message": "...", "edits": [...]}]}]}
//
// severity is "info", "warning" or "error"; line and column are 1-based
// (0 when unknown); fix is the fix messages as one string and may be "".
//
// # Generation
//
// Generate turns a Spec (Python version, dependency manager, system
// packages, Django settings, WSGI/ASGI app, port, uid...) into a Dockerfile
// and a .dockerignore that Lint passes with nothing above info: one ARG base
// shared by both stages, cache mounts for apt, pip, Poetry and uv, the venv
// built in the builder outside the application directory, a numeric
// non-root user created before any copy, collectstatic with a secret mount,
// bytecode compiled, exec-form gunicorn. InferSpec fills the Spec from a
// project directory (pyproject.toml, poetry.lock, uv.lock, requirements*.txt,
// manage.py, wsgi.py), with explicit overrides.
package dockerfile

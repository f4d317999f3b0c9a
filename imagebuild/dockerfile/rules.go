package dockerfile

import "sort"

// Rule documents one deploykit check. IDs are stable: a rule may be
// retired, never renumbered. BuildKit's own checks keep their BuildKit
// names (see package buildkitcheck) and are not listed here.
type Rule struct {
	// ID is the stable identifier, "DK101".
	ID string `json:"id"`
	// Name is a short kebab-case name.
	Name string `json:"name"`
	// Severity is the default severity.
	Severity Severity `json:"severity"`
	// Summary is one sentence: what the rule finds.
	Summary string `json:"summary"`
	// Why explains what goes wrong when the finding is ignored.
	Why string `json:"why"`
	// Alternative is the safe way to write it.
	Alternative string `json:"alternative"`
	// OffByDefault rules run only when LintConfig.Enable names them (or
	// LintConfig.Severity gives them a severity).
	OffByDefault bool `json:"off_by_default,omitempty"`
}

// HelpURI is the rule's documentation page (a section of this package's
// README).
func (r Rule) HelpURI() string {
	return "https://github.com/deploykit/deploykit/blob/main/imagebuild/dockerfile/README.md#" + lowerASCII(r.ID)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// The deploykit rule IDs.
const (
	RuleContextOverwritesStagePath = "DK101"
	RuleRecursiveChownAfterCopy    = "DK102"
	RulePackageCacheInLayer        = "DK103"
	RuleBaseNotPinned              = "DK104"
	RuleVenvBaseMismatch           = "DK105"
	RulePythonEOL                  = "DK106"
	RuleFinalUser                  = "DK107"
	RuleBuildTimeSecret            = "DK108"
	RuleModulePath                 = "DK109"
	RulePythonUnbuffered           = "DK110"
	RuleBytecodeNotCompiled        = "DK111"
	RuleCacheBustingOrder          = "DK112"
	RuleNoDockerIgnore             = "DK113"
	RuleSensitiveFileCopied        = "DK114"
	RulePoetryVersionSkew          = "DK115"
	RuleAptUnpinned                = "DK116"
	RuleUnusedStage                = "DK117"
	RuleVolatileFileCopied         = "DK118"
	RuleAptRecommends              = "DK119"
	RuleShellNotParsed             = "DK120"
	RuleRuntimeBuildPlatform       = "DK121"
	RuleBuildToolsInRuntime        = "DK122"
	RulePerBuildValueEarly         = "DK123"
	RuleToolInImage                = "DK124"
	RuleFullPythonBase             = "DK125"
	RuleDevServer                  = "DK126"
)

var rules = []Rule{
	{RuleContextOverwritesStagePath, "context-copy-over-stage-path", SeverityError,
		"A COPY from the build context lands on a path that an earlier COPY --from filled from another stage.",
		"When the context holds the same path (a local .venv, node_modules, staticfiles) and .dockerignore does not exclude it, the context copy silently replaces what the builder stage produced: a venv built for another interpreter, or with dev dependencies, ends up in the image.",
		"Build the venv outside the application directory (e.g. /opt/venv), and exclude local environments in .dockerignore (.venv, venv).", false},
	{RuleRecursiveChownAfterCopy, "recursive-chown-after-copy", SeverityWarning,
		"RUN chown -R / chmod -R over files that earlier instructions copied.",
		"Layers are copy-on-write: changing the owner or mode of a file copies the whole file into the new layer, so every byte under the path is stored twice (a 21 MB venv becomes 42 MB).",
		"Set ownership while copying (COPY --chown=UID:GID) and only where the application writes; keep code and venv owned by root and read-only to the user.", false},
	{RulePackageCacheInLayer, "package-cache-in-layer", SeverityWarning,
		"A package manager (pip, Poetry, uv, apt) downloads into a cache that is stored in the layer and not reused across builds.",
		"The download cache inflates the layer, and because it lives in the layer rather than in a BuildKit cache mount, every rebuild downloads everything again.",
		"RUN --mount=type=cache,target=<cache dir> (pip: /root/.cache/pip, Poetry: /root/.cache/pypoetry, uv: /root/.cache/uv, apt: /var/cache/apt and /var/lib/apt with sharing=locked).", false},
	{RuleBaseNotPinned, "base-not-pinned", SeverityInfo,
		"A FROM image is referenced by tag only, not by digest.",
		"Tags move: python:3.12-slim is rebuilt for every patch release and Debian update, so the same Dockerfile builds different images on different days and a registry cache keyed on the old base stops matching.",
		"Pin the digest (python:3.12-slim-bookworm@sha256:...) and update it deliberately (Dependabot/Renovate can).", false},
	{RuleVenvBaseMismatch, "venv-base-mismatch", SeverityWarning,
		"Stages that share a Python environment name their base images separately (or differently).",
		"A venv is bound to the interpreter that created it (paths, ABI, compiled wheels). Two FROM lines that repeat a floating tag can drift apart when one is edited or resolved at a different time; different minor versions break the venv outright.",
		"Declare the base once (ARG PYTHON_IMAGE=...) and use FROM ${PYTHON_IMAGE} in both stages, ideally pinned by digest.", false},
	{RulePythonEOL, "python-eol", SeverityWarning,
		"The base image's Python version is past (or near) its end of life.",
		"After end of life CPython gets no security fixes and the official images stop being rebuilt.",
		"Move to a supported version; the end-of-life dates deploykit uses are in data/python_eol.json (PythonEOL, with source and date).", false},
	{RuleFinalUser, "final-user", SeverityWarning,
		"The final stage runs as root, or as a user name rather than a numeric UID.",
		"Kubernetes runAsNonRoot (and other admission policies) can only verify a numeric user; a name is refused, and root is a needless privilege.",
		"Create the user with a fixed UID before copying files and end with USER 10001:10001.", false},
	{RuleBuildTimeSecret, "build-time-secret", SeverityWarning,
		"A build step needs a secret (collectstatic with production settings, a token in a command) but has no secret mount.",
		"Production settings require SECRET_KEY and often database or storage credentials; passing them as ARG/ENV stores them in the image history, and leaving them out makes the build fail or use insecure defaults.",
		"RUN --mount=type=secret,id=django_secret_key,env=DJANGO_SECRET_KEY python manage.py collectstatic --noinput.", false},
	{RuleModulePath, "module-path", SeverityError,
		"A Python module path (WSGI/ASGI app, --settings, DJANGO_SETTINGS_MODULE) has a segment that is not a Python identifier.",
		"Python cannot import a module named with '-' or starting with a digit, and Django's startproject refuses such names, so the path cannot be the project's: the container fails at start.",
		"Use the package's real name, usually the project name with '-' replaced by '_' (minimalwave_blog.wsgi:application).", false},
	{RulePythonUnbuffered, "python-unbuffered", SeverityInfo,
		"The final stage runs Python without PYTHONUNBUFFERED set.",
		"Buffered stdout/stderr delays or loses log lines when the container is stopped or crashes.",
		"ENV PYTHONUNBUFFERED=1 in the final stage.", false},
	{RuleBytecodeNotCompiled, "bytecode-not-compiled", SeverityInfo,
		"Nothing compiles Python bytecode at build time.",
		"Every container start then compiles the source again (slower cold starts), or tries to write __pycache__ into a read-only tree.",
		"RUN python -m compileall -q <app dir> (and UV_COMPILE_BYTECODE=1 for uv, compileall over the venv for Poetry).", false},
	{RuleCacheBustingOrder, "cache-busting-order", SeverityWarning,
		"An expensive install step runs after the whole source tree was copied.",
		"Any edit to any source file invalidates the COPY layer and every layer after it, so dependencies are reinstalled on every build.",
		"Copy only the dependency manifests (pyproject.toml and lock file, requirements*.txt), install, then COPY the source.", false},
	{RuleNoDockerIgnore, "no-dockerignore", SeverityWarning,
		"The build context has no .dockerignore while the Dockerfile copies the whole context.",
		"Everything in the directory is sent and copied: .git, local venvs, .env files, caches; the image grows and the cache breaks on every commit.",
		"Add a .dockerignore (dockerfile.Generate writes one).", false},
	{RuleSensitiveFileCopied, "sensitive-file-copied", SeverityError,
		"A file that may hold secrets (.env, keys, databases, .git history) is copied from the context into the image.",
		"Anyone who can pull the image can read it; removing it in a later layer does not help.",
		"Exclude it in .dockerignore and provide secrets at run time (App Service settings, Key Vault) or with RUN --mount=type=secret at build time.", false},
	{RulePoetryVersionSkew, "poetry-version-skew", SeverityError,
		"The Poetry installed in the image cannot read, or did not write, the project's poetry.lock.",
		"poetry.lock lock-version 2.1 needs Poetry 2.x and 2.0 needs Poetry 1.3 or newer; an older Poetry refuses the lock file, and an unpinned Poetry changes under you.",
		"Pin the Poetry version that wrote the lock file (its header says \"@generated by Poetry X\").", false},
	{RuleAptUnpinned, "apt-unpinned", SeverityInfo,
		"apt-get install without version pins (hadolint DL3008); off by default.",
		"Builds may pick up different package versions. But Debian removes superseded versions from its archive, so a pinned version breaks the build within weeks; that is why most projects disable DL3008, and why this rule is off unless enabled.",
		"Leave packages unpinned and pin the base image by digest instead; enable DK116 only with a snapshot mirror (snapshot.debian.org).", true},
	{RuleUnusedStage, "unused-stage", SeverityInfo,
		"A stage is not needed by the build target.",
		"BuildKit skips it, so it is dead code that misleads readers (and is built by the legacy builder).",
		"Delete it, or build it explicitly with --target.", false},
	{RuleVolatileFileCopied, "volatile-file-copied", SeverityWarning,
		"Files that change without source edits (__pycache__, *.pyc, caches, logs, node_modules, local venvs) are copied from the context.",
		"They bust the layer cache on every build and bloat the image.",
		"Exclude them in .dockerignore.", false},
	{RuleAptRecommends, "apt-install-recommends", SeverityInfo,
		"apt-get install without --no-install-recommends (hadolint DL3015).",
		"Debian's recommended packages are pulled in too: often tens of megabytes the application never uses.",
		"apt-get install -y --no-install-recommends <packages>.", false},
	{RuleShellNotParsed, "shell-not-parsed", SeverityInfo,
		"A RUN is not a shell script deploykit's parser (mvdan.cc/sh, bash syntax) accepts, so its commands were not checked.",
		"deploykit fails closed: a script it cannot read is reported as not examined, never as clean.",
		"Check the script with sh -n; move complicated logic into a script file that is copied and run.", false},
	{RuleRuntimeBuildPlatform, "runtime-build-platform", SeverityWarning,
		"The final image's stage is built FROM --platform=$BUILDPLATFORM.",
		"$BUILDPLATFORM is the build machine's platform: a multi-platform build (or a build on an ARM runner for an amd64 App Service) ships binaries for the wrong architecture.",
		"Use --platform=$BUILDPLATFORM only on builder stages that cross-compile; the runtime stage follows the target platform.", false},
	{RuleBuildToolsInRuntime, "build-tools-in-runtime", SeverityWarning,
		"Compilers or -dev packages are installed in a stage that ships.",
		"Headers and compilers are needed to build wheels, not to run them: they add hundreds of megabytes and attack surface to the image.",
		"Build wheels in a builder stage; install only the shared libraries (libpq5, not libpq-dev) in the runtime.", false},
	{RulePerBuildValueEarly, "per-build-value-early", SeverityWarning,
		"An ARG or ENV with a per-build value (commit, build number, date) is declared before an install step.",
		"Its value differs on every build, and every RUN after the declaration has it in its environment, so the dependency installs never hit the cache.",
		"Declare it after the installs, just before the LABEL or ENV that records it.", false},
	{RuleToolInImage, "tool-in-image", SeverityInfo,
		"Poetry, uv, pip-tools (or another dependency manager) is installed in the final image.",
		"The manager and its dependencies are needed to install packages, not to run the app: they add tens of megabytes and may conflict with the app's own packages.",
		"Install into a venv in a builder stage and copy only the venv into the runtime stage.", false},
	{RuleFullPythonBase, "full-python-base", SeverityInfo,
		"The final image starts from a full (non-slim) official python image.",
		"The full image carries compilers, headers and many Debian packages (about 1 GB) that a runtime does not need.",
		"Use python:X.Y-slim for the runtime stage (and the full image, if at all, only for building wheels).", false},
	{RuleDevServer, "dev-server", SeverityWarning,
		"The container's command is a development server or a tool that resolves dependencies at start (flask run, fastapi run/dev, uv run, manage.py runserver).",
		"Development servers are single-process and not hardened; uv run checks and syncs the environment on every start, slowing cold starts and needing uv in the image.",
		"Run gunicorn (uvicorn workers for ASGI), uvicorn --workers N or granian from the venv directly.", false},
}

// defaultOff reports whether rule id is off unless enabled.
func defaultOff(id string) bool {
	r, ok := RuleByID(id)
	return ok && r.OffByDefault
}

// Rules returns deploykit's rule catalogue, sorted by ID.
func Rules() []Rule {
	out := append([]Rule(nil), rules...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RuleByID returns the deploykit rule with the given ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

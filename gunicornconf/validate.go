package gunicornconf

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/textdist"
)

// Platform is where gunicorn runs; some rules only apply to some.
type Platform string

// The platforms the validator knows. The zero value is PlatformPlain.
const (
	// PlatformPlain is a host or VM with nothing in front of gunicorn that
	// deploykit knows about.
	PlatformPlain Platform = "plain"
	// PlatformContainer is any container runtime (Docker, Kubernetes):
	// the container's main process is gunicorn's master.
	PlatformContainer Platform = "container"
	// PlatformAppServiceCode is App Service's built-in Python (code
	// deployment): Oryx generates the startup command, which runs gunicorn
	// with --access-logfile '-' --error-logfile '-' (and -c for a
	// gunicorn.conf.py in the app root), sets GUNICORN_CMD_ARGS
	// (OryxCmdArgs), and the app runs in a container behind the front end.
	// Source: microsoft/Oryx src/startupscriptgenerator/src/python/
	// scriptgenerator.go, and App Service's "Configure a Linux Python app".
	PlatformAppServiceCode Platform = "appservice-code"
	// PlatformAppServiceContainer is a custom container on App Service
	// (what the design document deploys): the image's own CMD starts
	// gunicorn; Oryx adds nothing. Behind the same front end (230 s
	// request limit, TLS terminated in front, X-Forwarded-Proto).
	PlatformAppServiceContainer Platform = "appservice-container"
)

// Platforms lists the platforms ParsePlatform accepts.
func Platforms() []Platform {
	return []Platform{PlatformAppServiceContainer, PlatformAppServiceCode, PlatformContainer, PlatformPlain}
}

// ParsePlatform parses "plain", "container", "appservice-code" or
// "appservice-container" ("" is plain). The old "appservice" is refused
// with a message naming both App Service variants, since they differ in
// what starts gunicorn.
func ParsePlatform(s string) (Platform, error) {
	switch p := Platform(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return PlatformPlain, nil
	case PlatformPlain, PlatformContainer, PlatformAppServiceCode, PlatformAppServiceContainer:
		return p, nil
	case "appservice", "app-service", "azure":
		return "", fmt.Errorf("gunicornconf: platform %q is ambiguous: use appservice-container for a custom container (the image starts gunicorn) or appservice-code for App Service's built-in Python (Oryx starts gunicorn)", s)
	}
	return "", fmt.Errorf("gunicornconf: unknown platform %q (want appservice-container, appservice-code, container or plain)", s)
}

func (p Platform) containerized() bool { return p != PlatformPlain && p != "" }

func (p Platform) appService() bool {
	return p == PlatformAppServiceCode || p == PlatformAppServiceContainer
}

// AppServiceFrontEndTimeout is the App Service front end's request limit:
// a request without a response after 230 seconds gets an error from the
// front end, whatever gunicorn's timeout. It applies to every App Service
// app, custom containers included ("Azure has a general idle request
// timeout of 230 seconds", Microsoft Q&A 1465927, answered by a Microsoft
// moderator), so GC006 judges a timeout the file or command line sets on
// appservice-container too; only Oryx's --timeout 600 is appservice-code's.
const AppServiceFrontEndTimeout = 230

// Options says what the validator assumes about the deployment. The zero
// value validates for gunicorn 23.0 on a plain host.
type Options struct {
	// Version is the gunicorn release that will read the file (zero:
	// DefaultVersion(), the newest catalogued release).
	Version Version
	// Platform selects platform rules (zero: PlatformPlain).
	Platform Platform
	// WorkerClass is the worker class assumed when the file does not set
	// one ("" = sync, gunicorn's default).
	WorkerClass string
	// CmdArgsEnv is GUNICORN_CMD_ARGS as gunicorn will see it. On
	// PlatformAppServiceCode an empty value means OryxCmdArgs; set it to
	// "-" to say the variable is unset.
	CmdArgsEnv string
	// Args are the command-line arguments gunicorn is started with.
	Args []string
}

func (o Options) version() Version {
	if o.Version == (Version{}) {
		return DefaultVersion()
	}
	return o.Version
}

func (o Options) platform() Platform {
	if o.Platform == "" {
		return PlatformPlain
	}
	return o.Platform
}

func (o Options) cmdArgsEnv() string {
	switch {
	case o.CmdArgsEnv == "-":
		return ""
	case o.CmdArgsEnv == "" && o.platform() == PlatformAppServiceCode:
		return OryxCmdArgs
	}
	return o.CmdArgsEnv
}

// Severity is how bad a Finding is; every deploykit analyser shares the
// type. Rank orders the values (info 1, warning 2, error 3).
type Severity = report.Severity

// The three severities, from least to most severe.
const (
	SeverityInfo    = report.SeverityInfo
	SeverityWarning = report.SeverityWarning
	SeverityError   = report.SeverityError
)

// Diagnostic is one finding, shared by every deploykit analyser: a range
// in the file, a stable rule ID and its documentation URL, a severity, a
// message and suggested fixes (with text edits where the fix is
// mechanical).
type Diagnostic = report.Diagnostic

// Position, SuggestedFix, TextEdit and Rule are the parts of a Diagnostic
// and of the rule documentation.
type (
	Position     = report.Position
	SuggestedFix = report.SuggestedFix
	TextEdit     = report.TextEdit
	Rule         = report.Rule
)

// Finding is one result of Validate: a Diagnostic and the setting (or
// module-level name) it is about. Its JSON form is the Diagnostic's stable
// schema plus "setting".
type Finding struct {
	Diagnostic
	Setting string
}

// MarshalJSON writes the Diagnostic's fields and "setting".
func (f Finding) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(f.Diagnostic)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	set, _ := json.Marshal(f.Setting)
	m["setting"] = set
	return json.Marshal(m)
}

// Diagnostics returns the findings' diagnostics, for report writers and
// fixers.
func Diagnostics(fs []Finding) []Diagnostic {
	out := make([]Diagnostic, len(fs))
	for i, f := range fs {
		out[i] = f.Diagnostic
	}
	return out
}

// RulesURL is the document with one section per rule (RULES.md,
// generated from Rules).
const RulesURL = "https://github.com/deploykit/deploykit/blob/main/gunicornconf/RULES.md"

// RuleURL returns the documentation anchor of a rule ID.
func RuleURL(id string) string { return RulesURL + "#" + strings.ToLower(id) }

// Rule IDs. They are stable: tools may filter on them.
const (
	RuleUnknownSetting      = "GC001"
	RuleInvalidValue        = "GC002"
	RuleForwardedIPsCIDR    = "GC003"
	RuleNoEffect            = "GC004"
	RuleThreadsSwitchClass  = "GC005"
	RuleTimeoutFrontEnd     = "GC006"
	RuleOverriddenByArgs    = "GC007"
	RuleHostDependentSizing = "GC008"
	RulePreloadSharedState  = "GC009"
	RuleMaxRequestsJitter   = "GC010"
	RuleWorkerTmpDir        = "GC011"
	RuleProxyHeaders        = "GC012"
	RuleNoAccessLog         = "GC013"
	RuleDaemonInContainer   = "GC014"
	RuleHookArity           = "GC015"
	RuleNotStaticallyKnown  = "GC016"
	RuleNotInVersion        = "GC017"
	RuleBindLoopback        = "GC018"
	RuleDeprecated          = "GC019"
	RuleAnnotationOnly      = "GC020"
	RuleUndefinedName       = "GC021"
	RulePython2Import       = "GC022"
	RuleVersionGap          = "GC023"
)

// Rules returns the validator's rules, sorted by ID, for SARIF output and
// documentation.
func Rules() []Rule {
	out := append([]Rule(nil), rules...)
	for i := range out {
		out[i].HelpURI = RuleURL(out[i].ID)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

var rules = []report.Rule{
	{ID: RuleUnknownSetting, Name: "unknown-setting", Severity: report.SeverityError,
		Summary: "A module-level name that looks like a setting but is not one.",
		Help:    "gunicorn reads only module-level names that are exactly a setting name (case-sensitive) and silently ignores the rest, so `worker = 4` or `WORKERS = 4` leaves the default in place. Rename it to the setting it was meant to be."},
	{ID: RuleInvalidValue, Name: "invalid-value", Severity: report.SeverityError,
		Summary: "A value gunicorn's validator rejects.",
		Help:    "gunicorn validates every setting from the file and refuses to start on a wrong type: a float for an integer setting, the string \"022\" for umask (int(x, 0) rejects leading zeros), an int for a boolean. Use the type the setting's validator accepts."},
	{ID: RuleForwardedIPsCIDR, Name: "forwarded-ips-cidr", Severity: report.SeverityError,
		Summary: "A CIDR network in forwarded_allow_ips or proxy_allow_ips before gunicorn 24.1.",
		Help:    "Networks are accepted from gunicorn 24.1 on. 23.x validates each entry as an IP address and refuses to start; 20.1 accepts the string but compares peers by exact string, so the network never matches and proxy headers are ignored. List addresses, or \"*\" where only the front end can reach the app."},
	{ID: RuleNoEffect, Name: "no-effect-for-worker-class", Severity: report.SeverityWarning,
		Summary: "A setting the chosen worker class ignores.",
		Help:    "worker_connections only affects gthread, eventlet and gevent; keepalive is ignored by sync workers, which close every connection; threads only affects gthread. Remove the setting or pick a worker class that honours it."},
	{ID: RuleThreadsSwitchClass, Name: "threads-switch-to-gthread", Severity: report.SeverityInfo,
		Summary: "threads > 1 with the default worker runs gthread.",
		Help:    "This is gunicorn's documented behaviour (settings reference, threads: \"If it is not defined, the default worker class will be replaced by gthread\"), not a mistake; the rule only says which worker the other rules judge. worker_class = \"gthread\" makes it explicit."},
	{ID: RuleTimeoutFrontEnd, Name: "timeout-over-frontend-limit", Severity: report.SeverityWarning,
		Summary: "timeout above App Service's 230 s front-end limit.",
		Help:    "App Service's front end gives up on a request after 230 seconds; a longer (or disabled, 0) gunicorn timeout keeps a worker busy on a request whose client already got an error. Keep timeout below 230 and move long work to a background job."},
	{ID: RuleOverriddenByArgs, Name: "overridden-by-command-line", Severity: report.SeverityWarning,
		Summary: "A setting in the file that GUNICORN_CMD_ARGS or the command line overrides.",
		Help:    "gunicorn applies the config file first, then GUNICORN_CMD_ARGS, then the command line. On App Service's code deployments, Oryx's startup sets GUNICORN_CMD_ARGS to --timeout 600 --access-logfile '-' --error-logfile '-' --chdir=<app dir> (microsoft/Oryx scriptgenerator), so the file's timeout, accesslog and errorlog are dead. Start gunicorn with an explicit startup command (deploykit renders one) that passes these flags itself."},
	{ID: RuleHostDependentSizing, Name: "host-dependent-sizing", Severity: report.SeverityWarning,
		Summary: "workers or threads computed from the host's CPU count.",
		Help:    "multiprocessing.cpu_count() and os.cpu_count() count the CPUs the kernel reports, not the container's CPU quota (cgroup cpu.max), and ignore memory: qodo-ai/pr-agent's gunicorn config records a pod capped at 0.5 CPU on a 64-core node that started cpu_count()*2+1 = 129 workers and was OOM-killed. Size for the plan (gunicornconf generate -sku SKU) or read the cgroup quota, affinity and memory at runtime (gunicornconf generate)."},
	{ID: RulePreloadSharedState, Name: "preload-shared-state", Severity: report.SeverityWarning,
		Summary: "Connections and threads created while the config file loads (warning); preload_app without a post_fork hook (info: what to check).",
		Help:    "gunicorn runs the config file in the master, so a connection or thread it creates is inherited by every forked worker (threads do not survive fork at all): create them in a post_fork(server, worker) or post_worker_init(worker) hook. With preload_app the application is imported once in the master too; that is a problem only when the app opens connections at import time, so the rule says what to check, at info level."},
	{ID: RuleMaxRequestsJitter, Name: "max-requests-without-jitter", Severity: report.SeverityWarning,
		Summary: "max_requests without max_requests_jitter.",
		Help:    "Without jitter every worker reaches max_requests at about the same time and they all restart together, dropping capacity at once. Set max_requests_jitter to about 5-10% of max_requests."},
	{ID: RuleWorkerTmpDir, Name: "worker-tmp-dir", Severity: report.SeverityWarning,
		Summary: "worker_tmp_dir is not /dev/shm in a container.",
		Help:    "Workers signal liveness by touching a file in worker_tmp_dir; on a container's overlay or network file system that can block a worker long enough for the master to kill it. Set worker_tmp_dir = \"/dev/shm\"."},
	{ID: RuleProxyHeaders, Name: "proxy-headers-untrusted", Severity: report.SeverityWarning,
		Summary: "forwarded_allow_ips not set behind App Service's front end.",
		Help:    "gunicorn trusts X-Forwarded-Proto only from forwarded_allow_ips (default 127.0.0.1). App Service terminates TLS in a front end with no fixed address, so without forwarded_allow_ips = \"*\" every request looks like plain HTTP: Django's is_secure() is False and SECURE_SSL_REDIRECT loops. Only the front end can reach the container, so \"*\" is safe there."},
	{ID: RuleNoAccessLog, Name: "no-access-log", Severity: report.SeverityWarning,
		Summary: "No access log.",
		Help:    "accesslog defaults to None: no request is logged. Set accesslog = \"-\" to log to stdout, where App Service and container runtimes collect it."},
	{ID: RuleDaemonInContainer, Name: "daemon-in-container", Severity: report.SeverityError,
		Summary: "daemon = True in a container.",
		Help:    "A daemonised master detaches and the container's main process exits, so the platform stops (and restarts) the container in a loop. Remove daemon."},
	{ID: RuleHookArity, Name: "hook-arity", Severity: report.SeverityError,
		Summary: "A server hook with the wrong number of parameters.",
		Help:    "gunicorn checks each hook's positional parameter count and refuses to start when it differs (post_request accepts 2, 3 or 4). Match the signature in the settings reference."},
	{ID: RuleNotStaticallyKnown, Name: "not-statically-known", Severity: report.SeverityInfo,
		Summary: "A setting whose value depends on the environment or code deploykit does not run.",
		Help:    "deploykit never guesses: the value is computed when gunicorn starts (environment variables, function calls, conditionals), so rules that need it were skipped."},
	{ID: RuleNotInVersion, Name: "setting-not-in-version", Severity: report.SeverityError,
		Summary: "A setting the target gunicorn version does not have.",
		Help:    "Settings added in later versions (or removed in earlier ones) are unknown names to this gunicorn, which ignores them silently. Upgrade gunicorn or remove the setting."},
	{ID: RuleBindLoopback, Name: "bind-loopback-in-container", Severity: report.SeverityError,
		Summary: "bind only on the loopback interface in a container.",
		Help:    "127.0.0.1 inside a container is unreachable from the platform's router. Bind 0.0.0.0:PORT."},
	{ID: RuleDeprecated, Name: "deprecated-setting", Severity: report.SeverityWarning,
		Summary: "A deprecated setting.",
		Help:    "ssl_version is ignored since 21.0 (use the ssl_context hook); strip_header_spaces reopens request smuggling and is scheduled for removal."},
	{ID: RuleAnnotationOnly, Name: "annotation-only", Severity: report.SeverityWarning,
		Summary: "An annotation without a value (`workers: 2`): it binds nothing.",
		Help:    "`name: value` is a variable annotation, not an assignment: the module gets no `name`, so gunicorn keeps the setting's default. Write `name = value`."},
	{ID: RuleUndefinedName, Name: "undefined-name", Severity: report.SeverityError,
		Summary: "A name read before anything binds it: NameError when gunicorn loads the file.",
		Help:    "gunicorn executes the file as a module; a NameError at module level stops it before it reads any setting (\"Failed to read config file\"). Define or import the name, or quote it if it is a value such as a worker class."},
	{ID: RulePython2Import, Name: "python2-import", Severity: report.SeverityError,
		Summary: "An import of a module that only Python 2 has.",
		Help:    "Python 3 removed or renamed these modules (PEP 3108): the import raises ModuleNotFoundError and gunicorn refuses to load the file. Import the Python 3 module named in the message."},
	{ID: RuleVersionGap, Name: "not-modelled-for-version", Severity: report.SeverityInfo,
		Summary: "A setting the catalogue cannot judge for the target release.",
		Help:    "The catalogue is generated from gunicorn's config.py at the releases whose text deploykit has; for a release between them, a setting whose presence or validator changed without a versionadded/versionchanged note is not modelled there, so rules that need it were skipped. Target a release with a text (see gunicornconf.Versions) to have it checked."},
}

var ruleSeverity = func() map[string]report.Severity {
	m := map[string]report.Severity{}
	for _, r := range rules {
		m[r.ID] = r.Severity
	}
	return m
}()

type validation struct {
	c    *Config
	opts Options
	v    Version
	out  []Finding
}

func (vd *validation) add(rule string, a Assignment, setting, msg, fix string, edits ...TextEdit) {
	vd.addSev(rule, ruleSeverity[rule], a, setting, msg, fix, edits...)
}

func (vd *validation) addSev(rule string, sev report.Severity, a Assignment, setting, msg, fix string, edits ...TextEdit) {
	d := Diagnostic{
		Pos:  Position{File: vd.c.Path, Line: a.Line, Column: a.Column},
		Rule: rule, URL: RuleURL(rule), Severity: sev, Message: msg,
	}
	if a.EndLine > 0 {
		d.End = Position{File: vd.c.Path, Line: a.EndLine, Column: a.EndColumn}
	}
	if fix != "" || len(edits) > 0 {
		d.SuggestedFixes = []SuggestedFix{{Message: fix, TextEdits: edits}}
	}
	vd.out = append(vd.out, Finding{Diagnostic: d, Setting: setting})
}

// Validate checks the configuration against the catalogue and the rules
// above, for the deployment opts describes. Findings are sorted by line,
// then rule. An unparsable GUNICORN_CMD_ARGS or Args value is reported as
// an error finding rather than returned.
func (c *Config) Validate(opts Options) []Finding {
	vd := &validation{c: c, opts: opts, v: opts.version()}
	vd.names()
	vd.values()
	vd.workerClass()
	vd.overrides()
	vd.platformRules()
	vd.operational()
	sort.SliceStable(vd.out, func(i, j int) bool {
		a, b := vd.out[i], vd.out[j]
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Rule < b.Rule
	})
	return vd.out
}

// names: misspellings, annotation-only statements, undefined names,
// Python 2 imports and settings the version lacks.
func (vd *validation) names() {
	for _, a := range vd.c.Other {
		if a.Value.Kind == KindModule || strings.HasPrefix(a.Name, "_") || vd.c.imported[a.Name] {
			continue // names bound by import are never misspelt settings
		}
		if vd.c.reads[a.Name] > 0 {
			// The file reads the name itself (env = Env(); env.bool(...),
			// port = ...; bind = f"...{port}"): a helper of its own, not a
			// setting written for gunicorn to read.
			continue
		}
		if guess, exact := closestSetting(a.Name); guess != "" {
			msg := fmt.Sprintf("%q is not a gunicorn setting; gunicorn ignores it silently", a.Name)
			if exact {
				msg = fmt.Sprintf("%q is not a gunicorn setting (names are case-sensitive); gunicorn ignores it silently", a.Name)
			}
			var edits []TextEdit
			for _, b := range vd.c.bindings[a.Name] {
				if b.EndLine == b.Line && b.EndColumn-b.Column == len(a.Name) {
					edits = append(edits, TextEdit{Pos: Position{File: vd.c.Path, Line: b.Line, Column: b.Column},
						End: Position{File: vd.c.Path, Line: b.EndLine, Column: b.EndColumn}, NewText: guess})
				}
			}
			vd.add(RuleUnknownSetting, a, a.Name, msg+fmt.Sprintf(". Did you mean %q?", guess), fmt.Sprintf("rename %s to %s", a.Name, guess), edits...)
		}
	}
	for _, a := range vd.c.Annotations {
		msg := fmt.Sprintf("%s: %s is an annotation, not an assignment: it binds nothing", a.Name, a.Expr)
		var edits []TextEdit
		if _, ok := Lookup(a.Name); ok {
			msg += fmt.Sprintf(", so gunicorn keeps the default %s", defaultOf(a.Name, vd.v))
			if literal.MatchString(a.Expr) && a.EndLine == a.Line {
				// "name: value" -> "name = value": replace the colon and
				// the blanks around it.
				edits = append(edits, TextEdit{Pos: Position{File: vd.c.Path, Line: a.Line, Column: a.EndColumn},
					End: Position{File: vd.c.Path, Line: a.Line, Column: a.valueColumn}, NewText: " = "})
			}
		}
		vd.add(RuleAnnotationOnly, a, a.Name, msg, a.Name+" = "+a.Expr, edits...)
	}
	for _, u := range vd.c.Undefined {
		vd.add(RuleUndefinedName, Assignment{Line: u.Line, Column: u.Column, EndLine: u.Line, EndColumn: u.Column + len(u.Name)}, u.Name,
			fmt.Sprintf("name %q is not defined: loading the file raises NameError and gunicorn refuses to start", u.Name),
			"define or import "+u.Name+" before this line, or quote it if it is a value")
	}
	for _, im := range vd.c.Imports {
		mod := im.Module
		if repl, ok := Python2Module(mod); ok && !strings.HasPrefix(mod, ".") {
			vd.add(RulePython2Import, Assignment{Line: im.Line, Column: im.Column}, mod,
				fmt.Sprintf("module %s exists only in Python 2: the import raises ModuleNotFoundError and gunicorn refuses to load the file", strings.SplitN(mod, ".", 2)[0]),
				"import "+repl+" instead")
		}
	}
	for _, name := range sortedKeys(vd.c.Set) {
		a := vd.c.Set[name]
		s, _ := Lookup(name)
		if s.Unknown(vd.v) {
			vd.add(RuleVersionGap, a, name, fmt.Sprintf("deploykit cannot tell whether gunicorn %s has %s as config.py %s does: %s", vd.v, name, DefaultVersion(), gapFor(vd.v, name)), "")
			continue
		}
		if s.In(vd.v) {
			continue
		}
		var msg string
		if first, ok := firstRelease(s); ok && vd.v.Less(first) {
			msg = fmt.Sprintf("%s first appears in gunicorn %s; gunicorn %s ignores it silently", name, first, vd.v)
		} else {
			msg = fmt.Sprintf("gunicorn %s has no setting %s (it was removed); gunicorn ignores it silently", vd.v, name)
		}
		vd.add(RuleNotInVersion, a, name, msg, "remove "+name+" or target a gunicorn version that has it")
	}
}

// literal matches a simple Python literal.
var literal = regexp.MustCompile(`^(?:-?[0-9][0-9_]*(?:\.[0-9_]*)?|'[^'\\]*'|"[^"\\]*"|True|False|None)$`)

func defaultOf(name string, v Version) string {
	s, _ := Lookup(name)
	if d := s.DefaultIn(v); d != "" {
		return d
	}
	return "value"
}

func gapFor(v Version, name string) string {
	for _, g := range Gaps(v) {
		if strings.HasPrefix(g, name+":") {
			return strings.TrimSpace(strings.TrimPrefix(g, name+":"))
		}
	}
	return "the texts around this release differ"
}

// firstRelease is the oldest catalogued release with the setting.
func firstRelease(s Setting) (Version, bool) {
	for _, v := range Versions() {
		if s.In(v) {
			return v, true
		}
	}
	return Version{}, false
}

// closestSetting returns the catalogue name closest to name, if close
// enough to be a likely misspelling; exact reports a case-only difference.
func closestSetting(name string) (string, bool) {
	lower := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	if _, ok := Lookup(lower); ok {
		return lower, true
	}
	// The command-line spelling: preload (--preload), access_logfile.
	if s, ok := flagNames()[lower]; ok {
		return s, false
	}
	limit := 1
	switch {
	case len(name) >= 12:
		limit = 3
	case len(name) >= 5:
		limit = 2
	}
	best, bestD := "", 1<<30
	for _, s := range catalogue().settings {
		if n := len(lower) - len(s.Name); n > limit || -n > limit {
			continue // the distance is at least the length difference
		}
		d := textdist.Distance(lower, s.Name)
		if d < bestD || d == bestD && s.Name < best {
			best, bestD = s.Name, d
		}
	}
	if bestD <= limit {
		return best, false
	}
	return "", false
}

// flagNames maps each long flag, without dashes and with underscores, to
// its setting ("preload" -> "preload_app").
var flagNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, s := range catalogue().settings {
		for _, f := range s.CLI {
			if strings.HasPrefix(f, "--") {
				n := strings.ReplaceAll(strings.TrimPrefix(f, "--"), "-", "_")
				if n != s.Name {
					m[n] = s.Name
				}
			}
		}
	}
	return m
})

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// values: each set value against its validator.
func (vd *validation) values() {
	for _, name := range sortedKeys(vd.c.Set) {
		a := vd.c.Set[name]
		s, _ := Lookup(name)
		if !s.In(vd.v) {
			continue
		}
		v := a.Value
		if !v.Known() {
			if v.HostDependent && (name == "workers" || name == "threads") {
				continue // RuleHostDependentSizing says more
			}
			vd.add(RuleNotStaticallyKnown, a, name, fmt.Sprintf("%s is not statically known: %s", name, v.Reason), "")
			continue
		}
		if s.Unknown(vd.v) {
			continue // RuleVersionGap said so
		}
		if msg, fix := vd.extraChecks(name, v); msg != "" {
			vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s = %s: %s; gunicorn %s refuses to start", name, v.Python(), msg, vd.v), fix)
			continue
		}
		switch val := s.ValidatorIn(vd.v); val {
		case ValidateCallable, ValidatePostRequest, "dirty_hook_callable":
			vd.checkHook(s, val, a)
		case ValidateStringToAddrList:
			vd.checkAddrList(name, a)
		case ValidateStringToList:
			if msg := checkValue(val, v); msg != "" {
				vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s = %s: %s; gunicorn %s refuses to start", name, v.Python(), msg, vd.v), fixFor(name, val, v))
			} else if name == "forwarded_allow_ips" || name == "proxy_allow_ips" {
				for _, item := range strings.Split(v.Str, ",") {
					if item = strings.TrimSpace(item); strings.Contains(item, "/") {
						vd.addSev(RuleForwardedIPsCIDR, report.SeverityWarning, a, name,
							fmt.Sprintf("%s contains the network %s: gunicorn %s compares the peer address with each entry as a string, so a network never matches and proxy headers from it are ignored", name, item, vd.v),
							"list the proxy addresses, or \"*\" when only the front end can reach the app")
						break
					}
				}
			}
		default:
			if msg := checkValue(val, v); msg != "" {
				vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s = %s: %s; gunicorn %s refuses to start", name, v.Python(), msg, vd.v), fixFor(name, val, v))
			}
		}
	}
}

// extraChecks are what gunicorn rejects beyond the validator's type check:
// ports, worker-class names, ranges and enumerations. It returns why, and
// a fix, or "".
func (vd *validation) extraChecks(name string, v Value) (msg, fix string) {
	switch name {
	case "bind":
		l, ok := listString(v)
		if !ok {
			return "", ""
		}
		for _, b := range l {
			if m := badAddress(b, true); m != "" {
				return fmt.Sprintf("bind address %q: %s", b, m), "bind = \"0.0.0.0:8000\""
			}
		}
	case "statsd_host":
		if v.Kind == KindString {
			addr := strings.TrimSpace(v.Str)
			if strings.HasPrefix(addr, "unix:") {
				return "", ""
			}
			if m := badAddress(addr, false); m != "" {
				return fmt.Sprintf("statsd_host %q: %s", addr, m), "statsd_host = \"localhost:8125\""
			}
		}
	case "worker_class":
		if v.Kind != KindString {
			return "", ""
		}
		k := strings.TrimSpace(v.Str)
		k = strings.TrimPrefix(k, "egg:gunicorn#")
		if k == "" || strings.Contains(k, ".") || strings.Contains(k, ":") {
			return "", ""
		}
		if has, known := workerClassKnown(vd.v, k); known && !has {
			return fmt.Sprintf("%q is not a worker class gunicorn %s ships (SUPPORTED_WORKERS); it cannot load it", k, vd.v),
				"worker_class = \"gthread\"  # or a dotted path to the class"
		}
	case "http2_max_frame_size":
		if n, ok := posInt(v); ok && (n < 16384 || n > 16777215) {
			return "ValueError: http2_max_frame_size must be between 16384 and 16777215 (RFC 7540)", "http2_max_frame_size = 16384"
		}
	case "asgi_loop":
		if v.Kind == KindString {
			switch strings.ToLower(strings.TrimSpace(v.Str)) {
			case "auto", "asyncio", "uvloop":
			default:
				return "ValueError: asgi_loop must be \"auto\", \"asyncio\" or \"uvloop\"", "asgi_loop = \"auto\""
			}
		} else if v.Kind != KindNone {
			return fmt.Sprintf("TypeError: expected a string, got %s", v.Kind), "asgi_loop = \"auto\""
		}
	case "ssl_version":
		if vd.v.Less(Version{21, 0}) {
			// 20.1's validate_ssl_version takes a PROTOCOL_ name or its
			// number.
			switch v.Kind {
			case KindString:
				switch strings.TrimSpace(v.Str) {
				case "SSLv23", "TLS", "TLSv1", "TLSv1_1", "TLSv1_2", "TLS_CLIENT", "TLS_SERVER", "SSLv3", "SSLv2":
				default:
					if _, ok := pyInt(v.Str, 0); !ok {
						return fmt.Sprintf("ValueError: invalid ssl_version %s (want an ssl.PROTOCOL_ name such as \"TLS\")", v.Python()), "ssl_version = \"TLS\""
					}
				}
			case KindInt, KindBool:
			default:
				return fmt.Sprintf("TypeError: expected an ssl.PROTOCOL_ name or number, got %s", v.Kind), "ssl_version = \"TLS\""
			}
		}
	}
	return "", ""
}

// badAddress checks a HOST:PORT address the way gunicorn's
// util.parse_address does: the port must be a number (0-65535);
// unix:PATH and fd://N are accepted for bind.
func badAddress(addr string, bind bool) string {
	if bind && (strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "fd://")) {
		return ""
	}
	host, port := addr, ""
	if strings.HasPrefix(addr, "[") {
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return "an IPv6 address needs its closing ']'"
		}
		host, port = addr[1:end], strings.TrimPrefix(addr[end+1:], ":")
	} else if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host, port = addr[:i], addr[i+1:]
		if strings.Contains(host, ":") {
			return "" // a bare IPv6 address: gunicorn reads it whole
		}
	}
	_ = host
	if port == "" {
		return ""
	}
	n, err := strconv.Atoi(port)
	if err != nil || strings.HasPrefix(port, "+") || strings.HasPrefix(port, "-") {
		return fmt.Sprintf("%q is not a valid port number", port)
	}
	if n > 65535 {
		return fmt.Sprintf("port %d is out of range (0-65535)", n)
	}
	return ""
}

// checkValue returns why gunicorn's validator would reject v, or "".
func checkValue(val Validator, v Value) string {
	switch val {
	case ValidatePosInt:
		switch v.Kind {
		case KindInt:
			if v.Int < 0 {
				return "ValueError: the value must be positive"
			}
		case KindBool:
		case KindString:
			n, ok := pyInt(v.Str, 0)
			if !ok {
				return fmt.Sprintf("ValueError: int(%s, 0) rejects it", v.Python())
			}
			if n < 0 {
				return "ValueError: the value must be positive"
			}
		case KindFloat:
			return "TypeError: a float is not an integer (int() can't convert non-string with explicit base)"
		default:
			return fmt.Sprintf("TypeError: expected an int, got %s", v.Kind)
		}
	case ValidateBool:
		switch v.Kind {
		case KindBool, KindNone:
		case KindString:
			if _, ok := pyBool(v); !ok {
				return fmt.Sprintf("ValueError: invalid boolean %s (want True, False, \"true\" or \"false\")", v.Python())
			}
		default:
			return fmt.Sprintf("TypeError: expected True or False, got %s", v.Kind)
		}
	case ValidateString, ValidateChdir, ValidateHostPort, ValidateStatsdAddress, ValidateStringToList, ValidateStringToAddrList:
		if v.Kind != KindString && v.Kind != KindNone {
			return fmt.Sprintf("TypeError: expected a string, got %s", v.Kind)
		}
		if val == ValidateChdir && v.Kind == KindNone {
			return "TypeError: chdir needs a directory path"
		}
	case ValidateListString, ValidateExistingFiles:
		if t, ok := v.truthy(); ok && !t {
			return ""
		}
		switch v.Kind {
		case KindString:
		case KindList, KindTuple:
			for _, it := range v.Items {
				if it.Kind != KindString && it.Kind != KindNone {
					return fmt.Sprintf("TypeError: list items must be strings, got %s", it.Kind)
				}
			}
		default:
			return fmt.Sprintf("TypeError: expected a string or a list of strings, got %s", v.Kind)
		}
	case ValidateDict:
		if v.Kind != KindDict {
			return fmt.Sprintf("TypeError: expected a dict, got %s", v.Kind)
		}
	case ValidateUser, ValidateGroup:
		switch v.Kind {
		case KindInt, KindBool, KindNone, KindString:
		default:
			return fmt.Sprintf("expected a name or a numeric id, got %s", v.Kind)
		}
	case ValidateReloadEngine:
		if v.Kind != KindString || (v.Str != "auto" && v.Str != "poll" && v.Str != "inotify") {
			return "ConfigError: reload_engine must be \"auto\", \"poll\" or \"inotify\""
		}
	case ValidateHeaderMap:
		switch v.Kind {
		case KindNone:
		case KindString:
			switch strings.ToLower(strings.TrimSpace(v.Str)) {
			case "drop", "refuse", "dangerous":
			default:
				return "ValueError: header_map must be \"drop\", \"refuse\" or \"dangerous\""
			}
		default:
			return fmt.Sprintf("TypeError: expected a string, got %s", v.Kind)
		}
	case ValidateClass:
		if v.Kind != KindString && v.Kind != KindCallable && v.Kind != KindNone {
			return fmt.Sprintf("TypeError: expected a class or a dotted path, got %s", v.Kind)
		}
	}
	return ""
}

func fixFor(name string, val Validator, v Value) string {
	switch {
	case val == ValidatePosInt && v.Kind == KindString && name == "umask":
		if n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 8, 64); err == nil {
			return fmt.Sprintf("umask = 0o%o  # an int with Python's 0o prefix", n)
		}
		return "umask = 0o022  # an int with Python's 0o prefix"
	case val == ValidatePosInt && v.Kind == KindFloat:
		return fmt.Sprintf("%s = %d", name, int64(v.Float))
	case val == ValidatePosInt && v.Kind == KindString:
		return name + " = <integer literal>"
	case val == ValidateBool:
		return name + " = True  # or False"
	}
	return "give " + name + " a value of the type its validator (" + string(val) + ") accepts"
}

func (vd *validation) checkHook(s Setting, val Validator, a Assignment) {
	v := a.Value
	switch v.Kind {
	case KindCallable:
	case KindString:
		return // a dotted import path: resolved when gunicorn starts
	default:
		vd.add(RuleInvalidValue, a, s.Name, fmt.Sprintf("%s = %s: TypeError: the value is not callable; gunicorn %s refuses to start", s.Name, v.Python(), vd.v), "define "+s.Name+" with def")
		return
	}
	want := []int{s.Arity}
	if s.Arity < 0 {
		return // validate_callable(-1): any arity
	}
	if val == ValidatePostRequest {
		want = []int{2, 3, 4}
	}
	for _, w := range want {
		if v.Arity == w {
			return
		}
	}
	ws := make([]string, len(want))
	for i, w := range want {
		ws[i] = strconv.Itoa(w)
	}
	vd.add(RuleHookArity, a, s.Name,
		fmt.Sprintf("hook %s takes %d positional parameters; gunicorn %s requires %s and refuses to start", s.Name, v.Arity, vd.v, strings.Join(ws, ", ")),
		"def "+s.Name+"("+strings.Join(hookParams(s.Name), ", ")+"):")
}

func hookParams(name string) []string {
	if s, ok := Lookup(name); ok && len(s.HookParams) > 0 {
		return s.HookParams
	}
	switch name {
	case "on_starting", "on_reload", "when_ready", "pre_exec", "on_exit":
		return []string{"server"}
	case "pre_fork", "post_fork", "child_exit", "worker_exit":
		return []string{"server", "worker"}
	case "post_worker_init", "worker_int", "worker_abort":
		return []string{"worker"}
	case "pre_request":
		return []string{"worker", "req"}
	case "post_request":
		return []string{"worker", "req", "environ", "resp"}
	case "nworkers_changed":
		return []string{"server", "new_value", "old_value"}
	case "ssl_context":
		return []string{"config", "default_ssl_context_factory"}
	}
	return []string{"..."}
}

func (vd *validation) checkAddrList(name string, a Assignment) {
	v := a.Value
	if msg := checkValue(ValidateString, v); msg != "" {
		vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s = %s: %s; gunicorn %s refuses to start", name, v.Python(), msg, vd.v), name+" = \"127.0.0.1,::1\"")
		return
	}
	if v.Kind == KindNone {
		return
	}
	cidrOK := !vd.v.Less(Version{24, 1})
	for _, item := range strings.Split(v.Str, ",") {
		item = strings.TrimSpace(item)
		if item == "" || item == "*" {
			continue
		}
		if strings.Contains(item, "/") {
			if cidrOK {
				if p, err := netip.ParsePrefix(item); err != nil || p.Masked() != p {
					vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s: %q is not a network address (host bits set or malformed); gunicorn %s rejects it", name, item, vd.v), "write the network address, e.g. "+maskedHint(item))
				}
				continue
			}
			vd.add(RuleForwardedIPsCIDR, a, name,
				fmt.Sprintf("%s contains the network %s: gunicorn %s accepts only IP addresses here (networks arrive in 24.1) and refuses to start with ValueError", name, item, vd.v),
				"list the proxy addresses, or \"*\" when only the front end can reach the app")
			return
		}
		if _, err := netip.ParseAddr(item); err != nil {
			vd.add(RuleInvalidValue, a, name, fmt.Sprintf("%s: %q is not an IP address; gunicorn %s refuses to start with ValueError", name, item, vd.v), "list IP addresses separated by commas, or \"*\"")
			return
		}
	}
}

func maskedHint(item string) string {
	if p, err := netip.ParsePrefix(item); err == nil {
		return p.Masked().String()
	}
	return "10.0.0.0/8"
}

// workerClass: settings the class ignores and the sync→gthread switch.
func (vd *validation) workerClass() {
	c := vd.c
	assumed, fromArgs := vd.argsWorkerClass()
	if !fromArgs {
		assumed = vd.opts.WorkerClass
	}
	class, ok := c.EffectiveWorkerClass(assumed)
	if fromArgs {
		// The command line (or GUNICORN_CMD_ARGS) beats the file.
		saved := c.Set["worker_class"]
		delete(c.Set, "worker_class")
		class, ok = c.EffectiveWorkerClass(assumed)
		if saved.Name != "" {
			c.Set["worker_class"] = saved
		}
	}
	if !ok {
		return
	}
	declared := normalizeWorkerClass(assumed)
	if a, set := c.Set["worker_class"]; set && a.Value.Kind == KindString && !fromArgs {
		declared = normalizeWorkerClass(a.Value.Str)
	}
	if declared == "sync" && class == "gthread" {
		a := c.Set["threads"]
		vd.addSev(RuleThreadsSwitchClass, report.SeverityInfo, a, "threads",
			fmt.Sprintf("threads = %d with the default sync worker: gunicorn runs the gthread worker instead (documented under threads)", c.Threads),
			"worker_class = \"gthread\"")
	}
	for _, name := range []string{"worker_connections", "keepalive", "threads"} {
		a, set := c.Set[name]
		if !set {
			continue
		}
		s, _ := Lookup(name)
		if s.HonouredBy(class) {
			continue
		}
		if name == "threads" && c.Threads <= 1 {
			continue
		}
		why := fmt.Sprintf("the %s worker ignores %s", class, name)
		if name == "keepalive" && class == "sync" {
			why = "the sync worker does not keep connections alive: it closes every connection after one response (Connection: close), so keepalive does nothing"
		}
		vd.add(RuleNoEffect, a, name, why, fmt.Sprintf("remove %s, or use a worker class that honours it (%s)", name, strings.Join(workersIn(vd.v, s.Workers), ", ")))
	}
	if a, set := c.Set["worker_class"]; set && a.Value.Kind == KindString && class == "eventlet" && !vd.v.Less(Version{26, 0}) {
		vd.add(RuleNotInVersion, a, "worker_class", fmt.Sprintf("the eventlet worker was removed in gunicorn 26.0; gunicorn %s cannot load it", vd.v), "worker_class = \"gevent\"  # or gthread")
	}
}

// argsWorkerClass returns the worker class -k/--worker-class sets on the
// command line or in GUNICORN_CMD_ARGS, the command line winning.
func (vd *validation) argsWorkerClass() (string, bool) {
	class, found := "", false
	for _, args := range [][]string{splitOrNil(vd.opts.cmdArgsEnv()), vd.opts.Args} {
		set, _, err := ParseArgs(args)
		if err != nil {
			continue
		}
		for _, fs := range set {
			if fs.Name == "worker_class" {
				class, found = fs.Value, true
			}
		}
	}
	return class, found
}

// argsSet reports whether the command line or GUNICORN_CMD_ARGS sets the
// setting.
func (vd *validation) argsSet(name string) bool {
	for _, args := range [][]string{splitOrNil(vd.opts.cmdArgsEnv()), vd.opts.Args} {
		set, _, err := ParseArgs(args)
		if err != nil {
			continue
		}
		for _, fs := range set {
			if fs.Name == name {
				return true
			}
		}
	}
	return false
}

// overrides: file settings that GUNICORN_CMD_ARGS or Args replace. The
// command line wins over GUNICORN_CMD_ARGS, which wins over the file; a
// setting is reported once, for the source that finally decides it, and
// only when that changes the file's value.
func (vd *validation) overrides() {
	type decided struct {
		what string
		all  []FlagSetting
		last FlagSetting
	}
	final := map[string]decided{}
	var order []string
	apply := func(what string, args []string) {
		set, _, err := ParseArgs(args)
		if err != nil {
			vd.add(RuleInvalidValue, Assignment{}, "", fmt.Sprintf("%s: %v", what, err), "")
			return
		}
		seen := map[string]bool{}
		for _, fs := range set {
			if _, ok := final[fs.Name]; !ok {
				order = append(order, fs.Name)
			}
			if !seen[fs.Name] {
				// A later source replaces the whole value of an earlier one.
				final[fs.Name] = decided{what: what}
				seen[fs.Name] = true
			}
			d := final[fs.Name]
			d.all = append(d.all, fs)
			d.last = fs
			final[fs.Name] = d
		}
	}
	if env := vd.opts.cmdArgsEnv(); env != "" {
		words, err := SplitShell(env)
		if err != nil {
			vd.add(RuleInvalidValue, Assignment{}, "GUNICORN_CMD_ARGS", err.Error(), "")
		} else {
			what := "GUNICORN_CMD_ARGS"
			if vd.opts.platform() == PlatformAppServiceCode && vd.opts.CmdArgsEnv == "" {
				what = "the startup script Oryx generates (GUNICORN_CMD_ARGS=\"" + OryxCmdArgs + "\")"
			}
			apply(what, words)
		}
	}
	if len(vd.opts.Args) > 0 {
		apply("the command line", vd.opts.Args)
	}
	for _, name := range order {
		d := final[name]
		a, ok := vd.c.Set[name]
		if !ok || sameAsFile(a.Value, d.last, d.all) {
			continue
		}
		vd.add(RuleOverriddenByArgs, a, name,
			fmt.Sprintf("%s is overridden by %s %s%s: gunicorn applies the config file first, then GUNICORN_CMD_ARGS, then the command line", name, d.what, d.last.Flag, valueSuffix(d.last.Value)),
			"pass the value you want on the command line of the startup command, or drop it from the file")
	}
}

// sameAsFile reports whether the flags give the setting the value the
// file already has, so the override changes nothing.
func sameAsFile(v Value, fs FlagSetting, all []FlagSetting) bool {
	if !v.Known() {
		return false
	}
	st, _ := Lookup(fs.Name)
	if st.Action == "append" {
		var flagVals []string
		for _, o := range all {
			if o.Name == fs.Name {
				flagVals = append(flagVals, strings.TrimSpace(o.Value))
			}
		}
		l, ok := listString(v)
		return ok && strings.Join(l, "\x00") == strings.Join(flagVals, "\x00")
	}
	var last FlagSetting
	for _, o := range all {
		if o.Name == fs.Name {
			last = o
		}
	}
	switch st.Validator {
	case ValidatePosInt:
		a, ok1 := posInt(v)
		base := int64(10) // argparse type=int
		if st.CLIType == "auto_int" {
			base = 0
		}
		raw := strings.TrimSpace(last.Value)
		if base == 0 && len(raw) > 1 && raw[0] == '0' && raw[1] >= '0' && raw[1] <= '9' {
			raw = "0o" + raw[1:] // gunicorn's auto_int reads "022" as octal
		}
		b, ok2 := pyInt(raw, base)
		return ok1 && ok2 && a == b
	case ValidateBool:
		b, ok := pyBool(v)
		return ok && b
	}
	return v.Kind == KindString && strings.TrimSpace(v.Str) == strings.TrimSpace(last.Value)
}

func valueSuffix(v string) string {
	if v == "" {
		return ""
	}
	return " " + v
}

// effectiveTimeout returns the timeout gunicorn ends up with and where it
// comes from.
func (vd *validation) effectiveTimeout() (int, string, bool) {
	t, from := vd.c.Timeout, "the default"
	if a, ok := vd.c.Set["timeout"]; ok {
		if !a.Value.Known() {
			return 0, "", false
		}
		from = "the file"
	}
	for _, args := range [][]string{splitOrNil(vd.opts.cmdArgsEnv()), vd.opts.Args} {
		set, _, err := ParseArgs(args)
		if err != nil {
			continue
		}
		for _, fs := range set {
			if fs.Name == "timeout" {
				if n, ok := pyInt(fs.Value, 10); ok {
					t, from = int(n), fs.Flag+" "+fs.Value
				}
			}
		}
	}
	return t, from, true
}

func splitOrNil(s string) []string {
	w, err := SplitShell(s)
	if err != nil {
		return nil
	}
	return w
}

func (vd *validation) platformRules() {
	c, p := vd.c, vd.opts.platform()
	if p.appService() {
		if t, from, ok := vd.effectiveTimeout(); ok && (t > AppServiceFrontEndTimeout || t == 0) {
			a := c.Set["timeout"]
			what := fmt.Sprintf("timeout %d s", t)
			if t == 0 {
				what = "timeout 0 (disabled)"
			}
			vd.add(RuleTimeoutFrontEnd, a, "timeout",
				fmt.Sprintf("%s (from %s) exceeds App Service's %d s front-end limit: the client gets an error at %d s while the worker keeps running", what, from, AppServiceFrontEndTimeout, AppServiceFrontEndTimeout),
				fmt.Sprintf("timeout = %d  # and pass --timeout %d in the startup command", AppServiceFrontEndTimeout-50, AppServiceFrontEndTimeout-50))
		}
		if _, set := c.Set["forwarded_allow_ips"]; !set {
			vd.add(RuleProxyHeaders, Assignment{}, "forwarded_allow_ips",
				"forwarded_allow_ips is not set: gunicorn ignores X-Forwarded-Proto from App Service's front end, so requests served over HTTPS look like HTTP to the app",
				"forwarded_allow_ips = \"*\"")
		}
	}
	if p.containerized() {
		if a, set := c.Set["worker_tmp_dir"]; !set || (a.Value.Kind == KindString && strings.TrimRight(c.WorkerTmpDir, "/") != "/dev/shm") || a.Value.Kind == KindNone {
			vd.add(RuleWorkerTmpDir, a, "worker_tmp_dir",
				"worker_tmp_dir is not /dev/shm: the worker heartbeat file lives on the container's disk-backed file system, where a slow write can get a healthy worker killed",
				"worker_tmp_dir = \"/dev/shm\"")
		}
		if a, set := c.Set["daemon"]; set && c.Daemon {
			vd.add(RuleDaemonInContainer, a, "daemon",
				"daemon = True detaches the master from the container's main process: the container exits as soon as gunicorn starts",
				"remove daemon (the platform supervises the process)")
		}
		if a, set := c.Set["bind"]; set && a.Value.Known() && len(c.Bind) > 0 {
			loop := true
			for _, b := range c.Bind {
				host := b
				if i := strings.LastIndexByte(b, ':'); i >= 0 {
					host = b[:i]
				}
				host = strings.Trim(host, "[]")
				if !(host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1") {
					loop = false
				}
			}
			if loop {
				vd.add(RuleBindLoopback, a, "bind", fmt.Sprintf("bind = %v listens only on the loopback interface, which is unreachable from outside the container", c.Bind), "bind = \"0.0.0.0:8000\"")
			}
		}
	}
	if a, set := c.Set["accesslog"]; (!set || (a.Value.Known() && c.AccessLog == "")) && !vd.argsSet("accesslog") {
		sev := report.SeverityInfo
		if p.containerized() {
			sev = report.SeverityWarning
		}
		vd.addSev(RuleNoAccessLog, sev, c.Set["accesslog"], "accesslog", "no access log: accesslog is unset (None), so requests are not logged", "accesslog = \"-\"  # stdout")
	}
}

func (vd *validation) operational() {
	c := vd.c
	for _, name := range []string{"workers", "threads"} {
		if a, ok := c.Set[name]; ok && !a.Value.Known() && a.Value.HostDependent {
			vd.add(RuleHostDependentSizing, a, name,
				fmt.Sprintf("%s = %s depends on the host: %s", name, a.Expr, a.Value.Reason),
				"size workers for the plan's vCPU and memory (gunicornconf generate -sku SKU), or read the cgroup quota, CPU affinity and memory at runtime (gunicornconf generate without -sku)")
		}
	}
	if a, ok := c.Set["preload_app"]; ok && c.PreloadApp {
		if _, hooked := c.Set["post_fork"]; !hooked {
			fix := "check whether importing the app opens connections, sockets or threads; if it does, open them lazily or close them in a post_fork(server, worker) hook"
			if vd.usesDjango() {
				fix = "Django opens database connections lazily, but one opened during import (a query in settings or AppConfig.ready) is shared by every worker: close it in\ndef post_fork(server, worker):\n    from django.db import connections\n    connections.close_all()"
			}
			vd.addSev(RulePreloadSharedState, report.SeverityInfo, a, "preload_app",
				"preload_app = True imports the app once in the master and forks it, with no post_fork hook: anything the app opens at import time (connections, sockets, threads) is shared by every worker",
				fix)
		}
		if r, ok := c.Set["reload"]; ok {
			if b, _ := pyBool(r.Value); b {
				vd.addSev(RuleNoEffect, report.SeverityWarning, r, "reload", "reload does not work with preload_app: the code is imported once in the master", "remove reload (development only) or preload_app")
			}
		}
	}
	for _, call := range c.Calls {
		if what, ok := sharedStateCall(call.Path); ok {
			vd.add(RulePreloadSharedState, Assignment{Line: call.Line, Column: call.Column}, "preload_app",
				fmt.Sprintf("%s() %s when gunicorn loads this file, in the master process: every forked worker inherits the same object", call.Path, what),
				"create it per worker, in a post_fork(server, worker) or post_worker_init(worker) hook")
		}
	}
	if a, ok := c.Set["max_requests"]; ok && a.Value.Known() && c.MaxRequests > 0 {
		if j, jset := c.Set["max_requests_jitter"]; !jset || (j.Value.Known() && c.MaxRequestsJitter == 0) {
			vd.add(RuleMaxRequestsJitter, a, "max_requests",
				fmt.Sprintf("max_requests = %d without max_requests_jitter: all workers restart at about the same time", c.MaxRequests),
				fmt.Sprintf("max_requests_jitter = %d", max(1, c.MaxRequests/20)))
		}
	}
	if a, ok := c.Set["ssl_version"]; ok && !vd.v.Less(Version{21, 0}) {
		vd.add(RuleDeprecated, a, "ssl_version", fmt.Sprintf("ssl_version is deprecated since 21.0 and gunicorn %s ignores it", vd.v), "use the ssl_context(config, default_ssl_context_factory) hook")
	}
	if a, ok := c.Set["strip_header_spaces"]; ok {
		if b, _ := pyBool(a.Value); b {
			vd.add(RuleDeprecated, a, "strip_header_spaces", "strip_header_spaces = True is deprecated and enables a known request-smuggling vector", "remove strip_header_spaces")
		}
	}
}

// usesDjango reports whether the file names Django (an import, the
// DJANGO_SETTINGS_MODULE variable or a wsgi_app path under a Django
// project), so that Django-specific advice applies.
func (vd *validation) usesDjango() bool {
	for _, im := range vd.c.Imports {
		if im.Module == "django" || strings.HasPrefix(im.Module, "django.") {
			return true
		}
	}
	for _, a := range vd.c.Set {
		if strings.Contains(a.Expr, "DJANGO_SETTINGS_MODULE") || strings.Contains(a.Expr, "django") {
			return true
		}
	}
	return strings.Contains(vd.c.WSGIApp, ".wsgi:application")
}

// sharedStateCalls are calls that create connections, sockets, threads or
// pools: made in the master, they are shared (or, for threads, lost) by
// every forked worker.
var sharedStateCalls = map[string]string{
	"threading.Thread": "starts a thread", "threading.Timer": "starts a thread",
	"concurrent.futures.ThreadPoolExecutor": "creates a thread pool", "multiprocessing.Pool": "creates a process pool",
	"socket.socket": "opens a socket", "socket.create_connection": "opens a connection",
	"psycopg2.connect": "opens a database connection", "psycopg.connect": "opens a database connection",
	"sqlite3.connect": "opens a database connection", "pymysql.connect": "opens a database connection",
	"redis.Redis": "creates a Redis connection pool", "redis.StrictRedis": "creates a Redis connection pool",
	"redis.from_url": "creates a Redis connection pool", "pymongo.MongoClient": "opens a MongoDB client",
	"requests.Session": "creates an HTTP connection pool", "httpx.Client": "creates an HTTP connection pool",
	"urllib3.PoolManager": "creates an HTTP connection pool", "sqlalchemy.create_engine": "creates a database connection pool",
	"django.setup": "imports the Django project (and whatever it connects to)",
}

func sharedStateCall(path string) (string, bool) {
	what, ok := sharedStateCalls[path]
	return what, ok
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool { return report.AtOrAbove(Diagnostics(fs), report.SeverityError) }

// workersIn keeps the worker classes that release v is known to ship
// (SUPPORTED_WORKERS), so a suggested fix never names one it cannot load
// (eventlet from 26.0, asgi before it came).
func workersIn(v Version, ws []string) []string {
	var out []string
	for _, w := range ws {
		if has, known := workerClassKnown(v, w); has && known {
			out = append(out, w)
		}
	}
	return out
}

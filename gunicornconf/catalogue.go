package gunicornconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Validator names the function gunicorn's config.py runs on a value before
// accepting it. The validator decides which Python types a setting accepts,
// so the catalogue records it instead of a loose "type".
type Validator string

// The validators of gunicorn's config.py (function names without the
// "validate_" prefix). ValidateOther marks settings added after 23.0 whose
// validator deploykit has not read.
const (
	ValidateString           Validator = "string"        // str or None; stripped
	ValidateListString       Validator = "list_string"   // str or list of str
	ValidatePosInt           Validator = "pos_int"       // int >= 0 (bool counts), or a str int(x, 0) accepts
	ValidateClass            Validator = "class"         // dotted path str, a class, or a function returning one
	ValidateBool             Validator = "bool"          // bool, None, or "true"/"false"
	ValidateReloadEngine     Validator = "reload_engine" // "auto", "poll" or "inotify"
	ValidateExistingFiles    Validator = "list_of_existing_files"
	ValidateChdir            Validator = "chdir"                // str naming an existing directory
	ValidateUser             Validator = "user"                 // int, digits, or a user name
	ValidateGroup            Validator = "group"                // int, digits, or a group name
	ValidateDict             Validator = "dict"                 // dict
	ValidateStringToList     Validator = "string_to_list"       // comma-separated str
	ValidateStringToAddrList Validator = "string_to_addr_list"  // comma-separated IP addresses or "*"
	ValidateHostPort         Validator = "hostport"             // "host:port"
	ValidateStatsdAddress    Validator = "statsd_address"       // "host:port" or "unix://PATH"
	ValidateCallable         Validator = "callable"             // callable with exactly Arity positional parameters
	ValidatePostRequest      Validator = "post_request"         // callable with 2, 3 or 4 positional parameters
	ValidateSSLVersion       Validator = "ssl_version"          // deprecated since 21.0 and ignored
	ValidateHeaderMap        Validator = "header_map_behaviour" // "drop", "refuse" or "dangerous"
	ValidateOther            Validator = "other"
)

// Setting is one entry of the catalogue: a setting of gunicorn 23.0 (or one
// added later, see Added), as config.py defines it.
type Setting struct {
	// Name is the name used in gunicorn.conf.py.
	Name string
	// Section is the settings.rst section ("Worker Processes", ...).
	Section string
	// CLI holds the command-line flags; nil for settings that can only be
	// set in a configuration file (hooks, secure_scheme_headers, ...).
	CLI []string
	// CLIType names the argparse type converter when it is not str/int
	// ("auto_int" for umask, which is why "022" works on the command line
	// but not in a file).
	CLIType string
	// Validator is the function that checks a value from a file.
	Validator Validator
	// Arity is the required number of positional parameters for
	// ValidateCallable hooks.
	Arity int
	// Action is the argparse action ("store_true", "append", ...), "" for
	// "store".
	Action string
	// Default is the default as a Python expression from config.py, ""
	// when unknown; None for hooks, whose defaults are no-op functions.
	Default string
	// DefaultFromEnv reports that the default depends on the environment
	// or host: bind ($PORT), workers ($WEB_CONCURRENCY),
	// forwarded_allow_ips ($FORWARDED_ALLOW_IPS), chdir, user, group,
	// syslog_addr (platform).
	DefaultFromEnv bool
	// Workers lists the worker classes that honour the setting; nil means
	// every worker class does.
	Workers []string
	// Added is the first gunicorn version with the setting ("" = before
	// 20.1); Removed the first version without it.
	Added, Removed string
	// Before lists how older versions differed (default, validator).
	Before []Variant
}

// Variant is how a setting looked in versions older than Until.
type Variant struct {
	// Until is the first version known to have the catalogue's value;
	// versions before it (at least 20.1) have this variant.
	Until string
	// Default and Validator are the older values; empty when unchanged.
	Default   string
	Validator Validator
}

// HonouredBy reports whether the worker class honours the setting. Custom
// classes (dotted paths) are assumed to honour everything.
func (s Setting) HonouredBy(workerClass string) bool {
	if s.Workers == nil {
		return true
	}
	k := normalizeWorkerClass(workerClass)
	if !isBundledWorker(k) {
		return true
	}
	for _, w := range s.Workers {
		if w == k {
			return true
		}
	}
	return false
}

// In reports whether the setting exists in gunicorn version v.
func (s Setting) In(v Version) bool {
	if s.Added != "" && v.Less(MustParseVersion(s.Added)) {
		return false
	}
	if s.Removed != "" && !v.Less(MustParseVersion(s.Removed)) {
		return false
	}
	return true
}

// ValidatorIn returns the validator the setting has in version v.
func (s Setting) ValidatorIn(v Version) Validator {
	for _, b := range s.Before {
		if b.Validator != "" && v.Less(MustParseVersion(b.Until)) {
			return b.Validator
		}
	}
	return s.Validator
}

// DefaultIn returns the default the setting has in version v.
func (s Setting) DefaultIn(v Version) string {
	for _, b := range s.Before {
		if b.Default != "" && v.Less(MustParseVersion(b.Until)) {
			return b.Default
		}
	}
	return s.Default
}

// Version is a gunicorn major.minor version.
type Version struct{ Major, Minor int }

// Versions deploykit knows about. DefaultVersion is what the validator
// assumes when none is given.
var (
	Version20_1    = Version{20, 1}
	Version23_0    = Version{23, 0}
	DefaultVersion = Version23_0
)

// ParseVersion parses "23", "23.0" or "23.0.0" (the patch is ignored).
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) == 0 || len(parts) > 3 || parts[0] == "" {
		return Version{}, fmt.Errorf("gunicornconf: bad version %q (want MAJOR.MINOR)", s)
	}
	var v Version
	var err error
	if v.Major, err = strconv.Atoi(parts[0]); err != nil || v.Major < 0 {
		return Version{}, fmt.Errorf("gunicornconf: bad version %q (want MAJOR.MINOR)", s)
	}
	if len(parts) > 1 {
		if v.Minor, err = strconv.Atoi(parts[1]); err != nil || v.Minor < 0 {
			return Version{}, fmt.Errorf("gunicornconf: bad version %q (want MAJOR.MINOR)", s)
		}
	}
	return v, nil
}

// MustParseVersion is ParseVersion for constants; it panics on a bad
// version and is never called with user input.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// String returns "MAJOR.MINOR".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

var settingIndex = func() map[string]int {
	m := make(map[string]int, len(settings23))
	for i, s := range settings23 {
		m[s.Name] = i
	}
	return m
}()

// Settings returns the whole catalogue (23.0 plus later additions) in
// config.py order. The slice is a copy.
func Settings() []Setting { return append([]Setting(nil), settings23...) }

// SettingsIn returns the settings that exist in gunicorn version v.
func SettingsIn(v Version) []Setting {
	var out []Setting
	for _, s := range settings23 {
		if s.In(v) {
			out = append(out, s)
		}
	}
	return out
}

// Lookup returns the catalogue entry for a setting name (case-sensitive,
// as gunicorn is).
func Lookup(name string) (Setting, bool) {
	i, ok := settingIndex[name]
	if !ok {
		return Setting{}, false
	}
	return settings23[i], true
}

// Change is one entry of the version history the catalogue knows.
type Change struct {
	Version string
	// Settings names the settings concerned ("" entries for worker-level
	// changes).
	Settings []string
	Text     string
	// Source cites where the fact comes from.
	Source string
}

// Changes returns what changed between 20.1 and 26.x, oldest first.
func Changes() []Change {
	out := append([]Change(nil), versionChanges...)
	sort.SliceStable(out, func(i, j int) bool {
		return MustParseVersion(out[i].Version).Less(MustParseVersion(out[j].Version))
	})
	return out
}

var versionChanges = []Change{
	{"20.1", []string{"tolerate_dangerous_framing"}, "Debian's 20.1.0-6+deb12u1 backports the CVE-2024-1135 fix with the temporary tolerate_dangerous_framing setting; upstream 20.1.0 does not have it.", "Debian changelog 20.1.0-6+deb12u1; installed config.py"},
	{"20.1", []string{"wsgi_app"}, "wsgi_app: the WSGI application can be named in the configuration file.", "config.py 23.0 (versionadded 20.1.0)"},
	{"21.0", []string{"ssl_context"}, "ssl_context hook added (arity 2: config, default_ssl_context_factory).", "config.py 23.0 (versionadded 21.0)"},
	{"21.0", []string{"ssl_version"}, "ssl_version deprecated and ignored; use ssl_context.", "config.py 23.0 (deprecated 21.0)"},
	{"21.0", []string{"logconfig_json"}, "logconfig_json (--log-config-json) present; absent from 20.1.0 although its docstring says versionadded 20.0.", "config.py 23.0; installed 20.1 config.py"},
	{"22.0", []string{"permit_unconventional_http_method", "permit_unconventional_http_version", "casefold_http_method", "header_map", "forwarder_headers"}, "HTTP parser hardening settings added; methods no longer casefolded, headers that cannot be mapped safely are dropped by default.", "2024-news.rst 22.0.0; config.py 23.0 (versionadded 22.0.0)"},
	{"23.0", []string{"tolerate_dangerous_framing"}, "the temporary --tolerate-dangerous-framing switch from 22.0 is removed.", "2024-news.rst 23.0.0 (PR 3260)"},
	{"23.0", []string{"permit_obsolete_folding"}, "permit_obsolete_folding added.", "config.py 23.0 (versionadded 23.0.0)"},
	{"23.0", []string{"forwarded_allow_ips", "proxy_allow_ips"}, "defaults include the IPv6 loopback ::1; values are validated as IP addresses (validate_string_to_addr_list), so a CIDR network makes gunicorn refuse to start.", "2024-news.rst 23.0.0 (PR 3192); config.py 23.0"},
	{"23.0", []string{"worker_class"}, "worker_class accepts a class object.", "2024-news.rst 23.0.0 (PR 3079)"},
	{"24.0", nil, "native ASGI worker class (asgi).", "release notes 24.0 (osm-search/Nominatim PR 3962 quotes them)"},
	{"24.1", []string{"forwarded_allow_ips", "proxy_allow_ips"}, "CIDR networks accepted (e.g. 192.168.0.0/16); 24.1.1 keeps the value a string and rejects networks with host bits set.", "release notes 24.1.0 (PR 3449), 24.1.1 (PR 3459)"},
	{"24.1", []string{"proxy_protocol"}, "proxy_protocol takes off, v1, v2 or auto (PROXY protocol v2).", "release notes 24.1.0 (PR 3451)"},
	{"25.0", []string{"dirty_app", "dirty_workers", "dirty_timeout", "dirty_threads", "dirty_graceful_timeout", "on_dirty_starting", "dirty_post_fork", "dirty_worker_init", "dirty_worker_exit"}, "dirty arbiters: a separate process pool for long blocking work.", "release notes 25.0.0 (PR 3460)"},
	{"25.0", []string{"http_protocols", "http2_max_concurrent_streams", "http2_initial_window_size", "http2_max_frame_size", "http2_max_header_list_size"}, "HTTP/2 (beta) over TLS for gthread, gevent and asgi workers.", "release notes 25.0.0 (PR 3468)"},
	{"26.0", []string{"worker_class"}, "the eventlet worker class is removed.", "release notes 26.0.0"},
	{"26.2", []string{"http2_cleartext"}, "cleartext HTTP/2 (h2c): off (default), prior-knowledge, upgrade or both; only for peers in forwarded_allow_ips.", "release notes 26.2.0"},
}

var bundledWorkers = []string{"sync", "gthread", "eventlet", "gevent", "tornado", "asgi"}

func isBundledWorker(k string) bool {
	for _, w := range bundledWorkers {
		if w == k {
			return true
		}
	}
	return false
}

// normalizeWorkerClass maps gunicorn's dotted paths and egg URIs for the
// bundled workers to their short names.
func normalizeWorkerClass(k string) string {
	k = strings.TrimSpace(k)
	switch {
	case k == "":
		return "sync"
	case strings.HasSuffix(k, "SyncWorker"):
		return "sync"
	case strings.HasSuffix(k, "ThreadWorker"):
		return "gthread"
	case strings.HasSuffix(k, "GeventWorker"), k == "gevent_wsgi", k == "gevent_pywsgi":
		return "gevent"
	case strings.HasSuffix(k, "EventletWorker"):
		return "eventlet"
	case strings.HasSuffix(k, "TornadoWorker"):
		return "tornado"
	}
	k = strings.TrimPrefix(k, "egg:gunicorn#")
	return k
}

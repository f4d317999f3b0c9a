package gunicornconf

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
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

// ValidateOther marks a validator deploykit does not model (validators
// added after 23.0 that no rule reads yet), or a release where the
// generated catalogue cannot tell which validator a setting has.
const (
	ValidateFilesOrPatterns Validator = "list_of_files_or_patterns"
	ValidateProxyProtocol   Validator = "proxy_protocol"
	ValidateHTTP2FrameSize  Validator = "http2_frame_size"
	ValidateASGILoop        Validator = "asgi_loop"
)

// Setting is one entry of the catalogue, generated from gunicorn's own
// config.py (see testdata/catalogue/SOURCES.md). The fields describe the
// newest release that has the setting; ValidatorIn, DefaultIn and In give
// the view of another release.
type Setting struct {
	// Name is the name used in gunicorn.conf.py.
	Name string
	// Section is the settings reference section ("Worker Processes", ...).
	Section string
	// CLI holds the command-line flags; nil for settings that can only be
	// set in a configuration file (hooks, secure_scheme_headers, ...).
	CLI []string
	// CLIType names the argparse type converter when it is not str
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
	// Default is the default as the Python expression config.py writes.
	Default string
	// DefaultFromEnv reports that the default depends on the environment
	// or host (bind: $PORT, workers: $WEB_CONCURRENCY, user: os.geteuid()).
	DefaultFromEnv bool
	// Workers lists the bundled worker classes that honour the setting;
	// nil means every worker class does. This is deploykit's reading of
	// gunicorn/workers/*.py, not part of config.py.
	Workers []string
	// Added is the release in a versionadded note of config.py, "" when
	// there is none; Deprecated likewise for a deprecated note.
	Added, Deprecated string
	// HookParams are the parameter names of the documented signature, for
	// hooks.
	HookParams []string

	in       map[Version]bool
	unknown  map[Version]bool
	variants []variant
}

type variant struct {
	from      Version // the variant holds from this release on
	unknownIn map[Version]bool
	validator Validator
	arity     int
	def       string
	cliType   string
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

// In reports whether the setting is known to exist in gunicorn release v.
func (s Setting) In(v Version) bool { return s.in[v] }

// Unknown reports whether the catalogue cannot tell whether the setting
// exists in v, or which validator it has there: the texts around v differ
// and gunicorn's notes do not say when.
func (s Setting) Unknown(v Version) bool {
	if s.unknown[v] {
		return true
	}
	if vr, ok := s.variantIn(v); ok {
		return vr.unknownIn[v]
	}
	return false
}

func (s Setting) variantIn(v Version) (variant, bool) {
	var best variant
	ok := false
	for _, vr := range s.variants {
		if !v.Less(vr.from) {
			best, ok = vr, true
		}
	}
	return best, ok
}

// ValidatorIn returns the validator the setting has in release v
// (ValidateOther when the catalogue cannot tell).
func (s Setting) ValidatorIn(v Version) Validator {
	vr, ok := s.variantIn(v)
	if !ok || vr.unknownIn[v] {
		return ValidateOther
	}
	return vr.validator
}

// DefaultIn returns the default the setting has in release v.
func (s Setting) DefaultIn(v Version) string {
	if vr, ok := s.variantIn(v); ok {
		return vr.def
	}
	return s.Default
}

// Version is a gunicorn MAJOR.MINOR release line.
type Version struct{ Major, Minor int }

// DefaultVersion is the release the validator assumes when none is given:
// the newest release the catalogue has gunicorn's own config.py for.
func DefaultVersion() Version { return catalogue().newest }

// Versions returns the releases the catalogue knows, oldest first: those
// whose config.py is an input, and the ones between them that
// gunicorn's notes or Debian's changelog name.
func Versions() []Version { return append([]Version(nil), catalogue().versions...) }

// ParseVersion parses "23", "23.0" or "23.0.0" (the patch is ignored) and
// refuses a release the catalogue does not know.
func ParseVersion(s string) (Version, error) {
	v, err := parseVersion(s)
	if err != nil {
		return Version{}, err
	}
	for _, k := range catalogue().versions {
		if k == v {
			return v, nil
		}
	}
	var known []string
	for _, k := range catalogue().versions {
		known = append(known, k.String())
	}
	return Version{}, fmt.Errorf("gunicornconf: no catalogue for gunicorn %s (known: %s)", v, strings.Join(known, ", "))
}

func parseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	bad := fmt.Errorf("gunicornconf: bad version %q (want MAJOR.MINOR)", s)
	if len(parts) == 0 || len(parts) > 3 || parts[0] == "" {
		return Version{}, bad
	}
	var v Version
	var err error
	if v.Major, err = strconv.Atoi(parts[0]); err != nil || v.Major < 0 || v.Major > 1000 {
		return Version{}, bad
	}
	if len(parts) > 1 {
		if v.Minor, err = strconv.Atoi(parts[1]); err != nil || v.Minor < 0 || v.Minor > 1000 {
			return Version{}, bad
		}
	}
	return v, nil
}

// mustVersion is parseVersion for the catalogue's own data and tests.
func mustVersion(s string) Version {
	v, err := parseVersion(s)
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

//go:embed catalogue.json
var catalogueJSON []byte

type catalogueData struct {
	settings []Setting
	index    map[string]int
	versions []Version
	newest   Version
	// workers are the short worker-class names per text release.
	workers []workerNames
	exact   map[Version]bool
	gaps    map[Version][]string
	// texts are the releases whose config.py is an input, per line.
	texts map[Version]textRelease
}

// textRelease is the release of a catalogue input ("23.0.0") and whether
// the input is a distribution's patched copy (Debian's 20.1.0).
type textRelease struct {
	release string
	patched bool
}

type workerNames struct {
	from  Version
	names map[string]bool
}

// honours is deploykit's reading of the bundled workers (gunicorn/workers/
// sync.py closes every connection; only gthread reads threads; the async
// workers and gthread read worker_connections).
var honours = map[string][]string{
	"threads":            {"gthread"},
	"worker_connections": {"gthread", "eventlet", "gevent"},
	"keepalive":          {"gthread", "eventlet", "gevent", "tornado", "asgi"},
}

var catalogue = sync.OnceValue(func() *catalogueData {
	var raw struct {
		Texts []struct {
			Release string `json:"release"`
			File    string `json:"file"`
		} `json:"texts"`
		Releases []struct {
			Version      string   `json:"version"`
			Exact        bool     `json:"exact"`
			Undetermined []string `json:"undetermined"`
		} `json:"releases"`
		Workers []struct {
			From  string   `json:"from"`
			Names []string `json:"names"`
		} `json:"workers"`
		Settings []struct {
			Name       string   `json:"name"`
			Section    string   `json:"section"`
			In         []string `json:"in"`
			UnknownIn  []string `json:"unknown_in"`
			Added      string   `json:"added"`
			Deprecated string   `json:"deprecated"`
			Variants   []struct {
				From           string   `json:"from"`
				ChangedIn      string   `json:"changed_in"`
				UnknownIn      []string `json:"unknown_in"`
				CLI            []string `json:"cli"`
				Validator      string   `json:"validator"`
				Arity          int      `json:"arity"`
				Type           string   `json:"type"`
				Action         string   `json:"action"`
				Default        string   `json:"default"`
				DefaultFromEnv bool     `json:"default_from_env"`
				HookParams     []string `json:"hook_params"`
			} `json:"variants"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(catalogueJSON, &raw); err != nil {
		panic("gunicornconf: the embedded catalogue.json is corrupt: " + err.Error())
	}
	c := &catalogueData{index: map[string]int{}, exact: map[Version]bool{}, gaps: map[Version][]string{}, texts: map[Version]textRelease{}}
	for _, t := range raw.Texts {
		c.texts[mustVersion(t.Release)] = textRelease{release: t.Release, patched: strings.Contains(t.File, "-debian")}
	}
	for _, r := range raw.Releases {
		v := mustVersion(r.Version)
		c.versions = append(c.versions, v)
		c.exact[v] = r.Exact
		c.gaps[v] = r.Undetermined
		c.newest = v
	}
	for _, w := range raw.Workers {
		m := map[string]bool{}
		for _, n := range w.Names {
			m[n] = true
		}
		c.workers = append(c.workers, workerNames{from: mustVersion(w.From), names: m})
	}
	set := func(l []string) map[Version]bool {
		m := map[Version]bool{}
		for _, s := range l {
			m[mustVersion(s)] = true
		}
		return m
	}
	for _, rs := range raw.Settings {
		s := Setting{Name: rs.Name, Section: rs.Section, Added: rs.Added, Deprecated: rs.Deprecated,
			in: set(rs.In), unknown: set(rs.UnknownIn), Workers: honours[rs.Name]}
		for _, rv := range rs.Variants {
			from := rv.From
			if rv.ChangedIn != "" {
				from = rv.ChangedIn
			}
			vr := variant{from: mustVersion(from), unknownIn: set(rv.UnknownIn), validator: Validator(rv.Validator),
				arity: rv.Arity, def: rv.Default, cliType: rv.Type}
			if len(rv.UnknownIn) > 0 && rv.ChangedIn == "" {
				// The change happened somewhere after the older text: the
				// older variant holds until the first unknown release.
				vr.from = mustVersion(rv.From)
				for u := range vr.unknownIn {
					if u.Less(vr.from) {
						vr.from = u
					}
				}
			}
			s.variants = append(s.variants, vr)
			s.CLI, s.Validator, s.Arity, s.Action, s.Default, s.DefaultFromEnv, s.HookParams =
				rv.CLI, Validator(rv.Validator), rv.Arity, rv.Action, rv.Default, rv.DefaultFromEnv, rv.HookParams
			if rv.Type != "" && rv.Type != "int" && rv.Type != "str" {
				s.CLIType = rv.Type
			}
		}
		c.index[s.Name] = len(c.settings)
		c.settings = append(c.settings, s)
	}
	return c
})

// Settings returns the whole catalogue (every setting of every catalogued
// release) in the newest config.py's order. The slice is a copy.
func Settings() []Setting { return append([]Setting(nil), catalogue().settings...) }

// SettingsIn returns the settings known to exist in gunicorn release v.
func SettingsIn(v Version) []Setting {
	var out []Setting
	for _, s := range catalogue().settings {
		if s.In(v) {
			out = append(out, s)
		}
	}
	return out
}

// Lookup returns the catalogue entry for a setting name (case-sensitive,
// as gunicorn is).
func Lookup(name string) (Setting, bool) {
	c := catalogue()
	i, ok := c.index[name]
	if !ok {
		return Setting{}, false
	}
	return c.settings[i], true
}

// Gaps lists, for a release between two of the catalogue's texts, what the
// texts and gunicorn's notes leave undecided there (empty for exact
// releases).
func Gaps(v Version) []string { return append([]string(nil), catalogue().gaps[v]...) }

// workerClassKnown reports whether gunicorn release v has the short worker
// class name k (SUPPORTED_WORKERS), and whether the catalogue can tell.
func workerClassKnown(v Version, k string) (has, known bool) {
	ws := catalogue().workers
	var before, after *workerNames
	for i := range ws {
		if !v.Less(ws[i].from) {
			before = &ws[i]
		} else if after == nil {
			after = &ws[i]
		}
	}
	switch {
	case before == nil:
		return false, false
	case before.from == v || after == nil:
		return before.names[k], true
	case before.names[k] == after.names[k]:
		return before.names[k], true
	}
	return false, false
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

package gunicornconf

import (
	"fmt"
	"strings"
)

// Config is a gunicorn configuration as a gunicorn.conf.py states it.
//
// The common settings are typed fields holding the effective value: what
// the file sets when it is statically known, gunicorn's default otherwise
// (check Set to tell them apart). Every setting the file binds, known or
// not, is in Set with its position; the remaining catalogue settings the
// file sets are also in Extra, typed as Values. Module-level names that
// are not settings (helpers, imports, misspellings) are in Other.
type Config struct {
	// Path is the file name used in findings.
	Path string

	Bind              []string
	Workers           int
	WorkerClass       string
	Threads           int
	WorkerConnections int
	Timeout           int
	GracefulTimeout   int
	Keepalive         int
	MaxRequests       int
	MaxRequestsJitter int
	PreloadApp        bool
	Daemon            bool
	WorkerTmpDir      string // "" = gunicorn's default (the system temp dir)
	ForwardedAllowIPs string // as written; "" = default
	AccessLog         string // "" = no access log (None)
	ErrorLog          string
	LogLevel          string
	WSGIApp           string

	// Set holds the last binding of every catalogue setting the file sets.
	Set map[string]Assignment
	// Extra holds the values of settings set in the file that have no
	// typed field.
	Extra map[string]Value
	// Other holds the module-level names that are not settings.
	Other []Assignment
	// Calls are the imported functions the file calls when gunicorn loads
	// it (in the master, before workers fork).
	Calls []Call
	// Imports, Annotations and Undefined are the File's.
	Imports     []Import
	Annotations []Assignment
	Undefined   []NameUse

	imported map[string]bool         // names bound by import
	reads    map[string]int          // module-level reads per name
	bindings map[string][]Assignment // every binding per name
}

// DefaultConfig returns gunicorn 23.0's defaults for the typed fields, for
// a host without PORT or WEB_CONCURRENCY in the environment.
func DefaultConfig() *Config {
	return &Config{
		Bind:              []string{"127.0.0.1:8000"},
		Workers:           1,
		WorkerClass:       "sync",
		Threads:           1,
		WorkerConnections: 1000,
		Timeout:           30,
		GracefulTimeout:   30,
		Keepalive:         2,
		ErrorLog:          "-",
		LogLevel:          "info",
		Set:               map[string]Assignment{},
		Extra:             map[string]Value{},
		imported:          map[string]bool{},
		reads:             map[string]int{},
		bindings:          map[string][]Assignment{},
	}
}

// Load parses a gunicorn.conf.py and builds its Config.
func Load(path string, src []byte) (*Config, error) {
	f, err := Parse(path, src)
	if err != nil {
		return nil, err
	}
	return FromFile(f), nil
}

// FromFile builds the Config of a parsed file.
func FromFile(f *File) *Config {
	c := DefaultConfig()
	c.Path = f.Path
	c.Calls = f.Calls
	c.Imports, c.Annotations, c.Undefined, c.reads = f.Imports, f.Annotations, f.Undefined, f.reads
	c.imported, c.bindings = map[string]bool{}, map[string][]Assignment{}
	for _, a := range f.Assignments {
		c.bindings[a.Name] = append(c.bindings[a.Name], a)
		if strings.HasPrefix(a.Expr, "import ") || strings.HasPrefix(a.Expr, "from ") {
			c.imported[a.Name] = true
		}
	}
	seen := map[string]bool{}
	for i := len(f.Assignments) - 1; i >= 0; i-- {
		a := f.Assignments[i]
		if seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		if _, ok := Lookup(a.Name); ok {
			c.Set[a.Name] = a
			if !c.setTyped(a.Name, a.Value) {
				c.Extra[a.Name] = a.Value
			}
			continue
		}
		c.Other = append(c.Other, a)
	}
	// Other in source order.
	for i, j := 0, len(c.Other)-1; i < j; i, j = i+1, j-1 {
		c.Other[i], c.Other[j] = c.Other[j], c.Other[i]
	}
	return c
}

// setTyped stores a statically known value in its typed field and reports
// whether the setting has one.
func (c *Config) setTyped(name string, v Value) bool {
	if !v.Known() && v.Fallback != nil {
		v = *v.Fallback
	}
	if p := c.intField(name); p != nil {
		if n, ok := posInt(v); ok {
			*p = int(n)
		}
		return true
	}
	if p := c.strField(name); p != nil {
		switch v.Kind {
		case KindString:
			*p = strings.TrimSpace(v.Str)
		case KindNone:
			*p = ""
		}
		return true
	}
	if p := c.boolField(name); p != nil {
		if b, ok := pyBool(v); ok {
			*p = b
		}
		return true
	}
	if name == "bind" {
		if l, ok := listString(v); ok {
			c.Bind = l
		}
		return true
	}
	return false
}

func (c *Config) intField(name string) *int {
	switch name {
	case "workers":
		return &c.Workers
	case "threads":
		return &c.Threads
	case "worker_connections":
		return &c.WorkerConnections
	case "timeout":
		return &c.Timeout
	case "graceful_timeout":
		return &c.GracefulTimeout
	case "keepalive":
		return &c.Keepalive
	case "max_requests":
		return &c.MaxRequests
	case "max_requests_jitter":
		return &c.MaxRequestsJitter
	}
	return nil
}

func (c *Config) strField(name string) *string {
	switch name {
	case "worker_class":
		return &c.WorkerClass
	case "worker_tmp_dir":
		return &c.WorkerTmpDir
	case "forwarded_allow_ips":
		return &c.ForwardedAllowIPs
	case "accesslog":
		return &c.AccessLog
	case "errorlog":
		return &c.ErrorLog
	case "loglevel":
		return &c.LogLevel
	case "wsgi_app":
		return &c.WSGIApp
	}
	return nil
}

func (c *Config) boolField(name string) *bool {
	switch name {
	case "preload_app":
		return &c.PreloadApp
	case "daemon":
		return &c.Daemon
	}
	return nil
}

// posInt converts v the way validate_pos_int does, reporting false when
// gunicorn would reject it.
func posInt(v Value) (int64, bool) {
	switch v.Kind {
	case KindInt:
		return v.Int, v.Int >= 0
	case KindBool:
		if v.Bool {
			return 1, true
		}
		return 0, true
	case KindString:
		n, ok := pyInt(v.Str, 0)
		return n, ok && n >= 0
	}
	return 0, false
}

func pyBool(v Value) (bool, bool) {
	switch v.Kind {
	case KindBool:
		return v.Bool, true
	case KindNone:
		return false, true
	case KindString:
		switch strings.ToLower(strings.TrimSpace(v.Str)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func listString(v Value) ([]string, bool) {
	if t, ok := v.truthy(); ok && v.Known() && !t {
		return []string{}, true
	}
	switch v.Kind {
	case KindString:
		return []string{strings.TrimSpace(v.Str)}, true
	case KindList, KindTuple:
		out := make([]string, 0, len(v.Items))
		for _, it := range v.Items {
			if it.Kind != KindString {
				return nil, false
			}
			out = append(out, strings.TrimSpace(it.Str))
		}
		return out, true
	}
	return nil, false
}

// Known reports whether the file sets name to a statically known value.
func (c *Config) Known(name string) bool {
	a, ok := c.Set[name]
	return ok && a.Value.Known()
}

// EffectiveWorkerClass returns the worker class gunicorn will run, given
// the file and an assumed class for when the file does not set one (""
// means gunicorn's default, sync). As gunicorn does, a sync worker with
// threads > 1 becomes gthread. ok is false when the class is not
// statically known.
func (c *Config) EffectiveWorkerClass(assumed string) (class string, ok bool) {
	k := "sync"
	if assumed != "" {
		k = assumed
	}
	if a, set := c.Set["worker_class"]; set {
		if a.Value.Kind != KindString {
			return "", false
		}
		k = a.Value.Str
	}
	k = normalizeWorkerClass(k)
	if k == "sync" {
		if a, set := c.Set["threads"]; set && !a.Value.Known() {
			return "", false
		}
		if c.Threads > 1 {
			return "gthread", true
		}
	}
	return k, true
}

// String summarises the typed fields, for logs and tests.
func (c *Config) String() string {
	return fmt.Sprintf("bind=%v workers=%d worker_class=%s threads=%d timeout=%d keepalive=%d",
		c.Bind, c.Workers, c.WorkerClass, c.Threads, c.Timeout, c.Keepalive)
}

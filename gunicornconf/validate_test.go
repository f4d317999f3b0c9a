package gunicornconf

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/deploykit/deploykit/internal/textdist"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type ruleAt struct {
	rule string
	line int
}

func findingsAt(fs []Finding) []ruleAt {
	out := make([]ruleAt, 0, len(fs))
	for _, f := range fs {
		out = append(out, ruleAt{f.Rule, f.Pos.Line})
	}
	return out
}

func lint(t *testing.T, src string, o Options) []Finding {
	t.Helper()
	c, err := Load("gunicorn.conf.py", []byte(src))
	require.NoError(t, err)
	return c.Validate(o)
}

// quiet is a file that satisfies the platform-independent rules, so each
// case below shows only the rule it is about.
const quiet = "accesslog = \"-\"\n"

func TestValidateRules(t *testing.T) {
	v20 := Options{Version: mustVersion("20.1")}
	app := Options{Platform: PlatformAppServiceCode, CmdArgsEnv: "-"}
	cases := []struct {
		name string
		src  string
		opts Options
		want []ruleAt
	}{
		{"misspelled", quiet + "worker = 4\n", Options{}, []ruleAt{{RuleUnknownSetting, 2}}},
		{"upper case", quiet + "WORKERS = 4\n", Options{}, []ruleAt{{RuleUnknownSetting, 2}}},
		{"transposed", quiet + "timeotu = 4\n", Options{}, []ruleAt{{RuleUnknownSetting, 2}}},
		{"misspelled hook", quiet + "def post_forks(server, worker):\n    pass\n", Options{}, []ruleAt{{RuleUnknownSetting, 2}}},
		{"helper names are fine", quiet + "import os\ncpu_budget = 2\n_private = 1\n", Options{}, nil},
		// A name the file reads itself is its own helper (bookwyrm's
		// env = Env(); env.bool(...)); one it never reads is meant for
		// gunicorn (ureport's env = "DJANGO_SETTINGS_MODULE=...", which
		// gunicorn ignores: the setting is raw_env).
		{"helper read by the file", quiet + "from environs import Env\nenv = Env()\nif env.bool(\"DEBUG\", False):\n    reload = True\n", Options{}, []ruleAt{{RuleNotStaticallyKnown, 5}}},
		{"unread near-setting", quiet + "env = \"DJANGO_SETTINGS_MODULE=app.settings\"\n", Options{}, []ruleAt{{RuleUnknownSetting, 2}}},
		{"float workers", quiet + "workers = 2.0\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"negative timeout", quiet + "timeout = -1\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"umask string with leading zero", quiet + "umask = \"022\"\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"umask octal int is fine", quiet + "umask = 0o022\n", Options{}, nil},
		{"workers string is fine", quiet + "workers = \"4\"\n", Options{}, nil},
		{"bool as int", quiet + "preload_app = 1\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"bool as string", quiet + "daemon = \"yes\"\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"string setting as int", quiet + "worker_tmp_dir = 5\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"dict setting as list", quiet + "secure_scheme_headers = []\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"cidr on 23.0", quiet + "forwarded_allow_ips = \"10.0.0.0/8\"\n", Options{Version: Version{23, 0}}, []ruleAt{{RuleForwardedIPsCIDR, 2}}},
		{"cidr on 20.1 never matches", quiet + "forwarded_allow_ips = \"10.0.0.0/8\"\n", v20, []ruleAt{{RuleForwardedIPsCIDR, 2}}},
		{"cidr on 24.1 is fine", quiet + "forwarded_allow_ips = \"10.0.0.0/8\"\n", Options{Version: Version{24, 1}}, nil},
		{"cidr host bits on 24.1", quiet + "forwarded_allow_ips = \"10.0.0.1/8\"\n", Options{Version: Version{24, 1}}, []ruleAt{{RuleInvalidValue, 2}}},
		{"bad ip", quiet + "forwarded_allow_ips = \"proxy.local\"\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"sync ignores keepalive and connections", quiet + "worker_class = \"sync\"\nkeepalive = 5\nworker_connections = 10\n", Options{}, []ruleAt{{RuleNoEffect, 3}, {RuleNoEffect, 4}}},
		{"default class is sync", quiet + "keepalive = 5\n", Options{}, []ruleAt{{RuleNoEffect, 2}}},
		{"assumed class from flag", quiet + "keepalive = 5\n", Options{WorkerClass: "gevent"}, nil},
		{"gthread honours keepalive", quiet + "worker_class = \"gthread\"\nkeepalive = 5\nthreads = 4\n", Options{}, nil},
		{"gevent ignores threads", quiet + "worker_class = \"gevent\"\nthreads = 4\n", Options{}, []ruleAt{{RuleNoEffect, 3}}},
		{"threads switch sync to gthread", quiet + "threads = 4\nkeepalive = 5\n", Options{}, []ruleAt{{RuleThreadsSwitchClass, 2}}},
		{"host-dependent workers", quiet + "import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\n", Options{}, []ruleAt{{RuleHostDependentSizing, 3}}},
		{"os.cpu_count threads", quiet + "import os\nthreads = os.cpu_count()\n", Options{}, []ruleAt{{RuleHostDependentSizing, 3}}},
		{"environment workers are info", quiet + "import os\nworkers = int(os.environ.get(\"WEB_CONCURRENCY\", 2))\n", Options{}, []ruleAt{{RuleNotStaticallyKnown, 3}}},
		{"preload without post_fork", quiet + "preload_app = True\n", Options{}, []ruleAt{{RulePreloadSharedState, 2}}},
		{"preload with post_fork", quiet + "preload_app = True\ndef post_fork(server, worker):\n    pass\n", Options{}, nil},
		{"thread started by the config file", quiet + "import threading\nfrom psycopg2 import connect\nthreading.Thread(target=print).start()\nconn = connect(\"dbname=x\")\n", Options{}, []ruleAt{{RulePreloadSharedState, 4}, {RulePreloadSharedState, 5}}},
		{"calls inside hooks are fine", quiet + "import threading\ndef post_fork(server, worker):\n    threading.Thread(target=print).start()\n", Options{}, nil},
		{"max_requests without jitter", quiet + "max_requests = 1000\n", Options{}, []ruleAt{{RuleMaxRequestsJitter, 2}}},
		{"max_requests with jitter", quiet + "max_requests = 1000\nmax_requests_jitter = 50\n", Options{}, nil},
		{"hook arity", quiet + "def post_fork(server):\n    pass\n", Options{}, []ruleAt{{RuleHookArity, 2}}},
		{"post_request accepts 2", quiet + "def post_request(worker, req):\n    pass\n", Options{}, nil},
		{"post_request rejects 1", quiet + "post_request = lambda worker: None\n", Options{}, []ruleAt{{RuleHookArity, 2}}},
		{"hook not callable", quiet + "on_starting = 5\n", Options{}, []ruleAt{{RuleInvalidValue, 2}}},
		{"header_map on 20.1", quiet + "header_map = \"refuse\"\n", v20, []ruleAt{{RuleNotInVersion, 2}}},
		{"tolerate_dangerous_framing on 23.0", quiet + "tolerate_dangerous_framing = True\n", Options{}, []ruleAt{{RuleNotInVersion, 2}}},
		{"no access log", "workers = 2\n", Options{}, []ruleAt{{RuleNoAccessLog, 0}}},
		{"deprecated ssl_version", quiet + "ssl_version = 2\n", Options{}, []ruleAt{{RuleDeprecated, 2}}},
		{"conditional value is info", quiet + "import os\nif os.environ.get(\"X\"):\n    timeout = 60\n", Options{}, []ruleAt{{RuleNotStaticallyKnown, 4}}},
		// Platform rules.
		{"app service basics", quiet + "worker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\n", app, nil},
		{"app service missing proxy trust and shm", quiet, app, []ruleAt{{RuleWorkerTmpDir, 0}, {RuleProxyHeaders, 0}}},
		{"app service timeout", quiet + "worker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\ntimeout = 300\n", app, []ruleAt{{RuleTimeoutFrontEnd, 4}}},
		{"app service timeout zero", quiet + "worker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\ntimeout = 0\n", app, []ruleAt{{RuleTimeoutFrontEnd, 4}}},
		{"oryx overrides timeout and bind", quiet + "worker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\ntimeout = 30\nbind = \"0.0.0.0:9000\"\n",
			Options{Platform: PlatformAppServiceCode}, []ruleAt{{RuleTimeoutFrontEnd, 4}, {RuleOverriddenByArgs, 4}}},
		{"startup command wins over oryx", quiet + "worker_tmp_dir = \"/dev/shm\"\nforwarded_allow_ips = \"*\"\ntimeout = 30\nbind = \"0.0.0.0:8000\"\n",
			Options{Platform: PlatformAppServiceCode, Args: []string{"--bind=0.0.0.0:8000", "--timeout", "30", "app:app"}}, nil},
		{"command line overrides", quiet + "workers = 2\n", Options{Args: []string{"-w", "8"}}, []ruleAt{{RuleOverriddenByArgs, 2}}},
		{"daemon in container", quiet + "worker_tmp_dir = \"/dev/shm\"\ndaemon = True\n", Options{Platform: PlatformContainer}, []ruleAt{{RuleDaemonInContainer, 3}}},
		{"loopback bind in container", quiet + "worker_tmp_dir = \"/dev/shm\"\nbind = \"127.0.0.1:8000\"\n", Options{Platform: PlatformContainer}, []ruleAt{{RuleBindLoopback, 3}}},
		{"daemon on a plain host is fine", quiet + "daemon = True\n", Options{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := lint(t, c.src, c.opts)
			got := findingsAt(fs)
			if len(c.want) == 0 {
				assert.Empty(t, got, "%+v", fs)
				return
			}
			assert.ElementsMatch(t, c.want, got, "%+v", fs)
			for _, f := range fs {
				assert.NotEmpty(t, f.Message)
				assert.NotEmpty(t, f.Setting)
				assert.Equal(t, ruleSeverityOrOverride(f), f.Severity)
			}
		})
	}
}

// ruleSeverityOrOverride is the severity a finding should have: the rule's
// default, except for the two documented downgrades.
func ruleSeverityOrOverride(f Finding) report.Severity {
	if f.Rule == RuleForwardedIPsCIDR && strings.Contains(f.Message, "never matches") {
		return report.SeverityWarning
	}
	if f.Rule == RulePreloadSharedState && strings.Contains(f.Message, "no post_fork hook") {
		return report.SeverityInfo
	}
	if f.Rule == RuleNoAccessLog || f.Rule == RuleNoEffect {
		return f.Severity
	}
	return ruleSeverity[f.Rule]
}

func TestValidateSeedFile(t *testing.T) {
	src, err := os.ReadFile("testdata/lint/seed.conf.py")
	require.NoError(t, err)
	c, err := Load("seed.conf.py", src)
	require.NoError(t, err)
	got := findingsAt(c.Validate(Options{Platform: PlatformAppServiceCode}))
	// The list for the seed file: host-dependent workers, sync
	// ignoring worker_connections and keepalive, timeout and bind dead
	// under Oryx (whose 600 s is above the front end's 230 s; its bind is
	// the file's own 0.0.0.0:8000, so that override changes nothing), preload
	// without post_fork, and the missing container/App Service settings.
	want := []ruleAt{
		{RuleWorkerTmpDir, 0}, {RuleProxyHeaders, 0},
		{RuleHostDependentSizing, 5}, {RuleNoEffect, 7},
		{RuleTimeoutFrontEnd, 8}, {RuleOverriddenByArgs, 8}, {RuleNoEffect, 9}, {RulePreloadSharedState, 12},
	}
	assert.ElementsMatch(t, want, got)
}

func TestDidYouMean(t *testing.T) {
	for in, want := range map[string]string{
		"worker": "workers", "WORKERS": "workers", "time_out": "timeout", "keep_alive": "keepalive",
		"max_request": "max_requests", "preload": "preload_app", "access_logfile": "accesslog", "worker-class": "worker_class", "forwarded_allowed_ips": "forwarded_allow_ips",
		"x": "", "config_path": "",
	} {
		got, _ := closestSetting(in)
		assert.Equal(t, want, got, in)
	}
	assert.Equal(t, 1, textdist.Distance("timeotu", "timeout"), "a transposition costs 1")
	assert.Equal(t, 3, textdist.Distance("kitten", "sitting"))
}

func TestRulesAreDocumented(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		assert.False(t, ids[r.ID], "duplicate %s", r.ID)
		ids[r.ID] = true
		assert.NotEmpty(t, r.Name)
		assert.NotEmpty(t, r.Summary)
		assert.NotEmpty(t, r.Help)
		assert.NotZero(t, r.Severity.Rank())
	}
	assert.Len(t, ids, 23)
}

// TestValidatorAgreesWithGunicorn runs the real gunicorn (--check-config,
// which loads the file with gunicorn's own validators) on every value the
// validator calls an error that stops gunicorn, and on values it accepts:
// gunicorn must fail exactly for the former.
func TestValidatorAgreesWithGunicorn(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.py"), []byte(wsgiApp), 0o644))
	ver, err := exec.Command(g.Python, "-c", "import gunicorn; print(gunicorn.__version__)").Output()
	require.NoError(t, err)
	v := installedVersion(t, strings.TrimSpace(string(ver)))
	cases := []struct {
		src        string
		refusesRun bool
	}{
		{"workers = 2.0", true},
		{"workers = \"4\"", false},
		{"workers = -1", true},
		{"umask = \"022\"", true},
		{"umask = 0o022", false},
		{"preload_app = 1", true},
		{"preload_app = \"true\"", false},
		{"daemon = \"yes\"", true},
		{"worker_tmp_dir = 5", true},
		{"secure_scheme_headers = []", true},
		{"bind = [\"127.0.0.1:0\"]", false},
		{"def post_fork(server):\n    pass", true},
		{"def post_fork(server, worker):\n    pass", false},
		{"post_request = lambda worker: None", true},
		{"def post_request(worker, req, environ):\n    pass", false},
		{"on_starting = 5", true},
		{"forwarded_allow_ips = \"10.0.0.0/8\"", v == mustVersion("23.0")},
		{"worker = 4", false},
		{"WORKERS = 4", false},
		{"timeout = 0", false},
	}
	for i, c := range cases {
		path := filepath.Join(dir, fmt.Sprintf("case%d.conf.py", i))
		require.NoError(t, os.WriteFile(path, []byte(c.src+"\n"), 0o644))
		cmd := exec.Command(g.Path, "--check-config", "-c", path, "app:application")
		cmd.Dir = dir
		out, runErr := cmd.CombinedOutput()
		assert.Equal(t, c.refusesRun, runErr != nil, "gunicorn --check-config on %q: %v\n%s", c.src, runErr, out)

		cfg, err := Load(path, []byte(c.src+"\n"))
		require.NoError(t, err)
		var stops []string
		for _, f := range cfg.Validate(Options{Version: v}) {
			if f.Rule == RuleInvalidValue || f.Rule == RuleHookArity || (f.Rule == RuleForwardedIPsCIDR && f.Severity == report.SeverityError) {
				stops = append(stops, f.Rule)
			}
		}
		sort.Strings(stops)
		assert.Equal(t, c.refusesRun, len(stops) > 0, "deploykit on %q (gunicorn %s): %v", c.src, v, stops)
	}
}

// GC004's fix names only worker classes the target release ships: gunicorn
// 26.0 removed eventlet (workers/__init__.py of 26.x has no "eventlet"
// entry), and 20.1's SUPPORTED_WORKERS has no "asgi" (it came later).
func TestNoEffectFixNamesOnlyShippedWorkers(t *testing.T) {
	c, err := Load("gunicorn.conf.py", []byte("worker_class = 'sync'\nkeepalive = 5\n"))
	require.NoError(t, err)
	fixOf := func(v string) string {
		for _, d := range c.Validate(Options{Platform: PlatformPlain, Version: mustVersion(v)}) {
			if d.Rule == RuleNoEffect && d.Setting == "keepalive" {
				require.NotEmpty(t, d.SuggestedFixes)
				return d.SuggestedFixes[0].Message
			}
		}
		t.Fatalf("gunicorn %s: no GC004 for keepalive with the sync worker", v)
		return ""
	}
	assert.NotContains(t, fixOf("26.2"), "eventlet")
	assert.Contains(t, fixOf("26.2"), "gthread")
	assert.NotContains(t, fixOf("20.1"), "asgi")
	assert.Contains(t, fixOf("20.1"), "eventlet")
}

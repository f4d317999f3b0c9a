package gunicornconf

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var pyValidators = map[string]Validator{
	"validate_string": ValidateString, "validate_list_string": ValidateListString, "validate_pos_int": ValidatePosInt,
	"validate_class": ValidateClass, "validate_bool": ValidateBool, "validate_reload_engine": ValidateReloadEngine,
	"validate_list_of_existing_files": ValidateExistingFiles, "validate_chdir": ValidateChdir, "validate_user": ValidateUser,
	"validate_group": ValidateGroup, "validate_dict": ValidateDict, "validate_string_to_list": ValidateStringToList,
	"validate_string_to_addr_list": ValidateStringToAddrList, "validate_hostport": ValidateHostPort,
	"validate_statsd_address": ValidateStatsdAddress, "validate_callable": ValidateCallable,
	"validate_post_request": ValidatePostRequest, "validate_ssl_version": ValidateSSLVersion,
	"validate_header_map_behaviour": ValidateHeaderMap,
}

// installedVersion maps the installed gunicorn's version to the catalogue.
func installedVersion(t *testing.T, v string) Version {
	ver, err := ParseVersion(v)
	require.NoError(t, err)
	return ver
}

// TestCatalogueMatchesInstalledGunicorn compares the catalogue's view of
// the installed version with the KNOWN_SETTINGS of the real gunicorn of the
// test harness: the same names, sections, flags, validators, actions and
// defaults.
func TestCatalogueMatchesInstalledGunicorn(t *testing.T) {
	g := testenv.Gunicorn(t)
	cmd := exec.Command(g.Python, "testdata/pycatalogue.py")
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // no PORT, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS
	out, err := cmd.Output()
	require.NoError(t, err)
	var got struct {
		Version  string `json:"version"`
		Settings []struct {
			Name, Section, Validator, Action string
			CLI                              []string
			Arity                            int
			Default                          *string
		} `json:"settings"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	v := installedVersion(t, got.Version)
	t.Logf("installed gunicorn %s: %d settings", got.Version, len(got.Settings))

	want := map[string]Setting{}
	for _, s := range SettingsIn(v) {
		want[s.Name] = s
	}
	seen := map[string]bool{}
	for _, s := range got.Settings {
		seen[s.Name] = true
		c, ok := want[s.Name]
		if !assert.True(t, ok, "gunicorn %s has %q, the catalogue does not (for %s)", got.Version, s.Name, v) {
			continue
		}
		assert.Equal(t, s.Section, c.Section, "section of %s", s.Name)
		if len(c.variants) > 1 {
			continue // the fields describe the newest release; 20.1's variant differs
		}
		assert.Equal(t, s.CLI, append([]string{}, c.CLI...), "flags of %s", s.Name)
		assert.Equal(t, s.Action, c.Action, "action of %s", s.Name)
		pv, ok := pyValidators[s.Validator]
		require.True(t, ok, "unknown validator %s", s.Validator)
		assert.Equal(t, pv, c.ValidatorIn(v), "validator of %s", s.Name)
		assert.Equal(t, s.Arity, c.Arity, "arity of %s", s.Name)
		switch {
		case s.Default == nil:
			// hooks: the default is a no-op function
		case s.Name == "chdir" || s.Name == "user" || s.Name == "group":
			// host-dependent: os.getcwd(), os.geteuid(), os.getegid()
		default:
			// config.py's source text against CPython's repr: compare with
			// one quote style.
			norm := func(x string) string {
				if x == "" {
					return "None" // a Setting without a default attribute
				}
				return strings.Join(strings.Fields(strings.ReplaceAll(x, `"`, "'")), "")
			}
			if !c.DefaultFromEnv && !strings.HasPrefix(c.DefaultIn(v), "os.") && !strings.HasPrefix(c.DefaultIn(v), "ssl.") && !strings.HasPrefix(c.DefaultIn(v), "sys.") {
				assert.Equal(t, norm(*s.Default), norm(c.DefaultIn(v)), "default of %s", s.Name)
			}
		}
	}
	for name := range want {
		assert.True(t, seen[name], "the catalogue says gunicorn %s has %q; it does not", v, name)
	}
}

// TestCatalogueMatchesPrintConfig runs the real `gunicorn --print-config`
// and checks that it lists exactly the catalogue's settings for that
// version, with the catalogue's defaults for integer and boolean settings.
func TestCatalogueMatchesPrintConfig(t *testing.T) {
	g := testenv.Gunicorn(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.py"), []byte(wsgiApp), 0o644))
	cmd := exec.Command(g.Path, "--print-config", "app:application")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	printed := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		printed[strings.TrimSpace(name)] = strings.TrimSpace(val)
	}
	ver, err := exec.Command(g.Python, "-c", "import gunicorn; print(gunicorn.__version__)").Output()
	require.NoError(t, err)
	v := installedVersion(t, strings.TrimSpace(string(ver)))
	var names []string
	for _, s := range SettingsIn(v) {
		names = append(names, s.Name)
		val, ok := printed[s.Name]
		if !assert.True(t, ok, "--print-config does not list %s", s.Name) {
			continue
		}
		switch s.Validator {
		case ValidatePosInt, ValidateBool:
			if s.Name != "print_config" && s.Name != "sendfile" && !s.DefaultFromEnv && !strings.HasPrefix(s.DefaultIn(v), "ssl.") && s.DefaultIn(v) != "None" {
				assert.Equal(t, s.DefaultIn(v), val, "--print-config default of %s", s.Name)
			}
		}
	}
	assert.Len(t, printed, len(names), "--print-config lists settings the catalogue does not have for %s", v)
}

func TestCatalogueVersions(t *testing.T) {
	names := func(v Version) map[string]bool {
		m := map[string]bool{}
		for _, s := range SettingsIn(v) {
			m[s.Name] = true
		}
		return m
	}
	v20, v23, v25 := names(mustVersion("20.1")), names(mustVersion("23.0")), names(Version{25, 0})
	// 23.0's settings.rst lists these; 20.1's config.py does not.
	for _, n := range []string{"logconfig_json", "ssl_context", "header_map", "forwarder_headers", "permit_obsolete_folding", "casefold_http_method"} {
		assert.True(t, v23[n], n)
		assert.False(t, v20[n], n)
	}
	assert.True(t, v20["tolerate_dangerous_framing"], "Debian's 20.1 backport")
	assert.False(t, v23["tolerate_dangerous_framing"], "removed in 23.0")
	assert.True(t, v25["dirty_workers"])
	assert.False(t, v23["dirty_workers"])
	s, ok := Lookup("forwarded_allow_ips")
	require.True(t, ok)
	assert.Equal(t, `os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")`, s.DefaultIn(mustVersion("20.1")))
	assert.Equal(t, `os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")`, s.DefaultIn(mustVersion("23.0")))
	assert.Equal(t, ValidateStringToList, s.ValidatorIn(mustVersion("20.1")))
	assert.Equal(t, ValidateStringToAddrList, s.ValidatorIn(mustVersion("23.0")))
	k, _ := Lookup("keepalive")
	assert.False(t, k.HonouredBy("sync"))
	assert.True(t, k.HonouredBy("gthread"))
	assert.True(t, k.HonouredBy("myapp.workers.Custom"))

	_, err := ParseVersion("x.1")
	assert.Error(t, err)
}

// TestCatalogue25_1 checks what gunicorn 25.1.0's own config.py (the
// Debian/Ubuntu package, testdata/catalogue/config-25.1.0-debian.py) says,
// where it differs from the notes in newer texts.
func TestCatalogue25_1(t *testing.T) {
	v := mustVersion("25.1")
	hp, ok := Lookup("http_parser")
	require.True(t, ok)
	// 26.2.2's text says "versionadded:: 25.0.0"; 25.1.0's text has no
	// http_parser, so the note is not trusted for 25.0 either.
	assert.False(t, hp.In(v), "25.1.0's config.py has no http_parser")
	assert.False(t, hp.Unknown(v))
	assert.True(t, hp.Unknown(mustVersion("25.0")))
	cs, _ := Lookup("control_socket")
	assert.Equal(t, `"gunicorn.ctl"`, cs.DefaultIn(v))
	assert.True(t, cs.Unknown(mustVersion("25.3")), "the default changed between 25.1 and 26.0")
	assert.False(t, cs.Unknown(mustVersion("26.1")), "26.0 and 26.2 have the same default")
	for _, n := range []string{"protocol", "uwsgi_allow_ips", "enable_backlog_metric"} {
		s, _ := Lookup(n)
		assert.True(t, s.In(v), n)
		assert.True(t, s.In(mustVersion("26.1")), n)
		assert.False(t, s.Unknown(mustVersion("25.3")), n)
	}
	pp, _ := Lookup("proxy_protocol")
	assert.Equal(t, ValidateProxyProtocol, pp.ValidatorIn(v))
	has, known := workerClassKnown(v, "asgi")
	assert.True(t, has && known, "SUPPORTED_WORKERS of 25.1.0 has asgi")
	has, known = workerClassKnown(v, "eventlet")
	assert.True(t, has && known, "eventlet is deprecated in 25.1.0, not removed")
	assert.Empty(t, Gaps(v))
}

// TestCatalogue26_0 checks what gunicorn 26.0.0's own config.py
// (testdata/catalogue/config-26.0.0.py, byte-identical to the wheel's: its
// sha256 is the one the wheel's RECORD lists) says.
func TestCatalogue26_0(t *testing.T) {
	v := mustVersion("26.0")
	assert.Empty(t, Gaps(v))
	hp, _ := Lookup("http_parser")
	assert.True(t, hp.In(v))
	assert.True(t, hp.In(mustVersion("26.1")), "in 26.0 and 26.2, so in 26.1")
	cs, _ := Lookup("control_socket")
	assert.Equal(t, "_get_default_control_socket()", cs.DefaultIn(v))
	// The HTTP/2 stream and window settings still use validate_pos_int in
	// 26.0; 26.2 has its own validators, so 26.1 is not modelled for them.
	w, _ := Lookup("http2_initial_window_size")
	assert.Equal(t, ValidatePosInt, w.ValidatorIn(v))
	assert.True(t, w.Unknown(mustVersion("26.1")))
	assert.Equal(t, Validator("http2_window_size"), w.ValidatorIn(mustVersion("26.2")))
	h2c, _ := Lookup("http2_cleartext")
	assert.False(t, h2c.In(v))
	// SUPPORTED_WORKERS of 26.0.0 drops eventlet (removed in 26.0).
	has, known := workerClassKnown(v, "eventlet")
	assert.True(t, known)
	assert.False(t, has)
	_, known = workerClassKnown(mustVersion("25.3"), "eventlet")
	assert.False(t, known, "in 25.1, not in 26.0: 25.3 cannot tell")
}

// TestCatalogue22_0 checks what gunicorn 22.0.0's own config.py
// (testdata/catalogue/config-22.0.0.py, sha256 equal to the wheel's
// RECORD) says: the version ranges, now from the text itself.
func TestCatalogue22_0(t *testing.T) {
	v := mustVersion("22.0")
	assert.Empty(t, Gaps(v))
	has := func(name string) bool { s, ok := Lookup(name); return ok && s.In(v) }
	assert.False(t, has("forwarder_headers"), "forwarder_headers came in 23.0")
	assert.True(t, has("tolerate_dangerous_framing"))
	assert.True(t, has("header_map"))
	assert.True(t, has("casefold_http_method"))
	assert.True(t, has("logconfig_json"))
	assert.False(t, has("permit_obsolete_folding"), "added in 23.0")
	td, _ := Lookup("tolerate_dangerous_framing")
	assert.False(t, td.In(mustVersion("21.0")), "upstream added it in 22.0; only Debian's 20.1 backports it")
	f, _ := Lookup("forwarded_allow_ips")
	assert.Equal(t, ValidateStringToList, f.ValidatorIn(v), "22.0 does not validate addresses yet")
	assert.Equal(t, `os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")`, f.DefaultIn(v))
	assert.False(t, f.Unknown(mustVersion("21.0")), "20.1 and 22.0 agree")
	p, _ := Lookup("proxy_allow_ips")
	assert.Equal(t, `"127.0.0.1"`, p.DefaultIn(v))
	st, _ := Lookup("statsd_host")
	assert.Equal(t, ValidateStatsdAddress, st.ValidatorIn(v))
	assert.True(t, st.Unknown(mustVersion("21.0")), "hostport in 20.1, statsd_address in 22.0")
	ok, known := workerClassKnown(v, "eventlet")
	assert.True(t, ok && known)
}

// TestCatalogueSameText: releases whose wheels ship another release's
// config.py and workers/__init__.py (testdata/catalogue/same-text.txt, by
// the sha256 in their RECORDs) are catalogued exactly as that release.
func TestCatalogueSameText(t *testing.T) {
	for alias, target := range map[string]string{"21.1": "21.0", "21.2": "21.0", "25.2": "25.3"} {
		a, b := mustVersion(alias), mustVersion(target)
		_, err := ParseVersion(alias + ".0")
		require.NoError(t, err, alias)
		assert.Equal(t, len(Gaps(b)), len(Gaps(a)), alias)
		for _, s := range Settings() {
			assert.Equal(t, s.In(b), s.In(a), "%s in %s", s.Name, alias)
			assert.Equal(t, s.Unknown(b), s.Unknown(a), "%s unknown in %s", s.Name, alias)
			assert.Equal(t, s.ValidatorIn(b), s.ValidatorIn(a), "%s validator in %s", s.Name, alias)
			assert.Equal(t, s.DefaultIn(b), s.DefaultIn(a), "%s default in %s", s.Name, alias)
		}
		for _, w := range bundledWorkers {
			h1, k1 := workerClassKnown(a, w)
			h2, k2 := workerClassKnown(b, w)
			assert.Equal(t, [2]bool{h2, k2}, [2]bool{h1, k1}, "%s in %s", w, alias)
		}
	}
	// 21.2.0 is the most common pin of the 21 line; a lock with it is read.
	v, found, err := VersionFromLock("requirements.txt", []byte("gunicorn==21.2.0\n"))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, Version{21, 2}, v.Version)
	assert.False(t, v.Text, "the 21.x text is not an input yet")
}

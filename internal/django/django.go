// Package django holds the facts about Django projects that several
// deploykit packages read from source files, written once: where a project
// names its settings module.
package django

import (
	"regexp"
	"strings"
)

// The one pattern for Django's own idiom in manage.py, wsgi.py and asgi.py:
//
//	os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
//
// (either quote style, any spacing, also os.environ["..."] = "..." is
// matched by settingsAssignRE below).
var (
	settingsDefaultRE = regexp.MustCompile(`DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][A-Za-z0-9_.]*)["']`)
	// settingsAssignRE matches DJANGO_SETTINGS_MODULE=x, DJANGO_SETTINGS_MODULE: x
	// and DJANGO_SETTINGS_MODULE"] = "x" in env files, Dockerfiles,
	// Procfiles, compose files and Python.
	settingsAssignRE = regexp.MustCompile(`DJANGO_SETTINGS_MODULE(?:["']\])?["']?\s*[=:]\s*["']?([A-Za-z_][A-Za-z0-9_.]*)`)
	// settingsFlagRE matches --settings=x and --settings x.
	settingsFlagRE = regexp.MustCompile(`--settings[= ]\s*["']?([A-Za-z_][A-Za-z0-9_.]*)`)
	// settingsLegacyEnvRE matches a Dockerfile's legacy "ENV KEY value" form.
	settingsLegacyEnvRE = regexp.MustCompile(`(?m)^\s*ENV\s+DJANGO_SETTINGS_MODULE\s+["']?([A-Za-z_][A-Za-z0-9_.]*)["']?\s*$`)
)

// DefaultSettingsModule returns the settings module a manage.py, wsgi.py or
// asgi.py sets as the DJANGO_SETTINGS_MODULE default with
// os.environ.setdefault, or "" when it sets none.
func DefaultSettingsModule(src []byte) string {
	if m := settingsDefaultRE.FindSubmatch(src); m != nil {
		return strings.TrimRight(string(m[1]), ".")
	}
	return ""
}

// SettingsModulesNamed returns, in order of appearance and without
// duplicates, every settings module that src names: assignments of
// DJANGO_SETTINGS_MODULE (ENV lines in both forms, env files, compose environment maps
// and lists, shell exports), the os.environ.setdefault idiom and
// manage.py's --settings flag.
func SettingsModulesNamed(src []byte) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		v = strings.TrimRight(v, ".")
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	type hit struct {
		at  int
		mod string
	}
	var hits []hit
	for _, re := range []*regexp.Regexp{settingsDefaultRE, settingsAssignRE, settingsFlagRE, settingsLegacyEnvRE} {
		for _, m := range re.FindAllSubmatchIndex(src, -1) {
			hits = append(hits, hit{m[2], string(src[m[2]:m[3]])})
		}
	}
	// Stable order of appearance.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].at < hits[j-1].at; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	for _, h := range hits {
		add(h.mod)
	}
	return out
}

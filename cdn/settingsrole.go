package cdn

import (
	"path/filepath"
	"strings"
)

// ModuleRole says whether a settings module is the one production runs.
// The caching rules (CDN001, CDN002, CDN005, CDN006, CDN008) only matter
// there: a development or test module that keeps plain names or a short
// cache is not served through a CDN.
type ModuleRole int

const (
	// RoleInfer infers the role from the module (the default): see
	// [CheckOptions.Role].
	RoleInfer ModuleRole = iota
	// RoleProduction checks the module as production, whatever it is named
	// (for the module DJANGO_SETTINGS_MODULE selects in production).
	RoleProduction
	// RoleNonProduction checks the module as a development or test module.
	RoleNonProduction
)

// RuleNotProduction is the note the checker leaves where it did not apply
// a caching rule to a non-production module or branch.
const RuleNotProduction = "CDN009"

// Words that mark a development or test environment, and production, in a
// settings module's file name or an if condition (lower case, split at
// non-alphanumerics, so DEVELOPMENT_MODE and settings_test.py qualify).
var (
	devWords  = map[string]bool{"dev": true, "devel": true, "develop": true, "development": true, "local": true, "test": true, "tests": true, "testing": true, "pytest": true, "ci": true, "debug": true}
	prodWords = map[string]bool{"prod": true, "production": true, "live": true}
)

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// envOf returns +1 when words name only production, -1 when they name
// only development or test, 0 otherwise; negate inverts the answer (a
// condition with "not" or "!=").
func envOf(ws []string, negate bool) int {
	dev, prod := false, false
	for _, w := range ws {
		dev = dev || devWords[w]
		prod = prod || prodWords[w]
	}
	v := 0
	switch {
	case dev && !prod:
		v = -1
	case prod && !dev:
		v = 1
	}
	if negate {
		v = -v
	}
	return v
}

// condEnv judges an if condition: -1 development/test, +1 production, 0
// unknown. `DEBUG`, `"test" in sys.argv`, `DEVELOPMENT_MODE is True`
// are development; `not DEBUG` and `ENV == "production"` production.
func condEnv(cond string) int {
	ws := words(cond)
	negate := strings.Contains(cond, "!=")
	for _, w := range ws {
		if w == "not" {
			negate = !negate
		}
	}
	return envOf(ws, negate)
}

// moduleRole infers whether the module at file is production. Its file
// name decides first (production.py, prod_settings.py; dev.py,
// settings_test.py, local_settings.py). Then a module that builds on
// another settings module (a star import) and sets DEBUG = True at top
// level is a development variant. Anything else is taken as production:
// a lone settings.py runs everywhere, DEBUG = True included. The reason
// is returned for the note.
func moduleRole(file string, assigns []pyAssign, src string) (ModuleRole, string) {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	switch envOf(words(base), false) {
	case 1:
		return RoleProduction, ""
	case -1:
		return RoleNonProduction, "the file name " + filepath.Base(file) + " names a development or test module"
	}
	star := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "from ") && strings.Contains(line, " import *") {
			star = true
		}
	}
	for _, a := range assigns {
		if a.Col == 1 && a.Target == "DEBUG" && strings.TrimSpace(a.Value) == "True" && star {
			return RoleNonProduction, "the module extends another settings module and sets DEBUG = True"
		}
	}
	return RoleProduction, ""
}

// branchEnv returns the environment of the innermost if/elif/else branch
// enclosing the assignment that names one (-1 development/test, +1
// production, 0 none), with the header's line.
func branchEnv(a pyAssign, blocks []pyBlock) (int, int) {
	indent := a.Col - 1
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		if b.Line >= a.Line || b.Indent >= indent {
			continue
		}
		indent = b.Indent // an enclosing header
		v := 0
		switch b.Kind {
		case "if", "elif":
			v = condEnv(b.Cond)
		case "else":
			// The else of `if DEBUG:` is production: judge the chain's if.
			for j := i - 1; j >= 0; j-- {
				if blocks[j].Indent == b.Indent && blocks[j].Kind == "if" {
					v = -condEnv(blocks[j].Cond)
					break
				}
				if blocks[j].Indent < b.Indent {
					break
				}
			}
		}
		if v != 0 {
			return v, b.Line
		}
		if indent == 0 {
			break
		}
	}
	return 0, 0
}

// cachingRule reports whether a rule concerns how production caches.
func cachingRule(rule string) bool {
	switch rule {
	case RuleMaxAgeLong, RuleMaxAgeUnknown, RuleStorageNoHash, RuleStorageUnknown, RuleCORSOff:
		return true
	}
	return false
}

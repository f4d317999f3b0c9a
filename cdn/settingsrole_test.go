package cdn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func rulesOf(diags []Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Rule)
	}
	return out
}

// TestCheckSettingsProductionOnly: caching rules apply to the module and
// branch production runs; elsewhere a CDN009 note says why they did not.
func TestCheckSettingsProductionOnly(t *testing.T) {
	plain := "STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'\n"
	cases := []struct {
		name, file, src string
		role            ModuleRole
		want            []string
	}{
		{"lone settings.py", "settings.py", plain, RoleInfer, []string{RuleStorageNoHash}},
		{"lone settings.py with DEBUG = True still runs in production", "settings.py", "DEBUG = True\n" + plain, RoleInfer, []string{RuleStorageNoHash}},
		{"production.py", "config/settings/production.py", "from .base import *\n" + plain, RoleInfer, []string{RuleStorageNoHash}},
		{"dev.py", "config/settings/dev.py", plain, RoleInfer, []string{RuleNotProduction}},
		{"settings_test.py", "settings_test.py", plain, RoleInfer, []string{RuleNotProduction}},
		{"override with DEBUG = True", "settings/alt.py", "from .base import *\nDEBUG = True\n" + plain, RoleInfer, []string{RuleNotProduction}},
		{"forced production", "settings/dev.py", plain, RoleProduction, []string{RuleStorageNoHash}},
		{"forced non-production", "settings.py", plain, RoleNonProduction, []string{RuleNotProduction}},
		{"if DEBUG branch and its else", "settings.py", "if DEBUG:\n    " + plain + "else:\n    " + plain, RoleInfer, []string{RuleNotProduction, RuleStorageNoHash}},
		{"if not DEBUG branch", "settings.py", "if not DEBUG:\n    " + plain + "else:\n    " + plain, RoleInfer, []string{RuleStorageNoHash, RuleNotProduction}},
		{"test in sys.argv", "settings.py", "import sys\nif 'test' in sys.argv:\n    " + plain, RoleInfer, []string{RuleNotProduction}},
		{"unrelated if", "settings.py", "if USE_S3:\n    " + plain, RoleInfer, []string{RuleStorageNoHash}},
		{"azureedge is reported anywhere", "dev.py", "STATIC_URL = 'https://x.azureedge.net/static/'\n", RoleInfer, []string{RuleStaticURLHost, RuleAzureEdge}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, rulesOf(CheckSettings(c.file, []byte(c.src), CheckOptions{Role: c.role})))
		})
	}
}

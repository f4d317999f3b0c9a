package cdn

import (
	"os"
	"strconv"
	"testing"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSettingsSeed(t *testing.T) {
	src, err := os.ReadFile("testdata/seed_settings.py")
	require.NoError(t, err)
	diags := CheckSettings("settings.py", src, CheckOptions{Django: DjangoVersion{3, 2}})
	type hit struct {
		rule string
		line int
	}
	var got []hit
	for _, d := range diags {
		got = append(got, hit{d.Rule, d.Pos.Line})
	}
	assert.ElementsMatch(t, []hit{
		{RuleAzureEdge, 4}, {RuleStaticURLHost, 4}, // the hard-coded classic host
		{RuleStorageNoHash, 7}, // AzureStorage keeps plain names
		{RuleAzureEdge, 10},    // AZURE_CUSTOM_DOMAIN
		{RuleMaxAgeLong, 13},   // the seed's defect
	}, got)
	for _, d := range diags {
		if d.Rule != RuleMaxAgeLong {
			continue
		}
		assert.Equal(t, 1, d.Pos.Column)
		assert.Contains(t, d.Message, "31536000 (365 days) applies only to unhashed files")
		assert.Contains(t, d.Message, "max-age=315360000, public, immutable")
		// The fix deletes the whole line, comment included.
		fixed, err := report.ApplyEdits(src, d.SuggestedFixes[0].TextEdits)
		require.NoError(t, err)
		assert.NotContains(t, string(fixed), "WHITENOISE_MAX_AGE")
		assert.Contains(t, string(fixed), "# settings/production.py\n")
	}
}

func TestCheckSettingsCases(t *testing.T) {
	cases := []struct {
		name, src string
		django    DjangoVersion
		want      []string // rule@line
	}{
		{"default max age is fine", "WHITENOISE_MAX_AGE = 60\n", DjangoVersion{}, nil},
		{"one hour is the limit", "WHITENOISE_MAX_AGE = 3600\n", DjangoVersion{}, nil},
		{"arithmetic is evaluated", "X = 1\nWHITENOISE_MAX_AGE = 60 * 60 * 24 * 365\n", DjangoVersion{}, []string{"CDN001@2"}},
		{"inside an if block", "if not DEBUG:\n    WHITENOISE_MAX_AGE = 86_400\n", DjangoVersion{}, []string{"CDN001@2"}},
		{"env var is not modelled", "WHITENOISE_MAX_AGE = int(os.environ.get('MAX_AGE', 60))\n", DjangoVersion{}, []string{"CDN002@1"}},
		{"None leaves it to the edge", "WHITENOISE_MAX_AGE = None\n", DjangoVersion{}, []string{"CDN001@1"}},
		{"comparison is not assignment", "if WHITENOISE_MAX_AGE == 31536000:\n    pass\n", DjangoVersion{}, nil},
		{"in a comment", "# WHITENOISE_MAX_AGE = 31536000\n", DjangoVersion{}, nil},
		{"in a docstring", "\"\"\"\nWHITENOISE_MAX_AGE = 31536000\n\"\"\"\n", DjangoVersion{}, nil},
		{"manifest storage ok", "STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'\n", DjangoVersion{3, 2}, nil},
		{"STATICFILES_STORAGE ignored on 5.1", "STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'\n", DjangoVersion{5, 1}, []string{"CDN007@1"}},
		{"STORAGES ignored on 3.2", "STORAGES = {\n  'staticfiles': {'BACKEND': 'whitenoise.storage.CompressedManifestStaticFilesStorage'},\n}\n", DjangoVersion{3, 2}, []string{"CDN007@1"}},
		{"STORAGES without hashes", "STORAGES = {\n  \"default\": {\"BACKEND\": \"django.core.files.storage.FileSystemStorage\"},\n  \"staticfiles\": {\n    \"BACKEND\": \"whitenoise.storage.CompressedStaticFilesStorage\",\n  },\n}\n", DjangoVersion{4, 2}, []string{"CDN005@4"}},
		{"custom storage not modelled", "STATICFILES_STORAGE = 'myapp.storage.Static'\n", DjangoVersion{}, []string{"CDN006@1"}},
		{"custom manifest subclass", "STATICFILES_STORAGE = 'myapp.storage.MyManifestStorage'\n", DjangoVersion{}, nil},
		{"cors off", "WHITENOISE_ALLOW_ALL_ORIGINS = False\n", DjangoVersion{}, []string{"CDN008@1"}},
		{"env static url ok", "STATIC_URL = os.environ.get('DJANGO_STATIC_HOST', '') + '/static/'\n", DjangoVersion{}, nil},
		{"two statements on a line", "A = 1; WHITENOISE_MAX_AGE = 31536000\n", DjangoVersion{}, []string{"CDN001@1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, d := range CheckSettings("s.py", []byte(c.src), CheckOptions{Django: c.django}) {
				got = append(got, d.Rule+"@"+strconv.Itoa(d.Pos.Line))
			}
			assert.ElementsMatch(t, c.want, got)
		})
	}
}

func TestRenderSettingsForms(t *testing.T) {
	old := RenderSettings(SettingsOptions{Django: DjangoVersion{3, 2}})
	assert.Contains(t, old, `STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"`)
	assert.NotContains(t, old, "STORAGES = {")
	assert.Contains(t, old, `STATIC_HOST = os.environ.get("DJANGO_STATIC_HOST", "")`)
	assert.Contains(t, old, `STATIC_URL = STATIC_HOST + "/static/"`)
	newer := RenderSettings(SettingsOptions{Django: DjangoVersion{4, 2}})
	assert.Contains(t, newer, `"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}`)
	assert.NotContains(t, newer, "STATICFILES_STORAGE =")
	// The rendered snippets pass the checker for their own version.
	for _, v := range []DjangoVersion{{3, 2}, {4, 2}, {5, 1}} {
		assert.Empty(t, CheckSettings("s.py", []byte(RenderSettings(SettingsOptions{Django: v})), CheckOptions{Django: v}), v.String())
	}
}

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest("staticfiles.json", []byte(`{"paths": {"css/site.css": "css/site.dd1dd9204562.css"}, "version": "1.0"}`))
	require.NoError(t, err)
	assert.Equal(t, "1.0", m.Version)
	assert.Equal(t, []string{"css/site.dd1dd9204562.css"}, m.Hashed())
	m, err = ParseManifest("staticfiles.json", []byte(`{"paths": {}, "version": "1.1", "hash": "abc"}`))
	require.NoError(t, err)
	assert.Equal(t, "abc", m.Hash)

	_, err = ParseManifest("staticfiles.json", []byte("{\n  \"paths\": {},\n  \"version\": \"2.0\"\n}"))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "staticfiles.json:3:14: /version: unsupported manifest version \"2.0\" (want one of 1.0, 1.1)", ie.Error())

	_, err = ParseManifest("m.json", []byte("{\"version\": \"1.0\", \"paths\": {\n \"../etc/passwd\": \"x.css\"}}"))
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Error(), "m.json:2:19: /paths/..~1etc~1passwd: name \"../etc/passwd\" is not a clean relative path")

	_, err = ParseManifest("m.json", []byte("{\"version\": \"1.0\", \"paths\": {\"a\": 3}}"))
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Error(), "m.json:1:35: /paths/a")

	_, err = ParseManifest("m.json", []byte("{\"version\": \"1.0\",\n \"paths\": {"))
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Error(), "m.json:2:")
}

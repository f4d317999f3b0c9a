package cdn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Cache lifetimes, in seconds.
const (
	// WhiteNoiseForever is the max-age WhiteNoise gives versioned (hashed)
	// files, with "public, immutable": ten years (whitenoise/base.py FOREVER).
	WhiteNoiseForever = 315360000
	// WhiteNoiseDefaultMaxAge is WHITENOISE_MAX_AGE when unset and DEBUG is
	// off: 60 seconds, for non-versioned files only.
	WhiteNoiseDefaultMaxAge = 60
	// ShortMaxAge is the longest max-age deploykit accepts for unhashed
	// files: a changed robots.txt or unversioned CSS is stale at the edge
	// for at most this long without a purge.
	ShortMaxAge = 3600
	// HashedMinMaxAge is the shortest max-age accepted for hashed files
	// (one year; WhiteNoise gives ten).
	HashedMinMaxAge = 31536000
)

// DjangoVersion is a Django release, major.minor.
type DjangoVersion struct{ Major, Minor int }

// ParseDjangoVersion parses "3.2", "4.2", "5.1.4".
func ParseDjangoVersion(s string) (DjangoVersion, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 {
		return DjangoVersion{}, fmt.Errorf("django version %q: want MAJOR.MINOR, e.g. 3.2 or 4.2", s)
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || ma < 1 || mi < 0 || ma > 99 || mi > 99 {
		return DjangoVersion{}, fmt.Errorf("django version %q: want MAJOR.MINOR, e.g. 3.2 or 4.2", s)
	}
	return DjangoVersion{ma, mi}, nil
}

// String is "MAJOR.MINOR".
func (v DjangoVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is major.minor or later.
func (v DjangoVersion) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// HasStorages reports whether this Django reads the STORAGES setting (4.2+).
func (v DjangoVersion) HasStorages() bool { return v.AtLeast(4, 2) }

// HasStaticfilesStorage reports whether this Django still reads
// STATICFILES_STORAGE (removed in 5.1).
func (v DjangoVersion) HasStaticfilesStorage() bool { return !v.AtLeast(5, 1) }

// SettingsOptions chooses the Django settings snippet.
type SettingsOptions struct {
	// Django is the target Django version; the zero value means 4.2.
	Django DjangoVersion
	// StaticHostEnv is the environment variable that holds the CDN endpoint
	// (https://NAME.z01.azurefd.net); "" means DJANGO_STATIC_HOST, the name in
	// WhiteNoise's CDN recipe. Unset, STATIC_URL is "/static/" and the origin
	// serves the files itself.
	StaticHostEnv string
}

// RenderSettings renders the settings.py snippet for static files behind
// Front Door, following WhiteNoise's CDN recipe: manifest storage with
// compression (hashed names, which WhiteNoise serves for ten years with
// "immutable"), STATIC_URL from an environment variable that points at the
// endpoint, and no long WHITENOISE_MAX_AGE. Django before 4.2 gets
// STATICFILES_STORAGE; 4.2 and later get STORAGES.
func RenderSettings(opts SettingsOptions) string {
	v := opts.Django
	if v == (DjangoVersion{}) {
		v = DjangoVersion{4, 2}
	}
	env := opts.StaticHostEnv
	if env == "" {
		env = "DJANGO_STATIC_HOST"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Static files behind Azure Front Door (rendered by deploykit for Django %s).\n", v)
	b.WriteString("# WhiteNoise serves hashed names with \"max-age=315360000, public, immutable\";\n")
	b.WriteString("# unhashed names get WHITENOISE_MAX_AGE (default 60 s). Keep that short: at the\n")
	b.WriteString("# edge it is how long a changed unhashed file stays stale.\n")
	b.WriteString("import os  # noqa: E402\n\n")
	fmt.Fprintf(&b, "STATIC_HOST = os.environ.get(%q, \"\")  # e.g. https://NAME.z01.azurefd.net\n", env)
	b.WriteString("STATIC_URL = STATIC_HOST + \"/static/\"\n")
	b.WriteString("STATIC_ROOT = BASE_DIR / \"staticfiles\"  # noqa: F821 (BASE_DIR from the project template)\n")
	if v.HasStorages() {
		b.WriteString("STORAGES = {\n")
		b.WriteString("    \"default\": {\"BACKEND\": \"django.core.files.storage.FileSystemStorage\"},\n")
		b.WriteString("    \"staticfiles\": {\"BACKEND\": \"whitenoise.storage.CompressedManifestStaticFilesStorage\"},\n")
		b.WriteString("}\n")
	} else {
		b.WriteString("STATICFILES_STORAGE = \"whitenoise.storage.CompressedManifestStaticFilesStorage\"\n")
	}
	b.WriteString("# Add \"whitenoise.middleware.WhiteNoiseMiddleware\" to MIDDLEWARE right after\n")
	b.WriteString("# \"django.middleware.security.SecurityMiddleware\". Do not set WHITENOISE_MAX_AGE\n")
	fmt.Fprintf(&b, "# above %d: hashed files never need it, and unhashed files must stay fresh.\n", ShortMaxAge)
	b.WriteString("# WHITENOISE_ALLOW_ALL_ORIGINS (default True) sends Access-Control-Allow-Origin: *,\n")
	b.WriteString("# which fonts loaded from the CDN host need.\n")
	return b.String()
}

// Rule IDs of the settings checker.
const (
	RuleMaxAgeLong     = "CDN001"
	RuleMaxAgeUnknown  = "CDN002"
	RuleAzureEdge      = "CDN003"
	RuleStaticURLHost  = "CDN004"
	RuleStorageNoHash  = "CDN005"
	RuleStorageUnknown = "CDN006"
	RuleStorageForm    = "CDN007"
	RuleCORSOff        = "CDN008"
)

const ruleURL = "https://github.com/deploykit/deploykit/blob/main/cdn/README.md#"

// Rules documents every rule of CheckSettings.
func Rules() []RuleDoc {
	return []RuleDoc{
		{ID: RuleMaxAgeLong, Name: "whitenoise-max-age-long", Severity: SeverityWarning, HelpURI: ruleURL + "cdn001",
			Summary: "WHITENOISE_MAX_AGE longer than an hour.",
			Help: "WHITENOISE_MAX_AGE applies to unhashed files only: WhiteNoise already serves hashed (manifest) names with " +
				"max-age=315360000, public, immutable. A long value makes the CDN keep changed unhashed files (robots.txt, " +
				"an unversioned CSS or admin file) stale for that long. Remove it (default 60 s) or keep it at most 3600."},
		{ID: RuleMaxAgeUnknown, Name: "whitenoise-max-age-not-modelled", Severity: SeverityInfo, HelpURI: ruleURL + "cdn002",
			Summary: "WHITENOISE_MAX_AGE is computed at run time; the checker cannot tell its value.",
			Help:    "Check the value deployed (verify measures it over HTTP); keep it at most 3600 seconds."},
		{ID: RuleAzureEdge, Name: "azureedge-host-retires", Severity: SeverityWarning, HelpURI: ruleURL + "cdn003",
			Summary: "A *.azureedge.net host name, which retires with Azure CDN Standard from Microsoft (classic) on 2027-09-30.",
			Help: "Classic Azure CDN takes no new profiles (retirement FAQ: since 2025-08-15) and retires on 2027-09-30 with its " +
				"azureedge.net host names. Point the setting at the Front Door endpoint (*.azurefd.net) or a custom domain, " +
				"read from an environment variable."},
		{ID: RuleStaticURLHost, Name: "static-url-hard-coded-host", Severity: SeverityInfo, HelpURI: ruleURL + "cdn004",
			Summary: "STATIC_URL names a host literally.",
			Help: "WhiteNoise's CDN recipe reads the host from an environment variable (STATIC_HOST = os.environ.get(\"DJANGO_STATIC_HOST\", \"\"); " +
				"STATIC_URL = STATIC_HOST + \"/static/\") so that local runs, the origin and each environment's endpoint differ without code changes."},
		{ID: RuleStorageNoHash, Name: "static-storage-without-hashes", Severity: SeverityWarning, HelpURI: ruleURL + "cdn005",
			Summary: "The static files storage does not write hashed names.",
			Help: "Without content-hashed names nothing can be cached for long or marked immutable, and after a deploy the CDN serves " +
				"old files until purged. Use whitenoise.storage.CompressedManifestStaticFilesStorage (or ManifestStaticFilesStorage)."},
		{ID: RuleStorageUnknown, Name: "static-storage-not-modelled", Severity: SeverityInfo, HelpURI: ruleURL + "cdn006",
			Summary: "A static files storage the checker does not know; whether it hashes names is not modelled.",
			Help:    "If it subclasses ManifestFilesMixin it hashes names; verify proves it over HTTP."},
		{ID: RuleStorageForm, Name: "static-storage-setting-ignored", Severity: SeverityError, HelpURI: ruleURL + "cdn007",
			Summary: "The storage setting is one this Django version ignores.",
			Help: "STORAGES exists from Django 4.2; STATICFILES_STORAGE is deprecated in 4.2 and removed in 5.1. The ignored " +
				"setting leaves the default storage, without hashed names."},
		{ID: RuleNotProduction, Name: "not-production", Severity: SeverityInfo, HelpURI: ruleURL + "cdn009",
			Summary: "A caching rule was not applied to a development or test settings module or branch.",
			Help: "Only the module production runs (DJANGO_SETTINGS_MODULE there) is served through the CDN. The checker infers " +
				"non-production from the file name (dev, local, test, ...), DEBUG = True in a module that extends another, and " +
				"if/else branches on DEBUG, TESTING, \"test\" in sys.argv and the like. Check the production module, or pass -production."},
		{ID: RuleCORSOff, Name: "whitenoise-cors-off", Severity: SeverityWarning, HelpURI: ruleURL + "cdn008",
			Summary: "WHITENOISE_ALLOW_ALL_ORIGINS = False.",
			Help: "Fonts served from the CDN host to pages on the app's host need Access-Control-Allow-Origin; WhiteNoise sends * " +
				"by default. Turned off, browsers refuse the fonts."},
	}
}

// CheckOptions tunes CheckSettings.
type CheckOptions struct {
	// Django is the Django version the settings run on; the zero value
	// means unknown, and the version-dependent rule (CDN007) is skipped.
	Django DjangoVersion
	// Role says whether the module is the one production runs. The zero
	// value (RoleInfer) infers it from the file name (production.py,
	// settings/dev.py, settings_test.py, local_settings.py), DEBUG = True in
	// a module that extends another, and the if/else branch an assignment
	// sits in (`if DEBUG:`, `if "test" in sys.argv:`, their else). Caching
	// rules are not applied to non-production modules and branches; a
	// CDN009 note says where and why.
	Role ModuleRole
}

// Known storage backends and whether they write hashed names.
var knownStorages = map[string]bool{
	"django.contrib.staticfiles.storage.ManifestStaticFilesStorage": true,
	"django.contrib.staticfiles.storage.CachedStaticFilesStorage":   true,
	"whitenoise.storage.CompressedManifestStaticFilesStorage":       true,
	"whitenoise.django.GzipManifestStaticFilesStorage":              true,
	"django.contrib.staticfiles.storage.StaticFilesStorage":         false,
	"whitenoise.storage.CompressedStaticFilesStorage":               false,
	"whitenoise.django.GzipStaticFilesStorage":                      false,
	"storages.backends.azure_storage.AzureStorage":                  false,
	"storages.backends.s3boto3.S3Boto3Storage":                      false,
	"storages.backends.s3boto3.S3StaticStorage":                     false,
	"storages.backends.s3.S3Storage":                                false,
	"storages.backends.gcloud.GoogleCloudStorage":                   false,
	"django.core.files.storage.FileSystemStorage":                   false,
	"storages.backends.s3boto3.S3ManifestStaticStorage":             true,
	"storages.backends.s3.S3ManifestStaticStorage":                  true,
}

var backendRe = regexp.MustCompile(`^\{[^{}]*?["']BACKEND["']\s*:\s*["']([^"']+)["']`)

var staticfilesBackendRe = regexp.MustCompile(`["']staticfiles["']\s*:\s*\{[^{}]*?["']BACKEND["']\s*:\s*["']([^"']+)["']`)

// CheckSettings checks a Django settings module (file names it in
// diagnostics; src is its content) for static-file settings that defeat a
// CDN: the seed's WHITENOISE_MAX_AGE = 31536000, storages without hashed
// names, azureedge.net host names, a storage setting the Django version
// ignores. It reads Python without running it; values it cannot compute
// are reported as not modelled (CDN002, CDN006), never as fine.
func CheckSettings(file string, src []byte, opts CheckOptions) (diags []Diagnostic) {
	if len(src) > maxSettingsSize {
		return []Diagnostic{{Pos: Position{File: file}, Rule: RuleMaxAgeUnknown, Severity: SeverityInfo,
			Message: fmt.Sprintf("file larger than %d bytes was not checked", maxSettingsSize)}}
	}
	assigns, strs, blocks := scanPython(src)
	role, why := opts.Role, "the module is checked as non-production (CheckOptions.Role)"
	if role == RoleInfer {
		role, why = moduleRole(file, assigns, string(src))
	}
	defer func() {
		// Caching rules apply only where production reads the setting.
		kept := diags[:0]
		for _, d := range diags {
			if cachingRule(d.Rule) {
				env, line := 0, 0
				if opts.Role == RoleInfer {
					for _, a := range assigns {
						if a.Line <= d.Pos.Line && d.Pos.Line <= offPos(file, src, a.StmtEnd).Line {
							env, line = branchEnv(a, blocks)
						}
					}
				}
				reason := ""
				switch {
				case env < 0:
					reason = fmt.Sprintf("the setting sits in the development/test branch at line %d", line)
				case env == 0 && role == RoleNonProduction:
					reason = why
				}
				if reason != "" {
					kept = append(kept, Diagnostic{Pos: d.Pos, Rule: RuleNotProduction, URL: ruleURL + "cdn009", Severity: SeverityInfo,
						Message: fmt.Sprintf("%s not applied: %s; a CDN serves production only (check the module DJANGO_SETTINGS_MODULE selects there with -production / CheckOptions.Role)", d.Rule, reason)})
					continue
				}
			}
			kept = append(kept, d)
		}
		diags = kept
	}()
	pos := func(line, col int) Position { return Position{File: file, Line: line, Column: col} }
	for _, a := range assigns {
		switch {
		case a.Target == "WHITENOISE_MAX_AGE":
			v, ok := evalInt(a.Value)
			if !ok {
				if strings.TrimSpace(a.Value) == "None" {
					diags = append(diags, Diagnostic{Pos: pos(a.Line, a.Col), Rule: RuleMaxAgeLong, URL: ruleURL + "cdn001", Severity: SeverityWarning,
						Message:        "WHITENOISE_MAX_AGE = None sends no Cache-Control for unhashed files, and Front Door caches a response without one for 1 to 3 days",
						SuggestedFixes: []SuggestedFix{{Message: fmt.Sprintf("remove WHITENOISE_MAX_AGE (WhiteNoise's default is %d s), or keep it at most %d", WhiteNoiseDefaultMaxAge, ShortMaxAge)}}})
					continue
				}
				diags = append(diags, Diagnostic{Pos: pos(a.Line, a.Col), Rule: RuleMaxAgeUnknown, URL: ruleURL + "cdn002", Severity: SeverityInfo,
					Message: fmt.Sprintf("WHITENOISE_MAX_AGE = %s is computed at run time; its value is not modelled (keep it at most %d s; verify measures it)", clip(a.Value), ShortMaxAge)})
				continue
			}
			if v > ShortMaxAge {
				del := TextEdit{Pos: offPos(file, src, a.StmtOff), End: offPos(file, src, a.LineEnd)}
				diags = append(diags, Diagnostic{Pos: pos(a.Line, a.Col), End: offPos(file, src, a.StmtEnd), Rule: RuleMaxAgeLong, URL: ruleURL + "cdn001", Severity: SeverityWarning,
					Message: fmt.Sprintf("WHITENOISE_MAX_AGE = %d (%s) applies only to unhashed files: hashed files already get max-age=%d, public, immutable from WhiteNoise; at the CDN edge a changed unhashed file then stays stale for up to %s",
						v, humanSeconds(v), WhiteNoiseForever, humanSeconds(v)),
					SuggestedFixes: []SuggestedFix{{Message: fmt.Sprintf("remove WHITENOISE_MAX_AGE (WhiteNoise's default is %d s), or keep it at most %d", WhiteNoiseDefaultMaxAge, ShortMaxAge), TextEdits: []TextEdit{del}}}})
			}
		case a.Target == "WHITENOISE_ALLOW_ALL_ORIGINS" && strings.TrimSpace(a.Value) == "False":
			diags = append(diags, Diagnostic{Pos: pos(a.Line, a.Col), Rule: RuleCORSOff, URL: ruleURL + "cdn008", Severity: SeverityWarning,
				Message:        "WHITENOISE_ALLOW_ALL_ORIGINS = False drops Access-Control-Allow-Origin, so browsers refuse fonts loaded from the CDN host",
				SuggestedFixes: []SuggestedFix{{Message: "remove the setting (default True)"}}})
		case a.Target == "STATIC_URL":
			if s, ok := stringLiteral(a.Value); ok && (strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "//")) {
				diags = append(diags, Diagnostic{Pos: pos(a.Line, a.Col), Rule: RuleStaticURLHost, URL: ruleURL + "cdn004", Severity: SeverityInfo,
					Message:        fmt.Sprintf("STATIC_URL = %q hard-codes the CDN host; WhiteNoise's CDN recipe reads it from an environment variable", s),
					SuggestedFixes: []SuggestedFix{{Message: "STATIC_HOST = os.environ.get(\"DJANGO_STATIC_HOST\", \"\"); STATIC_URL = STATIC_HOST + \"/static/\""}}})
			}
		case a.Target == "STATICFILES_STORAGE":
			diags = append(diags, checkStorage(file, a, a.Value, pos(a.Line, a.Col), opts, "STATICFILES_STORAGE")...)
		case a.Name == "STORAGES":
			if a.Target == "STORAGES" {
				if m := staticfilesBackendRe.FindStringSubmatchIndex(a.Value); m != nil {
					p := offPos(file, src, a.ValueOff+m[2]-1)
					diags = append(diags, checkStorage(file, a, "'"+a.Value[m[2]:m[3]]+"'", p, opts, "STORAGES")...)
				} else if opts.Django != (DjangoVersion{}) && !opts.Django.HasStorages() {
					diags = append(diags, storageFormDiag(pos(a.Line, a.Col), opts, "STORAGES"))
				}
			} else if strings.Contains(a.Target, "staticfiles") {
				// STORAGES["staticfiles"] = {"BACKEND": "..."} or STORAGES["staticfiles"]["BACKEND"] = "...".
				v, p := a.Value, pos(a.Line, a.Col)
				if m := backendRe.FindStringSubmatchIndex(a.Value); m != nil {
					v, p = "'"+a.Value[m[2]:m[3]]+"'", offPos(file, src, a.ValueOff+m[2]-1)
				}
				diags = append(diags, checkStorage(file, a, v, p, opts, "STORAGES")...)
			}
		}
	}
	for _, s := range strs {
		if i := strings.Index(strings.ToLower(s.Text), ".azureedge.net"); i >= 0 {
			diags = append(diags, Diagnostic{Pos: pos(s.Line, s.Col), Rule: RuleAzureEdge, URL: ruleURL + "cdn003", Severity: SeverityWarning,
				Message:        fmt.Sprintf("%q is an azureedge.net host name: Azure CDN Standard from Microsoft (classic) takes no new profiles and retires, with these host names, on 2027-09-30", clip(s.Text)),
				SuggestedFixes: []SuggestedFix{{Message: "use the Front Door Standard endpoint (*.azurefd.net) or a custom domain, read from an environment variable"}}})
		}
	}
	return diags
}

func checkStorage(file string, a pyAssign, value string, p Position, opts CheckOptions, setting string) []Diagnostic {
	var diags []Diagnostic
	if opts.Django != (DjangoVersion{}) {
		if (setting == "STORAGES" && !opts.Django.HasStorages()) || (setting == "STATICFILES_STORAGE" && !opts.Django.HasStaticfilesStorage()) {
			diags = append(diags, storageFormDiag(Position{File: file, Line: a.Line, Column: a.Col}, opts, setting))
		}
	}
	backend, ok := stringLiteral(value)
	if !ok {
		return append(diags, Diagnostic{Pos: p, Rule: RuleStorageUnknown, URL: ruleURL + "cdn006", Severity: SeverityInfo,
			Message: fmt.Sprintf("%s backend %s is computed at run time; whether it hashes names is not modelled", setting, clip(value))})
	}
	hashes, known := knownStorages[backend]
	switch {
	case !known && strings.Contains(backend, "Manifest"):
		// A project subclass named after ManifestFilesMixin's storages.
	case !known:
		diags = append(diags, Diagnostic{Pos: p, Rule: RuleStorageUnknown, URL: ruleURL + "cdn006", Severity: SeverityInfo,
			Message: fmt.Sprintf("%s backend %q is not one deploykit knows; whether it writes hashed names is not modelled", setting, backend)})
	case !hashes:
		diags = append(diags, Diagnostic{Pos: p, Rule: RuleStorageNoHash, URL: ruleURL + "cdn005", Severity: SeverityWarning,
			Message:        fmt.Sprintf("%s backend %q writes no hashed names: nothing can be cached long or immutable, and the CDN serves old files after a deploy", setting, backend),
			SuggestedFixes: []SuggestedFix{{Message: "use \"whitenoise.storage.CompressedManifestStaticFilesStorage\""}}})
	}
	return diags
}

func storageFormDiag(p Position, opts CheckOptions, setting string) Diagnostic {
	msg := fmt.Sprintf("Django %s ignores STORAGES (it exists from 4.2): use STATICFILES_STORAGE", opts.Django)
	if setting == "STATICFILES_STORAGE" {
		msg = fmt.Sprintf("Django %s ignores STATICFILES_STORAGE (removed in 5.1): use STORAGES[\"staticfiles\"]", opts.Django)
	}
	return Diagnostic{Pos: p, Rule: RuleStorageForm, URL: ruleURL + "cdn007", Severity: SeverityError, Message: msg,
		SuggestedFixes: []SuggestedFix{{Message: "run `cdn settings -django " + opts.Django.String() + "` for the right form"}}}
}

func offPos(file string, src []byte, off int) Position {
	return offsetPosition(file, src, int64(off))
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// humanSeconds renders a duration in the largest whole unit: "365 days".
func humanSeconds(v int64) string {
	switch {
	case v%86400 == 0 && v >= 86400:
		return plural(v/86400, "day")
	case v%3600 == 0 && v >= 3600:
		return plural(v/3600, "hour")
	case v%60 == 0 && v >= 60:
		return plural(v/60, "minute")
	}
	return plural(v, "second")
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

package django

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDefaultSettingsModule(t *testing.T) {
	cases := map[string]string{
		// django-admin startproject's manage.py (Django 4.2, 5.x).
		"    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n": "mysite.settings",
		// cookiecutter-django's manage.py.
		`    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")`: "config.settings.local",
		`os.environ.setdefault( "DJANGO_SETTINGS_MODULE" ,"a.b" )`:                     "a.b",
		"no settings here": "",
		`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "")`: "",
	}
	for src, want := range cases {
		assert.Equal(t, want, DefaultSettingsModule([]byte(src)), src)
	}
}

func TestSettingsModulesNamed(t *testing.T) {
	cases := map[string][]string{
		"ENV DJANGO_SETTINGS_MODULE=config.settings.production\n":                           {"config.settings.production"},
		"ENV DJANGO_SETTINGS_MODULE config.settings.production\n":                           {"config.settings.production"}, // legacy ENV form
		"web: gunicorn config.wsgi --settings=config.settings.prod\n":                       {"config.settings.prod"},
		"environment:\n  DJANGO_SETTINGS_MODULE: \"app.settings.prod\"\n":                   {"app.settings.prod"},
		"export DJANGO_SETTINGS_MODULE='app.settings'\nDJANGO_SETTINGS_MODULE=app.settings": {"app.settings"},
		`os.environ["DJANGO_SETTINGS_MODULE"] = "x.y"`:                                      {"x.y"},
	}
	for src, want := range cases {
		assert.Equal(t, want, SettingsModulesNamed([]byte(src)), src)
	}
}

func FuzzSettingsModulesNamed(f *testing.F) {
	f.Add([]byte(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "a.b")`))
	f.Add([]byte("DJANGO_SETTINGS_MODULE=a\n--settings b"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		for _, m := range SettingsModulesNamed(src) {
			if m == "" {
				t.Fatal("empty module")
			}
		}
		_ = DefaultSettingsModule(src)
	})
}

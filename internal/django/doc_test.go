package django_test

import (
	"fmt"

	"github.com/deploykit/deploykit/internal/django"
)

func Example() {
	managePy := []byte(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")`)
	fmt.Println(django.DefaultSettingsModule(managePy))
	compose := []byte("environment:\n  - DJANGO_SETTINGS_MODULE=config.settings.production\n")
	fmt.Println(django.SettingsModulesNamed(compose))
	// Output:
	// config.settings.local
	// [config.settings.production]
}

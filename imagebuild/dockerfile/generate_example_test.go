package dockerfile_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
)

// Infer reads a cookiecutter-django layout: the production requirements
// and settings, the server it installs, the libraries psycopg[c] needs.
func ExampleInfer() {
	spec, err := dockerfile.Infer(context.Background(), "testdata/projects/cookiecutter-django",
		dockerfile.InferOptions{Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.RequirementsFiles, spec.RequirementsIncludes)
	fmt.Println(spec.PythonVersion, spec.SettingsModule, spec.WSGIApp, spec.Server)
	fmt.Println(spec.BuildPackages, spec.RuntimePackages, spec.CollectStatic, spec.Compress)
	df, _, _ := dockerfile.Generate(spec)
	for _, l := range strings.Split(string(df), "\n") {
		if strings.HasPrefix(l, "CMD ") {
			fmt.Println(l)
		}
	}
	// Output:
	// [requirements/production.txt] [requirements/base.txt]
	// 3.12 config.settings.production config.wsgi:application gunicorn
	// [build-essential libpq-dev] [libpq5] true true
	// CMD ["gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"]
}

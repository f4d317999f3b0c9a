package dockerfile_test

import (
	"context"
	"fmt"
	"os"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
)

// Lint a Dockerfile (no build context) and print the findings as text.
func ExampleLint() {
	src := []byte(`FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
USER app
CMD ["gunicorn", "my-site.wsgi:application"]
`)
	a, err := dockerfile.Lint(context.Background(), src, dockerfile.LintConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range a.Diagnostics {
		if d.Severity != dockerfile.SeverityInfo {
			fmt.Printf("%d %s %s\n", d.Pos.Line, d.Severity, d.Rule)
		}
	}
	// Output:
	// 4 warning DK103
	// 4 warning DK112
	// 5 warning DK107
	// 6 error DK109
}

// Generate a Dockerfile for a Poetry project and check it lints clean.
func ExampleGenerate() {
	src, _, err := dockerfile.Generate(dockerfile.Spec{
		Manager:         dockerfile.ManagerPoetry,
		PythonVersion:   "3.12",
		BuildPackages:   []string{"build-essential", "libpq-dev"},
		RuntimePackages: []string{"libpq5"},
		SettingsModule:  "mysite.settings",
		WSGIApp:         "mysite.wsgi:application",
		CollectStatic:   true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := dockerfile.Lint(context.Background(), src, dockerfile.LintConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("worst finding:", a.MaxSeverity())
	// Output:
	// worst finding: info
}

// A malformed Dockerfile gives a *LintError with a position.
func ExampleLintError() {
	_, err := dockerfile.Lint(context.Background(), []byte("FROM alpine\nCOPY\n"), dockerfile.LintConfig{})
	fmt.Println(err)
	// Output:
	// Dockerfile:2:1: COPY requires at least two arguments, but only one was provided. Destination could not be determined
}

// Print the stage graph.
func ExampleGraph() {
	a, err := dockerfile.Lint(context.Background(), []byte(`FROM python:3.12 AS deps
FROM node:22 AS assets
FROM python:3.12 AS final
COPY --from=deps /opt/venv /opt/venv
COPY --from=assets /src/dist /app/static
`), dockerfile.LintConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = os.Stdout.WriteString(a.Graph.String())
	// Output:
	// 0 deps (line 1) FROM python:3.12
	// 1 assets (line 2) FROM node:22
	// 2 final (line 3) FROM python:3.12 <- copy deps (line 4), copy assets (line 5)
	// level 0: deps, assets
	// level 1: final
}

package workflow_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/deploykit/deploykit/workflow"
)

func Example() {
	src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t blog . && docker push blog
      - uses: azure/webapps-deploy@v3
        with:
          app-name: blog-app
          images: blog.azurecr.io/blog:latest
`
	res, err := workflow.Lint(context.Background(), []workflow.File{{Name: "ci.yml", Data: []byte(src)}}, workflow.Options{})
	if err != nil {
		panic(err)
	}
	for _, d := range res.Diagnostics {
		fmt.Printf("%s %s %s\n", d.Pos, d.Rule, d.Severity)
	}
	// Output:
	// ci.yml:7:3 WF011 error
	// ci.yml:10:52 WF001 error
	// ci.yml:14:19 WF002 error
}

func ExampleGenerate() {
	out, err := workflow.Generate(workflow.Facts{
		Image:         "minimalwave.azurecr.io/minimalwave-blog",
		AppName:       "minimalwave-app",
		ResourceGroup: "minimalwave-rg",
		Slot:          "staging",
	})
	if err != nil {
		panic(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "needs:") || strings.Contains(l, "tags:") || strings.Contains(l, "cache-to:") {
			fmt.Println(strings.TrimSpace(l))
		}
	}
	// Output:
	// tags: ${{ env.IMAGE }}:${{ github.sha }}
	// cache-to: type=registry,ref=${{ env.CACHE_REF }},mode=max
	// needs: [test, lint, build, migrate-check]
}

func ExampleCacheSteps() {
	src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - id: setup-python
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Cache the venv
        uses: actions/cache@v4
        with:
          path: |
            ~/.cache/pypoetry
            .venv
          key: ${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-${{ hashFiles('poetry.lock') }}
          restore-keys: |
            ${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-
      - run: |
          poetry config virtualenvs.in-project true
          poetry install
`
	steps, err := workflow.CacheSteps("ci.yml", []byte(src))
	if err != nil {
		panic(err)
	}
	for _, s := range steps {
		fmt.Println(s.Pos, s.Job, s.Name, s.Action+"@"+s.Ref)
		fmt.Println("paths:", strings.Join(s.Paths, ", "), "venv:", s.HoldsVenv)
		fmt.Println("key:", s.KeyPos, s.Key)
		fmt.Println("restore-keys:", s.RestoreKeys)
	}
	// Output:
	// ci.yml:10:9 test Cache the venv actions/cache@v4
	// paths: ~/.cache/pypoetry, .venv venv: true
	// key: ci.yml:16:16 ${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-${{ hashFiles('poetry.lock') }}
	// restore-keys: [${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-]
}

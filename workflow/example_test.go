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

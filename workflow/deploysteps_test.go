package workflow

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// deployRules keeps the deploykit findings of ds (actionlint's aside).
func deployRules(ds []Diagnostic) []string {
	var out []string
	for _, r := range rulesOf(ds) {
		if strings.HasPrefix(r, "WF") {
			out = append(out, r)
		}
	}
	return out
}

// TestDeployStepRecognition covers the causes of the held-out real-world
// misses (testdata/realworld/FIRSTRUN.tsv): what a step deploys follows the
// action's documented defaults and the script it runs, not its name.
func TestDeployStepRecognition(t *testing.T) {
	cases := []struct {
		name, steps string
		want        []string
	}{
		// azure/webapps-deploy's package input defaults to "." (action.yml).
		{"webapps-deploy with app-name and no package is a code deploy", `      - uses: azure/webapps-deploy@v3
        with:
          app-name: app
          publish-profile: ${{ secrets.PROFILE }}
`, nil},
		{"webapps-deploy with nothing is not modelled", "      - uses: azure/webapps-deploy@v3\n", []string{RuleDeployNotModelled}},
		{"an ssh action whose script deploys, whatever the step is called", `      - name: 部署
        uses: appleboy/ssh-action@v1
        with:
          host: ${{ secrets.HOST }}
          script: kubectl set image deployment/app app=registry.example.com/app:latest
`, []string{RuleDeployNotModelled}},
		{"an ssh action that only reads is no deploy", `      - uses: appleboy/ssh-action@v1
        with:
          host: ${{ secrets.HOST }}
          script: df -h
`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, deployRules(lintString(t, gated(c.steps))))
		})
	}
}

// TestMigrateOnSelfHostedDeployHost: a self-hosted runner is a persistent
// machine; when the workflow deploys from a self-hosted runner, migrations a
// job runs there reach the deployed database.
func TestMigrateOnSelfHostedDeployHost(t *testing.T) {
	src := func(runner string) string {
		return `on: push
jobs:
  build:
    runs-on: ` + runner + `
    steps:
      - run: docker compose run --rm web python manage.py migrate
  test:
    needs: build
    runs-on: ` + runner + `
    steps:
      - run: docker compose run --rm web python manage.py test
  deploy:
    needs: [build, test]
    runs-on: self-hosted
    steps:
      - name: Deploy
        run: docker compose up -d
`
	}
	assert.Contains(t, deployRules(lintString(t, src("self-hosted"))), RuleMigrateUnchecked)
	assert.NotContains(t, deployRules(lintString(t, src("ubuntu-latest"))), RuleMigrateUnchecked,
		"a hosted runner's database is a throw-away one")
}

package workflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadYAMLIsPositioned(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
	}{
		{"tab indentation", "on: push\njobs:\n  test:\n\truns-on: ubuntu-latest\n", 4},
		{"unclosed quote", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: \"pytest\n", 6},
		{"not a mapping", "- just\n- a list\n", 1},
		{"job without runs-on", "on: push\njobs:\n  test:\n    steps:\n      - run: true\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(File{Name: "bad.yml", Data: []byte(c.src)})
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "bad.yml", pe.Pos.File)
			assert.Equal(t, c.line, pe.Pos.Line, pe.Error())
			assert.Positive(t, pe.Pos.Column)
			assert.True(t, strings.HasPrefix(pe.Error(), fmt.Sprintf("bad.yml:%d:", c.line)), pe.Error())

			// Lint reports the same error as a diagnostic and carries on.
			r, err := Lint(context.Background(), []File{{Name: "bad.yml", Data: []byte(c.src)},
				{Name: "good.yml", Data: []byte("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: pytest}]\n")}}, Options{})
			require.NoError(t, err)
			require.NotEmpty(t, r.Diagnostics)
			assert.Equal(t, "actionlint/syntax-check", r.Diagnostics[0].Rule)
			assert.Equal(t, SeverityError, r.Diagnostics[0].Severity)
			assert.Equal(t, 2, r.Files)
		})
	}
}

func TestTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("# comment\n"), 50)
	r, err := Lint(context.Background(), []File{{Name: "big.yml", Data: big}}, Options{MaxFileSize: 100})
	require.NoError(t, err)
	require.Len(t, r.Diagnostics, 1)
	assert.Contains(t, r.Diagnostics[0].Message, "too large")
	_, err = parse(File{Name: "big.yml", Data: big}, 100)
	assert.True(t, errors.Is(err, ErrTooLarge))
}

func TestLintHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Lint(ctx, []File{{Name: "a.yml", Data: []byte("on: push")}}, Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDisable(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed", "ci-cd.yml"))
	require.NoError(t, err)
	r, err := Lint(context.Background(), []File{{Name: "s.yml", Data: src}}, Options{Disable: []string{RuleCacheRefIsImageRef, RuleDeployNotModelled}})
	require.NoError(t, err)
	for _, d := range r.Diagnostics {
		assert.NotContains(t, []string{RuleCacheRefIsImageRef, RuleDeployNotModelled}, d.Rule)
	}
	assert.Equal(t, SeverityError, r.MaxSeverity())
}

// TestSecretsStayOut: values of secrets never reach diagnostics; only the
// names the workflow itself writes do.
func TestSecretsStayOut(t *testing.T) {
	src := gated(`      - env:
          DATABASE_URL: postgres://admin:hunter2@db.example.com/prod
        run: az webapp ssh -n app -g rg --command "python manage.py migrate"
`)
	for _, d := range lintString(t, src) {
		assert.NotContains(t, d.Message, "hunter2")
		assert.NotContains(t, d.FixText(), "hunter2")
	}
	// A token written into an index URL is quoted by WF007's message:
	// redacted.
	src = `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: .venv
          key: ${{ runner.os }}-py3.12-${{ hashFiles('requirements.txt') }}
      - run: .venv/bin/pip install --index-url https://ci:s3cr3t-token@pypi.example.com/simple -r requirements.txt
      - run: pytest
`
	ds := lintString(t, src)
	require.Equal(t, []string{RuleVenvNoInterpreterCheck}, rulesOf(ds))
	assert.NotContains(t, ds[0].Message, "s3cr3t-token")
	assert.Contains(t, ds[0].Message, "https://***@pypi.example.com")
}

func TestBlockScalarKeyFix(t *testing.T) {
	src := `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: |
            ${{ runner.os }}-pip
      - run: pip install -r requirements.txt
      - run: pytest
`
	out, ds := applyAll(t, src)
	assert.Contains(t, out, "            ${{ runner.os }}-pip-${{ hashFiles('requirements.txt') }}\n")
	assert.Empty(t, ds, "%s", out)
}

// FuzzLint: no input makes Parse or Lint panic, and every diagnostic has a
// position inside the input (or names the whole file).
func FuzzLint(f *testing.F) {
	for _, p := range []string{"testdata/seed/ci-cd.yml", "testdata/good/ci.yml", "testdata/golden/poetry-slot.yml", "testdata/realworld/epam-azure-deploy.yml"} {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          az webapp ssh --command \"${{ x }}\n"))
	f.Add([]byte("x: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // the size limit; bigger inputs are refused by MaxFileSize
		}
		r, err := Lint(context.Background(), []File{{Name: "f.yml", Data: data}}, Options{MaxFileSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		// Lines as YAML counts them: CRLF, CR and LF all break a line.
		norm := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
		lines := bytes.Count(norm, []byte("\n")) + 1
		for _, d := range r.Diagnostics {
			if d.Pos.Line < 0 || d.Pos.Line > lines+1 {
				t.Fatalf("%s: line %d outside a %d-line input", d.Rule, d.Pos.Line, lines)
			}
		}
		// CacheSteps (deployplan's entry point) shares the parser: no panic,
		// positions inside the input.
		steps, err := CacheSteps("f.yml", data)
		if err == nil {
			for _, s := range steps {
				if s.Pos.Line < 0 || s.Pos.Line > lines+1 || s.KeyPos.Line < 0 || s.KeyPos.Line > lines+1 {
					t.Fatalf("cache step %q at %s (key %s) outside a %d-line input", s.Name, s.Pos, s.KeyPos, lines)
				}
			}
		}
	})
}

package cache

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvalKey(t *testing.T) {
	ws := tree(t, map[string]string{"poetry.lock": "x", "static/a.css": "a"})
	kc := KeyContext{
		RunnerOS: "Linux", RunnerArch: "X64", Workspace: ws,
		Env:    map[string]string{"REGISTRY": "r.example"},
		Matrix: map[string]string{"python": "3.12"},
		Github: map[string]string{"ref_name": "feature/x"},
	}
	cases := map[string]string{
		"${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}": "Linux-poetry-" + expectHash("x"),
		"${{ runner.os }}-static-${{ hashFiles('static/**/*') }}":    "Linux-static-" + expectHash("a"),
		"${{runner.arch}}/${{ env.REGISTRY }}/${{ matrix.python }}":  "X64/r.example/3.12",
		"${{ github.ref_name }}-${{ env.MISSING }}-":                 "feature/x--",
		"${{ RUNNER.OS }}-${{ HASHFILES('nothing') }}-":              "Linux--",
		"${{ 'it''s' }}-${{ 1.50 }}-${{ true }}-${{ null }}":         "it's-1.5-true-",
		"${{ env['REGISTRY'] }}":                                     "r.example",
		"plain":                                                      "plain",
		"${{ hashFiles('poetry.lock', '}}') }}":                      expectHash("x"),
	}
	for tmpl, want := range cases {
		got, err := EvalKey(context.Background(), tmpl, kc)
		require.NoError(t, err, tmpl)
		assert.Equal(t, want, got, tmpl)
	}
}

func TestEvalKeyErrors(t *testing.T) {
	cases := []struct {
		tmpl   string
		column int
		msg    string
	}{
		{"x-${{ runner.os", 3, "unclosed"},
		{"${{ secrets.TOKEN }}", 5, "unknown context"},
		{"${{ runner.name }}", 5, "runner.os or runner.arch"},
		{"${{ format('{0}', 1) }}", 5, "unsupported function"},
		{"${{ 'abc }}", 5, "unterminated string"},
		{"${{ env. }}", 10, "property name"},
		{"${{ hashFiles('a' 'b') }}", 19, "expected , or )"},
		{"${{ hashFiles('../x') }}", 5, "hashFiles failed"},
		{"${{ runner.os runner.arch }}", 15, "expected }}"},
		{"${{ }}", 5, "expected a context"},
	}
	for _, c := range cases {
		_, err := EvalKey(context.Background(), c.tmpl, KeyContext{Workspace: t.TempDir()})
		var te *TemplateError
		require.True(t, errors.As(err, &te), "%s: %v", c.tmpl, err)
		assert.Equal(t, c.column, te.Column, c.tmpl)
		assert.Contains(t, te.Error(), c.msg, c.tmpl)
	}
}

// FuzzEvalKey: templates are user input; evaluation must not panic.
func FuzzEvalKey(f *testing.F) {
	for _, s := range []string{"${{ runner.os }}-x", "${{ env['A'] }}", "${{", "${{ 'a''b' }}", "${{ 1e3 }}", "${{ matrix.a.b }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		if strings.Contains(strings.ToLower(tmpl), "hashfiles") {
			return // keep the fuzzer off the file system
		}
		_, _ = EvalKey(context.Background(), tmpl, KeyContext{Env: map[string]string{"A": "a"}})
	})
}

func TestValidateKey(t *testing.T) {
	require.NoError(t, ValidateKey(strings.Repeat("a", 512)))
	assert.ErrorIs(t, ValidateKey(strings.Repeat("a", 513)), ErrInvalidKey)
	// 256 astral characters are 512 UTF-16 units; 257 are too many.
	require.NoError(t, ValidateKey(strings.Repeat("😀", 256)))
	assert.ErrorIs(t, ValidateKey(strings.Repeat("😀", 257)), ErrInvalidKey)
	assert.ErrorIs(t, ValidateKey("a,b"), ErrInvalidKey)
	require.NoError(t, ValidateKeys("k", make9("r")))
	assert.ErrorIs(t, ValidateKeys("k", append(make9("r"), "r")), ErrInvalidKey)
}

func make9(s string) []string {
	out := make([]string, 9)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestCacheVersion(t *testing.T) {
	// Expected values computed with coreutils, e.g.
	// printf '%s' '~/.cache/pypoetry|.venv|zstd-without-long|1.0' | sha256sum
	assert.Equal(t, "548dc157d50c998179e1188e4ec4803ff683561169f04603b034b716ea8f4ac2",
		CacheVersion([]string{"~/.cache/pypoetry", ".venv"}, CompressionZstdWithoutLong, false, false))
	assert.Equal(t, "809ada9ac328ef09e7a0035d561946e904cc9cb3e1af153caf2fb96ccee78675",
		CacheVersion([]string{"node_modules"}, CompressionZstdWithoutLong, true, false))
	assert.Equal(t, "37edffbf24856aa98c2c1c41362a68951b2eab789f9e2e5997365c28b393b098",
		CacheVersion([]string{"a"}, "", true, true))
	assert.Equal(t, []string{"~/.cache/pypoetry", ".venv"}, ParseMultiline("  ~/.cache/pypoetry\r\n\n.venv  \n"))
}

func TestResolve(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := "v1"
	entries := []Entry{
		{Key: "Linux-poetry-aaa", Version: v, Scope: "refs/heads/main", Created: t0},
		{Key: "Linux-poetry-bbb", Version: v, Scope: "refs/heads/main", Created: t0.Add(time.Hour)},
		{Key: "Linux-poetry-ccc", Version: "other", Scope: "refs/heads/main", Created: t0.Add(2 * time.Hour)},
		{Key: "Linux-poetry-feat", Version: v, Scope: "refs/heads/feat", Created: t0},
		{Key: "Linux-poetry-aaa-extra", Version: v, Scope: "refs/heads/main", Created: t0.Add(3 * time.Hour)},
	}
	scopes := Scopes("feat", "", "main")
	assert.Equal(t, []string{"refs/heads/feat", "refs/heads/main"}, scopes)

	// Exact hit on the default branch beats nothing on the current branch.
	r, ok := Resolve(entries, RestoreRequest{Key: "Linux-poetry-aaa", Version: v, Scopes: scopes})
	require.True(t, ok)
	assert.Equal(t, ExactMatch, r.Match)
	assert.True(t, r.CacheHit())
	assert.Equal(t, "Linux-poetry-aaa", r.Entry.Key)

	// The current branch is searched first: its restore-key match wins
	// over an exact key on the default branch? No: scopes are searched in
	// order, each fully (key, prefix, restore keys).
	r, ok = Resolve(entries, RestoreRequest{Key: "Linux-poetry-zzz", RestoreKeys: []string{"Linux-poetry-"}, Version: v, Scopes: scopes})
	require.True(t, ok)
	assert.Equal(t, RestoreKeyMatch, r.Match)
	assert.Equal(t, "Linux-poetry-feat", r.Entry.Key)
	assert.False(t, r.CacheHit())

	// On main, the most recent prefix match wins, and other versions are ignored.
	r, ok = Resolve(entries, RestoreRequest{Key: "Linux-poetry-zzz", RestoreKeys: []string{"Linux-poetry-"}, Version: v, Scopes: Scopes("main", "", "main")})
	require.True(t, ok)
	assert.Equal(t, "Linux-poetry-aaa-extra", r.Entry.Key)

	// The primary key is also tried as a prefix before restore keys.
	r, ok = Resolve(entries, RestoreRequest{Key: "Linux-poetry-b", RestoreKeys: []string{"Linux-"}, Version: v, Scopes: Scopes("main", "", "")})
	require.True(t, ok)
	assert.Equal(t, PrefixMatch, r.Match)
	assert.Equal(t, "Linux-poetry-bbb", r.Entry.Key)

	// An exact restore key beats a newer prefix match of the same restore key.
	r, ok = Resolve(entries, RestoreRequest{Key: "x", RestoreKeys: []string{"Linux-poetry-aaa"}, Version: v, Scopes: Scopes("main", "", "")})
	require.True(t, ok)
	assert.Equal(t, "Linux-poetry-aaa", r.Entry.Key)

	_, ok = Resolve(entries, RestoreRequest{Key: "Windows-", Version: v, Scopes: scopes})
	assert.False(t, ok)
}

func TestLayerCacheRefs(t *testing.T) {
	r := LayerCacheRefs{Repository: "reg.example/app"}
	assert.Equal(t, []string{"reg.example/app:buildcache-main"}, r.From("main"))
	from := r.From("refs/heads/Feature/Login")
	require.Len(t, from, 2)
	assert.Regexp(t, `^reg\.example/app:buildcache-feature-login-[0-9a-f]{8}$`, from[0])
	assert.Equal(t, "reg.example/app:buildcache-main", from[1])
	assert.Equal(t, "type=registry,ref="+from[0]+",mode=max", r.RegistryCacheTo("Feature/Login"))
	assert.NotEqual(t, BranchTag("feature/x"), BranchTag("feature-x"))
	assert.Equal(t, []string{"type=gha,scope=buildcache-dev", "type=gha,scope=buildcache-main"}, r.GHACacheFrom("dev"))
	assert.LessOrEqual(t, len(BranchTag(strings.Repeat("x", 300))), 96)
}

func TestMatchTypeString(t *testing.T) {
	assert.Equal(t, "exact", ExactMatch.String())
	assert.Equal(t, "restore-key", RestoreKeyMatch.String())
	assert.Equal(t, "MatchType(9)", MatchType(9).String())
	assert.Equal(t, "MatchType(-1)", MatchType(-1).String())
}

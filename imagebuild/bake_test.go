package imagebuild

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBakeFileResolve(t *testing.T) {
	path := filepath.Join("testdata", "build", "bake", "good.json")
	f, err := LoadBakeFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"common", "docs", "web", "worker"}, f.TargetNames())
	assert.Equal(t, []string{"all", "default"}, f.GroupNames())

	ts, err := f.Targets(nil, nil)
	require.NoError(t, err)
	require.Len(t, ts, 2, "the default group")
	web, worker := ts[0], ts[1]
	assert.Equal(t, "web", web.Name)
	assert.Equal(t, filepath.Join(filepath.Dir(path), "app"), web.Context, "relative to the bake file")
	assert.Equal(t, "runtime", web.Stage)
	assert.Equal(t, map[string]string{"PYTHON_VERSION": "3.12", "DEBUG": "1"}, web.BuildArgs, "maps merge, the child wins")
	assert.Equal(t, []string{"linux/amd64"}, web.Platforms)
	assert.True(t, web.Push)
	assert.Equal(t, int64(300_000_000), web.MaxSize)
	require.Len(t, web.CacheFrom, 1)
	assert.Equal(t, "registry.example.com/app:buildcache", web.CacheFrom[0].Attrs["ref"])
	require.Len(t, web.CacheTo, 1)
	assert.Equal(t, "max", web.CacheTo[0].Attrs["mode"])
	assert.Equal(t, []Secret{{ID: "django_secret", Env: "DJANGO_SECRET_KEY"}}, web.Secrets)

	assert.Equal(t, "worker", worker.Stage, "own value over the inherited one")
	assert.Equal(t, []string{"registry.example.com/app:worker"}, worker.Tags)
	assert.Equal(t, web.BuildArgs, worker.BuildArgs, "two levels of inheritance")

	all, err := f.Targets([]string{"all", "web"}, []string{"*.platforms=linux/arm64,linux/amd64", "web.args.DEBUG=2", "docs.push=true"})
	require.NoError(t, err)
	require.Len(t, all, 3, "groups expand, duplicates drop")
	assert.Equal(t, []string{"web", "worker", "docs"}, []string{all[0].Name, all[1].Name, all[2].Name})
	assert.Equal(t, "2", all[0].BuildArgs["DEBUG"])
	assert.Equal(t, "1", all[1].BuildArgs["DEBUG"], "override did not leak into the inheriting target")
	assert.Equal(t, []string{"linux/arm64", "linux/amd64"}, all[2].Platforms)
	assert.Equal(t, "/abs/docs", all[2].Context)
	assert.True(t, all[2].NoCache)
	assert.True(t, all[2].Push)

	_, err = f.Targets([]string{"nope"}, nil)
	assert.ErrorContains(t, err, `no target or group "nope"`)
	_, err = f.Targets(nil, []string{"web.bogus=1"})
	assert.ErrorContains(t, err, `unknown key "bogus"`)
	_, err = f.Targets(nil, []string{"webtags=1"})
	assert.ErrorContains(t, err, "TARGET.KEY=VALUE")
}

// lineOf returns the 1-based line and column of the first occurrence of
// needle in the file: the positions the errors must name.
func bakeLineOf(t *testing.T, data []byte, needle string) (int, int) {
	t.Helper()
	i := strings.Index(string(data), needle)
	require.GreaterOrEqual(t, i, 0, needle)
	before := string(data[:i])
	return strings.Count(before, "\n") + 1, i - strings.LastIndex(before, "\n")
}

func TestBakeFileErrorsArePositioned(t *testing.T) {
	path := filepath.Join("testdata", "build", "bake", "bad.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = ParseBakeFile(path, data)
	require.Error(t, err)
	var got []*BakeError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var be *BakeError
		require.True(t, errors.As(e, &be), "%v", e)
		got = append(got, be)
	}
	want := []struct{ needle, msg string }{
		{`"nosuch"`, `group member "nosuch" is neither a target nor a group`},
		{`"dockerfil"`, `unknown key "dockerfil"`},
		{`"registry.example.com/app:web"`, `"tags" must be an array of strings, not a string`},
		{`"type=registry,mode=max"`, `registry cache needs ref=`},
		{`"300 potatoes"`, `unknown unit "potatoes"`},
		{`"ghost"`, `inherits "ghost", which is not a target`},
		{`"b"]`, `inheritance cycle`},
		{`"a"]`, `inheritance cycle`},
		{`"variable"`, `unknown top-level key "variable"`},
	}
	require.Len(t, got, len(want), "%v", err)
	for _, w := range want {
		line, col := bakeLineOf(t, data, w.needle)
		found := false
		for _, g := range got {
			if g.Line == line && g.Column == col && strings.Contains(g.Message, w.msg) {
				found = true
			}
		}
		assert.True(t, found, "no error %q at %d:%d in\n%v", w.msg, line, col, err)
	}
	assert.Contains(t, err.Error(), path+":7:7: target \"web\": unknown key \"dockerfil\"")
}

func TestBakeFileSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		src        string
		line, col  int
		msgContain string
	}{
		{"{\n  \"target\": {\n    \"web\": {\"context\": \".\",}\n  }\n}", 3, 28, "JSON syntax"},
		{"{\n  \"target\": {}", 2, 15, "unexpected end of file"},
		{"[1, 2]", 1, 1, "must be a JSON object"},
		{"{\"target\": {\"x\": {}}} trailing", 1, 23, "unexpected data"},
		{"{\"target\": {}, \"target\": {}}", 1, 16, "given twice"},
		{"{\"target\": {\"bad name\": {}}}", 1, 13, "target name"},
	} {
		_, err := ParseBakeFile("docker-bake.json", []byte(tc.src))
		require.Error(t, err, tc.src)
		var be *BakeError
		require.True(t, errors.As(err, &be), "%v", err)
		assert.Equal(t, tc.line, be.Line, "%s: %v", tc.src, err)
		assert.Equal(t, tc.col, be.Column, "%s: %v", tc.src, err)
		assert.Contains(t, be.Message, tc.msgContain)
		assert.Equal(t, "docker-bake.json", be.File)
	}
}

func FuzzParseBakeFile(f *testing.F) {
	for _, name := range []string{"good.json", "bad.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "build", "bake", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"target":{"a":{"inherits":["a"]}}}`))
	f.Add([]byte(`{"group":{"g":{"targets":["g"]}}}`))
	f.Add([]byte(`[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bf, err := ParseBakeFile("fuzz.json", data)
		if err != nil {
			var be *BakeError
			if !errors.As(err, &be) {
				t.Fatalf("error without a position: %v", err)
			}
			if be.Line < 1 || be.Column < 1 {
				t.Fatalf("bad position %d:%d: %v", be.Line, be.Column, err)
			}
			return
		}
		_, _ = bf.Targets(nil, nil)
		_, _ = bf.Targets(bf.GroupNames(), nil)
	})
}

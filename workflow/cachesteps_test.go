package workflow

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheSteps reads the cache steps of the seed pipeline and of a public
// workflow; the expected values are the YAML's own (lines and columns
// counted in the files).
func TestCacheSteps(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		return b
	}
	seed := filepath.Join("testdata", "seed", "ci-cd.yml")
	got, err := CacheSteps(seed, read(seed))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, CacheStep{
		Job: "build", Name: "Cache Poetry dependencies", Action: "actions/cache", Ref: "v4",
		Pos:         Position{File: seed, Line: 16, Column: 9},
		Paths:       []string{"~/.cache/pypoetry", ".venv"},
		Key:         "${{ runner.os }}-poetry-${{ hashFiles('**/poetry.lock') }}",
		KeyPos:      Position{File: seed, Line: 22, Column: 16},
		RestoreKeys: []string{"${{ runner.os }}-poetry-"},
		HoldsVenv:   true, // poetry install; a .venv in the project is Poetry's when poetry.toml says so
	}, got[0])
	assert.Equal(t, "Cache collectstatic output", got[1].Name)
	assert.Equal(t, []string{"staticfiles/"}, got[1].Paths)
	assert.Equal(t, "${{ runner.os }}-static-${{ hashFiles('static/**/*') }}", got[1].Key)
	assert.Nil(t, got[1].RestoreKeys)
	assert.False(t, got[1].HoldsVenv)

	// rikeda71's test.yml caches ~/.venv, where its Poetry (default
	// settings: ~/.cache/pypoetry/virtualenvs) writes nothing.
	rw := filepath.Join("testdata", "realworld", "rikeda71-test.yml")
	got, err = CacheSteps(rw, read(rw))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "test", got[0].Job)
	assert.Equal(t, []string{"~/.cache/pip", "~/.venv"}, got[0].Paths)
	assert.Equal(t, []string{"${{ runner.os }}-pip-", "${{ runner.os }}-"}, got[0].RestoreKeys)
	assert.False(t, got[0].HoldsVenv)

	// A step with an id and no name is named by its id; a save step with
	// no key keeps the step's position for the key.
	src := "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - id: c\n        uses: actions/cache/save@v4\n        with:\n          path: dist\n"
	got, err = CacheSteps("w.yml", []byte(src))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "c", got[0].Name)
	assert.Equal(t, "actions/cache/save", got[0].Action)
	assert.Equal(t, "", got[0].Key)
	assert.Equal(t, got[0].Pos, got[0].KeyPos)
}

func TestCacheStepsBadInput(t *testing.T) {
	_, err := CacheSteps("bad.yml", []byte("on: push\njobs:\n  j: [\n"))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "bad.yml", pe.Pos.File)
	assert.Positive(t, pe.Pos.Line)

	_, err = CacheSteps("big.yml", []byte(strings.Repeat("#", DefaultMaxFileSize+1)))
	assert.True(t, errors.Is(err, ErrTooLarge), "%v", err)
}

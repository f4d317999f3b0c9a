package workflow

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestActionlintDataset lints the 1,503 public workflows of actionlint's
// own real-world dataset (testdata/realworld/dataset.zip in its module): no
// panic, no error return, and every position inside its file. The findings
// are not judged here (see testdata/realworld/JUDGED.tsv for that); the
// README gives their counts.
func TestActionlintDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("1,503 workflows")
	}
	zr, err := zip.OpenReader(filepath.Join(actionlintDir(t), "testdata", "realworld", "dataset.zip"))
	require.NoError(t, err)
	defer zr.Close()
	var files []File
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".yml") && !strings.HasSuffix(f.Name, ".yaml") {
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		files = append(files, File{Name: f.Name, Data: b})
	}
	require.Greater(t, len(files), 1000)
	lines := map[string]int{}
	for _, f := range files {
		norm := bytes.ReplaceAll(bytes.ReplaceAll(f.Data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
		lines[f.Name] = bytes.Count(norm, []byte("\n")) + 1
	}
	r, err := Lint(context.Background(), files, Options{})
	require.NoError(t, err)
	assert.Equal(t, len(files), r.Files)
	counts := map[string]int{}
	for _, d := range r.Diagnostics {
		if strings.HasPrefix(d.Rule, "WF") {
			counts[d.Rule]++
			assert.Positive(t, d.Pos.Line, "%s %s", d.Pos, d.Rule)
			assert.LessOrEqual(t, d.Pos.Line, lines[d.Pos.File], "%s %s", d.Pos, d.Rule)
			assert.Positive(t, d.Pos.Column, "%s %s", d.Pos, d.Rule)
		}
	}
	t.Logf("%d workflows; deploykit findings by rule: %v", len(files), counts)
}

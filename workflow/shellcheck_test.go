package workflow

import (
	"bytes"
	"io"
	"os/exec"
	"testing"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedScriptsPassShellcheck runs actionlint's shellcheck
// integration (the real shellcheck: apt-get install shellcheck) over every
// generated pipeline: the scripts the generator writes are clean shell.
func TestGeneratedScriptsPassShellcheck(t *testing.T) {
	exe, err := exec.LookPath("shellcheck")
	if err != nil {
		testenv.Unavailable(t, "shellcheck is not installed (apt-get install shellcheck)")
	}
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: exe})
	require.NoError(t, err)
	for name, f := range factSets() {
		out, err := Generate(f)
		require.NoError(t, err)
		// A path that does not exist: actionlint then looks for no project.
		errs, err := l.Lint("generated/"+name+".yml", out, nil)
		require.NoError(t, err)
		var b bytes.Buffer
		for _, e := range errs {
			b.WriteString(e.Error() + "\n")
		}
		assert.Empty(t, errs, "%s:\n%s", name, b.String())
	}
}

package workflow

import (
	"io"

	"github.com/deploykit/deploykit/internal/report"
)

// Tool is how this analyser names itself in SARIF and JSON output.
var toolInfo = report.Tool{Name: "deploykit-workflow", InformationURI: "https://github.com/deploykit/deploykit/tree/main/workflow"}

func writeDiagnostics(w io.Writer, f Format, diags []Diagnostic) error {
	return report.Write(w, f, toolInfo, rules(), diags)
}

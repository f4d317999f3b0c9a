package fixcheck_test

import (
	"fmt"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
	"github.com/deploykit/deploykit/internal/report/fixcheck"
)

func Example() {
	// An analyser that wants --no-install-recommends after apt-get install.
	analyze := func(files map[string][]byte) ([]report.Diagnostic, error) {
		var out []report.Diagnostic
		for name, src := range files {
			for i, line := range strings.Split(string(src), "\n") {
				k := strings.Index(line, "apt-get install")
				if k < 0 || strings.Contains(line, "--no-install-recommends") {
					continue
				}
				at := report.Position{Line: i + 1, Column: k + len("apt-get install") + 1}
				out = append(out, report.Diagnostic{Pos: report.Position{File: name, Line: i + 1, Column: k + 1}, Rule: "DK102",
					Message:        "apt-get install without --no-install-recommends",
					SuggestedFixes: []report.SuggestedFix{{Message: "add it", TextEdits: []report.TextEdit{{Pos: at, NewText: " --no-install-recommends"}}}}})
			}
		}
		return out, nil
	}
	res, err := fixcheck.Check(map[string][]byte{"Dockerfile": []byte("FROM debian\nRUN apt-get install -y curl\n")}, analyze)
	fmt.Println(res.Fixed, err)
	fmt.Print(string(res.Files["Dockerfile"]))
	// Output:
	// 1 <nil>
	// FROM debian
	// RUN apt-get install --no-install-recommends -y curl
}

// Command lintonly is the smallest program that lints a Dockerfile with
// imagebuild/dockerfile alone; the package README records its binary size
// and dependency count (go build ./imagebuild/dockerfile/testdata/lintonly).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/deploykit/deploykit/imagebuild/dockerfile"
)

func main() {
	a, err := dockerfile.LintFile(context.Background(), os.Args[1], "", dockerfile.LintConfig{})
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	for _, d := range a.Diagnostics {
		fmt.Println(d.Pos, d.Severity, d.Message, d.Rule)
	}
}

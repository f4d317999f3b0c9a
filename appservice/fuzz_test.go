package appservice_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/deploykit/deploykit/appservice"
)

func FuzzLintAutoscale(f *testing.F) {
	files, _ := filepath.Glob("testdata/realworld/*.tf")
	more, _ := filepath.Glob("testdata/realworld/*.bicep")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		for _, d := range appservice.LintAutoscale("f.tf", data) {
			if d.Rule == "" || d.Pos.Line < 1 {
				t.Fatalf("diagnostic without rule or line: %+v", d)
			}
		}
	})
}

func FuzzParseState(f *testing.F) {
	b, err := os.ReadFile("../examples/appservice/testdata/state.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"plan":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		st, err := appservice.ParseState("s.json", data)
		if err != nil {
			return
		}
		spec := &appservice.Spec{Target: appservice.Target{ResourceGroup: "rg", App: "app", Plan: "plan"}, HTTP2: new(bool)}
		_, _ = appservice.Diff(st, spec)
	})
}

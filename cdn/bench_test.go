package cdn

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func BenchmarkCheckSettings(b *testing.B) {
	seed, err := os.ReadFile("testdata/seed_settings.py")
	if err != nil {
		b.Fatal(err)
	}
	// A large settings module: the seed's lines plus 2,000 ordinary settings.
	var sb strings.Builder
	sb.Write(seed)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "SETTING_%d = {'a': [1, 2, 3], 'b': \"text %d\"}  # comment\n", i, i)
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(CheckSettings("settings.py", src, CheckOptions{})) == 0 {
			b.Fatal("no findings")
		}
	}
}

func bigManifestJSON(n int) []byte {
	paths := map[string]string{}
	for i := 0; i < n; i++ {
		paths[fmt.Sprintf("app%d/css/file%d.css", i%50, i)] = fmt.Sprintf("app%d/css/file%d.%012x.css", i%50, i, i)
	}
	b, _ := json.Marshal(map[string]any{"paths": paths, "version": "1.1", "hash": "x"})
	return b
}

func BenchmarkParseManifest10k(b *testing.B) {
	src := bigManifestJSON(10000)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParseManifest("staticfiles.json", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPurgePaths10k(b *testing.B) {
	old, _ := ParseManifest("a.json", bigManifestJSON(10000))
	next, _ := ParseManifest("b.json", bigManifestJSON(10000))
	next.Paths["app1/css/file1.css"] = "app1/css/file1.ffffffffffff.css"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(PurgePaths(old, next, "")) != 1 {
			b.Fatal("want one path")
		}
	}
}

// BenchmarkVerify200 verifies 200 hashed and 10 unhashed files against a
// loopback server: the per-file cost of Verify itself (requests, header
// checks), not of the network.
func BenchmarkVerify200(b *testing.B) {
	srv := httptest.NewServer(edgeHandler("TCP_HIT", nil, nil, 0))
	defer srv.Close()
	m := manyFiles(200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Verify(context.Background(), VerifyOptions{BaseURL: srv.URL, Manifest: m, Concurrency: 8})
		if err != nil || rep.Failed() {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanChanges(b *testing.B) {
	s, err := ParseSpec("cdn.json", []byte(`{"resourceGroup":"rg","profile":{"name":"p"},"endpoint":{"name":"e"},"origin":{"hostName":"a.azurewebsites.net"},"appRoute":{},"unhashedRule":{}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PlanChanges(s, &State{}, "sub"); err != nil {
			b.Fatal(err)
		}
	}
}

package gunicornconf

import (
	"os"
	"testing"
)

// BenchmarkLintFile measures what an editor or CI hook pays per file:
// parse + validate the seed's gunicorn.conf.py.
func BenchmarkLintFile(b *testing.B) {
	src, err := os.ReadFile("testdata/lint/seed.conf.py")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := Load("gunicorn.conf.py", src)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Validate(Options{Platform: PlatformAppServiceCode})
	}
}

// BenchmarkParseValidateRender is the promise: parse + validate +
// render, under 1 ms per file. It lints the larger runtime-sized file
// deploykit renders (it has functions and conditionals) and renders one.
func BenchmarkParseValidateRender(b *testing.B) {
	r, err := Render(RenderOptions{App: "mysite.wsgi:application"})
	if err != nil {
		b.Fatal(err)
	}
	src := r.Config
	sku, _ := LookupSKU("P1v3")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := Load("gunicorn.conf.py", src)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Validate(Options{Platform: PlatformAppServiceCode})
		if _, err := Render(RenderOptions{App: "mysite.wsgi:application", SKU: &sku}); err != nil {
			b.Fatal(err)
		}
	}
}

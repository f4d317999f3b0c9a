package cdn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The parsers of user input never panic, and what they accept is consistent.

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"paths": {"css/site.css": "css/site.dd1dd9204562.css"}, "version": "1.0"}`))
	f.Add([]byte(`{"paths": {}, "version": "1.1", "hash": ""}`))
	f.Add([]byte(`{"paths": {"../x": "/y"}, "version": "2"}`))
	f.Add([]byte(`[[[[[[[[[[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		m, err := ParseManifest("m.json", b)
		if err != nil {
			if m != nil {
				t.Fatal("manifest and error")
			}
			return
		}
		for k, v := range m.Paths {
			if badStaticPath(k) != "" || badStaticPath(v) != "" {
				t.Fatalf("accepted unclean path %q -> %q", k, v)
			}
		}
	})
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"resourceGroup":"rg","profile":{"name":"p"},"endpoint":{"name":"e"},"origin":{"hostName":"a.azurewebsites.net"}}`))
	f.Add([]byte(`{"resourceGroup":1}`))
	f.Add([]byte(`{"appRoute":{"compressionTypes":[]},"unhashedRule":{"maxAge":99999}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		s, err := ParseSpec("cdn.json", b)
		if err == nil {
			if _, err := PlanChanges(s, nil, "sub"); err != nil && err != ErrClassicCreate {
				t.Fatalf("valid spec, plan failed: %v", err)
			}
			return
		}
		if ie, ok := err.(*InputError); ok {
			for _, fe := range ie.Errors {
				if fe.Pos.Line < 0 {
					t.Fatalf("bad position %v", fe.Pos)
				}
			}
		}
	})
}

func FuzzCheckSettings(f *testing.F) {
	f.Add([]byte("WHITENOISE_MAX_AGE = 31536000  # 1 year\n"))
	f.Add([]byte("STORAGES = {\n 'staticfiles': {'BACKEND': 'x.Y'},\n}\n"))
	f.Add([]byte("x = '''\nWHITENOISE_MAX_AGE = 1\n'''\nA = (((((1)))))\n"))
	f.Add([]byte("WHITENOISE_MAX_AGE = " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		for _, d := range CheckSettings("s.py", b, CheckOptions{Django: DjangoVersion{3, 2}}) {
			if d.Pos.Line < 1 || d.Pos.Column < 1 {
				t.Fatalf("diagnostic without a position: %+v", d)
			}
			if !utf8.ValidString(d.Rule) || d.Message == "" {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
	})
}

func FuzzCacheControl(f *testing.F) {
	f.Add("max-age=315360000, public, immutable")
	f.Add(`max-age="60", s-maxage=10, no-cache`)
	f.Fuzz(func(t *testing.T, v string) {
		c := parseCacheControl(v)
		if c.maxAge < -1 {
			t.Fatalf("max-age %d", c.maxAge)
		}
	})
}

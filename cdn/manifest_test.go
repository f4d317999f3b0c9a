package cdn

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Positions below were counted in the source with Python's str.index
// (1-based line, byte column), not taken from the parser.

func manifestErrors(t *testing.T, src string) []string {
	t.Helper()
	_, err := ParseManifest("m.json", []byte(src))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	var out []string
	for _, fe := range ie.Errors {
		out = append(out, fe.Error())
	}
	return out
}

// A name given twice in "paths" is refused with both places: encoding/json
// (and Python's json, so Django itself) keeps the last one silently, so the
// file would say two things about one file's hashed name.
func TestParseManifestDuplicatePath(t *testing.T) {
	src := "{\"version\": \"1.1\", \"paths\": {\n" +
		"  \"css/a.css\": \"css/a.111111111111.css\",\n" +
		"  \"css/a.css\": \"css/a.222222222222.css\"\n" +
		"}}"
	assert.Equal(t, []string{
		`m.json:3:16: /paths/css~1a.css: duplicate key "css/a.css" (first given at 2:3)`,
	}, manifestErrors(t, src))
	// At the top level too.
	assert.Equal(t, []string{
		`m.json:1:44: /version: duplicate field "version" (first given at 1:15)`,
	}, manifestErrors(t, `{"paths": {}, "version": "1.0", "version": "1.1"}`))
}

// Django's reader (ManifestFilesMixin.load_manifest, django/django
// django/contrib/staticfiles/storage.py at 03bc92af978f2148c1141673c730f17772cd7037)
// reads "version", "paths" and "hash" and ignores every other name, so a
// newer Django adding one (as 4.2 added "hash") must not break a deploy.
func TestParseManifestToleratesUnknownTopLevelNames(t *testing.T) {
	m, err := ParseManifest("m.json", []byte(`{"paths": {"css/site.css": "css/site.dd1dd9204562.css"}, "version": "1.1", "hash": "abc",
 "generator": {"name": "django", "since": [6, 0], "extra": null}}`))
	require.NoError(t, err)
	assert.Equal(t, &Manifest{Version: "1.1", Hash: "abc", Paths: map[string]string{"css/site.css": "css/site.dd1dd9204562.css"}}, m)

	// Tolerated is not unread: a malformed or too deep unknown value is
	// still refused.
	assert.Contains(t, manifestErrors(t, `{"paths": {}, "version": "1.1", "future": [1,]}`)[0], "invalid JSON")
	deep := `{"paths": {}, "version": "1.1", "future": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`
	assert.Contains(t, manifestErrors(t, deep)[0], "nested deeper than 64 levels")
}

// Every wrong kind at once, each at its value, without quoting values.
func TestParseManifestWrongTypes(t *testing.T) {
	src := "{\"paths\": {\"a.css\": 3, \"b.css\": null},\n \"version\": 1.1, \"hash\": false}"
	assert.Equal(t, []string{
		"m.json:1:21: /paths/a.css: expected a string, found JSON number",
		"m.json:1:33: /paths/b.css: expected a string, found JSON null",
		"m.json:2:13: /version: expected a string, found JSON number",
		"m.json:2:26: /hash: expected a string, found JSON boolean",
	}, manifestErrors(t, src))
	assert.Equal(t, []string{"m.json:1:11: /paths: expected an object, found JSON array"},
		manifestErrors(t, `{"paths": [], "version": "1.1"}`))
	assert.Equal(t, []string{"m.json:1:1: expected an object, found JSON array"}, manifestErrors(t, `[]`))

	got := strings.Join(manifestErrors(t, `{"paths": {"a.css": ["sv=2024&sig=SECRETVALUE"]}, "version": "1.1"}`), "\n")
	assert.Contains(t, got, "/paths/a.css: expected a string, found JSON array")
	assert.NotContains(t, got, "SECRETVALUE")
}

// The checks after decoding: missing members at the document, bad names at
// their value, in document order (not in the order of the names).
func TestParseManifestContentErrorsInDocumentOrder(t *testing.T) {
	assert.Equal(t, []string{
		`m.json:1:1: /version: missing "version"; is this a staticfiles.json from ManifestStaticFilesStorage?`,
		`m.json:1:1: /paths: missing "paths"`,
	}, manifestErrors(t, `{"hash": "x"}`))
	src := "{\"version\": \"1.0\", \"paths\": {\n \"z.css\": \"/abs.css\",\n \"a/../b.css\": \"b.css\"}}"
	assert.Equal(t, []string{
		`m.json:2:11: /paths/z.css: hashed name "/abs.css" is absolute (want a path relative to STATIC_ROOT)`,
		`m.json:3:16: /paths/a~1..~1b.css: name "a/../b.css" is not a clean relative path`,
	}, manifestErrors(t, src))
}

func TestParseManifestTooLarge(t *testing.T) {
	src := append([]byte(`{"paths": {}, "version": "1.1"}`), bytes.Repeat([]byte(" "), maxManifestSize)...)
	_, err := ParseManifest("m.json", src)
	var ie *InputError
	require.True(t, errors.As(err, &ie))
	assert.Equal(t, fmt.Sprintf("m.json:1:1: larger than %d bytes", maxManifestSize), ie.Error())
}

// A staticfiles.json from a real project is read whole. The fixture is
// checked first against its own "hash", computed as Django computes it
// (ManifestFilesMixin.save_manifest: the first 12 hex digits of the MD5 of
// json.dumps(sorted(paths.items())), Python's default separators ", " and
// ": "), so the entries compared below are the ones Django wrote.
func TestParseManifestRealWorld(t *testing.T) {
	m, err := ParseManifest("staticfiles.json", []byte(realWorldManifest11))
	require.NoError(t, err)
	assert.Equal(t, "1.1", m.Version)
	assert.Equal(t, "23dfce9be74c", m.Hash)
	require.Len(t, m.Paths, 126)

	keys := make([]string, 0, len(m.Paths))
	for k := range m.Paths {
		keys = append(keys, k)
	}
	sort.Strings(keys) // Python sorts str by code point, as Go sorts bytes for ASCII
	var b strings.Builder
	b.WriteByte('[')
	for i, k := range keys {
		require.False(t, strings.ContainsAny(k+m.Paths[k], "\"\\\x7f") || strings.IndexFunc(k+m.Paths[k], func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0,
			"json.dumps would escape %q", k)
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[\"%s\", \"%s\"]", k, m.Paths[k])
	}
	b.WriteByte(']')
	sum := md5.Sum([]byte(b.String()))
	assert.Equal(t, m.Hash, hex.EncodeToString(sum[:])[:12], "the fixture is not the file Django wrote")

	assert.Equal(t, "css/style.53626d23a959.css", m.Paths["css/style.css"])
	assert.Equal(t, "admin/img/LICENSE.2c54f4e1ca1c", m.Paths["admin/img/LICENSE"])
	assert.True(t, m.IsHashed("admin/js/vendor/select2/i18n/pt-BR.e1b294433e7f.js"))
}

// FuzzParseManifestAgrees: what ParseManifest accepts, encoding/json reads
// to the same manifest (so the strict decoder refuses, never misreads), and
// every refusal is positioned. (FuzzParseManifest checks the paths.)
func FuzzParseManifestAgrees(f *testing.F) {
	f.Add([]byte(`{"paths": {"css/site.css": "css/site.dd1dd9204562.css"}, "version": "1.1", "hash": "x", "new": [{}]}`))
	f.Add([]byte(`{"paths": {"a": "b", "a": "c"}, "version": "1.0"}`))
	f.Add([]byte(`{"paths": {}, "version": "1.1", "x": ` + strings.Repeat("[", 80) + strings.Repeat("]", 80) + `}`))
	f.Add([]byte("\xef\xbb\xbf{\"paths\": {}, \"version\": \"1.0\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		m, err := ParseManifest("m.json", b)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || len(ie.Errors) == 0 {
				t.Fatalf("not an InputError: %v", err)
			}
			for _, fe := range ie.Errors {
				if fe.Pos.Line < 1 || fe.Pos.Column < 1 || fe.Msg == "" {
					t.Fatalf("unpositioned: %+v", fe)
				}
			}
			return
		}
		var raw manifestJSON
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		if raw.Version == nil || *raw.Version != m.Version || len(raw.Paths) != len(m.Paths) {
			t.Fatalf("encoding/json reads another manifest")
		}
		for k, v := range raw.Paths {
			if m.Paths[k] != v {
				t.Fatalf("path %q differs", k)
			}
		}
	})
}

package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/applicationinsights/armapplicationinsights"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/appservice/armappservice/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type route struct {
	Name     string   `json:"name"`
	Patterns []string `json:"patterns,omitempty"`
}

type doc struct {
	Name     string            `json:"name"`
	Enabled  *bool             `json:"enabled,omitempty"`
	Count    int32             `json:"count,omitempty"`
	Ratio    float32           `json:"ratio,omitempty"`
	Route    route             `json:"route"`
	Routes   []route           `json:"routes,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
	Extra    json.RawMessage   `json:"extra,omitempty"`
}

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	return e.Problems
}

func lines(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, p := range problems(t, err) {
		out = append(out, p.String())
	}
	return out
}

// Positions below were counted in the source with Python's str.index
// (1-based line, byte column), not taken from the decoder.
func TestEveryProblemAtOnce(t *testing.T) {
	src := "{\n" +
		"  \"name\": \"a\",\n" +
		"  \"route\": {\"name\": \"r\", \"patern\": [\"/x\"]},\n" +
		"  \"routes\": [{\"name\": 1}, {\"nmae\": \"b\"}],\n" +
		"  \"count\": 2.5,\n" +
		"  \"bogus\": {\"deep\": [1, 2]}\n" +
		"}"
	var v doc
	_, err := Decode("d.json", []byte(src), &v, nil)
	assert.Equal(t, []string{
		`d.json:3:26: /route/patern: unknown field "patern" (did you mean "patterns"?)`,
		`d.json:4:23: /routes/0/name: expected a string, found a number`,
		`d.json:4:28: /routes/1/nmae: unknown field "nmae" (did you mean "name"?)`,
		`d.json:5:12: /count: expected an integer, found 2.5`,
		`d.json:6:3: /bogus: unknown field "bogus" (expected one of: count, enabled, extra, name, ratio, route, routes, settings)`,
	}, lines(t, err))
	assert.Equal(t, doc{}, v, "nothing is decoded from a refused document")
}

func TestUnknownNameThatAlsoExistsElsewhere(t *testing.T) {
	// "patterns" is a known name of route; at the top level it is unknown.
	// The problem is at the top-level one (line 3), not the first
	// "patterns" of the document (line 2).
	src := "{\"route\": {\"name\": \"r\", \"patterns\": [\"/a\"]},\n" +
		" \"name\": \"n\",\n" +
		" \"patterns\": [\"/b\"]}"
	_, err := Decode("d.json", []byte(src), &doc{}, nil)
	ps := problems(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, "d.json:3:2", ps[0].Pos.String())
	assert.Equal(t, "d.json:3:14", ps[0].ValuePos.String())
	assert.Equal(t, "/patterns", ps[0].Pointer())
	assert.Equal(t, Unknown, ps[0].Code)
}

func TestDuplicateNamesBothPositions(t *testing.T) {
	src := "{\"name\": \"a\",\n \"settings\": {\"K\": \"1\", \"K\": \"2\"},\n \"name\": \"b\"}"
	_, err := Decode("d.json", []byte(src), &doc{}, nil)
	assert.Equal(t, []string{
		`d.json:2:25: /settings/K: duplicate key "K" (first given at 2:15)`,
		`d.json:3:2: /name: duplicate field "name" (first given at 1:2)`,
	}, lines(t, err))
	ps := problems(t, err)
	assert.Equal(t, "d.json:2:15", ps[0].First.String())
	assert.Equal(t, "d.json:1:2", ps[1].First.String())
}

func TestValuesAreNeverQuoted(t *testing.T) {
	const secret = "s3cr3t-hunter2"
	for _, src := range []string{
		`{"name": ["` + secret + `"]}`,
		`{"settings": {"DB": {"password": "` + secret + `"}}}`,
		`{"count": "` + secret + `"}`,
		`{"enabled": "` + secret + `"}`,
		`{"settings": {"DB": "` + secret + `\q"}}`,
		`{"settings": {"DB": "` + secret + "\x01" + `"}}`,
		`{"settings": {"DB": ` + secret + `}}`,
	} {
		_, err := Decode("d.json", []byte(src), &doc{}, nil)
		require.Error(t, err, src)
		assert.NotContains(t, err.Error(), "hunter2", src)
		assert.NotContains(t, err.Error(), "s3cr3t", src)
	}
}

func TestNumbersOutOfRange(t *testing.T) {
	_, err := Decode("d.json", []byte(`{"count": 3000000000, "ratio": 1e39, "routes": [{"name": "a"}], "enabled": null}`), &doc{}, nil)
	assert.Equal(t, []string{
		`d.json:1:11: /count: expected an integer from -2147483648 to 2147483647, found 3000000000`,
		`d.json:1:32: /ratio: expected a number that fits a 32-bit float, found 1e39`,
	}, lines(t, err))
}

func TestNullOnlyWhereEncodingJSONLeavesAValue(t *testing.T) {
	var v doc
	_, err := Decode("d.json", []byte(`{"enabled": null, "routes": null, "settings": null, "name": "x", "route": {"name": "r"}}`), &v, nil)
	require.NoError(t, err)
	assert.Equal(t, "x", v.Name)
	_, err = Decode("d.json", []byte(`{"name": null, "route": null}`), &doc{}, nil)
	assert.Equal(t, []string{
		`d.json:1:10: /name: expected a string, found null`,
		`d.json:1:25: /route: expected an object, found null`,
	}, lines(t, err))
	_, err = Decode("d.json", []byte(`null`), &doc{}, nil)
	assert.Equal(t, []string{`d.json:1:1: expected an object, found null`}, lines(t, err))
}

func TestDecodesLikeEncodingJSON(t *testing.T) {
	src := `{"name": "caf\u00e9 \ud83d\ude00", "enabled": true, "count": -7, "ratio": 0.5,
	  "route": {"name": "r", "patterns": ["/a", "/b"]}, "routes": [{"name": "x"}],
	  "settings": {"A": "1", "": ""}, "extra": {"anything": [1, {"goes": null}]}}`
	var got, want doc
	_, err := Decode("d.json", []byte(src), &got, nil)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(src), &want))
	assert.Equal(t, want, got)
}

func TestSyntaxErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{``, `d.json:1:1: invalid JSON: unexpected end of file, expected a value`},
		{"{\"name\": \"a\",\n}", `d.json:2:1: invalid JSON: expected a member name in double quotes`},
		{`{"name": "a"} {}`, `d.json:1:15: invalid JSON: unexpected data after the top-level value`},
		{`{"name": tru}`, `d.json:1:10: invalid JSON: expected a value (an object, array, string, number, true, false or null)`},
		{`{"count": 01}`, `d.json:1:12: invalid JSON: expected ',' or '}' after an object member`},
		{"{\"name\": \"\xff\"}", `d.json:1:11: invalid JSON: a string is not valid UTF-8`},
		{`{"name": "a`, `d.json:1:12: invalid JSON: unexpected end of file in a string`},
		{"\xef\xbb\xbf{}", `d.json:1:1: invalid JSON: the file starts with a byte order mark, which JSON must not (RFC 8259 §8.1): save it as UTF-8 without one`},
		{"\xff\xfe{\x00}\x00", `d.json:1:1: invalid JSON: the file is UTF-16 (as Windows PowerShell 5's > writes it); JSON must be UTF-8 (RFC 8259 §8.1)`},
	} {
		_, err := Decode("d.json", []byte(c.src), &doc{}, nil)
		assert.Equal(t, []string{c.want}, lines(t, err), c.src)
		if !strings.Contains(c.src, "\xff") { // encoding/json does not check UTF-8 (RFC 8259 §8.1 requires it)
			assert.False(t, json.Valid([]byte(c.src)), "encoding/json agrees that %q is not JSON", c.src)
		}
	}
}

func TestBounds(t *testing.T) {
	deep := strings.Repeat("[", 1_000_000)
	_, err := Decode("d.json", []byte(`{"extra": `+deep), &doc{}, &Options{MaxBytes: 2 << 20})
	ps := problems(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, TooDeep, ps[0].Code)
	assert.Equal(t, "nested deeper than 64 levels", ps[0].Message)

	_, err = Decode("d.json", []byte(`{"name": "`+strings.Repeat("x", 100)+`"}`), &doc{}, &Options{MaxBytes: 64})
	assert.Equal(t, []string{"d.json:1:1: larger than 64 bytes"}, lines(t, err))

	many := "{" + strings.Repeat(`"x": 1, `, 200) + `"name": "a"}`
	_, err = Decode("d.json", []byte(many), &doc{}, &Options{MaxProblems: 3})
	ps = problems(t, err)
	require.Len(t, ps, 4)
	assert.Equal(t, TooMany, ps[3].Code)
}

// TestSDKModels: the Azure SDK's models have no json tags; their names come
// from their MarshalJSON. Names below are the ARM REST API's (SiteConfig in
// specification/web/resource-manager/Microsoft.Web/stable/2023-01-01/CommonDefinitions.json).
func TestSDKModels(t *testing.T) {
	src := "{\"id\": \"x\", \"name\": \"web\",\n \"properties\": {\"alwaysOn\": true, \"http20Enabled\": false,\n  \"ipSecurityRestrictions\": [{\"name\": \"office\", \"ipAdress\": \"203.0.113.0/24\"}],\n  \"alwayson\": true}}"
	var v armappservice.SiteConfigResource
	_, err := Decode("s.json", []byte(src), &v, nil)
	assert.Equal(t, []string{
		`s.json:3:49: /properties/ipSecurityRestrictions/0/ipAdress: unknown field "ipAdress" (did you mean "ipAddress"?)`,
		`s.json:4:3: /properties/alwayson: unknown field "alwayson" (did you mean "alwaysOn"?)`,
	}, lines(t, err))

	v = armappservice.SiteConfigResource{}
	_, err = Decode("s.json", []byte(`{"properties": {"alwaysOn": true, "http20Enabled": false, "numberOfWorkers": 2}}`), &v, nil)
	require.NoError(t, err)
	assert.True(t, *v.Properties.AlwaysOn)
	assert.Equal(t, int32(2), *v.Properties.NumberOfWorkers)
}

// A date-time the SDK's own decoder refuses is found and positioned, and
// the decoder's message (which quotes the value) is not passed on.
func TestValueRefusedByItsDecoder(t *testing.T) {
	src := "{\"properties\": {\"profiles\": [{\"name\": \"p\",\n \"fixedDate\": {\"start\": \"not-a-date-hunter2\"}}]}}"
	var v armmonitor.AutoscaleSettingResource
	_, err := Decode("a.json", []byte(src), &v, nil)
	assert.Equal(t, []string{
		`a.json:2:25: /properties/profiles/0/fixedDate/start: expected a date-time string (RFC 3339); the value was refused by its decoder`,
	}, lines(t, err))
}

// TestSDKNamesRoundTrip checks every name learnt for every SDK model a
// saved state holds against the SDK's UnmarshalJSON: a value given under
// that name is kept (it comes back from MarshalJSON).
func TestSDKNamesRoundTrip(t *testing.T) {
	seen := map[*schema]bool{}
	models := 0
	var walk func(s *schema, typ reflect.Type)
	walk = func(s *schema, typ reflect.Type) {
		if seen[s] {
			return
		}
		seen[s] = true
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if s.shape == shapeObject && reflect.PointerTo(typ).Implements(jsonUnmarshaler) {
			models++
			for _, n := range s.names {
				in, _ := json.Marshal(map[string]json.RawMessage{n: sample(s.fields[n].s)})
				v := reflect.New(typ)
				require.NoError(t, json.Unmarshal(in, v.Interface()), "%s %s", typ, n)
				out, err := json.Marshal(v.Interface())
				require.NoError(t, err)
				var m map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(out, &m))
				assert.Contains(t, m, n, "%s: a value under %q is dropped by UnmarshalJSON", typ, n)
			}
		}
		for _, n := range s.names {
			walk(s.fields[n].s, s.fields[n].typ)
		}
		if s.elem.s != nil {
			walk(s.elem.s, s.elem.typ)
		}
	}
	for _, v := range []any{armappservice.SiteConfigResource{}, armappservice.StringDictionary{}, armappservice.SlotConfigNamesResource{},
		armappservice.Plan{}, armmonitor.AutoscaleSettingResource{}, armapplicationinsights.Component{}} {
		r, err := schemaFor(reflect.TypeOf(v))
		require.NoError(t, err)
		walk(r.s, r.typ)
	}
	assert.Greater(t, models, 40, "the state's SDK models were all walked")
}

func sample(s *schema) json.RawMessage {
	switch s.shape {
	case shapeObject, shapeMap:
		return json.RawMessage(`{}`)
	case shapeArray:
		return json.RawMessage(`[]`)
	case shapeBool:
		return json.RawMessage(`true`)
	case shapeInt, shapeUint, shapeFloat:
		return json.RawMessage(`1`)
	case shapeString:
		switch s.expected {
		case "a date-time string (RFC 3339)":
			return json.RawMessage(`"2024-01-02T03:04:05Z"`)
		case "a base64 string":
			return json.RawMessage(`"eA=="`)
		}
	}
	return json.RawMessage(`"x"`)
}

func TestNotModelledTypes(t *testing.T) {
	_, err := Decode("d.json", []byte(`{}`), &struct {
		C chan int `json:"c"`
	}{}, nil)
	require.Error(t, err)
	var e *Error
	assert.False(t, errors.As(err, &e), "a programming error, not a content problem")
	assert.Contains(t, err.Error(), "not modelled")
}

func TestScanIndexesPointers(t *testing.T) {
	src := "{\"a/b\": [1, {\"c~\": true}]}"
	ix, err := Scan("s.json", []byte(src), nil)
	require.NoError(t, err)
	ptrs := ix.Pointers()
	i, ok := ptrs["/a~1b/1/c~0"]
	require.True(t, ok, "%v", ptrs)
	assert.Equal(t, "s.json:1:20", ix.ValuePos(i).String())
	assert.Equal(t, "s.json:1:14", ix.NamePos(i).String())
	assert.Equal(t, `a/b[1].c~`, ix.Path(i).Dotted())
	assert.Equal(t, ptrs["/a~1b/1"], ix.Before(13))
}

// An SDK model with AdditionalProperties keeps every other name there, so
// such names are not unknown.
func TestSDKAdditionalProperties(t *testing.T) {
	var v armmonitor.DynamicMetricCriteria
	_, err := Decode("c.json", []byte(`{"criterionType": "DynamicThresholdCriterion", "name": "c", "futureField": {"x": 1}}`), &v, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"futureField": map[string]any{"x": float64(1)}}, v.AdditionalProperties)
	_, err = Decode("c.json", []byte(`{"name": 1}`), &v, nil)
	assert.Equal(t, []string{`c.json:1:10: /name: expected a string, found a number`}, lines(t, err))
}

// AllowUnknown: a name the type lacks is read and ignored, at every depth,
// as encoding/json's default does; what the type has is still checked.
func TestAllowUnknown(t *testing.T) {
	src := "{\"name\": \"a\", \"future\": {\"x\": [1, {\"y\": null}]},\n \"route\": {\"name\": \"r\", \"since\": \"6.0\"}}"
	var v doc
	ix, err := Decode("d.json", []byte(src), &v, &Options{AllowUnknown: true})
	require.NoError(t, err)
	assert.Equal(t, doc{Name: "a", Route: route{Name: "r"}}, v)
	// The ignored value is still indexed: "/future/x/1/y" is where it is.
	i, ok := ix.Pointers()["/future/x/1/y"]
	require.True(t, ok)
	assert.Equal(t, "d.json:1:41", ix.ValuePos(i).String()) // Python: s.index("null")+1

	// Kinds, duplicates and syntax are not relaxed, and every problem is
	// reported at once.
	src = "{\"name\": 1, \"future\": 2,\n \"future\": 3}"
	_, err = Decode("d.json", []byte(src), &v, &Options{AllowUnknown: true})
	assert.Equal(t, []string{
		"d.json:1:10: /name: expected a string, found a number",
		"d.json:2:2: /future: duplicate field \"future\" (first given at 1:13)",
	}, lines(t, err))
	_, err = Decode("d.json", []byte(`{"future": [1,]}`), &v, &Options{AllowUnknown: true})
	assert.Equal(t, Syntax, problems(t, err)[0].Code)
}

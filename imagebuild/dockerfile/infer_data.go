package dockerfile

import (
	_ "embed"
	"encoding/json"
	"sort"
	"sync"
)

//go:embed data/syslibs.json
var sysLibsData []byte

//go:embed data/django_python.json
var djangoPythonData []byte

//go:embed data/tools.json
var toolsData []byte

// sysLibEntry is one row of data/syslibs.json.
type sysLibEntry struct {
	Wheels        string              `json:"wheels"`
	Build         []string            `json:"build"`
	Runtime       []string            `json:"runtime"`
	RuntimeAlways []string            `json:"runtime_always"`
	Unless        []string            `json:"unless"`
	Extras        map[string][]string `json:"extras"`
	Doc           string              `json:"doc"`
}

type sysLibTable struct {
	Source    string                 `json:"source"`
	Retrieved string                 `json:"retrieved"`
	Packages  map[string]sysLibEntry `json:"packages"`
}

var systemLibs = sync.OnceValue(func() sysLibTable {
	var t sysLibTable
	if err := json.Unmarshal(sysLibsData, &t); err != nil {
		panic("dockerfile: embedded data/syslibs.json: " + err.Error()) // a build defect, not user input
	}
	return t
})

type djangoPythonTable struct {
	Source    string                       `json:"source"`
	Retrieved string                       `json:"retrieved"`
	Django    map[string]map[string]string `json:"django"`
}

var djangoPython = sync.OnceValue(func() djangoPythonTable {
	var t djangoPythonTable
	if err := json.Unmarshal(djangoPythonData, &t); err != nil {
		panic("dockerfile: embedded data/django_python.json: " + err.Error())
	}
	return t
})

type toolTable struct {
	Source    string            `json:"source"`
	Retrieved string            `json:"retrieved"`
	Versions  map[string]string `json:"versions"`
}

var tools = sync.OnceValue(func() toolTable {
	var t toolTable
	if err := json.Unmarshal(toolsData, &t); err != nil {
		panic("dockerfile: embedded data/tools.json: " + err.Error())
	}
	return t
})

// ToolVersion returns the version Generate pins for a tool it installs
// when the project names none ("gunicorn", "uvicorn", "uv", "poetry"),
// from data/tools.json, and whether the tool is in the table.
func ToolVersion(name string) (string, bool) {
	v, ok := tools().Versions[name]
	return v, ok
}

// DjangoPythonVersions returns the CPython minor versions a Django feature
// release ("4.2") supports, oldest first, from data/django_python.json
// (Django's own FAQ table, with its retrieval date), and whether the
// release is in the table.
func DjangoPythonVersions(djangoMinor string) ([]string, bool) {
	row, ok := djangoPython().Django[djangoMinor]
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(row))
	for py := range row {
		out = append(out, py)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out, true
}

// djangoSupports reports whether Django version (e.g. "3.2.4") supports
// CPython minor py, and whether the Django release is in the table.
func djangoSupports(djangoVersion, py string) (supported, known bool) {
	v, ok := parsePyVersion(djangoVersion)
	if !ok {
		return false, false
	}
	minor := pyVersion{release: []int{v.part(0), v.part(1)}}.String()
	row, ok := djangoPython().Django[minor]
	if !ok {
		return false, false
	}
	since, ok := row[py]
	if !ok {
		return false, true
	}
	if since == "" {
		return true, true
	}
	s, _ := parsePyVersion(since)
	return v.compare(s) >= 0, true
}

package imagebuild

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// BakeError is a problem in a bake file, at a position.
type BakeError struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (e *BakeError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
}

// BakeFile is a parsed, validated bake file: named targets and groups of
// targets to build together, in the JSON shape `docker buildx bake` reads:
//
//	{
//	  "group": {"default": {"targets": ["web", "worker"]}},
//	  "target": {
//	    "common": {"context": ".", "args": {"PYTHON_VERSION": "3.12"}},
//	    "web": {
//	      "inherits": ["common"],
//	      "dockerfile": "Dockerfile", "target": "runtime",
//	      "tags": ["registry.example.com/app:web"], "push": true,
//	      "cache-from": ["type=registry,ref=registry.example.com/app:buildcache"],
//	      "cache-to": ["type=registry,ref=registry.example.com/app:buildcache,mode=max"],
//	      "max-size": "300MB"
//	    },
//	    "worker": {"inherits": ["web"], "target": "worker", "tags": ["registry.example.com/app:worker"]}
//	  }
//	}
//
// Target keys: context, dockerfile, target, args, labels, tags, platforms,
// contexts, secret, cache-from, cache-to, no-cache, push, max-size,
// inherits. A relative context is relative to the bake file's directory;
// a relative dockerfile is relative to the context.
type BakeFile struct {
	// File is the name the file was parsed under (used in errors).
	File    string
	dir     string
	groups  map[string][]string
	targets map[string]map[string]*bakeNode // target -> key -> value
	data    []byte
}

var bakeNameRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// bakeTargetKeys lists the keys a target may have and the JSON kind each
// takes: 's' string, 'S' array of strings, 'm' object of strings, 'b'
// boolean.
var bakeTargetKeys = map[string]byte{
	"context": 's', "dockerfile": 's', "target": 's', "max-size": 's',
	"args": 'm', "labels": 'm', "contexts": 'm',
	"tags": 'S', "platforms": 'S', "secret": 'S', "cache-from": 'S', "cache-to": 'S', "inherits": 'S',
	"no-cache": 'b', "push": 'b',
}

// LoadBakeFile reads and parses the bake file at path.
func LoadBakeFile(path string) (*BakeFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imagebuild: bake file: %w", err)
	}
	f, err := ParseBakeFile(path, data)
	if err != nil {
		return nil, err
	}
	f.dir = filepath.Dir(path)
	return f, nil
}

// ParseBakeFile parses and validates a bake file. Every problem found is
// reported as a *BakeError with its line and column (joined with
// errors.Join when there are several). Relative contexts resolve against
// the current directory; LoadBakeFile resolves them against the file's.
func ParseBakeFile(name string, data []byte) (*BakeFile, error) {
	root, err := parseBakeJSON(name, data)
	if err != nil {
		return nil, err
	}
	f := &BakeFile{File: name, dir: ".", groups: map[string][]string{}, targets: map[string]map[string]*bakeNode{}, data: data}
	var errs []error
	fail := func(off int64, format string, args ...any) {
		line, col := offsetPosition(data, off)
		errs = append(errs, &BakeError{File: name, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	if root.kind != 'o' {
		fail(root.offset, "the bake file must be a JSON object with \"target\" and \"group\", not %s", root.kindName())
		return nil, errors.Join(errs...)
	}
	groupRefs := map[string]int64{}       // group member -> offset (for the existence check)
	groupOffsets := map[string]int64{}    // group name -> offset
	inheritRefs := map[string][]bakeKey{} // target -> inherits entries
	for _, k := range root.keys {
		switch k.name {
		case "target":
			if k.value.kind != 'o' {
				fail(k.value.offset, "\"target\" must be an object of targets, not %s", k.value.kindName())
				continue
			}
			for _, tk := range k.value.keys {
				if !bakeNameRe.MatchString(tk.name) {
					fail(tk.offset, "target name %q: use letters, digits, '_', '-' and '.'", tk.name)
					continue
				}
				if tk.value.kind != 'o' {
					fail(tk.value.offset, "target %q must be an object, not %s", tk.name, tk.value.kindName())
					continue
				}
				fields := map[string]*bakeNode{}
				for _, fk := range tk.value.keys {
					kind, ok := bakeTargetKeys[fk.name]
					if !ok {
						fail(fk.offset, "target %q: unknown key %q (want one of %s)", tk.name, fk.name, strings.Join(sortedKeys(bakeTargetKeys), ", "))
						continue
					}
					if msg := checkBakeKind(fk.value, kind); msg != "" {
						fail(fk.value.offset, "target %q: %q must be %s", tk.name, fk.name, msg)
						continue
					}
					if verr := checkBakeValue(fk.name, fk.value); verr != nil {
						fail(verr.off, "target %q: %s: %s", tk.name, fk.name, verr.msg)
						continue
					}
					fields[fk.name] = fk.value
					if fk.name == "inherits" {
						for _, it := range fk.value.items {
							inheritRefs[tk.name] = append(inheritRefs[tk.name], bakeKey{name: it.str, offset: it.offset})
						}
					}
				}
				f.targets[tk.name] = fields
			}
		case "group":
			if k.value.kind != 'o' {
				fail(k.value.offset, "\"group\" must be an object of groups, not %s", k.value.kindName())
				continue
			}
			for _, gk := range k.value.keys {
				if !bakeNameRe.MatchString(gk.name) {
					fail(gk.offset, "group name %q: use letters, digits, '_', '-' and '.'", gk.name)
					continue
				}
				if gk.value.kind != 'o' {
					fail(gk.value.offset, "group %q must be an object with \"targets\", not %s", gk.name, gk.value.kindName())
					continue
				}
				groupOffsets[gk.name] = gk.offset
				var members []string
				for _, fk := range gk.value.keys {
					if fk.name != "targets" {
						fail(fk.offset, "group %q: unknown key %q (want targets)", gk.name, fk.name)
						continue
					}
					if msg := checkBakeKind(fk.value, 'S'); msg != "" {
						fail(fk.value.offset, "group %q: \"targets\" must be %s", gk.name, msg)
						continue
					}
					for _, it := range fk.value.items {
						members = append(members, it.str)
						if _, ok := groupRefs[it.str]; !ok {
							groupRefs[it.str] = it.offset
						}
					}
				}
				f.groups[gk.name] = members
			}
		default:
			fail(k.offset, "unknown top-level key %q (want target or group)", k.name)
		}
	}
	for name, off := range groupRefs {
		_, isT := f.targets[name]
		_, isG := f.groups[name]
		if !isT && !isG {
			fail(off, "group member %q is neither a target nor a group", name)
		}
	}
	for name := range f.targets {
		if _, ok := f.groups[name]; ok {
			// A name that is both is ambiguous for Targets(names).
			fail(groupOffsets[name], "%q is both a target and a group", name)
		}
	}
	for t, refs := range inheritRefs {
		for _, r := range refs {
			if _, ok := f.targets[r.name]; !ok {
				fail(r.offset, "target %q inherits %q, which is not a target", t, r.name)
			}
		}
		if cyc := f.inheritCycle(t, nil); cyc != nil {
			fail(refs[0].offset, "inheritance cycle: %s", strings.Join(cyc, " -> "))
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			a, b := errs[i].(*BakeError), errs[j].(*BakeError)
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		return nil, errors.Join(errs...)
	}
	return f, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := slices.Collect(maps.Keys(m))
	sort.Strings(ks)
	return ks
}

func (f *BakeFile) inheritCycle(t string, path []string) []string {
	if i := slices.Index(path, t); i >= 0 {
		return append(slices.Clone(path[i:]), t)
	}
	path = append(path, t)
	if n, ok := f.targets[t]["inherits"]; ok {
		for _, it := range n.items {
			if _, ok := f.targets[it.str]; !ok {
				continue
			}
			if c := f.inheritCycle(it.str, path); c != nil {
				return c
			}
		}
	}
	return nil
}

func checkBakeKind(n *bakeNode, kind byte) string {
	switch kind {
	case 's':
		if n.kind != 's' {
			return "a string, not " + n.kindName()
		}
	case 'b':
		if n.kind != 'b' {
			return "true or false, not " + n.kindName()
		}
	case 'S':
		if n.kind != 'a' {
			return "an array of strings, not " + n.kindName()
		}
		for _, it := range n.items {
			if it.kind != 's' {
				return "an array of strings (an element is " + it.kindName() + ")"
			}
		}
	case 'm':
		if n.kind != 'o' {
			return "an object of strings, not " + n.kindName()
		}
		for _, k := range n.keys {
			if k.value.kind != 's' {
				return fmt.Sprintf("an object of strings (%q is %s)", k.name, k.value.kindName())
			}
		}
	}
	return ""
}

type bakeValueError struct {
	off int64
	msg string
}

// checkBakeValue parses values with a grammar of their own (cache specs,
// sizes, secrets) so that mistakes are reported at their position.
func checkBakeValue(key string, n *bakeNode) *bakeValueError {
	switch key {
	case "cache-from", "cache-to":
		for _, it := range n.items {
			spec, err := ParseCacheSpec(it.str)
			if err == nil {
				if key == "cache-from" {
					err = ValidateCacheImport(spec)
				} else {
					err = ValidateCacheExport(spec, nil)
				}
			}
			if err != nil {
				return &bakeValueError{off: it.offset, msg: strings.TrimPrefix(err.Error(), "imagebuild: ")}
			}
		}
	case "max-size":
		if _, err := ParseSize(n.str); err != nil {
			return &bakeValueError{off: n.offset, msg: strings.TrimPrefix(err.Error(), "imagebuild: ")}
		}
	case "secret":
		for _, it := range n.items {
			if _, err := ParseSecret(it.str); err != nil {
				return &bakeValueError{off: it.offset, msg: strings.TrimPrefix(err.Error(), "imagebuild: ")}
			}
		}
	}
	return nil
}

// ParseSecret parses a secret in buildx syntax: "id=ID,src=FILE" or
// "id=ID,env=VAR"; with neither src nor env the secret comes from the
// environment variable named ID.
func ParseSecret(s string) (Secret, error) {
	var sec Secret
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return sec, fmt.Errorf("imagebuild: secret %q: field %q is not key=value", s, f)
		}
		switch strings.TrimSpace(k) {
		case "id":
			sec.ID = v
		case "src", "source":
			sec.File = v
		case "env":
			sec.Env = v
		case "type":
			if v != "file" && v != "env" {
				return sec, fmt.Errorf("imagebuild: secret %q: type %q (want file or env)", s, v)
			}
		default:
			return sec, fmt.Errorf("imagebuild: secret %q: unknown key %q (want id, src or env)", s, k)
		}
	}
	if sec.ID == "" {
		return sec, fmt.Errorf("imagebuild: secret %q: no id=", s)
	}
	if sec.File == "" && sec.Env == "" {
		sec.Env = sec.ID
	}
	return sec, nil
}

// TargetNames returns the names of the file's targets, sorted.
func (f *BakeFile) TargetNames() []string { return sortedKeys(f.targets) }

// GroupNames returns the names of the file's groups, sorted.
func (f *BakeFile) GroupNames() []string { return sortedKeys(f.groups) }

// Targets resolves names (targets or groups; none means the "default"
// group, or every target when there is no such group) to Targets, with
// inheritance applied and then overrides. An override is
// "TARGET.KEY=VALUE" (TARGET may be "*"), as `buildx bake --set`:
// KEY is context, dockerfile, target, tags, platforms (comma-separated),
// args.NAME, labels.NAME, contexts.NAME, cache-from, cache-to, secret,
// no-cache, push or max-size.
func (f *BakeFile) Targets(names []string, overrides []string) ([]Target, error) {
	if len(names) == 0 {
		if _, ok := f.groups["default"]; ok {
			names = []string{"default"}
		} else {
			names = f.TargetNames()
		}
	}
	var order []string
	seen := map[string]bool{}
	var expand func(n string, depth int) error
	expand = func(n string, depth int) error {
		if depth > 32 {
			return fmt.Errorf("imagebuild: %s: groups nested deeper than 32 levels (a cycle?)", f.File)
		}
		if members, ok := f.groups[n]; ok {
			for _, m := range members {
				if err := expand(m, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if _, ok := f.targets[n]; !ok {
			return fmt.Errorf("imagebuild: %s: no target or group %q (have %s)", f.File, n, strings.Join(f.TargetNames(), ", "))
		}
		if !seen[n] {
			seen[n] = true
			order = append(order, n)
		}
		return nil
	}
	for _, n := range names {
		if err := expand(n, 0); err != nil {
			return nil, err
		}
	}
	type override struct{ target, key, value string }
	var ovs []override
	for _, o := range overrides {
		lhs, v, ok := strings.Cut(o, "=")
		t, k, ok2 := strings.Cut(lhs, ".")
		if !ok || !ok2 || t == "" || k == "" {
			return nil, fmt.Errorf("imagebuild: override %q: want TARGET.KEY=VALUE", o)
		}
		if t != "*" {
			if _, ok := f.targets[t]; !ok {
				return nil, fmt.Errorf("imagebuild: override %q: no target %q", o, t)
			}
		}
		ovs = append(ovs, override{t, k, v})
	}
	var out []Target
	for _, n := range order {
		t := f.target(n)
		for _, o := range ovs {
			if o.target != "*" && o.target != n {
				continue
			}
			if err := applyBakeOverride(&t, o.key, o.value); err != nil {
				return nil, fmt.Errorf("imagebuild: override %s.%s: %w", o.target, o.key, err)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// effective returns the fields of target n with inheritance applied:
// parents first (in order), then the target's own; maps merge key by key.
func (f *BakeFile) effective(n string, depth int) map[string]any {
	out := map[string]any{}
	own := f.targets[n]
	if inh, ok := own["inherits"]; ok && depth < 32 {
		for _, it := range inh.items {
			mergeBakeFields(out, f.effective(it.str, depth+1))
		}
	}
	fields := map[string]any{}
	for k, v := range own {
		switch v.kind {
		case 's':
			fields[k] = v.str
		case 'b':
			fields[k] = v.b
		case 'a':
			var ss []string
			for _, it := range v.items {
				ss = append(ss, it.str)
			}
			fields[k] = ss
		case 'o':
			m := map[string]string{}
			for _, kv := range v.keys {
				m[kv.name] = kv.value.str
			}
			fields[k] = m
		}
	}
	mergeBakeFields(out, fields)
	return out
}

func mergeBakeFields(dst, src map[string]any) {
	for k, v := range src {
		if m, ok := v.(map[string]string); ok {
			old, _ := dst[k].(map[string]string)
			merged := maps.Clone(old)
			if merged == nil {
				merged = map[string]string{}
			}
			maps.Copy(merged, m)
			dst[k] = merged
			continue
		}
		dst[k] = v
	}
}

func (f *BakeFile) target(n string) Target {
	e := f.effective(n, 0)
	t := Target{Name: n, Context: f.dir}
	for k, v := range e {
		switch v := v.(type) {
		case string:
			_ = applyBakeOverride(&t, k, v) // validated by ParseBakeFile
		case bool:
			_ = applyBakeOverride(&t, k, strconv.FormatBool(v))
		case []string:
			switch k {
			case "tags":
				t.Tags = v
			case "platforms":
				t.Platforms = v
			case "cache-from":
				for _, s := range v {
					spec, _ := ParseCacheSpec(s)
					t.CacheFrom = append(t.CacheFrom, spec)
				}
			case "cache-to":
				for _, s := range v {
					spec, _ := ParseCacheSpec(s)
					t.CacheTo = append(t.CacheTo, spec)
				}
			case "secret":
				for _, s := range v {
					sec, _ := ParseSecret(s)
					t.Secrets = append(t.Secrets, sec)
				}
			}
		case map[string]string:
			switch k {
			case "args":
				t.BuildArgs = v
			case "labels":
				t.Labels = v
			case "contexts":
				t.NamedContexts = v
			}
		}
	}
	if c, ok := e["context"].(string); ok {
		t.Context = c
		if !filepath.IsAbs(c) {
			t.Context = filepath.Join(f.dir, c)
		}
	}
	return t
}

// applyBakeOverride sets one key of t from a string value.
func applyBakeOverride(t *Target, key, value string) error {
	if sub, name, ok := strings.Cut(key, "."); ok {
		var m *map[string]string
		switch sub {
		case "args":
			m = &t.BuildArgs
		case "labels":
			m = &t.Labels
		case "contexts":
			m = &t.NamedContexts
		default:
			return fmt.Errorf("unknown key %q", key)
		}
		*m = maps.Clone(*m)
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[name] = value
		return nil
	}
	list := func() []string {
		var out []string
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	switch key {
	case "context":
		t.Context = value
	case "dockerfile":
		t.Dockerfile = value
	case "target":
		t.Stage = value
	case "tags":
		t.Tags = list()
	case "platforms":
		t.Platforms = list()
	case "cache-from", "cache-to":
		spec, err := ParseCacheSpec(value)
		if err != nil {
			return err
		}
		if key == "cache-from" {
			t.CacheFrom = []CacheSpec{spec}
		} else {
			t.CacheTo = []CacheSpec{spec}
		}
	case "secret":
		sec, err := ParseSecret(value)
		if err != nil {
			return err
		}
		t.Secrets = []Secret{sec}
	case "no-cache", "push":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s: want true or false, got %q", key, value)
		}
		if key == "push" {
			t.Push = b
		} else {
			t.NoCache = b
		}
	case "max-size":
		n, err := ParseSize(value)
		if err != nil {
			return err
		}
		t.MaxSize = n
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

// BuildAll builds targets in parallel on the one buildkitd (as `buildx
// bake` does), so steps shared by several targets run once. The results
// are in the order of targets; a target that failed has a nil or partial
// result and its error is part of the joined error returned.
func (b *Builder) BuildAll(ctx context.Context, targets []Target) ([]*BuildResult, error) {
	results := make([]*BuildResult, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			res, err := b.Build(ctx, t)
			results[i] = res
			if err != nil {
				name := t.Name
				if name == "" {
					name = strconv.Itoa(i)
				}
				errs[i] = fmt.Errorf("target %s: %w", name, err)
			}
		})
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

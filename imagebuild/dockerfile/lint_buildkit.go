package dockerfile

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/patternmatcher"
)

// enabled reports whether an off-by-default rule was turned on.
func (l *linterRun) enabled(id string) bool {
	if !defaultOff(id) {
		return true
	}
	if _, ok := l.cfg.Severity[id]; ok {
		return true
	}
	for _, e := range l.cfg.Enable {
		if e == id {
			return true
		}
	}
	return false
}

// copyIgnoredFile is BuildKit's CopyIgnoredFile check, run here when no
// Checker is given (BuildKit runs it in its LLB converter): a COPY/ADD
// source from the context that .dockerignore excludes. Like BuildKit it
// stays silent when the patterns hold exceptions ("!..."), which cannot be
// judged statically, and for the context root unless every entry is
// excluded.
func (m *lintModel) copyIgnoredFile(cfg LintConfig) []Diagnostic {
	ctx := cfg.Context
	if ctx == nil || !ctx.HasDockerIgnore || len(ctx.DockerIgnore) == 0 {
		return nil
	}
	pm, err := patternmatcher.New(ctx.DockerIgnore)
	if err != nil || pm.Exclusions() {
		return nil
	}
	var out []Diagnostic
	for i, s := range m.stages {
		if !m.reaches(i) {
			continue // BuildKit dispatches only the target's stages
		}
		for _, c := range s.Commands {
			var srcs []string
			verb := "Copy"
			switch c := c.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				srcs = c.SourcePaths
			case *instructions.AddCommand:
				srcs, verb = c.SourcePaths, "Add"
			default:
				continue
			}
			for _, src := range srcs {
				if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
					continue
				}
				src = filepath.ToSlash(filepath.Clean(m.expandGlobal(src)))
				if src == "." || src == "/" {
					if !rootIgnored(pm) {
						continue
					}
				}
				if ok, err := pm.MatchesOrParentMatches(src); err != nil || !ok {
					continue
				}
				line := lintRangeLine(c.Location())
				out = append(out, Diagnostic{Rule: linter.RuleCopyIgnoredFile.Name, Severity: SeverityWarning,
					URL:     linter.RuleCopyIgnoredFile.URL,
					Pos:     Position{File: m.file, Line: line, Column: 1},
					Message: linter.RuleCopyIgnoredFile.Format(verb, src)})
			}
		}
	}
	return out
}

func rootIgnored(pm *patternmatcher.PatternMatcher) bool {
	for _, p := range pm.Patterns() {
		if !p.Exclusion() && (p.String() == "*" || p.String() == "**" || p.String() == "/*" || p.String() == ".") {
			return true
		}
	}
	return false
}

var fromAsRE = regexp.MustCompile(`(?i)^(\s*from\s+(?:--\S+\s+)*\S+\s+)(as)(\s+\S+)`)

// fromAsCasingFixes adds the mechanical fix to BuildKit's FromAsCasing
// warnings: write "AS" (or "as") in the casing of the FROM keyword.
func (m *lintModel) fromAsCasingFixes(ds []Diagnostic) []Diagnostic {
	for i := range ds {
		d := &ds[i]
		if d.Rule != linter.RuleFromAsCasing.Name || d.Pos.Line < 1 || d.Pos.Line > len(m.lines) || len(d.SuggestedFixes) > 0 {
			continue
		}
		text := m.lines[d.Pos.Line-1]
		loc := fromAsRE.FindStringSubmatchIndex(text)
		if loc == nil {
			continue
		}
		kw := strings.TrimSpace(text[:loc[3]])
		want := "AS"
		if strings.HasPrefix(kw, "from") {
			want = "as"
		}
		if text[loc[4]:loc[5]] == want {
			continue
		}
		p := Position{File: m.file, Line: d.Pos.Line, Column: loc[4] + 1}
		e := Position{File: m.file, Line: d.Pos.Line, Column: loc[5] + 1}
		d.SuggestedFixes = []SuggestedFix{{Message: "Write " + want + " to match the FROM keyword.", TextEdits: []TextEdit{{Pos: p, End: e, NewText: want}}}}
	}
	return ds
}

package dockerfile

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// The stage model: which stages reach the target, which of them are the
// target's own filesystem (shipped), and which paths of the others end up
// in the image through COPY --from. Every rule about the image's content
// asks it, so that a builder's cache or a test stage's files are not
// reported as the image's.

// buildStageModel fills m.need, m.shipped and m.exported.
func (m *lintModel) buildStageModel() {
	n := len(m.stages)
	m.need = make([]bool, n)
	m.shipped = make([]bool, n)
	m.exported = make([][]string, n)
	for _, i := range m.graph.Needs(m.target) {
		m.need[i] = true
	}
	for i := m.target; i >= 0; i = m.graph.Stages[i].BaseStage {
		m.shipped[i] = true
		if m.graph.Stages[i].BaseStage < 0 {
			break
		}
	}
	// Later stages first: a stage's copies are known before the stages they
	// copy from are looked at.
	for i := n - 1; i >= 0; i-- {
		if !m.need[i] {
			continue
		}
		wd := "/"
		for _, c := range m.stages[i].Commands {
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				wd = lintAbsPath(wd, m.expandGlobal(c.Path))
			case *instructions.CopyCommand:
				if c.From == "" {
					continue
				}
				j, ok := m.stageRef(c.From, i)
				if !ok {
					continue
				}
				dest := lintAbsPath(wd, m.expandGlobal(c.DestPath))
				if !m.shipped[i] && !m.exportedOverlaps(i, dest) {
					continue
				}
				for _, s := range c.SourcePaths {
					m.exported[j] = append(m.exported[j], lintAbsPath("/", m.expandGlobal(s)))
				}
			}
		}
		// What is exported from a stage is exported from its base too.
		if b := m.graph.Stages[i].BaseStage; b >= 0 && !m.shipped[i] {
			m.exported[b] = append(m.exported[b], m.exported[i]...)
		}
	}
}

func (m *lintModel) exportedOverlaps(i int, p string) bool {
	for _, e := range m.exported[i] {
		if underPath(p, e) || underPath(e, p) {
			return true
		}
	}
	return false
}

// reaches reports whether stage i is needed to build the target.
func (m *lintModel) reaches(i int) bool { return i >= 0 && i < len(m.need) && m.need[i] }

// endsUp reports whether a file at absolute path p in stage i ends up in
// the built image: the stage is the image's own filesystem, or p lies in
// a path that COPY --from brings into it.
func (m *lintModel) endsUp(i int, p string) bool {
	if i < 0 || i >= len(m.need) || !m.need[i] {
		return false
	}
	if m.shipped[i] {
		return true
	}
	p = path.Clean(p)
	for _, e := range m.exported[i] {
		if underPath(p, e) {
			return true
		}
		// COPY --from=builder / / and globs: anything may come along.
		if e == "/" || strings.ContainsAny(e, "*?[") && underPath(p, strings.SplitN(e, "*", 2)[0]) {
			return true
		}
	}
	return false
}

// underPath reports whether p is dir or lies below it (both cleaned,
// absolute, slash-separated).
func underPath(p, dir string) bool {
	p = strings.TrimSuffix(p, "/")
	dir = strings.TrimSuffix(dir, "/")
	return p == dir || dir == "" || strings.HasPrefix(p, dir+"/")
}

package dockerfile

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Stage is one build stage of a Dockerfile.
type Stage struct {
	// Index is the stage's position, from 0.
	Index int `json:"index"`
	// Name is the "AS name", "" for an unnamed stage.
	Name string `json:"name,omitempty"`
	// Base is what FROM names, as written ("${PYTHON_IMAGE}", "builder").
	Base string `json:"base"`
	// BaseRef is Base after build-arg expansion.
	BaseRef string `json:"base_ref"`
	// BaseStage is the index of the stage Base names, or -1 for an image.
	BaseStage int `json:"base_stage"`
	// Line is the 1-based line of the FROM instruction.
	Line int `json:"line"`
}

// Label is the stage's name, or "stage N" for an unnamed stage.
func (s Stage) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return "stage " + strconv.Itoa(s.Index)
}

// GraphEdgeKind says why one stage needs another.
type GraphEdgeKind string

// The kinds of stage dependencies.
const (
	GraphEdgeBase  GraphEdgeKind = "from"  // FROM <stage>
	GraphEdgeCopy  GraphEdgeKind = "copy"  // COPY --from=<stage|index>
	GraphEdgeMount GraphEdgeKind = "mount" // RUN --mount=from=<stage>
)

// GraphEdge records that stage To needs stage From.
type GraphEdge struct {
	From int           `json:"from"`
	To   int           `json:"to"`
	Kind GraphEdgeKind `json:"kind"`
	// Line is the instruction that creates the dependency.
	Line int `json:"line"`
}

// Graph is the stage dependency graph of a Dockerfile.
type Graph struct {
	Stages []Stage     `json:"stages"`
	Edges  []GraphEdge `json:"edges"`
}

// StageIndex resolves a stage name or decimal index (as COPY --from takes
// them) to an index. Names are case-insensitive, as in BuildKit.
func (g *Graph) StageIndex(nameOrIndex string) (int, bool) {
	for _, s := range g.Stages {
		if s.Name != "" && strings.EqualFold(s.Name, nameOrIndex) {
			return s.Index, true
		}
	}
	if n, err := strconv.Atoi(nameOrIndex); err == nil && n >= 0 && n < len(g.Stages) {
		return n, true
	}
	return 0, false
}

func (g *Graph) deps(i int) []int {
	var out []int
	for _, e := range g.Edges {
		if e.To == i {
			out = append(out, e.From)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Needs returns the stages target needs, itself included, in index order.
func (g *Graph) Needs(target int) []int {
	if target < 0 || target >= len(g.Stages) {
		return nil
	}
	seen := map[int]bool{}
	var walk func(int)
	walk = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		for _, d := range g.deps(i) {
			walk(d)
		}
	}
	walk(target)
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// Levels groups the stages target needs so that each stage depends only on
// stages of earlier groups: the stages of one group can build in parallel.
func (g *Graph) Levels(target int) [][]int {
	needed := g.Needs(target)
	level := map[int]int{}
	// Dependencies always have smaller indexes, so one pass in order works.
	maxLevel := 0
	for _, i := range needed {
		l := 0
		for _, d := range g.deps(i) {
			if level[d]+1 > l {
				l = level[d] + 1
			}
		}
		level[i] = l
		maxLevel = max(maxLevel, l)
	}
	if len(needed) == 0 {
		return nil
	}
	out := make([][]int, maxLevel+1)
	for _, i := range needed {
		out[level[i]] = append(out[level[i]], i)
	}
	return out
}

// Unused returns the stages target does not need.
func (g *Graph) Unused(target int) []int {
	needed := map[int]bool{}
	for _, i := range g.Needs(target) {
		needed[i] = true
	}
	var out []int
	for _, s := range g.Stages {
		if !needed[s.Index] {
			out = append(out, s.Index)
		}
	}
	return out
}

// RootImage follows FROM <stage> links back to the image stage i starts
// from and returns that stage's index.
func (g *Graph) RootImage(i int) int {
	for range len(g.Stages) {
		b := g.Stages[i].BaseStage
		if b < 0 {
			return i
		}
		i = b
	}
	return i
}

// String renders the graph for people: one line per stage with its base and
// dependencies, then the parallel build levels for the last stage.
func (g *Graph) String() string {
	var b strings.Builder
	for _, s := range g.Stages {
		fmt.Fprintf(&b, "%d %s (line %d) FROM %s", s.Index, s.Label(), s.Line, s.BaseRef)
		var deps []string
		for _, e := range g.Edges {
			if e.To == s.Index && e.Kind != GraphEdgeBase {
				deps = append(deps, fmt.Sprintf("%s %s (line %d)", e.Kind, g.Stages[e.From].Label(), e.Line))
			}
		}
		if len(deps) > 0 {
			b.WriteString(" <- " + strings.Join(deps, ", "))
		}
		b.WriteString("\n")
	}
	if len(g.Stages) == 0 {
		return b.String()
	}
	target := len(g.Stages) - 1
	for l, group := range g.Levels(target) {
		names := make([]string, len(group))
		for i, s := range group {
			names[i] = g.Stages[s].Label()
		}
		fmt.Fprintf(&b, "level %d: %s\n", l, strings.Join(names, ", "))
	}
	if unused := g.Unused(target); len(unused) > 0 {
		names := make([]string, len(unused))
		for i, s := range unused {
			names[i] = g.Stages[s].Label()
		}
		fmt.Fprintf(&b, "unused: %s\n", strings.Join(names, ", "))
	}
	return b.String()
}

package imagebuild

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// BuildCacheStats counts the build steps of one build and how many BuildKit
// answered from its cache.
type BuildCacheStats struct {
	// Steps is the number of build steps (Dockerfile instructions and
	// named-context loads) that completed.
	Steps int `json:"steps"`
	// Cached is how many of them were cache hits.
	Cached int `json:"cached"`
	// Ran names the steps that were not cache hits, in no particular order.
	Ran []string `json:"ran,omitempty"`
}

// HitRatio is Cached/Steps, in [0,1]; 0 when there were no steps.
func (s BuildCacheStats) HitRatio() float64 {
	if s.Steps == 0 {
		return 0
	}
	return float64(s.Cached) / float64(s.Steps)
}

// isBuildStep tells a Dockerfile step vertex that does work the cache can
// save ("[builder 2/4] RUN ...", "[stage-1 3/3] COPY ...") from BuildKit's
// bookkeeping vertexes ("[internal] load build definition", "[auth] ...",
// "exporting to image", "importing cache manifest from ...") and from
// base-image sources ("[1/6] FROM ...", "[context base] ..."), which a
// daemon resolves whether or not the steps after them are cached.
func isBuildStep(name string) bool {
	if !strings.HasPrefix(name, "[") {
		return false
	}
	if strings.HasPrefix(name, "[internal]") || strings.HasPrefix(name, "[auth]") || strings.HasPrefix(name, "[context ") {
		return false
	}
	_, instr, ok := strings.Cut(name, "] ")
	return ok && !strings.HasPrefix(instr, "FROM ")
}

// statusCollector accumulates what deploykit reports from the status
// stream: the final state of every vertex and the frontend's warnings.
type statusCollector struct {
	mu       sync.Mutex
	vertexes map[digest.Digest]*client.Vertex
	warnings []Diagnostic
	seen     map[string]bool
}

func newStatusCollector() *statusCollector {
	return &statusCollector{vertexes: map[digest.Digest]*client.Vertex{}, seen: map[string]bool{}}
}

func (c *statusCollector) update(s *client.SolveStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range s.Vertexes {
		cp := *v
		// A vertex answered from the cache can be updated again without
		// the flag (e.g. when its lazily imported layers are pulled for a
		// later step): once cached, it stays cached.
		if old := c.vertexes[v.Digest]; old != nil && old.Cached {
			cp.Cached = true
		}
		c.vertexes[v.Digest] = &cp
	}
	for _, w := range s.Warnings {
		d := warningDiagnostic(w)
		key := d.Rule + "\x00" + strconv.Itoa(d.Pos.Line) + "\x00" + d.Message
		if c.seen[key] {
			continue
		}
		c.seen[key] = true
		c.warnings = append(c.warnings, d)
	}
}

func (c *statusCollector) stats() BuildCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cacheStats(c.vertexes)
}

func cacheStats(vs map[digest.Digest]*client.Vertex) BuildCacheStats {
	var st BuildCacheStats
	for _, v := range vs {
		if !isBuildStep(v.Name) || (v.Completed == nil && !v.Cached) {
			continue
		}
		st.Steps++
		if v.Cached {
			st.Cached++
		} else {
			st.Ran = append(st.Ran, v.Name)
		}
	}
	return st
}

func (c *statusCollector) diagnostics() []Diagnostic {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Diagnostic(nil), c.warnings...)
}

// lintShort matches the frontend's short warning text
// "RuleName: message (line N)".
var lintShort = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*): (.*?)(?: \(line \d+\))?$`)

// warningDiagnostic turns a warning streamed by the Dockerfile frontend
// (a BuildKit build check) into a Diagnostic named after the check.
func warningDiagnostic(w *client.VertexWarning) Diagnostic {
	short := strings.TrimSpace(string(w.Short))
	d := Diagnostic{Rule: "buildkit", Severity: SeverityWarning, Message: short}
	if m := lintShort.FindStringSubmatch(short); m != nil {
		d.Rule, d.Message = m[1], m[2]
	}
	if w.SourceInfo != nil {
		d.Pos.File = w.SourceInfo.Filename
	}
	if len(w.Range) > 0 && w.Range[0].Start != nil {
		d.Pos.Line = int(w.Range[0].Start.Line)
		if ch := int(w.Range[0].Start.Character); ch > 0 {
			d.Pos.Column = ch
		}
	}
	if w.URL != "" {
		d.URL = w.URL
	}
	return d
}

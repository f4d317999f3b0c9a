package imagebuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Layer lines come from the solve itself. buildkitd records every build
// in its history with a SLSA provenance predicate (mode=max) whose
// BuildKit metadata maps each LLB step to the layers it produced
// ("layers": {"step3:0": [[descriptors]]}) and to its source locations in
// the Dockerfile ("source": {"locations": {"step3": ...}}): the frontend's
// source map of the vertices. Build reads that record after the solve and
// sets Layer.Line (and the instruction text) from it. Nothing is matched
// against history text.

// maxContinuation bounds how many continuation lines are followed.
const maxContinuation = 200

// maxProvenanceSize bounds the provenance document read from buildkitd.
const maxProvenanceSize = 64 << 20

// provenanceSLSA1 is the part of the history provenance Build reads.
type provenanceSLSA1 struct {
	RunDetails struct {
		Metadata struct {
			BuildKit buildkitProvenanceMetadata `json:"buildkit_metadata"`
		} `json:"metadata"`
	} `json:"runDetails"`
	// SLSA v0.2 layout, for records written by older buildkitd.
	Metadata struct {
		BuildKit buildkitProvenanceMetadata `json:"https://mobyproject.org/buildkit@v1#metadata"`
	} `json:"metadata"`
}

type buildkitProvenanceMetadata struct {
	Source *struct {
		Locations map[string]struct {
			Locations []struct {
				SourceIndex int `json:"sourceIndex"`
				Ranges      []struct {
					Start struct {
						Line int `json:"line"`
					} `json:"start"`
					End struct {
						Line int `json:"line"`
					} `json:"end"`
				} `json:"ranges"`
			} `json:"locations"`
		} `json:"locations"`
		Infos []struct {
			Filename string `json:"filename"`
			Language string `json:"language"`
			Data     []byte `json:"data"`
		} `json:"infos"`
	} `json:"source"`
	Layers map[string][][]ocispecs.Descriptor `json:"layers"`
}

// sourceLine is where a layer comes from.
type sourceLine struct {
	file        string
	line        int
	instruction string
}

// layerSources maps layer digests to the Dockerfile line of the step that
// produced them. A base image's layers all map to its FROM line.
func (p *provenanceSLSA1) layerSources() map[string]sourceLine {
	md := p.RunDetails.Metadata.BuildKit
	if md.Source == nil && md.Layers == nil {
		md = p.Metadata.BuildKit
	}
	if md.Source == nil || len(md.Layers) == 0 {
		return nil
	}
	stepLine := map[string]sourceLine{}
	for step, locs := range md.Source.Locations {
		for _, l := range locs.Locations {
			if len(l.Ranges) == 0 || l.Ranges[0].Start.Line <= 0 {
				continue
			}
			sl := sourceLine{line: l.Ranges[0].Start.Line}
			end := sl.line
			for _, r := range l.Ranges {
				end = max(end, r.End.Line, r.Start.Line)
			}
			if l.SourceIndex >= 0 && l.SourceIndex < len(md.Source.Infos) {
				info := md.Source.Infos[l.SourceIndex]
				sl.file = info.Filename
				sl.instruction = lineOf(info.Data, sl.line, end)
				// A continued instruction whose range names only its first line.
				for strings.HasSuffix(sl.instruction, "\\") && end < sl.line+maxContinuation {
					end++
					next := lineOf(info.Data, sl.line, end)
					if next == sl.instruction {
						break
					}
					sl.instruction = next
				}
			}
			if cur, ok := stepLine[step]; !ok || sl.line < cur.line {
				stepLine[step] = sl
			}
		}
	}
	type chain struct {
		step   string
		layers []string
	}
	var chains []chain
	for key, cs := range md.Layers {
		step, _, _ := strings.Cut(key, ":")
		if _, ok := stepLine[step]; !ok {
			continue
		}
		for _, c := range cs {
			var ds []string
			for _, d := range c {
				ds = append(ds, d.Digest.String())
			}
			if len(ds) > 0 {
				chains = append(chains, chain{step, ds})
			}
		}
	}
	// Shortest chains first: a layer belongs to the first (shallowest)
	// step whose result ends with it, and otherwise to the shallowest
	// step whose chain holds it (a base image's lower layers).
	sort.Slice(chains, func(i, j int) bool {
		if len(chains[i].layers) != len(chains[j].layers) {
			return len(chains[i].layers) < len(chains[j].layers)
		}
		return stepNumber(chains[i].step) < stepNumber(chains[j].step)
	})
	out := map[string]sourceLine{}
	for _, c := range chains {
		last := c.layers[len(c.layers)-1]
		if _, ok := out[last]; !ok {
			out[last] = stepLine[c.step]
		}
	}
	for _, c := range chains {
		for _, d := range c.layers {
			if _, ok := out[d]; !ok {
				out[d] = stepLine[c.step]
			}
		}
	}
	return out
}

func stepNumber(step string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(step, "step"))
	return n
}

// lineOf returns lines from..to (1-based) of data, joined, or "".
func lineOf(data []byte, from, to int) string {
	if len(data) == 0 || from <= 0 {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if to < from {
		to = from
	}
	if from > len(lines) {
		return ""
	}
	to = min(to, len(lines))
	return strings.TrimSpace(strings.Join(lines[from-1:to], "\n"))
}

// buildProvenance reads the history record of build ref and returns the
// provenance of its result for platform ("" for a single-platform build).
func buildProvenance(ctx context.Context, c *client.Client, ref, platform string) (*provenanceSLSA1, error) {
	stream, err := c.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{Ref: ref, EarlyExit: true})
	if err != nil {
		return nil, fmt.Errorf("build history: %w", err)
	}
	var rec *controlapi.BuildHistoryRecord
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("build history: %w", err)
		}
		if r := ev.GetRecord(); r != nil && r.GetRef() == ref {
			rec = r
		}
	}
	if rec == nil {
		return nil, fmt.Errorf("build history has no record %s (is history disabled in buildkitd.toml?)", ref)
	}
	var atts []*controlapi.Descriptor
	if platform == "" && rec.GetResult() != nil {
		atts = rec.GetResult().GetAttestations()
	}
	for k, r := range rec.GetResults() {
		if platform != "" && (k == platform || path.Clean(k) == platform) {
			atts = r.GetAttestations()
		}
	}
	if platform == "" && len(atts) == 0 && len(rec.GetResults()) == 1 {
		for _, r := range rec.GetResults() {
			atts = r.GetAttestations()
		}
	}
	store := proxy.NewContentStore(c.ContentClient())
	for _, a := range atts {
		if !strings.Contains(a.GetAnnotations()["in-toto.io/predicate-type"], "slsa.dev/provenance") {
			continue
		}
		if a.GetSize() > maxProvenanceSize {
			return nil, fmt.Errorf("provenance of %s is %d bytes, over %d", ref, a.GetSize(), maxProvenanceSize)
		}
		dt, err := content.ReadBlob(ctx, store, ocispecs.Descriptor{Digest: digest.Digest(a.GetDigest()), Size: a.GetSize(), MediaType: a.GetMediaType()})
		if err != nil {
			return nil, fmt.Errorf("provenance of %s: %w", ref, err)
		}
		var p provenanceSLSA1
		if err := json.Unmarshal(dt, &p); err != nil {
			return nil, fmt.Errorf("provenance of %s: %w", ref, err)
		}
		return &p, nil
	}
	return nil, fmt.Errorf("build %s has no provenance in its history record", ref)
}

// attributeFromSourceMap sets Line, File and Instruction of rep's layers
// from the source map of the build. It returns how many layers it named.
func attributeFromSourceMap(rep *SizeReport, sources map[string]sourceLine) int {
	n := 0
	for i := range rep.Layers {
		l := &rep.Layers[i]
		if s, ok := sources[l.Digest]; ok {
			l.Line, l.SourceFile = s.line, s.file
			if s.instruction != "" {
				l.Instruction = s.instruction
			}
			n++
		}
	}
	return n
}

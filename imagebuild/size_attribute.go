package imagebuild

import (
	"bytes"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// AttributeLayers fills in Layer.Line: for each layer, the line of the
// Dockerfile instruction whose history entry (created_by) made it. It
// matches BuildKit's history text ("RUN /bin/sh -c ... # buildkit",
// "COPY --chown=1000 . /app # buildkit") against the instructions, in
// order; layers of the base image, and instructions whose text BuildKit
// rewrote (variables expanded, a changed SHELL), stay at line 0. A
// Dockerfile that does not parse leaves every line at 0.
func AttributeLayers(r *SizeReport, dockerfile []byte) {
	res, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil || res.AST == nil {
		return
	}
	type instr struct {
		sig  string
		line int
	}
	var ins []instr
	for _, n := range res.AST.Children {
		if sig := instructionSignature(n); sig != "" {
			ins = append(ins, instr{sig: sig, line: n.StartLine})
		}
	}
	next := 0
	for i := range r.Layers {
		want := historySignature(r.Layers[i].CreatedBy)
		if want == "" {
			continue
		}
		found := -1
		for j := next; j < len(ins); j++ {
			if ins[j].sig == want {
				found = j
				break
			}
		}
		if found < 0 {
			for j := 0; j < next && j < len(ins); j++ {
				if ins[j].sig == want {
					found = j
					break
				}
			}
		}
		if found >= 0 {
			r.Layers[i].Line = ins[found].line
			next = found + 1
		}
	}
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// instructionSignature renders a RUN/COPY/ADD/WORKDIR node the way
// BuildKit writes its history entry (without " # buildkit").
func instructionSignature(n *parser.Node) string {
	kw := strings.ToUpper(n.Value)
	var args []string
	for a := n.Next; a != nil; a = a.Next {
		args = append(args, a.Value)
	}
	switch kw {
	case "RUN":
		if n.Attributes["json"] {
			return collapseSpace("RUN " + strings.Join(args, " "))
		}
		return collapseSpace("RUN /bin/sh -c " + strings.Join(args, " "))
	case "COPY", "ADD":
		parts := []string{kw}
		for _, f := range n.Flags {
			for _, keep := range []string{"--parents", "--chown=", "--chmod="} {
				if f == keep || strings.HasPrefix(f, keep) && strings.HasSuffix(keep, "=") {
					parts = append(parts, f)
				}
			}
		}
		parts = append(parts, args...)
		return collapseSpace(strings.Join(parts, " "))
	case "WORKDIR":
		return collapseSpace("WORKDIR " + strings.Join(args, " "))
	}
	return ""
}

// historySignature normalises a created_by entry for comparison.
func historySignature(createdBy string) string {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(createdBy), "# buildkit"))
	kw, rest, _ := strings.Cut(s, " ")
	if kw == "RUN" && strings.HasPrefix(rest, "|") {
		// "|2 A=1 B=2 /bin/sh -c ...": drop the build-arg prefix.
		fields := strings.Fields(rest)
		var n int
		for _, c := range fields[0][1:] {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 && n+1 <= len(fields) {
			rest = strings.Join(fields[n+1:], " ")
		}
	}
	switch kw {
	case "RUN", "COPY", "ADD", "WORKDIR":
		return collapseSpace(kw + " " + rest)
	}
	return ""
}

package imagebuild

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// ProgressMode selects how build progress is written to Target.Progress.
type ProgressMode string

// Progress modes, named as `docker buildx build --progress` names them.
const (
	// ProgressAuto is ProgressTTY when the writer is a terminal and
	// ProgressPlain otherwise. The zero value means auto.
	ProgressAuto ProgressMode = "auto"
	// ProgressTTY is BuildKit's interactive terminal display
	// (progressui's tty mode) when the writer is a terminal, and
	// ProgressPlain otherwise.
	ProgressTTY ProgressMode = "tty"
	// ProgressPlain prints one line per event: "#3 [builder 2/4] RUN ...",
	// "#3 CACHED", "#3 DONE 1.2s", log lines prefixed with the step number.
	ProgressPlain ProgressMode = "plain"
	// ProgressRawJSON writes each BuildKit status update as one JSON
	// object per line (client.SolveStatus), for machines.
	ProgressRawJSON ProgressMode = "rawjson"
	// ProgressQuiet writes nothing.
	ProgressQuiet ProgressMode = "quiet"
)

// ParseProgressMode parses "auto", "tty", "plain", "rawjson" or "quiet"
// ("" is auto).
func ParseProgressMode(s string) (ProgressMode, error) {
	switch m := ProgressMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ProgressAuto, nil
	case ProgressAuto, ProgressTTY, ProgressPlain, ProgressRawJSON, ProgressQuiet:
		return m, nil
	}
	return "", fmt.Errorf("imagebuild: unknown progress mode %q (want auto, tty, plain, rawjson or quiet)", s)
}

// progressPrinter renders status updates.
type progressPrinter interface {
	update(*client.SolveStatus)
	done()
}

func newProgressPrinter(w io.Writer, mode ProgressMode, prefix string) progressPrinter {
	if w == nil || mode == ProgressQuiet {
		return nopPrinter{}
	}
	if mode == ProgressRawJSON {
		return &jsonPrinter{enc: json.NewEncoder(w)}
	}
	// auto and tty: BuildKit's own terminal display when w is a terminal;
	// plain lines otherwise (a tty request on a non-terminal degrades to
	// plain rather than failing the build).
	if d, err := progressui.NewDisplay(w, progressui.TtyMode); err == nil {
		return newDisplayPrinter(d)
	}
	return &plainPrinter{w: w, prefix: prefix, index: map[digest.Digest]int{}, state: map[digest.Digest]struct{}{}, ended: map[digest.Digest]bool{}}
}

type nopPrinter struct{}

func (nopPrinter) update(*client.SolveStatus) {}
func (nopPrinter) done()                      {}

type jsonPrinter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (p *jsonPrinter) update(s *client.SolveStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.enc.Encode(s)
}

func (p *jsonPrinter) done() {}

type plainPrinter struct {
	w      io.Writer
	prefix string
	index  map[digest.Digest]int
	state  map[digest.Digest]struct{}
	ended  map[digest.Digest]bool
	next   int
}

func (p *plainPrinter) num(d digest.Digest) int {
	n, ok := p.index[d]
	if !ok {
		p.next++
		n = p.next
		p.index[d] = n
	}
	return n
}

func (p *plainPrinter) line(format string, args ...any) {
	_, _ = io.WriteString(p.w, p.prefix+fmt.Sprintf(format, args...)+"\n")
}

func (p *plainPrinter) update(s *client.SolveStatus) {
	for _, v := range s.Vertexes {
		_, named := p.state[v.Digest]
		if !named && v.Started == nil && !v.Cached && v.Error == "" {
			continue // not started yet: wait for the update that starts it
		}
		n := p.num(v.Digest)
		if !named {
			p.line("#%d %s", n, v.Name)
		}
		switch {
		case p.ended[v.Digest]:
		case v.Cached:
			p.line("#%d CACHED", n)
			p.ended[v.Digest] = true
		case v.Error != "":
			p.line("#%d ERROR: %s", n, v.Error)
			p.ended[v.Digest] = true
		case v.Completed != nil:
			p.ended[v.Digest] = true
			d := time.Duration(0)
			if v.Started != nil {
				d = v.Completed.Sub(*v.Started)
			}
			p.line("#%d DONE %.1fs", n, d.Seconds())
		}
		p.state[v.Digest] = struct{}{}
	}
	for _, st := range s.Statuses {
		if st.Completed != nil {
			if st.Total > 0 {
				p.line("#%d %s %s / %s done", p.num(st.Vertex), st.ID, FormatSize(st.Current), FormatSize(st.Total))
			} else {
				p.line("#%d %s done", p.num(st.Vertex), st.ID)
			}
		}
	}
	for _, l := range s.Logs {
		n := p.num(l.Vertex)
		for _, ln := range strings.Split(strings.TrimRight(string(l.Data), "\n"), "\n") {
			p.line("#%d %s", n, ln)
		}
	}
	for _, w := range s.Warnings {
		p.line("WARNING: %s", strings.TrimSpace(string(w.Short)))
	}
}

func (p *plainPrinter) done() {}

// displayPrinter feeds BuildKit's progressui display from the status
// stream.
type displayPrinter struct {
	ch   chan *client.SolveStatus
	wait chan struct{}
}

func newDisplayPrinter(d progressui.Display) *displayPrinter {
	p := &displayPrinter{ch: make(chan *client.SolveStatus, 64), wait: make(chan struct{})}
	go func() {
		defer close(p.wait)
		_, _ = d.UpdateFrom(context.Background(), p.ch)
	}()
	return p
}

func (p *displayPrinter) update(s *client.SolveStatus) { p.ch <- s }

func (p *displayPrinter) done() {
	close(p.ch)
	<-p.wait
}

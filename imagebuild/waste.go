package imagebuild

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WasteKind classifies why a path costs more bytes than the final image
// needs.
type WasteKind string

// The kinds of waste, most specific first.
const (
	// WasteCopyUp: a later layer holds the same content again, differing
	// only in owner or mode: what `RUN chown -R` or `chmod -R` after a COPY
	// does (the whole file is copied up into the new layer).
	WasteCopyUp WasteKind = "copy-up"
	// WasteDuplicate: the same content and metadata in several layers.
	WasteDuplicate WasteKind = "duplicate"
	// WasteOverwritten: a later layer replaces the file with other content.
	WasteOverwritten WasteKind = "overwritten"
	// WasteDeleted: the file is deleted by a later layer (whiteout), so
	// none of its bytes are visible in the final image.
	WasteDeleted WasteKind = "deleted"
)

// WasteFile is one path whose bytes are stored more than once, or stored
// and then deleted.
type WasteFile struct {
	Path string    `json:"path"`
	Kind WasteKind `json:"kind"`
	// Layers are the 0-based indexes of the layers holding a copy.
	Layers []int `json:"layers"`
	// CumulativeBytes is the sum of the sizes of every copy.
	CumulativeBytes int64 `json:"cumulative_bytes"`
	// SmallestBytes is the size of the smallest copy; a deletion counts as
	// a copy of size 0.
	SmallestBytes int64 `json:"smallest_bytes"`
	// ReclaimableBytes = CumulativeBytes - SmallestBytes.
	ReclaimableBytes int64 `json:"reclaimable_bytes"`
}

// WasteReport is the result of AnalyzeWaste.
type WasteReport struct {
	// TotalBytes is the sum of the sizes of all regular files in all layers.
	TotalBytes int64 `json:"total_bytes"`
	// ReclaimableBytes is Σ over paths of (cumulative − smallest copy).
	ReclaimableBytes int64 `json:"reclaimable_bytes"`
	// CopyUpBytes is the part of ReclaimableBytes due to owner/mode-only
	// copy-ups (chown/chmod after a copy).
	CopyUpBytes int64 `json:"copy_up_bytes"`
	// Efficiency is 1 − ReclaimableBytes/TotalBytes (1 for an empty image).
	Efficiency float64 `json:"efficiency"`
	// Files are the wasteful paths, most reclaimable first.
	Files []WasteFile `json:"files"`
}

type fileCopy struct {
	layer int
	f     LayerFile
}

// AnalyzeWaste finds the bytes an image stores but does not need, in the
// spirit of dive: regular files present in several layers (duplicated,
// overwritten, or copied up by chown/chmod) and files deleted by a later
// layer. Layers must be in application order with Files filled in.
//
// For each such path the reclaimable bytes are the cumulative size of all
// copies minus the smallest copy; a path absent from the final image
// (deleted after its last copy) counts a copy of size 0, so all its bytes
// are reclaimable. This is
// what rewriting the Dockerfile can save; dive's "wasted bytes" counts the
// cumulative size including the copy that must stay, and so over-counts
// (dive issue #684).
func AnalyzeWaste(layers []Layer) WasteReport {
	copies := map[string][]fileCopy{}
	deleted := map[string]int{} // path -> index of the last layer deleting it
	var total int64
	dirs := map[string]bool{} // paths that were a directory in some layer
	for i, l := range layers {
		for _, f := range l.Files {
			switch f.Type {
			case LayerFileRegular:
				total += f.Size
				copies[f.Path] = append(copies[f.Path], fileCopy{layer: i, f: f})
			case LayerFileDir:
				dirs[f.Path] = true
			case LayerFileWhiteout:
				// A whiteout deletes the path and, for a directory,
				// everything below it.
				markDeleted(copies, deleted, f.Path, i)
				if dirs[f.Path] {
					deleteUnder(copies, deleted, f.Path, i)
				}
			case LayerFileOpaque:
				deleteUnder(copies, deleted, f.Path, i)
			}
		}
	}
	rep := WasteReport{TotalBytes: total}
	for p, cs := range copies {
		delLayer, wasDeleted := deleted[p]
		gone := wasDeleted && delLayer > cs[len(cs)-1].layer
		if len(cs) < 2 && !gone {
			continue
		}
		wf := WasteFile{Path: p, SmallestBytes: -1}
		for _, c := range cs {
			wf.Layers = append(wf.Layers, c.layer)
			wf.CumulativeBytes += c.f.Size
			if wf.SmallestBytes < 0 || c.f.Size < wf.SmallestBytes {
				wf.SmallestBytes = c.f.Size
			}
		}
		if gone {
			wf.SmallestBytes = 0
		}
		wf.ReclaimableBytes = wf.CumulativeBytes - wf.SmallestBytes
		wf.Kind = wasteKind(cs, gone)
		if wf.Kind == WasteCopyUp {
			rep.CopyUpBytes += wf.ReclaimableBytes
		}
		rep.ReclaimableBytes += wf.ReclaimableBytes
		if wf.ReclaimableBytes > 0 || gone {
			rep.Files = append(rep.Files, wf)
		}
	}
	sort.Slice(rep.Files, func(i, j int) bool {
		a, b := rep.Files[i], rep.Files[j]
		if a.ReclaimableBytes != b.ReclaimableBytes {
			return a.ReclaimableBytes > b.ReclaimableBytes
		}
		return a.Path < b.Path
	})
	rep.Efficiency = 1
	if total > 0 {
		rep.Efficiency = 1 - float64(rep.ReclaimableBytes)/float64(total)
	}
	return rep
}

// markDeleted records that layer deletes path, when an earlier layer
// holds a copy of it.
func markDeleted(copies map[string][]fileCopy, deleted map[string]int, path string, layer int) {
	if cs := copies[path]; len(cs) > 0 && cs[len(cs)-1].layer < layer {
		deleted[path] = layer
	}
}

// deleteUnder records the deletion, in layer, of everything below
// directory path that earlier layers hold (a deleted or opaque directory).
// Copies made in that layer itself survive an opaque marker.
func deleteUnder(copies map[string][]fileCopy, deleted map[string]int, path string, layer int) {
	prefix := path + "/"
	if path == "" {
		prefix = ""
	}
	for p := range copies {
		if strings.HasPrefix(p, prefix) {
			markDeleted(copies, deleted, p, layer)
		}
	}
}

func wasteKind(cs []fileCopy, deleted bool) WasteKind {
	if deleted {
		return WasteDeleted
	}
	first := cs[0].f
	sameContent, sameMeta := true, true
	for _, c := range cs[1:] {
		if c.f.ContentDigest != first.ContentDigest || c.f.Size != first.Size {
			sameContent = false
		}
		if c.f.UID != first.UID || c.f.GID != first.GID || c.f.Mode != first.Mode {
			sameMeta = false
		}
	}
	switch {
	case !sameContent:
		return WasteOverwritten
	case !sameMeta:
		return WasteCopyUp
	default:
		return WasteDuplicate
	}
}

// WriteText writes the waste summary and the largest wasteful paths.
func (w WasteReport) WriteText(out io.Writer) error {
	fmt.Fprintf(out, "efficiency %.1f%%, reclaimable %s (%d bytes) of %s in files; chown/chmod copy-ups %s\n",
		w.Efficiency*100, FormatSize(w.ReclaimableBytes), w.ReclaimableBytes, FormatSize(w.TotalBytes), FormatSize(w.CopyUpBytes))
	if len(w.Files) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "reclaimable\tcopies\tkind\tpath\n")
	for i, f := range w.Files {
		if i == 20 {
			fmt.Fprintf(tw, "...\t\t\t%d more paths\n", len(w.Files)-i)
			break
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t/%s\n", FormatSize(f.ReclaimableBytes), len(f.Layers), f.Kind, f.Path)
	}
	return tw.Flush()
}

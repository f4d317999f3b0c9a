package imagebuild

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Layer is one filesystem layer of an image, in the order the image
// applies them (base first).
type Layer struct {
	// Digest is the digest of the layer blob as stored ("sha256:...").
	Digest string `json:"digest"`
	// MediaType is the blob's media type (gzip, zstd or plain tar).
	MediaType string `json:"media_type,omitempty"`
	// Size is the compressed size in bytes: what a pull transfers.
	Size int64 `json:"size"`
	// UncompressedSize is the size of the layer tar in bytes; 0 when the
	// layer was not read (SizeOptions.Files unset).
	UncompressedSize int64 `json:"uncompressed_size,omitempty"`
	// CreatedBy is the image history entry that made the layer, e.g.
	// "RUN /bin/sh -c pip install -r requirements.txt # buildkit".
	CreatedBy string `json:"created_by,omitempty"`
	// Line is the 1-based line of the Dockerfile instruction that made
	// the layer, SourceFile its file and Instruction its text, from the
	// build's source map (BuildKit's provenance of the solve: the step
	// that produced the layer and that step's source location); a base
	// image's layers carry the FROM line. 0 and "" when unknown (a report
	// read from a registry, or a buildkitd without build history).
	Line        int    `json:"line,omitempty"`
	SourceFile  string `json:"source_file,omitempty"`
	Instruction string `json:"instruction,omitempty"`
	// Files lists the layer's entries when the layer was read.
	Files []LayerFile `json:"-"`
}

// LayerFileType says what a LayerFile entry is.
type LayerFileType string

// The entry types of a layer tar that matter for size and waste.
const (
	LayerFileRegular  LayerFileType = "file"
	LayerFileDir      LayerFileType = "dir"
	LayerFileSymlink  LayerFileType = "symlink"
	LayerFileHardlink LayerFileType = "hardlink"
	LayerFileOther    LayerFileType = "other"
	// LayerFileWhiteout deletes Path from the layers below (".wh.NAME").
	LayerFileWhiteout LayerFileType = "whiteout"
	// LayerFileOpaque hides everything below directory Path in the layers
	// below (".wh..wh..opq").
	LayerFileOpaque LayerFileType = "opaque"
)

// LayerFile is one entry of a layer, with the metadata the waste analysis
// compares.
type LayerFile struct {
	// Path is slash-separated and relative to the root, without a leading
	// "/" or "./". For whiteouts it is the path deleted.
	Path string
	Type LayerFileType
	// Size is the content size in bytes (regular files only).
	Size int64
	// Mode holds the permission bits (and setuid/setgid/sticky).
	Mode int64
	UID  int
	GID  int
	// ContentDigest is the sha256 of the content of regular files ("" for
	// other entries).
	ContentDigest string
}

// SizeReport describes the size of one image: its digests, total and
// per-layer sizes, and (when the layers were read) the waste analysis.
type SizeReport struct {
	// Ref is the image reference the report is about.
	Ref string `json:"ref,omitempty"`
	// ManifestDigest and ConfigDigest identify the image: the manifest of
	// one platform, never an index.
	ManifestDigest string `json:"digest"`
	// IndexDigest is the digest of the image index (multi-platform image)
	// the manifest was picked from, and Platform the platform picked; both
	// "" for a single-platform image.
	IndexDigest  string `json:"index_digest,omitempty"`
	Platform     string `json:"platform,omitempty"`
	ConfigDigest string `json:"config_digest"`
	// Size is the sum of the compressed layer sizes in bytes.
	Size int64 `json:"size"`
	// UncompressedSize is the sum of the layer tar sizes; 0 when unknown.
	UncompressedSize int64 `json:"uncompressed_size,omitempty"`
	// Layers in application order.
	Layers []Layer `json:"layers"`
	// Waste is the waste analysis; nil unless the layers were read.
	Waste *WasteReport `json:"waste,omitempty"`
}

// AddedOnTop returns the compressed bytes the image adds on top of base:
// the sizes of its layers that do not occur in base (compared by digest,
// position-independent).
func (r SizeReport) AddedOnTop(base SizeReport) int64 {
	have := map[string]bool{}
	for _, l := range base.Layers {
		have[l.Digest] = true
	}
	var n int64
	for _, l := range r.Layers {
		if !have[l.Digest] {
			n += l.Size
		}
	}
	return n
}

// WriteText writes the report as a human-readable table.
func (r SizeReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "image\t%s\n", r.Ref)
	fmt.Fprintf(tw, "digest\t%s\n", r.ManifestDigest)
	fmt.Fprintf(tw, "size\t%s compressed", FormatSize(r.Size))
	if r.UncompressedSize > 0 {
		fmt.Fprintf(tw, ", %s uncompressed", FormatSize(r.UncompressedSize))
	}
	fmt.Fprintf(tw, " in %d layers\n\n", len(r.Layers))
	fmt.Fprintf(tw, "#\tcompressed\tuncompressed\tline\tcreated by\n")
	for i, l := range r.Layers {
		unc, line := "-", "-"
		if l.UncompressedSize > 0 {
			unc = FormatSize(l.UncompressedSize)
		}
		if l.Line > 0 {
			line = strconv.Itoa(l.Line)
		}
		what := l.CreatedBy
		if l.Instruction != "" {
			what = collapseSpaces(l.Instruction)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i+1, FormatSize(l.Size), unc, line, truncate(what, 80))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Waste != nil {
		fmt.Fprintln(w)
		return r.Waste.WriteText(w)
	}
	return nil
}

func truncate(s string, n int) string {
	s = strings.TrimSuffix(s, " # buildkit")
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// ErrSizeBudgetExceeded is returned (wrapped in a *SizeBudgetError) when an
// image is larger than its budget.
var ErrSizeBudgetExceeded = errors.New("imagebuild: image size budget exceeded")

// SizeBudgetError reports an image larger than its budget.
type SizeBudgetError struct {
	Size, Max int64
	// Platform is the platform whose image is over budget ("" for a
	// single-platform build).
	Platform string
}

func (e *SizeBudgetError) Error() string {
	what := "image"
	if e.Platform != "" {
		what = e.Platform + " image"
	}
	return fmt.Sprintf("imagebuild: %s is %s (%d bytes) compressed, over the %s (%d bytes) budget", what, FormatSize(e.Size), e.Size, FormatSize(e.Max), e.Max)
}

// Unwrap makes errors.Is(err, ErrSizeBudgetExceeded) true.
func (e *SizeBudgetError) Unwrap() error { return ErrSizeBudgetExceeded }

// CheckSizeBudget returns a *SizeBudgetError when the compressed size of
// the image is over max bytes; max <= 0 means no budget.
func CheckSizeBudget(r SizeReport, max int64) error {
	if max > 0 && r.Size > max {
		return &SizeBudgetError{Size: r.Size, Max: max}
	}
	return nil
}

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize parses a size such as "300MB", "1.5GB", "512MiB" or "1048576".
// Units are case-insensitive; kB/MB/GB/TB are decimal (as Docker displays
// sizes), KiB/MiB/GiB/TiB binary.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, fmt.Errorf("imagebuild: size %q: expected a number followed by an optional unit (B, kB, MB, GB, KiB, MiB, GiB)", s)
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("imagebuild: size %q: unknown unit %q (want B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, strings.TrimSpace(t[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("imagebuild: size %q: bad number %q", s, num)
	}
	v := f * mult
	if v > math.MaxInt64/2 || math.IsNaN(v) {
		return 0, fmt.Errorf("imagebuild: size %q is too large", s)
	}
	return int64(math.Round(v)), nil
}

// FormatSize renders n bytes with a decimal unit, e.g. "312.4MB".
func FormatSize(n int64) string {
	const unit = 1000
	if n < unit && n > -unit {
		return fmt.Sprintf("%dB", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if math.Abs(f) < unit || u == "TB" {
			return strconv.FormatFloat(f, 'f', 1, 64) + u
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

func collapseSpaces(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\\\n", " ")), " ")
}

package cdn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
)

// PurgeNote is printed with every purge: what Front Door's purge matches.
const PurgeNote = "Front Door purges match paths case-insensitively and ignore query strings; hashed names are never purged " +
	"(a new deploy gives changed files new names). A purge can take up to 10 minutes to propagate."

// PurgeChange is why a plain name is purged.
type PurgeChange string

// The reasons a plain name needs purging.
const (
	// PurgeChanged: the file's content (so its hash) changed.
	PurgeChanged PurgeChange = "changed"
	// PurgeRemoved: the file is gone; the edge may still hold it.
	PurgeRemoved PurgeChange = "removed"
)

// PurgePath is one path to purge.
type PurgePath struct {
	// Path is the URL path, e.g. "/static/css/site.css".
	Path string `json:"path"`
	// Name is the plain name in the manifest, e.g. "css/site.css".
	Name string `json:"name"`
	// Reason says why.
	Reason PurgeChange `json:"reason"`
	// Old and New are the hashed names before and after ("" when absent).
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// PurgePaths compares the previous deploy's manifest with the new one and
// returns the plain (unhashed) names whose content changed or that were
// removed, as URL paths under staticPrefix ("" means "/static/"), sorted.
// Hashed names never need purging: their content never changes under a
// name. Added names need none either: the edge cannot hold them yet.
// Paths that differ only in case are sent once, since purges are
// case-insensitive.
func PurgePaths(old, new *Manifest, staticPrefix string) []PurgePath {
	if staticPrefix == "" {
		staticPrefix = "/static/"
	}
	if !strings.HasSuffix(staticPrefix, "/") {
		staticPrefix += "/"
	}
	var out []PurgePath
	seen := map[string]bool{}
	addPath := func(p PurgePath) {
		k := strings.ToLower(p.Path)
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	for _, name := range old.Unhashed() {
		was := old.Paths[name]
		now, ok := new.Paths[name]
		switch {
		case !ok:
			addPath(PurgePath{Path: path.Join(staticPrefix, name), Name: name, Reason: PurgeRemoved, Old: was})
		case now != was:
			addPath(PurgePath{Path: path.Join(staticPrefix, name), Name: name, Reason: PurgeChanged, Old: was, New: now})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Endpoint names a Front Door endpoint.
type Endpoint struct {
	ResourceGroup, Profile, Name string
}

// Validate reports which of the names are missing.
func (e Endpoint) Validate() error {
	var missing []string
	if e.ResourceGroup == "" {
		missing = append(missing, "resource group")
	}
	if e.Profile == "" {
		missing = append(missing, "profile")
	}
	if e.Name == "" {
		missing = append(missing, "endpoint")
	}
	if len(missing) > 0 {
		return fmt.Errorf("front door endpoint: missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// PurgeOptions tunes Purge.
type PurgeOptions struct {
	// DryRun computes and returns the paths without calling Azure.
	DryRun bool
	// Domains limits the purge to these custom domains; empty means all
	// domains of the endpoint.
	Domains []string
}

// ErrNothingToPurge is returned by Purge when no path changed.
var ErrNothingToPurge = errors.New("no unhashed file changed: nothing to purge")

// Purge purges paths from the endpoint with AFDEndpointsClient.BeginPurgeContent
// and waits for the operation. With opts.DryRun it only validates.
func Purge(ctx context.Context, client *armcdn.AFDEndpointsClient, ep Endpoint, paths []PurgePath, opts PurgeOptions) error {
	if err := ep.Validate(); err != nil {
		return err
	}
	if len(paths) == 0 {
		return ErrNothingToPurge
	}
	if opts.DryRun {
		return nil
	}
	if client == nil {
		return errors.New("purge: no AFDEndpointsClient")
	}
	params := armcdn.AfdPurgeParameters{}
	for _, p := range paths {
		params.ContentPaths = append(params.ContentPaths, to.Ptr(p.Path))
	}
	for _, d := range opts.Domains {
		params.Domains = append(params.Domains, to.Ptr(d))
	}
	poller, err := client.BeginPurgeContent(ctx, ep.ResourceGroup, ep.Profile, ep.Name, params, nil)
	if err != nil {
		return fmt.Errorf("purge %d paths from %s/%s: %w", len(paths), ep.Profile, ep.Name, err)
	}
	if _, err := poller.PollUntilDone(ctx, nil); err != nil {
		return fmt.Errorf("purge %d paths from %s/%s: %w", len(paths), ep.Profile, ep.Name, err)
	}
	return nil
}

// WritePurgeText writes the paths, one per line with the reason, and the
// note on what a purge matches.
func WritePurgeText(w io.Writer, paths []PurgePath, dryRun bool) error {
	var b strings.Builder
	verb := "purging"
	if dryRun {
		verb = "would purge (dry run)"
	}
	if len(paths) == 0 {
		b.WriteString("nothing to purge: no unhashed file changed or was removed\n")
	}
	for _, p := range paths {
		switch p.Reason {
		case PurgeRemoved:
			fmt.Fprintf(&b, "%s %s  # removed (was %s)\n", verb, p.Path, p.Old)
		default:
			fmt.Fprintf(&b, "%s %s  # changed: %s -> %s\n", verb, p.Path, p.Old, p.New)
		}
	}
	b.WriteString("note: " + PurgeNote + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

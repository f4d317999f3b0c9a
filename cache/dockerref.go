package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// LayerCacheRefs names Docker layer cache locations per branch, so a
// branch build reads its own cache first and falls back to the default
// branch's, and writes only its own.
type LayerCacheRefs struct {
	// Repository is the registry repository, like
	// "myregistry.azurecr.io/minimalwave-blog".
	Repository string
	// TagPrefix starts every cache tag. Empty: "buildcache".
	TagPrefix string
	// DefaultBranch is the fallback branch. Empty: "main".
	DefaultBranch string
}

// BranchTag turns a branch name into a valid OCI tag suffix: lowercase
// [a-z0-9._-], other runs become '-', and long names are shortened with a
// hash so distinct branches keep distinct tags.
func BranchTag(branch string) string {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(branch) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' || r == '_' || r == '-'
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		s = "branch"
	}
	const max = 96
	if len(s) > max || s != strings.ToLower(branch) {
		sum := sha256.Sum256([]byte(branch))
		h := hex.EncodeToString(sum[:])[:8]
		if len(s) > max-9 {
			s = s[:max-9]
		}
		s = s + "-" + h
	}
	return s
}

func (r LayerCacheRefs) prefix() string {
	if r.TagPrefix == "" {
		return "buildcache"
	}
	return r.TagPrefix
}

func (r LayerCacheRefs) defaultBranch() string {
	if r.DefaultBranch == "" {
		return "main"
	}
	return r.DefaultBranch
}

// Ref returns the registry cache image reference for a branch.
func (r LayerCacheRefs) Ref(branch string) string {
	return fmt.Sprintf("%s:%s-%s", r.Repository, r.prefix(), BranchTag(branch))
}

// From returns the refs to read, in order: the branch's own, then the
// default branch's (once, when they differ).
func (r LayerCacheRefs) From(branch string) []string {
	own := r.Ref(branch)
	def := r.Ref(r.defaultBranch())
	if own == def {
		return []string{own}
	}
	return []string{own, def}
}

// To returns the ref to write for a branch.
func (r LayerCacheRefs) To(branch string) string { return r.Ref(branch) }

// RegistryCacheFrom renders BuildKit/buildx --cache-from values for a
// branch ("type=registry,ref=...").
func (r LayerCacheRefs) RegistryCacheFrom(branch string) []string {
	var out []string
	for _, ref := range r.From(branch) {
		out = append(out, "type=registry,ref="+ref)
	}
	return out
}

// RegistryCacheTo renders the --cache-to value for a branch
// ("type=registry,ref=...,mode=max").
func (r LayerCacheRefs) RegistryCacheTo(branch string) string {
	return "type=registry,ref=" + r.To(branch) + ",mode=max"
}

// GHAScope returns the BuildKit gha cache scope for a branch.
func (r LayerCacheRefs) GHAScope(branch string) string {
	return r.prefix() + "-" + BranchTag(branch)
}

// GHACacheFrom renders --cache-from values for the gha backend
// ("type=gha,scope=...") with the default-branch fallback.
func (r LayerCacheRefs) GHACacheFrom(branch string) []string {
	own := r.GHAScope(branch)
	def := r.GHAScope(r.defaultBranch())
	out := []string{"type=gha,scope=" + own}
	if def != own {
		out = append(out, "type=gha,scope="+def)
	}
	return out
}

// GHACacheTo renders the --cache-to value for the gha backend.
func (r LayerCacheRefs) GHACacheTo(branch string) string {
	return "type=gha,scope=" + r.GHAScope(branch) + ",mode=max"
}

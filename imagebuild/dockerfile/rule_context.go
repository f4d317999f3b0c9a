package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

// fileGroup aggregates context files under one reported name.
type fileGroup struct {
	first    string // the first file of the group, context-relative
	name     string
	what     string
	severity Severity
	files    int
	bytes    int64
}

func (g fileGroup) describe() string {
	return fmt.Sprintf("%s (%d file%s, %s)", g.name, g.files, lintPlural(g.files), report.Bytes(g.bytes))
}

func lintPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// sensitiveFile classifies a context path that may hold secrets: the group
// to report it under, what it is, and how bad.
func sensitiveFile(p string) (group, what string, sev Severity, ok bool) {
	dir, base := splitDirBase(p)
	for end := 0; end < len(dir); {
		next := strings.IndexByte(dir[end:], '/')
		seg := dir[end:]
		if next >= 0 {
			seg = dir[end : end+next]
		}
		switch seg {
		case ".git":
			return p[:end+len(seg)], "the git repository, whose history may hold removed secrets and which changes with every commit, busting the layer cache", SeverityWarning, true
		case ".ssh", ".aws", ".azure", ".gnupg", ".docker":
			return p[:end+len(seg)], "a credentials directory", SeverityError, true
		}
		if next < 0 {
			break
		}
		end += next + 1
	}
	switch {
	case strings.HasPrefix(p, ".envs/") || strings.Contains(p, "/.envs/"):
		if i := strings.Index(p, ".envs/"); i >= 0 && !isEnvTemplate(base) && !strings.HasSuffix(base, ".example") && !strings.HasSuffix(base, ".sample") {
			return p[:i+len(".envs")], "a directory of environment files (cookiecutter-django's .envs), usually production secrets", SeverityError, true
		}
	case base == ".env" || strings.HasPrefix(base, ".env.") && !isEnvTemplate(base):
		return p, "an environment file, usually full of secrets", SeverityError, true
	case strings.HasSuffix(base, ".pem"), strings.HasSuffix(base, ".key"), strings.HasSuffix(base, ".p12"),
		strings.HasSuffix(base, ".pfx"), base == "id_rsa", base == "id_dsa", base == "id_ecdsa", base == "id_ed25519":
		return p, "a private key", SeverityError, true
	case strings.HasSuffix(base, ".sqlite3"), strings.HasSuffix(base, ".sqlite"):
		return p, "a local database, with whatever data and password hashes it holds", SeverityError, true
	case base == ".pypirc", base == ".npmrc", base == ".netrc", base == "credentials.json", strings.HasSuffix(base, ".tfstate"):
		return p, "a credentials file", SeverityError, true
	}
	return "", "", "", false
}

// splitDirBase splits "a/b/c" into "a/b" and "c" without allocating.
func splitDirBase(p string) (dir, base string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

func isEnvTemplate(base string) bool {
	switch strings.TrimPrefix(base, ".env.") {
	case "example", "sample", "template", "dist", "defaults":
		return true
	}
	return false
}

// volatileFile classifies a context path that changes without source edits.
func volatileFile(p string) (group string, ok bool) {
	dir, base := splitDirBase(p)
	for end := 0; end < len(dir); {
		next := strings.IndexByte(dir[end:], '/')
		seg := dir[end:]
		if next >= 0 {
			seg = dir[end : end+next]
		}
		switch seg {
		case "__pycache__":
			return "__pycache__", true
		case ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "node_modules", ".venv", "venv", "htmlcov":
			return p[:end+len(seg)], true
		}
		if next < 0 {
			break
		}
		end += next + 1
	}
	switch {
	case strings.HasSuffix(base, ".pyc"), strings.HasSuffix(base, ".pyo"):
		return "*.pyc", true
	case strings.HasSuffix(base, ".log"):
		return "*.log", true
	case base == ".coverage":
		return ".coverage", true
	}
	return "", false
}

// contextChecks runs DK113, DK114 and DK118 on one COPY from the context.
// covered holds context paths DK101 already reported for this COPY.
func (l *linterRun) contextChecks(c *copyRec, covered []string) {
	ctx := l.cfg.Context
	if ctx == nil || len(c.files) == 0 {
		return
	}
	srcs := c.instr
	if c.whole && !ctx.HasDockerIgnore && !l.reportedNoIgnore {
		l.reportedNoIgnore = true
		l.add(RuleNoDockerIgnore, SeverityWarning, c.line, 1,
			fmt.Sprintf("the build context has no .dockerignore, so %s sends and copies everything: %d files, %s", srcs, len(c.files), report.Bytes(c.bytes)),
			"Add a .dockerignore that excludes at least .git, .venv, .env* and caches (the dockerfile generate command, or dockerfile.Generate, writes one).")
	}
	sens := map[string]*fileGroup{}
	vol := map[string]*fileGroup{}
	for _, pf := range c.placed {
		f := pf.file
		shipped := l.m.endsUp(c.stage, pf.dest)
		g, what, sev, ok := sensitiveFile(f.Path)
		if !ok {
			if data, isCfg := ctx.Manifests[f.Path]; isCfg && secretConfigNames[path.Base(f.Path)] && configHasSecrets(data) {
				g, what, sev, ok = f.Path, "a configuration file with key or password values", SeverityError, true
			}
		}
		if ok && shipped {
			fg := sens[g]
			if fg == nil {
				fg = &fileGroup{name: g, what: what, severity: sev, first: f.Path}
				sens[g] = fg
			}
			fg.files++
			fg.bytes += f.Size
			continue
		}
		if ok {
			continue // copied into a stage whose files do not ship
		}
		if g, ok := volatileFile(f.Path); ok {
			if coveredBy(f.Path, covered) {
				continue
			}
			fg := vol[g]
			if fg == nil {
				fg = &fileGroup{name: g}
				vol[g] = fg
			}
			fg.files++
			fg.bytes += f.Size
		}
	}
	for _, g := range sortedGroups(sens) {
		d := l.add(RuleSensitiveFileCopied, g.severity, c.line, 1,
			fmt.Sprintf("%s copies %s into the image: %s", srcs, g.describe(), g.what),
			sensitiveFix(g.name))
		d.Related = []Related{{Pos: Position{File: l.contextPath(g.first)}, Message: "the file, in the build context"}}
	}
	if len(vol) > 0 {
		groups := sortedGroups(vol)
		var names, entries []string
		for i, g := range groups {
			if i < 5 {
				names = append(names, g.describe())
			}
			entries = append(entries, dockerignoreEntry(g.name))
		}
		more := ""
		if len(groups) > 5 {
			more = fmt.Sprintf(" and %d more", len(groups)-5)
		}
		l.add(RuleVolatileFileCopied, SeverityWarning, c.line, 1,
			fmt.Sprintf("%s copies files that change without source edits and bust the layer cache: %s%s", srcs, strings.Join(names, ", "), more),
			"Add to .dockerignore: "+strings.Join(entries, ", "))
	}
}

func dockerignoreEntry(group string) string {
	switch group {
	case "__pycache__":
		return "**/__pycache__"
	case "*.pyc":
		return "**/*.py[cod]"
	case "*.log":
		return "**/*.log"
	}
	return group
}

func coveredBy(p string, covered []string) bool {
	for _, c := range covered {
		if p == c || strings.HasPrefix(p, c+"/") {
			return true
		}
	}
	return false
}

func sortedGroups(m map[string]*fileGroup) []*fileGroup {
	out := make([]*fileGroup, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].severity.Rank() != out[j].severity.Rank() {
			return out[i].severity.Rank() > out[j].severity.Rank()
		}
		return out[i].name < out[j].name
	})
	return out
}

// copySourceIsDir reports whether a COPY source from the context is a
// directory whose contents land in the destination.
func copySourceIsDir(ctx *ContextIndex, src string) bool {
	clean := strings.Trim(path.Clean("/"+src), "/")
	if clean == "" {
		return true
	}
	if strings.ContainsAny(clean, "*?[") {
		return false
	}
	if ctx == nil {
		return strings.HasSuffix(src, "/")
	}
	for _, f := range ctx.Under(clean) {
		if f.Path != clean {
			return true
		}
	}
	return false
}

func sensitiveFix(group string) string {
	if group == ".git" || strings.HasSuffix(group, "/.git") {
		return fmt.Sprintf("Add %q to .dockerignore; pass the commit as a build argument or label instead.", group)
	}
	return fmt.Sprintf("Add %q to .dockerignore; provide secrets at run time (App Service settings, Key Vault) or at build time with RUN --mount=type=secret.", group)
}

// contextPath names a context file for a finding: joined to the context
// directory when the index knows it.
func (l *linterRun) contextPath(rel string) string {
	if l.cfg.Context != nil && l.cfg.Context.Dir != "" {
		return path.Join(filepathToSlash(l.cfg.Context.Dir), rel)
	}
	return rel
}

var (
	secretValueRE = regexp.MustCompile(`(?im)^\s*["']?[a-z0-9_.-]*(secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|token|client[_-]?secret|dsn)[a-z0-9_]*["']?\s*[:=]\s*["']?([^\s"'#,}]{8,})`)
	placeholderRE = regexp.MustCompile(`(?i)^(\$\{?|<|%\(|\{\{|changeme|change_me|xxx|your[_-]|example|placeholder|dummy|secret$|password$|none$|null$|todo|os\.environ|env\()`)
)

// configHasSecrets reports whether a configuration file assigns a literal,
// non-placeholder value to a key-like name.
func configHasSecrets(data []byte) bool {
	for _, m := range secretValueRE.FindAllSubmatch(data, 50) {
		if !placeholderRE.Match(m[2]) {
			return true
		}
	}
	return false
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

package workflow

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

func (m *model) diag(rule string, pos, end Position, msg string, fixes ...SuggestedFix) Diagnostic {
	doc, _ := RuleByID(rule)
	if end.Line == 0 {
		end = Position{}
	}
	// Messages quote the workflow's own text; a credential written into a
	// URL there must not be repeated in a report.
	msg = redact(msg)
	for i := range fixes {
		fixes[i].Message = redact(fixes[i].Message)
	}
	return Diagnostic{Pos: pos, End: end, Rule: rule, URL: doc.HelpURI, Severity: doc.Severity, Message: msg, SuggestedFixes: fixes}
}

func (m *model) check() []Diagnostic {
	var ds []Diagnostic
	for _, j := range m.jobs {
		ds = append(ds, m.checkPushes(j)...)
		ds = append(ds, m.checkDeployImages(j)...)
		ds = append(ds, m.checkCacheRefs(j)...)
		ds = append(ds, m.checkMigrations(j)...)
		ds = append(ds, m.checkCaches(j)...)
	}
	ds = append(ds, m.checkGating()...)
	return ds
}

var userinfoRe = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/\s@'"]+@`)

// redact hides the user:password part of URLs.
// prefilteredRe is a case-insensitive regular expression every match of
// which contains one of words (in lower case): a cheap substring test
// skips the regular expression for most inputs.
type prefilteredRe struct {
	re    *regexp.Regexp
	words []string
}

func prefiltered(expr string, words ...string) prefilteredRe {
	return prefilteredRe{re: regexp.MustCompile(expr), words: words}
}

// MatchString reports whether s matches the expression.
func (p prefilteredRe) MatchString(s string) bool {
	if !hasAny(strings.ToLower(s), p.words...) {
		return false
	}
	return p.re.MatchString(s)
}

func redact(s string) string {
	if !strings.Contains(s, "@") || !strings.Contains(s, "://") {
		return s // no URL with credentials: skip the regular expression
	}
	return userinfoRe.ReplaceAllString(s, "${1}***@")
}

// ---- image references ----

// imageRef splits an image reference into repository and tag ("" when
// none); digest is true for name@sha256:...
func imageRef(ref string) (repo, tag string, digest bool) {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		return ref[:i], "", true
	}
	last := strings.LastIndexByte(ref, '/')
	if i := strings.LastIndexByte(ref, ':'); i > last {
		return ref[:i], ref[i+1:], false
	}
	return ref, "", false
}

// staticRef reports whether a reference can be judged: it has no shell
// expansion and is not one ${{ }} expression as a whole.
func staticRef(w string, dynamic bool) bool {
	if dynamic || w == "" || strings.HasPrefix(w, "-") || strings.ContainsAny(w, "$`") && !strings.Contains(w, "${{") {
		return false
	}
	if strings.HasPrefix(w, "${{") && strings.HasSuffix(w, "}}") && len(exprRe.FindAllString(w, -1)) == 1 {
		return false
	}
	return true
}

// bareName reports whether ref has no registry and no namespace, so that
// Docker resolves it to docker.io/library/ref.
func bareName(ref string) bool {
	repo, _, _ := imageRef(ref)
	return repo != "" && !strings.Contains(repo, "/") && !strings.Contains(repo, "${{") && !strings.Contains(repo, "$")
}

func (m *model) mentionsRegistryEnv() bool {
	return strings.Contains(m.text, "env.REGISTRY")
}

// checkPushes: WF001.
func (m *model) checkPushes(j *job) []Diagnostic {
	var ds []Diagnostic
	for _, s := range j.steps {
		if s.run != nil {
			for _, c := range s.run.cmds {
				var refs []word
				switch {
				case (c.name() == "docker" || c.name() == "podman") && len(c.args) > 2 && c.args[1].text == "push":
					refs = append(refs, firstOperand(c.args[2:]))
				case (c.name() == "docker" || c.name() == "podman") && len(c.args) > 3 && c.args[1].text == "image" && c.args[2].text == "push":
					refs = append(refs, firstOperand(c.args[3:]))
				case c.name() == "docker" && isBuild(c) && hasArg(c, "--push"):
					refs = append(refs, tagArgs(c)...)
				}
				for _, r := range refs {
					if r.text == "" || !staticRef(r.text, r.dynamic) || !bareName(r.text) {
						continue
					}
					ds = append(ds, m.pushDiag(j, r.text, r.pos, r.end))
				}
			}
		}
		if s.isAction("docker/build-push-action") && truthy(s.inputText("push")) {
			if v, ok := s.input("tags"); ok {
				for _, l := range m.listItems(v) {
					if staticRef(l.text, false) && bareName(l.text) {
						ds = append(ds, m.pushDiag(j, l.text, l.pos, l.end))
					}
				}
			}
		}
	}
	return ds
}

func (m *model) pushDiag(j *job, ref string, pos, end Position) Diagnostic {
	repo, _, _ := imageRef(ref)
	msg := fmt.Sprintf("%q has no registry or namespace: it is pushed to docker.io/library/%s (Docker Hub's official-images namespace), not to your registry", ref, repo)
	fix := SuggestedFix{Message: "push the full reference: REGISTRY/" + repo + ":${{ github.sha }}"}
	if m.mentionsRegistryEnv() {
		fix.Message = "prefix every tag and push of " + repo + " in this job with ${{ env.REGISTRY }}/"
		// The image must be tagged with the same full name it is pushed
		// under: edit the build's -t too.
		for _, s := range j.steps {
			if s.run == nil {
				continue
			}
			for _, c := range s.run.cmds {
				if c.name() != "docker" && c.name() != "podman" {
					continue
				}
				for _, w := range c.args[1:] {
					if r, _, _ := imageRef(w.text); r == repo && w.pos.Line > 0 {
						fix.TextEdits = append(fix.TextEdits, TextEdit{Pos: w.pos, End: w.pos, NewText: "${{ env.REGISTRY }}/"})
					}
				}
			}
		}
		if len(fix.TextEdits) == 0 {
			fix.TextEdits = []TextEdit{{Pos: pos, End: pos, NewText: "${{ env.REGISTRY }}/"}}
		}
	}
	return m.diag(RuleDockerHubLibraryPush, pos, end, msg, fix)
}

func firstOperand(ws []word) word {
	for _, w := range ws {
		if !strings.HasPrefix(w.text, "-") {
			return w
		}
	}
	return word{}
}

func isBuild(c command) bool {
	for i := 1; i < len(c.args) && i < 3; i++ {
		if c.args[i].text == "build" {
			return true
		}
	}
	return false
}

func hasArg(c command, a string) bool {
	for _, w := range c.args {
		if w.text == a {
			return true
		}
	}
	return false
}

func tagArgs(c command) []word {
	var out []word
	for i, a := range c.args {
		if (a.text == "-t" || a.text == "--tag") && i+1 < len(c.args) {
			out = append(out, c.args[i+1])
		} else if strings.HasPrefix(a.text, "--tag=") {
			w := a
			w.text = a.text[len("--tag="):]
			w.pos.Column += len("--tag=")
			out = append(out, w)
		}
	}
	return out
}

func truthy(s string) bool {
	s = strings.TrimSpace(strings.ToLower(s))
	return s == "true" || s == "yes" || s == "on" || strings.Contains(s, "${{")
}

// listItems splits an input holding a list (newline or comma separated)
// into items with positions.
func (m *model) listItems(v *actionlint.String) []valueLine {
	var out []valueLine
	for _, l := range m.valueLines(v) {
		off := 0
		for _, part := range strings.Split(l.text, ",") {
			t := strings.TrimSpace(part)
			lead := len(part) - len(strings.TrimLeft(part, " \t"))
			if t != "" {
				p := l.pos
				p.Column += off + lead
				e := p
				e.Column += len(t)
				out = append(out, valueLine{text: t, pos: p, end: e})
			}
			off += len(part) + 1
		}
	}
	return out
}

// ---- deploy steps ----

// deployImage is one image a modelled deploy step deploys.
type deployImage struct {
	ref      string
	pos, end Position
	slot     string
}

// deployKind classifies a step: "modelled" for the deploy steps the rules
// understand, "unmodelled" for steps that look like a deploy but are not
// understood, "" otherwise. why says what was recognised.
func (m *model) deployKind(s *step) (kind, why string) {
	if k, ok := m.kinds[s]; ok {
		return k[0], k[1]
	}
	kind, why = m.classify(s)
	m.kinds[s] = [2]string{kind, why}
	return kind, why
}

func (m *model) classify(s *step) (kind, why string) {
	if s.uses != "" {
		switch {
		case s.uses == "azure/webapps-deploy":
			if _, ok := s.input("images"); ok {
				return "modelled", s.uses
			}
			if _, ok := s.input("package"); ok {
				return "modelled", s.uses
			}
			if _, ok := s.input("app-name"); ok {
				// package defaults to "." (the workspace): a code deploy.
				return "modelled", s.uses
			}
			return "unmodelled", s.uses + " with neither images nor package"
		case s.inputText("script") != "" && remoteDeployRe.MatchString(s.inputText("script")):
			// A remote-exec action (ssh) whose script deploys on the host.
			return "unmodelled", "action " + s.uses + " running " + strings.TrimSpace(remoteDeployRe.FindString(s.inputText("script"))) + " on a remote host"
		case isPagesDeploy(s.uses):
			return "", ""
		case (strings.Contains(s.uses, "deploy") || s.uses == "azure/functions-action" || strings.Contains(s.uses, "heroku")) &&
			!notAppDeployNameRe.MatchString(s.uses) && !(s.a.Name != nil && notAppDeployNameRe.MatchString(s.a.Name.Value)):
			return "unmodelled", "action " + s.uses
		case stepNamedDeploy(s):
			return "unmodelled", "action " + s.uses + " in a step named " + strconvQuote(s.a.Name.Value)
		}
		return "", ""
	}
	if s.run == nil {
		return "", ""
	}
	if !s.run.modelled {
		if deployText.MatchString(s.run.src) {
			return "unmodelled", "a script in a shell deploykit does not parse"
		}
		return "", ""
	}
	kind = ""
	defer func() {
		if kind == "" && stepNamedDeploy(s) {
			kind, why = "unmodelled", "a step named "+strconvQuote(s.a.Name.Value)
		}
	}()
	for _, c := range s.run.cmds {
		k, w := commandDeployKind(c)
		if k == "modelled" {
			kind, why = k, w
		} else if k == "unmodelled" && kind == "" {
			kind, why = k, w
		}
	}
	return kind, why
}

var deployText = regexp.MustCompile(`(?i)\b(az\s+webapp\s+(deploy|up|config\s+container)|webapps-deploy|kubectl\s+apply|helm\s+upgrade|az\s+containerapp\s+(update|up|create))\b`)

// remoteDeployRe finds deploy commands in a script an action runs on another
// host (appleboy/ssh-action's script input, say).
var remoteDeployRe = regexp.MustCompile(`(?i)\b(kubectl\s+(apply|set\s+image|rollout\s+restart)|helm\s+(upgrade|install)|docker[- ]compose\s+(\S+\s+)*up\b|docker\s+stack\s+deploy|docker\s+service\s+update|systemctl\s+(restart|reload)|supervisorctl\s+restart)`)

var deployNameRe = prefiltered(`(?i)\bdeploy(s|ing)?\b`, "deploy")

// notAppDeployNameRe marks deploys that are not of the app: documentation
// sites, previews, packages published to a registry.
var notAppDeployNameRe = prefiltered(`(?i)pages|docs?\b|docs[-_]|documentation|storybook|website|\bsite\b|examples|pypi|package|npm|maven|sonatype|snapshot|netlify|surge|vercel|chart|binar|artifact`,
	"pages", "doc", "storybook", "site", "example", "pypi", "package", "npm", "maven", "sonatype", "snapshot", "netlify", "surge", "vercel", "chart", "binar", "artifact")

// testJobNameRe marks jobs that deploy to throw-away infrastructure to test
// (e2e, helm tests, benchmarks, ephemeral previews): not production deploys.
var testJobNameRe = prefiltered(`(?i)test|e2e|bench|preview|ephemeral|sandbox`, "test", "e2e", "bench", "preview", "ephemeral", "sandbox")

// stepNamedDeploy reports whether a step's name says it deploys (and not
// documentation or a package).
func stepNamedDeploy(s *step) bool {
	if s.a.Name == nil || isPagesDeploy(s.uses) {
		return false
	}
	n := s.a.Name.Value
	return deployNameRe.MatchString(n) && !notAppDeployNameRe.MatchString(n)
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

func isPagesDeploy(uses string) bool {
	return strings.Contains(uses, "pages") || strings.Contains(uses, "gh-pages") || uses == "actions/deploy-pages"
}

func commandDeployKind(c command) (string, string) {
	n := c.name()
	j := c.joined()
	switch {
	case n == "az" && len(c.args) > 2 && c.args[1].text == "webapp":
		switch sub := c.args[2].text; {
		case sub == "deploy" || sub == "up":
			return "modelled", "az webapp " + sub
		case sub == "config" && len(c.args) > 3 && c.args[3].text == "container" && c.hasSeq("set"):
			return "modelled", "az webapp config container set"
		case sub == "config" && len(c.args) > 3 && c.args[3].text == "set" && hasFlag(c, "--linux-fx-version"):
			return "modelled", "az webapp config set --linux-fx-version"
		case sub == "deployment" && c.hasSeq("source", "config-zip"):
			return "modelled", "az webapp deployment source config-zip"
		case sub == "deployment" && c.hasSeq("slot", "swap"):
			return "modelled", "az webapp deployment slot swap"
		}
	case n == "az" && len(c.args) > 2 && (c.args[1].text == "containerapp" || c.args[1].text == "functionapp") &&
		(c.hasSeq("update") || c.hasSeq("up") || c.hasSeq("deploy") || c.hasSeq("create")):
		return "unmodelled", "az " + c.args[1].text
	case n == "kubectl" && (c.hasSeq("apply") || c.hasSeq("set", "image") || c.hasSeq("rollout")):
		return "unmodelled", "kubectl"
	case n == "helm" && (c.hasSeq("upgrade") || c.hasSeq("install")):
		return "unmodelled", "helm"
	case (n == "gcloud" && c.hasSeq("deploy")) || ((n == "flyctl" || n == "fly") && c.hasSeq("deploy")) ||
		(n == "eb" && c.hasSeq("deploy")) || ((n == "serverless" || n == "sls") && c.hasSeq("deploy")) ||
		(n == "heroku" && (c.hasSeq("container:release") || c.hasSeq("releases"))):
		return "unmodelled", n + " deploy"
	case n == "git" && c.hasSeq("push") && strings.Contains(j, "heroku"):
		return "unmodelled", "git push to Heroku"
	case (n == "make" || n == "fab" || n == "invoke" || n == "cap" || n == "just") && strings.Contains(j, " deploy"):
		return "unmodelled", j
	case strings.Contains(strings.ToLower(n), "deploy") && n != "gh-deploy" && !notAppDeployNameRe.MatchString(n):
		return "unmodelled", "the script " + c.args[0].text
	case (n == "bash" || n == "sh" || n == "python" || n == "python3") && len(c.args) > 1 &&
		strings.Contains(strings.ToLower(c.args[1].text), "deploy") && !notAppDeployNameRe.MatchString(c.args[1].text):
		return "unmodelled", "the script " + c.args[1].text
	}
	return "", ""
}

func hasFlag(c command, f string) bool {
	for _, a := range c.args {
		if a.text == f || strings.HasPrefix(a.text, f+"=") {
			return true
		}
	}
	return false
}

// isDeployJob reports whether j deploys the app: a deploy step, in a job
// that is not a test of deployment (e2e, helm test, preview) and in a
// workflow that is not about documentation.
func (m *model) isDeployJob(j *job) bool {
	if d, ok := m.deploy[j]; ok {
		return d
	}
	d := m.deployJob(j)
	m.deploy[j] = d
	return d
}

func (m *model) deployJob(j *job) bool {
	name := j.id
	if j.a.Name != nil {
		name += " " + j.a.Name.Value
	}
	if testJobNameRe.MatchString(name) || notAppDeployNameRe.MatchString(name) {
		return false
	}
	if m.ast.Name != nil && (notAppDeployNameRe.MatchString(m.ast.Name.Value) || testJobNameRe.MatchString(m.ast.Name.Value)) {
		return false
	}
	for _, s := range j.steps {
		if t := m.stepText(s); hasAny(t, "minikube", "kind", "k3d") && localClusterRe.MatchString(t) {
			return false
		}
	}
	for _, s := range j.steps {
		if k, _ := m.deployKind(s); k != "" {
			return true
		}
	}
	return false
}

// deployImages lists the images a step deploys, with positions.
func (m *model) deployImages(s *step) []deployImage {
	var out []deployImage
	if s.isAction("azure/webapps-deploy") {
		slot := s.inputText("slot-name")
		if v, ok := s.input("images"); ok {
			for _, l := range m.valueLines(v) {
				out = append(out, deployImage{ref: l.text, pos: l.pos, end: l.end, slot: slot})
			}
		}
		return out
	}
	if s.run == nil {
		return nil
	}
	for _, c := range s.run.cmds {
		if c.name() != "az" || len(c.args) < 3 || c.args[1].text != "webapp" {
			continue
		}
		slot := ""
		if w, ok := c.flag("--slot", "-s"); ok {
			slot = w.text
		}
		for _, f := range []string{"--container-image-name", "--docker-custom-image-name", "--deployment-container-image-name", "-i", "-c", "--linux-fx-version"} {
			if f == "-c" && c.args[2].text != "config" {
				continue
			}
			if w, ok := c.flag(f); ok && !w.dynamic {
				ref := w.text
				if f == "--linux-fx-version" {
					if !hasPrefixFold(ref, "DOCKER|") {
						continue
					}
					ref = ref[len("DOCKER|"):]
					w.pos.Column += len("DOCKER|")
				}
				out = append(out, deployImage{ref: ref, pos: w.pos, end: w.end, slot: slot})
			}
		}
	}
	return out
}

// checkDeployImages: WF002 and WF012.
func (m *model) checkDeployImages(j *job) []Diagnostic {
	var ds []Diagnostic
	for _, s := range j.steps {
		kind, why := m.deployKind(s)
		if kind == "unmodelled" {
			ds = append(ds, m.diag(RuleDeployNotModelled, m.stepPos(s), Position{},
				fmt.Sprintf("this step looks like a deploy (%s), but deploykit cannot model it: its image tag, migrations and gating are not checked", why),
				SuggestedFix{Message: "run the deploy through az webapp / azure/webapps-deploy in the workflow, or review this step by hand"}))
		}
		for _, im := range m.deployImages(s) {
			if !staticRef(im.ref, false) {
				continue
			}
			repo, tag, digest := imageRef(im.ref)
			if digest || (tag != "" && tag != "latest") {
				continue
			}
			what := "by no tag, which means :latest"
			fix := SuggestedFix{Message: "deploy the immutable tag the build pushed: " + repo + ":${{ github.sha }}"}
			tagPos := im.end
			if tag == "latest" {
				what = "by :latest"
				tagPos.Column -= len("latest")
				fix.TextEdits = []TextEdit{{Pos: tagPos, End: im.end, NewText: "${{ github.sha }}"}}
			} else {
				fix.TextEdits = []TextEdit{{Pos: im.end, End: im.end, NewText: ":${{ github.sha }}"}}
			}
			fix.Message += " (the build step must push that tag)"
			ds = append(ds, m.diag(RuleMutableDeployTag, im.pos, im.end,
				fmt.Sprintf("deploys %s %s: a mutable tag, so the app runs whatever was pushed last and there is no previous tag to roll back to", repo, what), fix))
		}
	}
	return ds
}

// ---- build cache refs: WF003 ----

type cacheRef struct {
	ref      string
	pos, end Position
}

func (m *model) checkCacheRefs(j *job) []Diagnostic {
	var ds []Diagnostic
	for _, s := range j.steps {
		var tags []string
		var refs []cacheRef
		if s.isAction("docker/build-push-action") {
			if v, ok := s.input("tags"); ok {
				for _, l := range m.listItems(v) {
					tags = append(tags, l.text)
				}
			}
			for _, in := range []string{"cache-to", "cache-from"} {
				if v, ok := s.input(in); ok {
					for _, l := range m.valueLines(v) {
						if r, off, ok := registryCacheRef(l.text); ok {
							p := l.pos
							p.Column += off
							e := p
							e.Column += len(r)
							refs = append(refs, cacheRef{r, p, e})
						}
					}
				}
			}
		}
		if s.run != nil {
			for _, c := range s.run.cmds {
				if !(c.name() == "docker" && isBuild(c)) {
					continue
				}
				for _, t := range tagArgs(c) {
					tags = append(tags, t.text)
				}
				for i, a := range c.args {
					if (a.text == "--cache-to" || a.text == "--cache-from") && i+1 < len(c.args) {
						w := c.args[i+1]
						if r, off, ok := registryCacheRef(w.text); ok && !w.dynamic {
							p := w.pos
							p.Column += off
							e := p
							e.Column += len(r)
							refs = append(refs, cacheRef{r, p, e})
						}
					}
				}
			}
		}
		for _, r := range refs {
			crepo, _, _ := imageRef(r.ref)
			for _, t := range tags {
				trepo, _, _ := imageRef(t)
				if trepo != crepo {
					continue
				}
				fix := SuggestedFix{Message: "export the cache to a repository of its own: " + crepo + "-buildcache",
					TextEdits: []TextEdit{{Pos: Position{File: r.pos.File, Line: r.pos.Line, Column: r.pos.Column + len(crepo)},
						End: Position{File: r.pos.File, Line: r.pos.Line, Column: r.pos.Column + len(crepo)}, NewText: "-buildcache"}}}
				d := m.diag(RuleCacheRefIsImageRef, r.pos, r.end, fmt.Sprintf(
					"the build cache %s is in the image's own repository (%s): cache manifests, which cannot run, sit beside the deployable tags", r.ref, crepo), fix)
				if t == r.ref {
					d.Severity = SeverityError
					d.Message = fmt.Sprintf("the build cache is exported to %s, the very tag the image is pushed to: the cache manifest overwrites the image", r.ref)
				}
				ds = append(ds, d)
				break
			}
		}
	}
	return ds
}

// registryCacheRef finds ref=... in a type=registry cache spec and returns
// the ref and its byte offset in spec.
func registryCacheRef(spec string) (string, int, bool) {
	if !strings.Contains(spec, "type=registry") {
		return "", 0, false
	}
	off := 0
	for _, kv := range strings.Split(spec, ",") {
		t := strings.TrimLeft(kv, " ")
		lead := len(kv) - len(t)
		if strings.HasPrefix(t, "ref=") {
			r := strings.TrimSpace(t[len("ref="):])
			return r, off + lead + len("ref="), r != ""
		}
		off += len(kv) + 1
	}
	return "", 0, false
}

// ---- migrations: WF004, WF005 ----

var migrateApply = regexp.MustCompile(`(?i)(manage\.py\s+migrate|django-admin\s+migrate|alembic\s+upgrade|flask\s+db\s+upgrade)\b`)
var migrateDryRun = regexp.MustCompile(`(?i)(manage\.py|django-admin)\s+migrate\b[^\n;&|]*(--check|--plan|--list)`)
var migrateCheckText = regexp.MustCompile(`(?i)(makemigrations\s[^\n]*--check|migrate\s[^\n]*--(check|plan)\b|sqlmigrate|check_migrations|lintmigrations|django-migration-linter|squawk|migratecheck|migrate-check|deploykit\s+migrate|alembic\s+check)`)

// hasAny is a cheap filter before the case-insensitive regular expressions:
// text must be lower case.
func hasAny(text string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

func appliesMigrations(text string) bool {
	if !hasAny(strings.ToLower(text), "migrate", "upgrade") || !migrateApply.MatchString(text) {
		return false
	}
	// Every occurrence is a dry run?
	return len(migrateApply.FindAllString(text, -1)) > len(migrateDryRun.FindAllString(text, -1))
}

// stepText is what a step runs, for pattern checks: its commands (comments
// and quoting gone) when the script was parsed, the raw script otherwise,
// and the action with its inputs for uses: steps.
func (m *model) stepText(s *step) string {
	if t, ok := m.texts[s]; ok {
		return t
	}
	t := strings.ToLower(m.rawStepText(s))
	m.texts[s] = t
	return t
}

func (m *model) rawStepText(s *step) string {
	if s.run != nil {
		if !s.run.modelled {
			return s.run.src
		}
		var b strings.Builder
		for _, c := range s.run.cmds {
			b.WriteString(c.joined())
			b.WriteByte('\n')
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString(s.uses)
	for _, in := range s.inputs {
		if in != nil && in.Value != nil {
			b.WriteString(" " + in.Value.Value)
		}
	}
	return b.String()
}

func (m *model) checkMigrations(j *job) []Diagnostic {
	var ds []Diagnostic
	deployJob := m.isDeployJob(j)
	deployedSlots := map[string]bool{}
	for i, s := range j.steps {
		for _, im := range m.deployImages(s) {
			deployedSlots[im.slot] = true
		}
		if s.run == nil || !appliesMigrations(s.run.src) {
			continue
		}
		remote := false
		for _, c := range s.run.cmds {
			inApp := c.name() == "az" && len(c.args) > 2 && ((c.args[1].text == "webapp" && c.args[2].text == "ssh") ||
				(c.args[1].text == "containerapp" && c.args[2].text == "exec"))
			if !inApp || !appliesMigrations(c.joined()) {
				continue
			}
			remote = true
			if w, ok := c.flag("--slot", "-s"); ok && deployedSlots[w.text] && w.text != "" {
				continue // the slot already runs the new image
			}
			end := c.args[len(c.args)-1].end
			ds = append(ds, m.diag(RuleMigrateInRunningApp, c.args[0].pos, end,
				"migrations run inside the running app ("+strings.Join([]string{c.args[0].text, c.args[1].text, c.args[2].text}, " ")+"): that is the previous release's image, which does not contain this commit's migrations",
				SuggestedFix{Message: "run them from the new image, e.g. docker run --rm -e DATABASE_URL IMAGE:${{ github.sha }} python manage.py migrate --noinput, after the migrate-check job and before the swap"}))
		}
		targetsDeployed := deployJob || remote || (j.a.Environment != nil) || strings.Contains(m.envText(s, j), "secrets.") ||
			m.sharesDeployHost(j)
		if !targetsDeployed {
			continue
		}
		if m.checkedBefore(j, i) {
			continue
		}
		ds = append(ds, m.diag(RuleMigrateUnchecked, m.stepPos(s), Position{},
			"migrations are applied to the deployed database with no migration safety check anywhere before this step (in this job or a job it needs)",
			SuggestedFix{Message: "add a migrate-check job (makemigrations --check, a risk gate over sqlmigrate) and make this job need it"}))
	}
	return ds
}

// selfHosted reports whether j runs on a self-hosted runner: a persistent
// machine, whose configuration (and database) outlives the job.
func selfHosted(j *job) bool {
	if j.a.RunsOn == nil {
		return false
	}
	for _, l := range j.a.RunsOn.Labels {
		if l != nil && strings.EqualFold(strings.TrimSpace(l.Value), "self-hosted") {
			return true
		}
	}
	return false
}

// sharesDeployHost reports whether j runs on a self-hosted runner and a job
// of the workflow deploys from a self-hosted runner too: the database j
// migrates is then the one the deploy serves.
func (m *model) sharesDeployHost(j *job) bool {
	if !selfHosted(j) {
		return false
	}
	for _, d := range m.jobs {
		if selfHosted(d) && m.isDeployJob(d) {
			return true
		}
	}
	return false
}

func isMigrationCheck(lower string) bool {
	return hasAny(lower, "migrat", "squawk", "deploykit") && migrateCheckText.MatchString(lower)
}

func isTestText(lower string) bool {
	return hasAny(lower, "test", "tox", "nox", "coverage") && testCmdRe.MatchString(lower)
}

func isLintText(lower string) bool {
	return hasAny(lower, "flake8", "ruff", "black", "isort", "pylint", "mypy", "pre-commit", "lint", "pyright") && lintCmdRe.MatchString(lower)
}

func (m *model) envText(s *step, j *job) string {
	var b strings.Builder
	for _, e := range []*actionlint.Env{s.a.Env, j.a.Env, m.ast.Env} {
		if e == nil {
			continue
		}
		for _, v := range e.Vars {
			if v != nil && v.Value != nil {
				b.WriteString(v.Value.Value + " ")
			}
		}
	}
	return b.String()
}

// checkedBefore reports whether a migration check runs before step i of j:
// earlier in j, or in a job j needs (transitively).
func (m *model) checkedBefore(j *job, i int) bool {
	for _, s := range j.steps[:i+1] {
		if isMigrationCheck(m.stepText(s)) {
			return true
		}
	}
	for id := range m.ancestors(j) {
		if a := m.byID[id]; a != nil {
			if migrateCheckText.MatchString(strings.ToLower(a.id)) {
				return true
			}
			for _, s := range a.steps {
				if isMigrationCheck(m.stepText(s)) {
					return true
				}
			}
		}
	}
	return false
}

// ---- caches: WF006 to WF010 ----

var hashFilesRe = regexp.MustCompile(`hashFiles\(([^)]*)\)`)
var lockfileRe = regexp.MustCompile(`(?i)(\.lock\b|requirements|constraints|pyproject\.toml|setup\.py|setup\.cfg|package-lock\.json|pnpm-lock|Pipfile|\.txt\b)`)
var pythonRe = regexp.MustCompile(`(?i)(python|py-?\d|py\$\{\{|\bcp3\d|\b3\.\d{1,2}\b|matrix\.py\b)`)
var exactInterpRe = regexp.MustCompile(`(?i)(steps\.[\w-]+\.outputs\.python-(version|path)|env\.pythonlocation)`)
var osRe = regexp.MustCompile(`(?i)(runner\.os|matrix\.os|matrix\.platform|matrix\.runner|runs-on|imageos|inputs\.os|\blinux\b|\bubuntu|\bwindows\b|\bmacos\b)`)

// isVenvPath reports whether cached path p holds files bound to one Python
// interpreter: the interpreter's own tree, or a venv (or pip --target tree)
// that one of job j's installers writes there. A path merely named like a
// venv that nothing in the job writes to (caching ~/.venv while Poetry puts
// its venvs in ~/.cache/pypoetry/virtualenvs) holds none.
func (m *model) isVenvPath(j *job, p string) bool {
	lp := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(p), "/"))
	if strings.HasPrefix(lp, "!") || lp == "" {
		return false
	}
	if strings.Contains(lp, "site-packages") || strings.Contains(lp, "pythonlocation") {
		return true
	}
	l := m.layout(j)
	base := lp[strings.LastIndexByte(lp, '/')+1:]
	switch {
	case base == ".venv" || base == "venv" || base == ".virtualenv" || base == ".tox" || base == ".nox" ||
		strings.Contains(lp, "virtualenvs") || base == "pypoetry":
		return l.holds(p)
	}
	// A venv or pip --target tree the job creates, or its parent (~/.local
	// holds snok's ~/.local/venv).
	if np := normPath(p, ""); np != "" && np != "~" && np != "/" && !l.unknown {
		for _, d := range l.dirs {
			if d == np || strings.HasPrefix(d, np+"/") {
				return true
			}
		}
	}
	return false
}

func (m *model) isDepPath(j *job, p string) bool {
	if m.isVenvPath(j, p) {
		return true
	}
	lp := strings.ToLower(p)
	for _, k := range []string{".cache/pip", "pypoetry", ".cache/uv", "pipenv", "pip-cache", "pip_cache", "appdata/local/pip", "library/caches/pip", "uv-cache", "pip-dir"} {
		if strings.Contains(lp, k) {
			return true
		}
	}
	return false
}

// opaqueKey reports whether a key holds an expression whose value the
// rules cannot see and that may carry what they look for (a hash, the OS):
// needs.*, inputs.*, vars.*, env.* or a step output other than
// setup-python's.
func opaqueKey(key string) bool {
	for _, e := range exprRe.FindAllString(key, -1) {
		x := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(e, "${{"), "}}")))
		switch {
		case strings.HasPrefix(x, "needs.") || strings.HasPrefix(x, "inputs.") || strings.HasPrefix(x, "vars.") ||
			strings.HasPrefix(x, "format(") || strings.HasPrefix(x, "join("):
			return true
		case strings.HasPrefix(x, "env.") && x != "env.pythonlocation":
			return true
		case strings.HasPrefix(x, "steps.") && !exactInterpRe.MatchString(x):
			return true
		}
	}
	return false
}

var matrixRefRe = regexp.MustCompile(`matrix\.[A-Za-z0-9_-]+`)

// keyHasRunnerMatrix reports whether key uses the matrix value that picks
// the job's runner (runs-on: ${{ matrix.image }} and a key with
// matrix.image): that names the OS as well as runner.os does.
func keyHasRunnerMatrix(j *job, key string) bool {
	if j.a.RunsOn == nil {
		return false
	}
	var exprs []string
	if j.a.RunsOn.LabelsExpr != nil {
		exprs = append(exprs, j.a.RunsOn.LabelsExpr.Value)
	}
	for _, l := range j.a.RunsOn.Labels {
		if l != nil {
			exprs = append(exprs, l.Value)
		}
	}
	for _, e := range exprs {
		for _, ref := range matrixRefRe.FindAllString(e, -1) {
			if strings.Contains(key, ref) {
				return true
			}
		}
	}
	return false
}

// osVaries reports whether job j can run on more than one operating system:
// its runs-on is an expression (a matrix of runners, an input).
func osVaries(j *job) bool {
	if j.a.RunsOn == nil {
		return false
	}
	if j.a.RunsOn.LabelsExpr != nil {
		return true
	}
	for _, l := range j.a.RunsOn.Labels {
		if l != nil && strings.Contains(l.Value, "${{") {
			return true
		}
	}
	return false
}

// pureExpr reports whether s is one ${{ }} expression that deploykit cannot
// see into (a key computed by an earlier step, say).
func pureExpr(s string) bool {
	s = strings.TrimSpace(s)
	ms := exprRe.FindAllStringIndex(s, -1)
	if len(ms) != 1 || ms[0][0] != 0 || ms[0][1] != len(s) {
		return false
	}
	return !strings.Contains(s, "hashFiles") && !strings.Contains(s, "runner.os")
}

func (m *model) pythonExprFor(j *job, before int) string {
	for _, s := range j.steps[:before] {
		if s.isAction("actions/setup-python") && s.a.ID != nil && s.a.ID.Value != "" {
			return "steps." + s.a.ID.Value + ".outputs.python-version"
		}
	}
	if j.a.Strategy != nil && j.a.Strategy.Matrix != nil && j.a.Strategy.Matrix.Rows != nil {
		if _, ok := j.a.Strategy.Matrix.Rows["python-version"]; ok {
			return "matrix.python-version"
		}
	}
	return ""
}

func (m *model) lockfileFor(j *job) string {
	for _, s := range j.steps {
		if s.run == nil {
			continue
		}
		for _, c := range s.run.cmds {
			switch {
			case c.name() == "poetry" && (c.hasSeq("install") || c.hasSeq("sync")):
				return "poetry.lock"
			case c.name() == "uv" && c.hasSeq("sync"):
				return "uv.lock"
			case c.name() == "pipenv":
				return "Pipfile.lock"
			case strings.HasPrefix(c.name(), "pip") || (c.name() == "python" || c.name() == "python3") && c.hasSeq("pip", "install"):
				if w, ok := c.flag("-r", "--requirement"); ok && !w.dynamic && !strings.Contains(w.text, "${{") {
					return w.text
				}
			}
		}
	}
	return ""
}

func (m *model) checkCaches(j *job) []Diagnostic {
	var ds []Diagnostic
	for i, s := range j.steps {
		if !s.isAction("actions/cache", "actions/cache/restore", "actions/cache/save") {
			continue
		}
		key, ok := s.input("key")
		if !ok || pureExpr(key.Value) {
			continue
		}
		var paths []valueLine
		if p, ok := s.input("path"); ok {
			paths = m.valueLines(p)
		}
		venv, dep, pinned := false, false, false
		for _, p := range paths {
			venv = venv || m.isVenvPath(j, p.text)
			dep = dep || m.isDepPath(j, p.text)
			// actions/cache versions a cache by its paths: a path under
			// the interpreter's own location restores only for that
			// exact interpreter, whatever the key says.
			pinned = pinned || (m.isVenvPath(j, p.text) && exactInterpRe.MatchString(p.text))
		}
		if pinned {
			venv = false
		}
		restore, hasRestore := s.input("restore-keys")
		var rlines []valueLine
		if hasRestore {
			rlines = m.valueLines(restore)
		}
		keyPos := m.posOf(key, 0)
		keyEnd := m.posOf(key, len(strings.TrimRight(key.Value, " \t\r\n")))
		pyExpr := m.pythonExprFor(j, i)

		// The key fixes of WF008 and WF006 insert at the same place, so
		// both carry the same combined edit per string (ApplyEdits applies
		// identical edits once).
		keyHasPy := pythonRe.MatchString(key.Value)
		fixPy := venv && !keyHasPy && pyExpr != ""
		fixOS := !osRe.MatchString(key.Value) && !keyHasRunnerMatrix(j, key.Value)
		prefixEdits := func() []TextEdit {
			var es []TextEdit
			if e, ok := prefixEdit(key.Value, keyPos, fixOS, fixPy, pyExpr); ok {
				es = append(es, e)
			}
			for _, r := range rlines {
				if e, ok := prefixEdit(r.text, r.pos, fixOS && !osRe.MatchString(r.text), fixPy && !pythonRe.MatchString(r.text), pyExpr); ok {
					es = append(es, e)
				}
			}
			return es
		}

		opaque := opaqueKey(key.Value)
		// WF008: no runner.os.
		if fixOS && !opaque {
			fix := SuggestedFix{Message: "start the key and every restore-key with ${{ runner.os }}-", TextEdits: prefixEdits()}
			d := m.diag(RuleCacheKeyNoRunnerOS, keyPos, keyEnd,
				"the cache key does not contain runner.os: this job's runner is chosen by an expression, and a cache saved on one operating system can be restored on another", fix)
			if !osVaries(j) {
				d.Severity = SeverityInfo
				d.Message = "the cache key does not contain runner.os: this job runs on one OS today, but another job or workflow on another OS saving under the same key would be restored here"
			}
			ds = append(ds, d)
		}
		// WF009: dependency cache without the lockfile hash.
		if dep && !opaque && !hasLockHash(key.Value) {
			fix := SuggestedFix{Message: "end the key with the lockfile's hash, e.g. -${{ hashFiles('poetry.lock') }}"}
			if lf := m.lockfileFor(j); lf != "" {
				fix.Message = "end the key with -${{ hashFiles('" + lf + "') }}"
				fix.TextEdits = []TextEdit{{Pos: keyEnd, End: keyEnd, NewText: "-${{ hashFiles('" + lf + "') }}"}}
			}
			d := m.diag(RuleCacheKeyNoLockfileHash, keyPos, keyEnd,
				"the dependency cache key does not hash a lockfile: the installed packages it restores stay the same after the dependencies change", fix)
			if !venv && !pinned {
				// A download cache (pip, Poetry, uv) only grows stale.
				d.Severity = SeverityInfo
				d.Message = "the download cache key does not hash a lockfile: it is never refreshed after the dependencies change (stale, growing, but not wrong)"
			}
			ds = append(ds, d)
		}
		if !venv {
			continue
		}
		// WF006: venv key without the Python version.
		if !keyHasPy {
			fix := SuggestedFix{Message: "put the interpreter version in the key: add actions/setup-python with id: setup-python and use -py${{ steps.setup-python.outputs.python-version }}"}
			if fixPy {
				fix.Message = "put ${{ " + pyExpr + " }} in the key and in every restore-key"
				fix.TextEdits = prefixEdits()
			}
			ds = append(ds, m.diag(RuleVenvKeyNoPython, keyPos, keyEnd,
				"this cache holds a virtualenv, but its key omits the Python version the venv is bound to: a venv built for another interpreter is restored", fix))
		}
		// WF010: restore-keys that can cross Python versions.
		for _, r := range rlines {
			if pythonRe.MatchString(r.text) {
				continue
			}
			fix := SuggestedFix{Message: "keep the Python version segment in every restore-key of a venv cache, or drop restore-keys"}
			if keyHasPy {
				if prefix := pyPrefix(key.Value); prefix != "" {
					fix.Message = "restore only venvs of this Python: " + prefix
					fix.TextEdits = []TextEdit{{Pos: r.pos, End: r.end, NewText: prefix}}
				}
			}
			ds = append(ds, m.diag(RuleRestoreKeysCrossPython, r.pos, r.end,
				fmt.Sprintf("restore-key %q has no Python version: by prefix match it restores a venv saved by any interpreter", r.text), fix))
		}
		// WF007: the restored venv is used with no interpreter check.
		exact := exactInterpRe.MatchString(key.Value)
		for _, r := range rlines {
			exact = exact && exactInterpRe.MatchString(r.text)
		}
		if exact || s.isAction("actions/cache/save") {
			continue
		}
		if w, ok := m.installWithoutCheck(j, i); ok {
			ds = append(ds, m.diag(RuleVenvNoInterpreterCheck, w.pos, w.end,
				fmt.Sprintf("%q reuses the virtualenv restored from the cache with no check that its interpreter is the job's Python", w.text),
				SuggestedFix{Message: "check or pin the interpreter first: '.venv/bin/python -c \"import sys\" || rm -rf .venv' then 'poetry env use \"$(which python)\"', or key the cache on steps.<setup-python>.outputs.python-version with no looser restore-keys"}))
		}
	}
	return ds
}

func hasLockHash(key string) bool {
	for _, mm := range hashFilesRe.FindAllStringSubmatch(key, -1) {
		if lockfileRe.MatchString(mm[1]) {
			return true
		}
	}
	return false
}

// prefixEdit is the one edit that adds what a key (or restore-key) lacks at
// its start: ${{ runner.os }}- when os, the Python expression when py
// (after a leading ${{ runner.os }} if the key has one).
func prefixEdit(key string, pos Position, os, py bool, expr string) (TextEdit, bool) {
	pyPart := "py${{ " + expr + " }}-"
	lead := "${{ runner.os }}"
	switch {
	case os && py:
		return TextEdit{Pos: pos, End: pos, NewText: lead + "-" + pyPart}, true
	case os:
		return TextEdit{Pos: pos, End: pos, NewText: lead + "-"}, true
	case py && strings.HasPrefix(key, lead):
		p := pos
		p.Column += len(lead)
		return TextEdit{Pos: p, End: p, NewText: "-" + strings.TrimSuffix(pyPart, "-")}, true
	case py:
		return TextEdit{Pos: pos, End: pos, NewText: pyPart}, true
	}
	return TextEdit{}, false
}

// pyPrefix is the key up to and including its Python version segment, and
// the separator after it.
func pyPrefix(key string) string {
	loc := pythonRe.FindStringIndex(key)
	if loc == nil {
		return ""
	}
	end := loc[1]
	if i := strings.Index(key[loc[0]:], "}}"); i >= 0 && strings.Contains(key[:loc[0]], "${{") &&
		strings.LastIndex(key[:loc[0]], "${{") > strings.LastIndex(key[:loc[0]], "}}") {
		end = loc[0] + i + 2
	}
	for end < len(key) && key[end] != '-' && key[end] != '$' && key[end] != '_' {
		end++
	}
	if end < len(key) && (key[end] == '-' || key[end] == '_') {
		end++
	}
	return key[:end]
}

var installRe = regexp.MustCompile(`(?i)\b(poetry\s+(install|sync)|pipenv\s+(install|sync)|pdm\s+(install|sync)|pip3?\s+install|python3?\s+-m\s+pip\s+install)\b`)
var interpCheckRe = regexp.MustCompile(`(?i)(poetry\s+env\s+(use|info|remove)|uv\s+venv|-m\s+venv\s+--clear|virtualenv\s+--clear|rm\s+-r?f\S*\s+\S*\.?venv|(\.venv|venv)/bin/python3?\s+(-c|--version|-V)|pyvenv\.cfg)`)

// installWithoutCheck finds the first install command after cache step i
// that no interpreter check precedes.
func (m *model) installWithoutCheck(j *job, i int) (word, bool) {
	for _, s := range j.steps[i+1:] {
		if s.run == nil {
			continue
		}
		if interpCheckRe.MatchString(s.run.src) {
			return word{}, false
		}
		if !installRe.MatchString(s.run.src) {
			continue
		}
		for _, c := range s.run.cmds {
			if installRe.MatchString(c.joined()) && len(c.args) > 0 {
				return word{text: c.joined(), pos: c.args[0].pos, end: c.args[len(c.args)-1].end}, true
			}
		}
		return word{text: strings.TrimSpace(installRe.FindString(s.run.src)), pos: m.stepPos(s)}, true
	}
	return word{}, false
}

// ---- gating: WF011 ----

var testCmdRe = regexp.MustCompile(`(?i)(\bpytest\b|manage\.py\s+test\b|\btox\b|\bnox\b|-m\s+unittest|\bmake\s+test|coverage\s+run|\bnpm\s+(run\s+)?test)`)
var lintCmdRe = regexp.MustCompile(`(?i)(\bflake8\b|\bruff\b|black\s+(--check|\.)|isort\s|\bpylint\b|\bmypy\b|pre-commit|\bmake\s+lint|\bpyright\b)`)
var testIDRe = regexp.MustCompile(`(?i)(^|[-_ ])(tests?|pytest|unit|ci)([-_ ]|$)|^test`)
var lintIDRe = prefiltered(`(?i)lint|pre-commit|style|quality`, "lint", "pre-commit", "style", "quality")

func (m *model) jobRole(j *job) (test, lint bool) {
	if r, ok := m.roles[j]; ok {
		return r[0], r[1]
	}
	test, lint = m.role(j)
	m.roles[j] = [2]bool{test, lint}
	return test, lint
}

var testStepNameRe = prefiltered(`(?i)\b(unit |integration )?tests?\b|pytest`, "test")
var lintStepNameRe = prefiltered(`(?i)\blint(ers?|ing)?\b|\bflake8\b|\bruff\b`, "lint", "flake8", "ruff")

// stepSaysTest and stepSaysLint read a step's name: "Run tests" runs the
// tests whatever the command (bundle exec rake, make check).
// The name is believed only when the step runs something that can be a test
// runner (an action, a task runner, a script): a step named "Run tests" that
// runs "manage.py check --deploy" does not test.
func stepSaysTest(s *step) bool {
	return s.a.Name != nil && testStepNameRe.MatchString(s.a.Name.Value) && runsTaskRunner(s)
}
func stepSaysLint(s *step) bool {
	return s.a.Name != nil && lintStepNameRe.MatchString(s.a.Name.Value) && runsTaskRunner(s)
}

var taskRunners = map[string]bool{"rake": true, "make": true, "npm": true, "yarn": true, "pnpm": true, "bundle": true,
	"just": true, "task": true, "invoke": true, "gradle": true, "gradlew": true, "mvn": true, "go": true, "cargo": true,
	"dotnet": true, "bash": true, "sh": true, "docker": true, "docker-compose": true, "hatch": true, "pdm": true}

func runsTaskRunner(s *step) bool {
	if s.uses != "" || s.run == nil || !s.run.modelled {
		return true
	}
	for _, c := range s.run.cmds {
		n := c.name()
		if taskRunners[n] || strings.HasPrefix(c.args[0].text, "./") || strings.HasSuffix(n, ".sh") {
			return true
		}
	}
	return false
}

// localClusterRe marks jobs that deploy into a cluster they create
// themselves: end-to-end tests, not a deploy.
var localClusterRe = regexp.MustCompile(`(?i)\bminikube\b|kind\s+create\s+cluster|\bk3d\b|helm/kind-action|setup-minikube|k3d-action`)

func (m *model) role(j *job) (test, lint bool) {
	name := j.id
	if j.a.Name != nil {
		name += " " + j.a.Name.Value
	}
	test = testIDRe.MatchString(j.id) || (j.a.Name != nil && testIDRe.MatchString(j.a.Name.Value))
	lint = lintIDRe.MatchString(name)
	for _, s := range j.steps {
		t := m.stepText(s)
		test = test || isTestText(t) || stepSaysTest(s)
		lint = lint || isLintText(t) || stepSaysLint(s) || strings.Contains(s.uses, "ruff") || strings.Contains(s.uses, "pre-commit") || s.uses == "psf/black"
	}
	return test, lint
}

func (m *model) ancestors(j *job) map[string]bool {
	seen := map[string]bool{}
	var walk func(*job)
	walk = func(x *job) {
		for _, n := range x.needs {
			if !seen[n] {
				seen[n] = true
				if y := m.byID[n]; y != nil {
					walk(y)
				}
			}
		}
	}
	walk(j)
	return seen
}

var alwaysRe = regexp.MustCompile(`(?i)(always\(\)|!\s*cancelled\(\)|failure\(\))`)

func (m *model) checkGating() []Diagnostic {
	var ds []Diagnostic
	for _, d := range m.jobs {
		if !m.isDeployJob(d) {
			continue
		}
		anc := m.ancestors(d)
		desc := m.descendants(d)
		var gates, missing []string
		for _, j := range m.jobs {
			if j == d || desc[strings.ToLower(j.id)] || m.isDeployJob(j) {
				continue
			}
			t, l := m.jobRole(j)
			if !t && !l {
				continue
			}
			gates = append(gates, j.id)
			if !anc[strings.ToLower(j.id)] {
				missing = append(missing, j.id)
			}
		}
		pos := m.jobPos(d)
		if d.a.If != nil && alwaysRe.MatchString(d.a.If.Value) && !strings.Contains(d.a.If.Value, ".result") && len(d.needs) > 0 {
			ip := m.posOf(d.a.If, 0)
			ds = append(ds, m.diag(RuleDeployNotGated, ip, Position{},
				fmt.Sprintf("deploy job %q has an if: with always()/!cancelled()/failure() and no needs.<job>.result check: it deploys even when the jobs it needs failed", d.id),
				SuggestedFix{Message: "drop always() or require needs.<job>.result == 'success' for each job it needs"}))
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			fix := SuggestedFix{Message: "make the deploy job need " + strings.Join(missing, ", ")}
			if e, ok := m.needsEdit(d, missing); ok {
				fix.TextEdits = []TextEdit{e}
			}
			ds = append(ds, m.diag(RuleDeployNotGated, pos, Position{},
				fmt.Sprintf("deploy job %q does not need %s: it runs in parallel with them and deploys even when they fail", d.id, strings.Join(missing, ", ")), fix))
			continue
		}
		if len(gates) > 0 {
			continue
		}
		// No test or lint job in this workflow: gated in the job itself,
		// or by a workflow_run on a successful upstream run?
		if m.gatedInJob(d) {
			continue
		}
		if m.trigger["workflow_run"] && ((d.a.If != nil && strings.Contains(d.a.If.Value, "conclusion")) || strings.Contains(m.text, "conclusion == 'success'")) {
			continue
		}
		dg := m.diag(RuleDeployNotGated, pos, Position{},
			fmt.Sprintf("deploy job %q is not gated on any test or lint job: none runs in this workflow before it", d.id),
			SuggestedFix{Message: "add test and lint jobs to this workflow and make the deploy job need them (or trigger the deploy with workflow_run on the CI workflow's success)"})
		dg.Severity = SeverityWarning
		ds = append(ds, dg)
	}
	return ds
}

func (m *model) descendants(d *job) map[string]bool {
	out := map[string]bool{}
	for _, j := range m.jobs {
		if m.ancestors(j)[strings.ToLower(d.id)] {
			out[strings.ToLower(j.id)] = true
		}
	}
	return out
}

// gatedInJob reports whether the deploy job runs tests or linters before its
// first deploy step.
func (m *model) gatedInJob(d *job) bool {
	for _, s := range d.steps {
		if k, _ := m.deployKind(s); k != "" {
			return false
		}
		t := m.stepText(s)
		if isTestText(t) || isLintText(t) || stepSaysTest(s) || stepSaysLint(s) {
			return true
		}
	}
	return false
}

// needsEdit builds the text edit that adds missing job IDs to needs.
func (m *model) needsEdit(d *job, missing []string) (TextEdit, bool) {
	f := m.file.Name
	if len(d.a.Needs) == 0 {
		if d.a.ID == nil || d.a.ID.Pos == nil {
			return TextEdit{}, false
		}
		l := d.a.ID.Pos.Line
		indent := m.blockIndent(l + 1)
		p := Position{File: f, Line: l + 1, Column: 1}
		return TextEdit{Pos: p, End: p, NewText: strings.Repeat(" ", indent) + "needs: [" + strings.Join(missing, ", ") + "]\n"}, true
	}
	last := d.a.Needs[len(d.a.Needs)-1]
	if last == nil || last.Pos == nil {
		return TextEdit{}, false
	}
	p := Position{File: f, Line: last.Pos.Line, Column: last.Pos.Col + len(last.Value)}
	if last.Quoted {
		p.Column += 2
	}
	first := d.a.Needs[0]
	lineText := m.line(first.Pos.Line)
	if strings.Contains(lineText, "[") || len(d.a.Needs) == 1 && first.Pos.Line == d.a.ID.Pos.Line+0 {
		return TextEdit{Pos: p, End: p, NewText: ", " + strings.Join(missing, ", ")}, strings.Contains(lineText, "[")
	}
	trim := strings.TrimLeft(lineText, " ")
	if strings.HasPrefix(trim, "- ") {
		indent := len(lineText) - len(trim)
		np := Position{File: f, Line: last.Pos.Line + 1, Column: 1}
		var b strings.Builder
		for _, mi := range missing {
			b.WriteString(strings.Repeat(" ", indent) + "- " + mi + "\n")
		}
		return TextEdit{Pos: np, End: np, NewText: b.String()}, true
	}
	// needs: test (a scalar)
	return TextEdit{Pos: Position{File: f, Line: first.Pos.Line, Column: first.Pos.Col},
		End: p, NewText: "[" + first.Value + ", " + strings.Join(missing, ", ") + "]"}, true
}

package cache

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// TemplateError reports a problem in a key template. Column is the 1-based
// byte column in the template where the problem starts.
type TemplateError struct {
	Template string
	Column   int
	Msg      string
	// Err is an underlying error (for example from HashFiles), if any.
	Err error
}

// Error implements error.
func (e *TemplateError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("key template column %d: %s: %v", e.Column, e.Msg, e.Err)
	}
	return fmt.Sprintf("key template column %d: %s", e.Column, e.Msg)
}

// Unwrap returns the underlying error.
func (e *TemplateError) Unwrap() error { return e.Err }

// KeyContext supplies the values a key template may use. Zero fields mean:
// RunnerOS and RunnerArch from the running machine, empty maps, and the
// current directory as workspace.
type KeyContext struct {
	// RunnerOS is runner.os: "Linux", "macOS" or "Windows".
	RunnerOS string
	// RunnerArch is runner.arch: "X64", "ARM64", "X86" or "ARM".
	RunnerArch string
	// Env holds env.NAME values.
	Env map[string]string
	// Matrix holds matrix.NAME values.
	Matrix map[string]string
	// Github holds github.NAME values (ref_name, sha, ref, ...).
	Github map[string]string
	// Steps holds the steps context: keys are the path after "steps.",
	// "ID.outputs.NAME", "ID.outcome" or "ID.conclusion" (for example
	// "setup-python.outputs.python-version"), compared case-insensitively.
	Steps map[string]string
	// Workspace is where hashFiles() looks. Empty: ".".
	Workspace string
	// Hash configures hashFiles() calls.
	Hash HashOptions
}

// RunnerOS returns runner.os for a Go GOOS value.
func RunnerOS(goos string) string {
	switch goos {
	case "darwin":
		return "macOS"
	case "windows":
		return "Windows"
	default:
		return "Linux"
	}
}

// RunnerArch returns runner.arch for a Go GOARCH value.
func RunnerArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "X64"
	case "arm64":
		return "ARM64"
	case "386":
		return "X86"
	case "arm":
		return "ARM"
	default:
		return strings.ToUpper(goarch)
	}
}

// EvalKey evaluates a key template: literal text with ${{ expr }}
// blocks, where expr is a context value (runner.os, runner.arch,
// env.NAME, matrix.NAME, github.ref_name and other github.NAME,
// steps.ID.outputs.NAME, steps.ID.outcome, steps.ID.conclusion), a quoted
// literal, a number, true/false/null, or hashFiles('pattern', ...). Names
// are case-insensitive like in GitHub expressions; a missing value is "".
func EvalKey(ctx context.Context, template string, kc KeyContext) (string, error) {
	return evalKey(ctx, template, kc, nil)
}

func evalKey(ctx context.Context, template string, kc KeyContext, rec *KeyEval) (string, error) {
	var out strings.Builder
	i := 0
	for i < len(template) {
		j := strings.Index(template[i:], "${{")
		if j < 0 {
			out.WriteString(template[i:])
			break
		}
		out.WriteString(template[i : i+j])
		start := i + j
		p := &exprParser{src: template, pos: start + 3, kc: kc, ctx: ctx, rec: rec}
		v, err := p.expression()
		if err != nil {
			return "", err
		}
		p.space()
		if !strings.HasPrefix(template[p.pos:], "}}") {
			if p.pos >= len(template) {
				return "", p.errAt(start, "unclosed ${{: expected }}")
			}
			return "", p.errAt(p.pos, fmt.Sprintf("unexpected %q: expected }}", template[p.pos:p.pos+1]))
		}
		out.WriteString(v)
		i = p.pos + 2
	}
	return out.String(), nil
}

type exprParser struct {
	src string
	pos int
	kc  KeyContext
	ctx context.Context
	rec *KeyEval // records what the key depends on (EvalKeyDetailed); nil for EvalKey
}

func (p *exprParser) errAt(pos int, msg string) error {
	return &TemplateError{Template: p.src, Column: pos + 1, Msg: msg}
}

func (p *exprParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c == '-' || (c >= '0' && c <= '9') }

func (p *exprParser) ident() string {
	start := p.pos
	if p.pos >= len(p.src) || !isIdentStart(p.src[p.pos]) {
		return ""
	}
	for p.pos < len(p.src) && isIdentPart(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// str parses a single-quoted literal (” is a quote).
func (p *exprParser) str() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\'' {
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '\'' {
				b.WriteByte('\'')
				p.pos += 2
				continue
			}
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return "", p.errAt(start, "unterminated string literal: expected closing '")
}

func (p *exprParser) expression() (string, error) {
	p.space()
	if p.pos >= len(p.src) {
		return "", p.errAt(p.pos, "expected an expression")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] == '.' || (p.src[p.pos] >= '0' && p.src[p.pos] <= '9') || p.src[p.pos] == 'e' || p.src[p.pos] == 'x' || (p.src[p.pos] >= 'a' && p.src[p.pos] <= 'f')) {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return "", p.errAt(start, fmt.Sprintf("invalid number %q", p.src[start:p.pos]))
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case isIdentStart(c):
	default:
		return "", p.errAt(p.pos, fmt.Sprintf("unexpected %q: expected a context, literal or function call", string(c)))
	}
	start := p.pos
	name := p.ident()
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		return p.call(start, name)
	}
	switch strings.ToLower(name) {
	case "true", "false":
		return strings.ToLower(name), nil
	case "null":
		return "", nil
	}
	var path []string
	for {
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == '.' {
			p.pos++
			p.space()
			at := p.pos
			part := p.ident()
			if part == "" {
				return "", p.errAt(at, "expected a property name after '.'")
			}
			path = append(path, part)
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '[' {
			p.pos++
			p.space()
			if p.pos >= len(p.src) || p.src[p.pos] != '\'' {
				return "", p.errAt(p.pos, "expected a quoted property name after '['")
			}
			part, err := p.str()
			if err != nil {
				return "", err
			}
			p.space()
			if p.pos >= len(p.src) || p.src[p.pos] != ']' {
				return "", p.errAt(p.pos, "expected ]")
			}
			p.pos++
			path = append(path, part)
			continue
		}
		break
	}
	v, err := p.lookup(start, name, path)
	if err == nil && p.rec != nil {
		p.rec.addContext(strings.TrimSpace(p.src[start:p.pos]), v)
	}
	return v, err
}

func lookupFold(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v
		}
	}
	return ""
}

func (p *exprParser) lookup(start int, name string, path []string) (string, error) {
	ctxName := strings.ToLower(name)
	switch ctxName {
	case "runner", "env", "matrix", "github":
	case "steps":
		return p.stepsValue(start, path)
	default:
		return "", p.errAt(start, fmt.Sprintf("unknown context %q: expected runner, env, matrix, github or steps", name))
	}
	if len(path) != 1 {
		return "", p.errAt(start, fmt.Sprintf("%s needs exactly one property, like %s.NAME", name, ctxName))
	}
	prop := path[0]
	switch ctxName {
	case "runner":
		switch strings.ToLower(prop) {
		case "os":
			if p.kc.RunnerOS != "" {
				return p.kc.RunnerOS, nil
			}
			return RunnerOS(runtime.GOOS), nil
		case "arch":
			if p.kc.RunnerArch != "" {
				return p.kc.RunnerArch, nil
			}
			return RunnerArch(runtime.GOARCH), nil
		}
		return "", p.errAt(start, fmt.Sprintf("unsupported property runner.%s: expected runner.os or runner.arch", prop))
	case "env":
		return lookupFold(p.kc.Env, prop), nil
	case "matrix":
		return lookupFold(p.kc.Matrix, prop), nil
	default:
		return lookupFold(p.kc.Github, prop), nil
	}
}

func (p *exprParser) call(start int, name string) (string, error) {
	if !strings.EqualFold(name, "hashFiles") {
		return "", p.errAt(start, fmt.Sprintf("unsupported function %q: expected hashFiles", name))
	}
	p.pos++ // (
	var args []string
	for {
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ')' && len(args) == 0 {
			break
		}
		v, err := p.expression()
		if err != nil {
			return "", err
		}
		args = append(args, v)
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		break
	}
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return "", p.errAt(p.pos, "expected , or ) in hashFiles arguments")
	}
	p.pos++
	if len(args) == 0 {
		return "", p.errAt(start, "hashFiles needs at least one pattern")
	}
	ws := p.kc.Workspace
	if ws == "" {
		ws = "."
	}
	r, err := HashFilesDetailed(p.ctx, ws, args, p.kc.Hash)
	if err != nil {
		return "", &TemplateError{Template: p.src, Column: start + 1, Msg: "hashFiles failed", Err: err}
	}
	if p.rec != nil {
		p.rec.HashFiles = append(p.rec.HashFiles, HashFilesCall{Expr: p.src[start:p.pos], Args: args, Hash: r.Hash, Files: r.Files})
	}
	return r.Hash, nil
}

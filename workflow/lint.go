package workflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

// File is one workflow file: the name it is reported under and its bytes.
type File struct {
	Name string
	Data []byte
}

// Options configures Lint. The zero value runs actionlint's built-in checks
// and every deploykit rule.
type Options struct {
	// NoActionlint leaves out actionlint's checks (syntax errors are still
	// reported).
	NoActionlint bool
	// Disable lists rule IDs ("WF006", "actionlint/expression") not to report.
	Disable []string
	// MaxFileSize is the largest file accepted, in bytes; 0 means 4 MiB.
	// Bigger files get one error diagnostic and are not parsed.
	MaxFileSize int
}

// DefaultMaxFileSize is the size limit when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 4 << 20

// Result is what Lint found.
type Result struct {
	// Diagnostics are sorted by file, line, column and rule.
	Diagnostics []Diagnostic
	// Files is the number of files linted.
	Files int
}

// MaxSeverity is the most severe severity among the diagnostics.
func (r Result) MaxSeverity() Severity {
	var max Severity
	for _, d := range r.Diagnostics {
		if d.Severity.Rank() > max.Rank() {
			max = d.Severity
		}
	}
	return max
}

// ErrTooLarge is wrapped by the error Parse returns for a file over the size
// limit.
var ErrTooLarge = errors.New("workflow file too large")

// ParseError is a workflow that is not valid YAML or not a valid workflow:
// the first error at its position. Errors holds every syntax error found.
type ParseError struct {
	Pos     Position
	Message string
	// Errors are all syntax errors, in source order.
	Errors []Diagnostic
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Message) }

// Workflow is a parsed workflow file, ready for the deploy rules.
type Workflow struct {
	file File
	ast  *actionlint.Workflow
	m    *model
}

// Name is the file name the workflow was parsed under.
func (w *Workflow) Name() string { return w.file.Name }

// Jobs returns the workflow's job IDs in source order.
func (w *Workflow) Jobs() []string {
	out := make([]string, len(w.m.jobs))
	for i, j := range w.m.jobs {
		out[i] = j.id
	}
	return out
}

// Parse parses one workflow file. A file that is not valid YAML, or whose
// structure is not a workflow, gives a *ParseError naming file:line:col;
// nothing in the input can make it panic.
func Parse(f File) (*Workflow, error) {
	return parse(f, DefaultMaxFileSize)
}

func parse(f File, limit int) (w *Workflow, err error) {
	if len(f.Data) > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes, the limit is %d)", f.Name, ErrTooLarge, len(f.Data), limit)
	}
	defer func() {
		// actionlint is not written to panic, but a parser of user input
		// must not take the caller down if it does.
		if p := recover(); p != nil {
			w, err = nil, &ParseError{Pos: Position{File: f.Name}, Message: fmt.Sprintf("internal error parsing workflow: %v", p)}
		}
	}()
	ast, errs := actionlint.Parse(f.Data)
	if len(errs) > 0 {
		pe := &ParseError{}
		for _, e := range errs {
			pe.Errors = append(pe.Errors, fromActionlint(f.Name, e))
		}
		sortDiagnostics(pe.Errors)
		pe.Pos, pe.Message = pe.Errors[0].Pos, pe.Errors[0].Message
		return nil, pe
	}
	if ast == nil {
		return nil, &ParseError{Pos: Position{File: f.Name, Line: 1, Column: 1}, Message: "not a workflow"}
	}
	return &Workflow{file: f, ast: ast, m: buildModel(f, ast)}, nil
}

// Lint checks workflow files with actionlint and deploykit's deploy rules.
// A file that does not parse contributes its syntax errors as diagnostics
// (rule "actionlint/syntax-check") and linting goes on with the next file;
// the error return is for a cancelled context only.
func Lint(ctx context.Context, files []File, opts Options) (Result, error) {
	limit := opts.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	disabled := map[string]bool{}
	for _, id := range opts.Disable {
		disabled[id] = true
	}
	// Sequential on purpose: on the shared 2-core machines this runs on,
	// linting files on parallel goroutines cost a quarter more CPU (GC and
	// scheduling) and gained no wall time (README, Measured).
	var res Result
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.Files++
		res.Diagnostics = append(res.Diagnostics, lintOne(f, limit, opts)...)
	}
	if len(disabled) > 0 {
		kept := res.Diagnostics[:0]
		for _, d := range res.Diagnostics {
			if !disabled[d.Rule] {
				kept = append(kept, d)
			}
		}
		res.Diagnostics = kept
	}
	sortDiagnostics(res.Diagnostics)
	return res, nil
}

// Check runs deploykit's deploy rules (not actionlint's) on a parsed
// workflow.
func (w *Workflow) Check() []Diagnostic {
	ds := w.m.check()
	sortDiagnostics(ds)
	return ds
}

// runActionlint runs actionlint's rules over an AST already parsed, with no
// project: nothing is read from disk, no external command (shellcheck,
// pyflakes) runs.
func runActionlint(path string, ast *actionlint.Workflow) (ds []Diagnostic, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("actionlint: internal error: %v", p)
		}
	}()
	localActions := actionlint.NewLocalActionsCache(nil, nil)
	localWorkflows := actionlint.NewLocalReusableWorkflowCache(nil, ".", nil)
	rules := []actionlint.Rule{
		actionlint.NewRuleMatrix(),
		actionlint.NewRuleCredentials(),
		actionlint.NewRuleShellName(),
		actionlint.NewRuleRunnerLabel(),
		actionlint.NewRuleEvents(),
		actionlint.NewRuleJobNeeds(),
		actionlint.NewRuleAction(localActions),
		actionlint.NewRuleEnvVar(),
		actionlint.NewRuleID(),
		actionlint.NewRuleGlob(),
		actionlint.NewRulePermissions(),
		actionlint.NewRuleWorkflowCall(path, localWorkflows),
		actionlint.NewRuleExpression(localActions, localWorkflows),
		actionlint.NewRuleDeprecatedCommands(),
		actionlint.NewRuleIfCond(),
	}
	v := actionlint.NewVisitor()
	for _, r := range rules {
		v.AddPass(r)
	}
	if err := v.Visit(ast); err != nil {
		return nil, fmt.Errorf("actionlint: %w", err)
	}
	seen := map[string]bool{}
	for _, r := range rules {
		for _, e := range r.Errs() {
			d := fromActionlint(path, e)
			k := fmt.Sprintf("%d:%d:%s:%s", d.Pos.Line, d.Pos.Column, d.Rule, d.Message)
			if seen[k] { // YAML aliases duplicate errors
				continue
			}
			seen[k] = true
			ds = append(ds, d)
		}
	}
	return ds, nil
}

func fromActionlint(path string, e *actionlint.Error) Diagnostic {
	kind := e.Kind
	if kind == "" {
		kind = "syntax-check"
	}
	col := e.Column
	if col < 1 && e.Line > 0 {
		col = 1 // YAML errors name a line only: point at its start
	}
	return Diagnostic{
		Pos:      Position{File: path, Line: e.Line, Column: col},
		Rule:     "actionlint/" + kind,
		URL:      actionlintDocs + "#" + kind,
		Severity: SeverityError,
		Message:  e.Message,
	}
}

func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// WriteDiagnostics renders diagnostics in one of the shared formats; JSON is
// report's envelope {"schemaVersion":1,"tool":"deploykit-workflow",...}.
func WriteDiagnostics(w io.Writer, f Format, diags []Diagnostic) error {
	return writeDiagnostics(w, f, diags)
}

// lintOne parses and checks one file.
func lintOne(f File, limit int, opts Options) []Diagnostic {
	var out []Diagnostic
	w, err := parse(f, limit)
	var pe *ParseError
	switch {
	case errors.As(err, &pe):
		out = append(out, pe.Errors...)
		if len(pe.Errors) == 0 {
			out = append(out, Diagnostic{Pos: pe.Pos, Rule: "actionlint/syntax-check",
				URL: actionlintDocs, Severity: SeverityError, Message: pe.Message})
		}
		return out
	case err != nil:
		return append(out, Diagnostic{Pos: Position{File: f.Name}, Rule: "workflow/input",
			Severity: SeverityError, Message: err.Error()})
	}
	if !opts.NoActionlint {
		ds, err := runActionlint(f.Name, w.ast)
		if err != nil {
			out = append(out, Diagnostic{Pos: Position{File: f.Name}, Rule: "actionlint/internal",
				Severity: SeverityError, Message: err.Error()})
		}
		out = append(out, ds...)
	}
	return append(out, w.Check()...)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

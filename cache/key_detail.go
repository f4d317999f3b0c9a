package cache

import (
	"context"
	"fmt"
	"strings"
)

// KeyEval is a key template's value and everything it depends on: what
// changes the key (a context value, a hashed file) and what makes it
// never change (a hashFiles call that matches nothing is the empty string).
type KeyEval struct {
	// Key is what EvalKey returns.
	Key string
	// Contexts are the context values the template reads, each once, in
	// the order of first use ("runner.os" = "Linux").
	Contexts []ContextValue
	// HashFiles are the template's hashFiles calls in order.
	HashFiles []HashFilesCall
}

// ContextValue is one context reference of a key template and its value.
type ContextValue struct {
	// Expr is the reference as written ("steps.setup-python.outputs.python-version").
	Expr string
	// Value is what it evaluated to ("" for a missing value, as the
	// runner's null).
	Value string
}

// HashFilesCall is one hashFiles(...) call of a key template.
type HashFilesCall struct {
	// Expr is the call as written ("hashFiles('**/poetry.lock')").
	Expr string
	// Args are the evaluated arguments (patterns, and an optional leading
	// --follow-symbolic-links).
	Args []string
	// Hash is the call's value: "" when no file matched.
	Hash string
	// Files are the hashed files (absolute paths) in hash order.
	Files []string
}

// EvalKeyDetailed is EvalKey that also reports what the key depends on,
// so a caller can say what would bust a cache key (a new runner image, a
// changed lock file) and which hashFiles calls are constant because they
// match nothing.
func EvalKeyDetailed(ctx context.Context, template string, kc KeyContext) (*KeyEval, error) {
	rec := &KeyEval{}
	key, err := evalKey(ctx, template, kc, rec)
	if err != nil {
		return nil, err
	}
	rec.Key = key
	return rec, nil
}

func (e *KeyEval) addContext(expr, value string) {
	for _, c := range e.Contexts {
		if strings.EqualFold(c.Expr, expr) {
			return
		}
	}
	e.Contexts = append(e.Contexts, ContextValue{Expr: expr, Value: value})
}

// stepsValue looks up steps.ID.outputs.NAME, steps.ID.outcome or
// steps.ID.conclusion in KeyContext.Steps. As in the runner, names compare
// case-insensitively and a step or output that is not there is null ("").
// Other shapes (steps.ID alone, steps.ID.outputs, steps.ID.other) are
// errors: a key would silently lose a part the author meant it to have.
func (p *exprParser) stepsValue(start int, path []string) (string, error) {
	switch {
	case len(path) == 3 && strings.EqualFold(path[1], "outputs"):
	case len(path) == 2 && (strings.EqualFold(path[1], "outcome") || strings.EqualFold(path[1], "conclusion")):
	default:
		return "", p.errAt(start, fmt.Sprintf("unsupported steps reference steps.%s: expected steps.ID.outputs.NAME, steps.ID.outcome or steps.ID.conclusion", strings.Join(path, ".")))
	}
	return lookupFold(p.kc.Steps, strings.Join(path, ".")), nil
}

package workflow

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Manager is a Python dependency manager the generator knows.
type Manager string

// The dependency managers.
const (
	ManagerPoetry       Manager = "poetry"
	ManagerRequirements Manager = "requirements"
	ManagerUV           Manager = "uv"
)

// Facts are what Generate needs to know about a project. Zero values take
// the documented defaults; Image, AppName and ResourceGroup are required.
type Facts struct {
	// Name is the workflow's name; default "ci-cd".
	Name string `json:"name,omitempty"`
	// Branch is the branch that deploys; default "main".
	Branch string `json:"branch,omitempty"`
	// PythonVersion is what actions/setup-python installs, e.g. "3.12";
	// default "3.12".
	PythonVersion string `json:"python_version,omitempty"`
	// Manager is poetry, requirements or uv; default poetry.
	Manager Manager `json:"manager,omitempty"`
	// Lockfiles are hashed into the dependency cache key; default
	// poetry.lock, requirements.txt or uv.lock by Manager.
	Lockfiles []string `json:"lockfiles,omitempty"`
	// PoetryVersion pins Poetry (pipx install poetry==VERSION); "" installs
	// the latest.
	PoetryVersion string `json:"poetry_version,omitempty"`
	// CacheKey is the .venv cache key (as computed by deploykit's cache
	// package, say); default
	// ${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-MANAGER-${{ hashFiles(LOCKFILES) }}.
	// It must contain runner.os, the setup-python step's python-version
	// output and hashFiles of a lockfile.
	CacheKey string `json:"cache_key,omitempty"`
	// RestoreKeys are the cache's restore-keys; default the key without the
	// lockfile hash. Each must keep the python-version output.
	RestoreKeys []string `json:"restore_keys,omitempty"`
	// Image is the image repository without tag, REGISTRY/NAME, e.g.
	// minimalwave.azurecr.io/minimalwave-blog. The build pushes
	// Image:${{ github.sha }}.
	Image string `json:"image"`
	// CacheRef is the BuildKit registry cache reference; default
	// Image-buildcache:Branch. It must not be in Image's repository.
	CacheRef string `json:"cache_ref,omitempty"`
	// Dockerfile is the Dockerfile path; default "Dockerfile".
	Dockerfile string `json:"dockerfile,omitempty"`
	// TestCommand runs the tests (with .venv/bin on PATH); default "pytest".
	TestCommand string `json:"test_command,omitempty"`
	// LintCommand runs the linters; default "ruff check .".
	LintCommand string `json:"lint_command,omitempty"`
	// AppName and ResourceGroup name the App Service app.
	AppName       string `json:"app_name"`
	ResourceGroup string `json:"resource_group"`
	// Slot is the staging slot the new tag is deployed to before a swap;
	// "" deploys to production directly, with a redeploy of the previous
	// image as the rollback.
	Slot string `json:"slot,omitempty"`
	// HealthPath is the path that must answer 2xx before and after the
	// swap; default "/healthz".
	HealthPath string `json:"health_path,omitempty"`
	// MigrationCheckCommand is the migration risk gate run on the new code;
	// default "python manage.py makemigrations --check --dry-run".
	MigrationCheckCommand string `json:"migration_check_command,omitempty"`
	// MigrationApplyCommand applies migrations inside the new image;
	// default "python manage.py migrate --noinput".
	MigrationApplyCommand string `json:"migration_apply_command,omitempty"`
	// DatabaseURLSecret is the repository secret holding the database URL,
	// passed to the migration container as DATABASE_URL; default
	// "DATABASE_URL".
	DatabaseURLSecret string `json:"database_url_secret,omitempty"`
	// Environment is the GitHub environment of the deploy job (protection
	// rules, OIDC subject); default "production".
	Environment string `json:"environment,omitempty"`
}

// FieldError is one bad field of Facts.
type FieldError struct {
	Field   string // the JSON name
	Message string
}

// FactsError lists every bad field at once.
type FactsError struct {
	Fields []FieldError
}

// ErrInvalidFacts is wrapped by *FactsError.
var ErrInvalidFacts = errors.New("invalid workflow facts")

func (e *FactsError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid workflow facts: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalidFacts) true.
func (e *FactsError) Unwrap() error { return ErrInvalidFacts }

// ReadFacts decodes a JSON facts file, rejecting unknown fields, and
// applies the defaults. Errors name the byte offset or the field.
func ReadFacts(r io.Reader) (Facts, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	var f Facts
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return Facts{}, fmt.Errorf("facts: JSON syntax error at byte %d: %w", se.Offset, err)
		case errors.As(err, &te):
			return Facts{}, fmt.Errorf("facts: field %q at byte %d: expected %s: %w", te.Field, te.Offset, te.Type, err)
		}
		return Facts{}, fmt.Errorf("facts: %w", err)
	}
	return f.WithDefaults(), nil
}

var (
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._()-]{0,89}$`)
	branchRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)
	pyVerRe   = regexp.MustCompile(`^3\.\d{1,2}(\.\d{1,2})?$`)
	imageRe   = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$`)
	cacheRe   = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$`)
	pathRe    = regexp.MustCompile(`^[A-Za-z0-9_./*-]+$`)
	httpPath  = regexp.MustCompile(`^/[A-Za-z0-9_./~-]*$`)
	secretRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	versionRe = regexp.MustCompile(`^[0-9][0-9A-Za-z.+-]*$`)
)

// yamlText reports whether s can be written into a YAML scalar as it is:
// valid UTF-8, no control characters (tab always and newline when
// multiline are allowed), no line or paragraph separators, no BOM or
// non-characters.
func yamlText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t':
		case r == '\n':
			if !multiline {
				return false
			}
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\ufeff', r == '\ufffe', r == '\uffff':
			return false
		}
	}
	return true
}

// WithDefaults returns f with every zero field set to its default.
func (f Facts) WithDefaults() Facts {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&f.Name, "ci-cd")
	def(&f.Branch, "main")
	def(&f.PythonVersion, "3.12")
	if f.Manager == "" {
		f.Manager = ManagerPoetry
	}
	if len(f.Lockfiles) == 0 {
		switch f.Manager {
		case ManagerRequirements:
			f.Lockfiles = []string{"requirements.txt"}
		case ManagerUV:
			f.Lockfiles = []string{"uv.lock"}
		default:
			f.Lockfiles = []string{"poetry.lock"}
		}
	}
	quoted := make([]string, len(f.Lockfiles))
	for i, l := range f.Lockfiles {
		quoted[i] = "'" + l + "'"
	}
	prefix := "${{ runner.os }}-py${{ steps.setup-python.outputs.python-version }}-" + string(f.Manager) + "-"
	if f.CacheKey == "" {
		f.CacheKey = prefix + "${{ hashFiles(" + strings.Join(quoted, ", ") + ") }}"
		if len(f.RestoreKeys) == 0 {
			f.RestoreKeys = []string{prefix}
		}
	}
	if f.CacheRef == "" && f.Image != "" {
		f.CacheRef = f.Image + "-buildcache:" + strings.ReplaceAll(f.Branch, "/", "-")
	}
	def(&f.Dockerfile, "Dockerfile")
	def(&f.TestCommand, "pytest")
	def(&f.LintCommand, "ruff check .")
	def(&f.HealthPath, "/healthz")
	def(&f.MigrationCheckCommand, "python manage.py makemigrations --check --dry-run")
	def(&f.MigrationApplyCommand, "python manage.py migrate --noinput")
	def(&f.DatabaseURLSecret, "DATABASE_URL")
	def(&f.Environment, "production")
	return f
}

// Validate checks facts that already have their defaults and names every
// bad field at once.
func (f Facts) Validate() error {
	var errs []FieldError
	bad := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	if !nameRe.MatchString(f.Name) {
		bad("name", "want letters, digits, . _ ( ) -")
	}
	if !branchRe.MatchString(f.Branch) {
		bad("branch", "want a branch name such as main")
	}
	if !pyVerRe.MatchString(f.PythonVersion) {
		bad("python_version", "want 3.X or 3.X.Y, e.g. 3.12")
	}
	switch f.Manager {
	case ManagerPoetry, ManagerRequirements, ManagerUV:
	default:
		bad("manager", fmt.Sprintf("%q: want poetry, requirements or uv", f.Manager))
	}
	for _, l := range f.Lockfiles {
		if !pathRe.MatchString(l) {
			bad("lockfiles", fmt.Sprintf("%q: want a relative path or glob", l))
		}
	}
	if f.PoetryVersion != "" && !versionRe.MatchString(f.PoetryVersion) {
		bad("poetry_version", "want a version such as 2.1.3")
	}
	if !strings.Contains(f.CacheKey, "runner.os") {
		bad("cache_key", "must contain ${{ runner.os }}")
	}
	if !strings.Contains(f.CacheKey, "steps.setup-python.outputs.python-version") {
		bad("cache_key", "must contain ${{ steps.setup-python.outputs.python-version }}: the .venv is bound to that interpreter")
	}
	if !hasLockHash(f.CacheKey) {
		bad("cache_key", "must hash the lockfile with hashFiles(...)")
	}
	for _, k := range f.RestoreKeys {
		if !strings.Contains(k, "steps.setup-python.outputs.python-version") || !strings.Contains(k, "runner.os") {
			bad("restore_keys", fmt.Sprintf("%q must keep runner.os and the python-version output", k))
		}
	}
	for _, s := range append([]string{f.CacheKey}, f.RestoreKeys...) {
		if strings.ContainsAny(s, "\n\r\"") || strings.Contains(s, ": ") || strings.Contains(s, " #") {
			bad("cache_key", fmt.Sprintf("%q: keys must be one line, without \" or ': ' or ' #'", s))
		}
	}
	switch {
	case f.Image == "":
		bad("image", "required: REGISTRY/NAME without a tag")
	case !imageRe.MatchString(f.Image):
		bad("image", fmt.Sprintf("%q: want REGISTRY/NAME in lower case, without a tag", f.Image))
	case !strings.Contains(strings.SplitN(f.Image, "/", 2)[0], "."):
		bad("image", fmt.Sprintf("%q: the first component must be a registry host (e.g. NAME.azurecr.io)", f.Image))
	}
	if !cacheRe.MatchString(f.CacheRef) {
		bad("cache_ref", fmt.Sprintf("%q: want REGISTRY/NAME[:TAG]", f.CacheRef))
	} else if repo, _, _ := imageRef(f.CacheRef); repo == f.Image {
		bad("cache_ref", "must be in a repository of its own, not the image's")
	}
	if !pathRe.MatchString(f.Dockerfile) {
		bad("dockerfile", "want a relative path")
	}
	for _, c := range []struct{ field, cmd string }{{"lint_command", f.LintCommand}, {"migration_apply_command", f.MigrationApplyCommand},
		{"migration_check_command", f.MigrationCheckCommand}, {"test_command", f.TestCommand}} {
		if strings.TrimSpace(c.cmd) == "" {
			bad(c.field, "want a shell command")
		} else if !yamlText(c.cmd, true) {
			bad(c.field, "want UTF-8 text without control characters (other than tab and newline)")
		}
	}
	for _, k := range append([]string{f.CacheKey}, f.RestoreKeys...) {
		if !yamlText(k, false) {
			bad("cache_key", "want UTF-8 text without control characters")
			break
		}
	}
	if strings.Contains(f.MigrationApplyCommand, "\n") {
		bad("migration_apply_command", "want one line: it runs as the container's command")
	}
	if !nameRe.MatchString(f.AppName) {
		bad("app_name", "required: the App Service app's name")
	}
	if !nameRe.MatchString(f.ResourceGroup) {
		bad("resource_group", "required: the app's resource group")
	}
	if f.Slot != "" && (!nameRe.MatchString(f.Slot) || f.Slot == "production") {
		bad("slot", "want a deployment slot name other than production, or \"\"")
	}
	if !httpPath.MatchString(f.HealthPath) {
		bad("health_path", "want a path such as /healthz")
	}
	if !secretRe.MatchString(f.DatabaseURLSecret) {
		bad("database_url_secret", "want a secret name such as DATABASE_URL")
	}
	if !nameRe.MatchString(f.Environment) {
		bad("environment", "want a GitHub environment name")
	}
	if len(errs) > 0 {
		sortFieldErrors(errs)
		return &FactsError{Fields: errs}
	}
	return nil
}

func sortFieldErrors(errs []FieldError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

//go:embed data/actions.json
var actionsJSON []byte

type actionPins struct {
	Source  string            `json:"source"`
	Checked string            `json:"checked"`
	Actions map[string]string `json:"actions"`
}

// ActionVersions returns the action versions the generator pins, the data
// file's source and the date it was checked.
func ActionVersions() (versions map[string]string, source, checked string) {
	var p actionPins
	if err := json.Unmarshal(actionsJSON, &p); err != nil {
		panic("workflow: embedded data/actions.json: " + err.Error()) // a build defect, not user input
	}
	return p.Actions, p.Source, p.Checked
}

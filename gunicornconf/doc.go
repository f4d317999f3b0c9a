// Package gunicornconf knows every gunicorn setting and tells the truth
// about a gunicorn.conf.py.
//
// gunicorn accepts a configuration file without complaint even when half
// of it does nothing: it silently ignores misspelled names (`worker = 4`,
// `WORKERS = 4`), the sync worker ignores worker_connections and keepalive,
// `multiprocessing.cpu_count()` counts the host's CPUs instead of the
// container's quota, and on Azure App Service's code deployments Oryx's
// startup passes GUNICORN_CMD_ARGS, which overrides the file's timeout and
// log settings.
//
// The package has four parts, all pure functions over values:
//
//   - The catalogue (Settings, Lookup, SettingsIn, Versions, Gaps):
//     generated from gunicorn's own config.py at 20.1 (Debian), 22.0,
//     23.0, 25.1, 26.0 and 26.2 (releases whose wheels ship the same file
//     share it), with the other releases derived from the texts around
//     them and gunicorn's versionadded/versionchanged notes; what those do
//     not decide is reported as not modelled, never guessed.
//   - The parser (Parse, Load): reads a gunicorn.conf.py without running
//     it: tree-sitter's Python grammar builds the tree the evaluator
//     reads, and CPython 3.11's tokenizer, grammar (python.gram),
//     compiler and symbol-table rules decide accept/reject,
//     differentially tested against python3's compile(); valid Python
//     the tree cannot represent is refused as not modelled
//     (ParseError.NotModelled) rather than guessed.
//     Module-level assignments of literals and simple expressions are
//     evaluated; imports, functions (hooks, with their arity) and
//     conditionals are recorded; anything else, such as cpu_count() or
//     os.environ.get(), is "not statically known" with a reason, never
//     guessed.
//   - The validator (Config.Validate): stable rule IDs GC001..GC023, as
//     Diagnostics with text edits where the fix is mechanical, for a target
//     gunicorn release and platform (Options).
//   - Sizing and rendering (Size, SizeForSKU, Render, Explain): workers and
//     threads from CPU, memory, worker class and I/O profile, for an App
//     Service plan from the SKU table or at runtime from cgroup limits, and
//     a deterministic, commented gunicorn.conf.py with the matching App
//     Service startup command.
//
// A typical use lints a file for App Service:
//
//	cfg, err := gunicornconf.Load("gunicorn.conf.py", src)
//	if err != nil {
//		return err // a *ParseError with file, line and column
//	}
//	for _, f := range cfg.Validate(gunicornconf.Options{Platform: gunicornconf.PlatformAppServiceContainer}) {
//		fmt.Printf("%s: %s %s: %s\n", f.Pos, f.Rule, f.Severity, f.Message)
//	}
//
// Diagnostics(findings) feeds the shared text, JSON, GitHub annotation and
// SARIF writers; Rules lists the rule documentation.
package gunicornconf

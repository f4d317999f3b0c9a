// Package gunicornconf knows every gunicorn setting and tells the truth
// about a gunicorn.conf.py.
//
// gunicorn accepts a configuration file without complaint even when half
// of it does nothing: it silently ignores misspelled names (`worker = 4`,
// `WORKERS = 4`), the sync worker ignores worker_connections and keepalive,
// `multiprocessing.cpu_count()` counts the host's CPUs instead of the
// container's quota, and on Azure App Service the platform's startup passes
// GUNICORN_CMD_ARGS, which overrides the file's timeout and bind.
//
// The package has four parts, all pure functions over values:
//
//   - The catalogue (Settings, Lookup, SettingsIn, Changes): every setting
//     of gunicorn 23.0 as data (name, CLI flags, validator, default,
//     section, the worker classes that honour it) plus what changed in
//     Debian's 20.1 and in 24.x to 26.x. A test checks it against the
//     gunicorn installed in the test harness.
//   - The parser (Parse, Load): reads a gunicorn.conf.py without running
//     it. Module-level assignments of literals and simple expressions are
//     evaluated; imports, functions (hooks, with their arity) and
//     conditionals are recorded; anything else, such as cpu_count() or
//     os.environ.get(), is "not statically known" with a reason, never
//     guessed.
//   - The validator (Config.Validate): stable rule IDs GC001..GC019 with
//     fixes, for a target gunicorn version and platform (Options).
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
//		fmt.Printf("%d: %s %s: %s\n", f.Line, f.Rule, f.Severity, f.Message)
//	}
//
// Findings convert to internal/report results (Finding.Result) for text,
// GitHub annotation and SARIF output; Rules lists the rule documentation.
package gunicornconf

# Executes a gunicorn.conf.py the way gunicorn does (a fresh namespace) and
# prints every module-level name with CPython's repr, as JSON. The parse
# tests compare deploykit's static values with these.
import inspect
import json
import sys
import types

path = sys.argv[1]
ns = {"__file__": path, "__name__": "__config__"}
with open(path) as f:
    exec(compile(f.read(), path, "exec"), ns)
out = {}
for k, v in ns.items():
    if k.startswith("__"):
        continue
    if isinstance(v, types.ModuleType):
        out[k] = {"kind": "module"}
    elif inspect.isfunction(v):
        n = sum(1 for p in inspect.signature(v).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        out[k] = {"kind": "function", "arity": n}
    elif inspect.isclass(v):
        out[k] = {"kind": "class"}
    else:
        out[k] = {"kind": type(v).__name__, "repr": repr(v)}
print(json.dumps(out))

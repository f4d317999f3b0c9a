# Lists the installed gunicorn's KNOWN_SETTINGS as JSON: name, section, CLI
# flags, validator, argparse action and default (as a Python expression).
# TestCatalogueMatchesInstalledGunicorn compares deploykit's catalogue with
# it, so drift between the catalogue and real gunicorn is caught.
import enum
import json

import gunicorn
import gunicorn.config as c

out = []
for cls in c.KNOWN_SETTINGS:
    v = cls.validator
    name = getattr(v, "__name__", "")
    arity = 0
    if name == "_validate_callable":
        name = "validate_callable"
        arity = v.__closure__[0].cell_contents
    d = cls.default
    if callable(d):
        d = None
    elif isinstance(d, enum.Enum):
        d = "ssl." + d.name
    else:
        d = repr(d)
    out.append({
        "name": cls.name, "section": cls.section, "cli": cls.cli or [],
        "validator": name, "arity": arity, "action": cls.action or "",
        "default": d,
    })
print(json.dumps({"version": gunicorn.__version__, "settings": out}))

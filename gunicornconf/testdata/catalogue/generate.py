#!/usr/bin/env python3
"""Generate gunicornconf's settings catalogue (catalogue.json) from
gunicorn's own gunicorn/config.py and gunicorn/workers/__init__.py.

    python3 testdata/catalogue/generate.py > catalogue.json

Inputs (all in this directory, unmodified copies; SOURCES.md cites each):
  config-<release>.py, workers-<release>.py  one pair per gunicorn release
  changelog.Debian                           upstream releases Debian packaged

Nothing in the output is typed by hand: every setting, flag, validator,
default and version range comes from these files. The texts are read with
Python's ast module (never executed). A release between two texts is
catalogued only when every setting's presence and attributes there follow
from the texts and their ``versionadded``/``versionchanged``/``deprecated``
notes; otherwise it is left out and gunicornconf refuses it.
"""

import ast
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ATTRS = ("name", "section", "cli", "meta", "validator", "type", "action", "default", "nargs", "const")


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def minor(v):
    return ".".join(v.split(".")[:2])


def texts():
    """The config.py inputs, oldest first, as (release, label, path)."""
    out = []
    for f in os.listdir(HERE):
        m = re.match(r"config-(\d+\.\d+\.\d+)(-debian)?\.py$", f)
        if m:
            out.append((m.group(1), m.group(0)[len("config-"):-3], os.path.join(HERE, f)))
    return sorted(out, key=lambda t: version_key(t[0]))


def src(node, text):
    return ast.get_source_segment(text, node)


def validator_of(node, text):
    """('pos_int', None) for validate_pos_int, ('callable', 2) for
    validate_callable(2)."""
    if isinstance(node, ast.Name):
        return node.id.removeprefix("validate_"), None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id.removeprefix("validate_")
        if node.args and isinstance(node.args[0], ast.Constant):
            return name, node.args[0].value
        return name, None
    return src(node, text), None


def notes(desc):
    """versionadded / versionchanged / deprecated notes of a desc string."""
    out = []
    for m in re.finditer(r"\.\. (versionadded|versionchanged|deprecated):: *([0-9][0-9.]*)", desc or ""):
        v = m.group(2).rstrip(".")
        if v.count(".") == 0:
            v += ".0"
        out.append((m.group(1), minor(v)))
    return out


def settings(path):
    text = open(path, encoding="utf-8").read()
    tree = ast.parse(text)
    out = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        if not any(isinstance(b, ast.Name) and b.id == "Setting" for b in cls.bases):
            continue
        s = {"class": cls.__name__ if hasattr(cls, "__name__") else cls.name}
        env_default = False
        for st in cls.body:
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                k = st.targets[0].id
                if k in ATTRS or k == "desc":
                    s[k] = st.value
            elif isinstance(st, ast.If):
                # default = ... chosen from the environment (bind, workers).
                for b in ast.walk(st):
                    if isinstance(b, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "default" for t in b.targets):
                        s.setdefault("default", b.value)
                        env_default = True
            elif isinstance(st, ast.FunctionDef) and st.name in ("on_starting", "on_reload", "when_ready", "pre_fork",
                                                                    "post_fork", "post_worker_init", "worker_int",
                                                                    "worker_abort", "pre_exec", "pre_request",
                                                                    "post_request", "child_exit", "worker_exit",
                                                                    "nworkers_changed", "on_exit", "ssl_context") or isinstance(st, ast.FunctionDef):
                s.setdefault("_hook_params", [a.arg for a in st.args.posonlyargs + st.args.args])
        if "name" not in s:
            continue
        e = {"name": s["name"].value}
        e["section"] = s["section"].value if "section" in s else ""
        e["cli"] = [c.value for c in s["cli"].elts] if "cli" in s and isinstance(s["cli"], ast.List) else []
        if "validator" in s:
            v, arity = validator_of(s["validator"], text)
            e["validator"] = v
            if arity is not None:
                e["arity"] = arity
        if "type" in s:
            e["type"] = src(s["type"], text)
        if "action" in s:
            e["action"] = s["action"].value
        if "nargs" in s:
            e["nargs"] = src(s["nargs"], text)
        if "const" in s:
            e["const"] = src(s["const"], text)
        if "default" in s:
            d = s["default"]
            e["default"] = src(d, text)
            if isinstance(d, ast.Call) or isinstance(d, ast.Attribute) or env_default:
                env_default = True
        if env_default:
            e["default_from_env"] = True
        if "_hook_params" in s and e.get("validator") in ("callable", "post_request", "dirty_hook_callable"):
            e["hook_params"] = s["_hook_params"]
        desc = s["desc"].value if "desc" in s and isinstance(s["desc"], ast.Constant) else ""
        n = notes(desc)
        if n:
            e["notes"] = [{"kind": k, "version": v} for k, v in n]
        out.append(e)
    return out


def workers(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    for st in tree.body:
        if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SUPPORTED_WORKERS" for t in st.targets):
            return {k.value: v.value for k, v in zip(st.value.keys, st.value.values)}
    return {}


def debian_releases(path):
    """Upstream releases named in Debian's changelog ("New upstream
    version X" and the package versions)."""
    out = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"gunicorn \((\d+\.\d+(?:\.\d+)?)", line)
        if m:
            out.add(minor(m.group(1)))
    return out


def main():
    ts = texts()
    per_text = []
    for rel, label, path in ts:
        wpath = os.path.join(HERE, "workers-%s.py" % label)
        per_text.append({"release": rel, "label": label, "minor": minor(rel),
                         "settings": {s["name"]: s for s in settings(path)},
                         "order": [s["name"] for s in settings(path)],
                         "workers": workers(wpath)})
    newest = per_text[-1]
    text_minors = [t["minor"] for t in per_text]

    # Candidate releases: the texts, the versions their notes name, and the
    # releases Debian packaged, from the oldest text to the newest.
    cands = set(text_minors) | debian_releases(os.path.join(HERE, "changelog.Debian"))
    for t in per_text:
        for s in t["settings"].values():
            for n in s.get("notes", []):
                cands.add(n["version"])
    lo, hi = version_key(text_minors[0]), version_key(text_minors[-1])
    cands = sorted((c for c in cands if lo <= version_key(c) <= hi), key=version_key)

    # Every setting name, in the newest text's order, then older ones.
    names = list(newest["order"])
    for t in reversed(per_text):
        for n in t["order"]:
            if n not in names:
                names.append(n)

    def compare_attrs(s):
        return {k: s.get(k) for k in ("cli", "validator", "arity", "type", "action", "default", "nargs", "const")}

    def note_versions(name, kind):
        vs = set()
        for t in per_text:
            s = t["settings"].get(name)
            if s:
                for n in s.get("notes", []):
                    if n["kind"] == kind:
                        vs.add(n["version"])
        return sorted(vs, key=version_key)

    entries = []
    undetermined = {}  # release -> reasons
    for name in names:
        present = {t["minor"]: name in t["settings"] for t in per_text}
        added = note_versions(name, "versionadded")
        changed = note_versions(name, "versionchanged")
        latest = next(t["settings"][name] for t in reversed(per_text) if name in t["settings"])
        e = {"name": name, "section": latest["section"], "in": [], "variants": []}
        unknown = []
        for c in cands:
            if c in present:
                if present[c]:
                    e["in"].append(c)
                continue
            # c lies strictly between two texts.
            before = max((t for t in per_text if version_key(t["minor"]) < version_key(c)), key=lambda t: version_key(t["minor"]))
            after = min((t for t in per_text if version_key(t["minor"]) > version_key(c)), key=lambda t: version_key(t["minor"]))
            pb, pa = name in before["settings"], name in after["settings"]
            if pb and pa:
                # Both texts have it, yet gunicorn's note says a later
                # release added it: the older text carries a backport
                # (Debian's 20.1.0 has 22.0's tolerate_dangerous_framing),
                # which the upstream release c does not have.
                if not (added and version_key(added[-1]) > version_key(c)):
                    e["in"].append(c)
            elif not pb and not pa:
                if added and version_key(added[-1]) > version_key(before["minor"]) and version_key(added[-1]) <= version_key(c):
                    unknown.append(c)
                    undetermined.setdefault(c, []).append("%s: added %s but in neither text around it" % (name, added[-1]))
            elif pa:  # added between the texts
                if added and version_key(added[-1]) > version_key(before["minor"]):
                    if version_key(added[-1]) <= version_key(c):
                        e["in"].append(c)
                else:
                    unknown.append(c)
                    undetermined.setdefault(c, []).append("%s: added after %s without a versionadded note" % (name, before["release"]))
            else:  # in the older text only: removed between the texts
                if added and version_key(added[-1]) <= version_key(c):
                    e["in"].append(c)  # backported into the older text, upstream from `added`
                elif not added:
                    unknown.append(c)
                    undetermined.setdefault(c, []).append("%s: removed after %s, release unknown" % (name, before["release"]))
        # Attribute variants per text, and whether releases between two
        # texts with different attributes are determined by a note.
        for t in per_text:
            s = t["settings"].get(name)
            if s is None:
                continue
            v = {"from": t["minor"]}
            v.update({k: val for k, val in compare_attrs(s).items() if val not in (None, [], "")})
            if s.get("default_from_env"):
                v["default_from_env"] = True
            if s.get("hook_params"):
                v["hook_params"] = s["hook_params"]
            same = lambda a, b: {k: x for k, x in a.items() if k not in ("from", "last")} == {k: x for k, x in b.items() if k not in ("from", "last")}
            if not e["variants"] or not same(e["variants"][-1], v):
                e["variants"].append(v)
            # The newest text known to have this variant: releases up to it
            # are decided by it, whatever changed later.
            e["variants"][-1]["last"] = t["minor"]
        for i in range(1, len(e["variants"])):
            prev, cur = e["variants"][i - 1], e["variants"][i]
            inside = [c for c in cands if version_key(prev["last"]) < version_key(c) < version_key(cur["from"])]
            ch = [x for x in changed if version_key(prev["last"]) < version_key(x) <= version_key(cur["from"])]
            if len(ch) == 1:
                cur["changed_in"] = ch[0]
            elif inside:
                for c in inside:
                    if c in e["in"]:
                        cur.setdefault("unknown_in", []).append(c)
                        undetermined.setdefault(c, []).append("%s: %s changed between %s and %s" % (name, "/".join(diff_keys(prev, cur)), prev["last"], cur["from"]))
        for v in e["variants"]:
            del v["last"]
        if unknown:
            e["unknown_in"] = unknown
        for n in ("versionadded", "deprecated"):
            vs = note_versions(name, n)
            if vs:
                e[n.replace("version", "")] = vs[-1]
        entries.append(e)

    # Releases that ship another release's very files (same-text.txt):
    # catalogued exactly as that release.
    for alias, target in same_text(os.path.join(HERE, "same-text.txt")):
        a, t = minor(alias), minor(target)
        if t not in cands or a in cands:
            raise SystemExit("same-text.txt: %s -> %s: %s is not a catalogued release, or %s already is" % (alias, target, t, a))
        cands.append(a)
        cands.sort(key=version_key)
        if t in undetermined:
            undetermined[a] = [u.replace(" %s:" % t, " %s:" % a) for u in undetermined[t]]
        for e in entries:
            for key in ("in", "unknown_in"):
                if t in e.get(key, []):
                    e[key] = sorted(set(e[key]) | {a}, key=version_key)
            for v in e["variants"]:
                if t in v.get("unknown_in", []):
                    v["unknown_in"] = sorted(set(v["unknown_in"]) | {a}, key=version_key)

    releases = []
    for c in cands:
        releases.append({"version": c, "exact": c not in undetermined, "text": c in text_minors,
                         "undetermined": sorted(undetermined.get(c, []))})
    out = {
        "generated_by": "testdata/catalogue/generate.py",
        "texts": [{"release": t["release"], "file": "config-%s.py" % t["label"]} for t in per_text],
        "releases": releases,
        "workers": [{"from": t["minor"], "names": sorted(t["workers"])} for t in per_text],
        "settings": entries,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


def same_text(path):
    """(release, same-as release) pairs of same-text.txt."""
    out = []
    if not os.path.exists(path):
        return out
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        f = line.split()
        if len(f) != 3 or not all(re.match(r"^\d+\.\d+\.\d+$", x) for x in f[:2]):
            raise SystemExit("%s:%d: want RELEASE SAME-AS-RELEASE SHA256" % (path, n))
        out.append((f[0], f[1]))
    return out


def diff_keys(a, b):
    return sorted(k for k in set(a) | set(b) if k not in ("from", "last", "changed_in", "unknown_in") and a.get(k) != b.get(k))


if __name__ == "__main__":
    main()

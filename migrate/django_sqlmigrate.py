# Run by deploykit's migrate.DjangoSQL inside a Django project: renders the
# SQL of every migration, in plan order, exactly as "manage.py sqlmigrate"
# does, in one process, flagging the applied ones. Reads {"cached":
# [sha256...]} on stdin and writes one JSON object on stdout.
import ast
import hashlib
import io
import json
import os
import sys


def main():
    req = json.load(sys.stdin)
    cached = set(req.get("cached") or [])
    sys.path.insert(0, os.getcwd())
    try:
        import django
        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.db.migrations.loader import MigrationLoader
        from django.db.migrations.operations.special import RunPython, SeparateDatabaseAndState
    except Exception as e:  # noqa: BLE001 - reported to the caller
        return {"error": "setting up Django: %s: %s" % (type(e).__name__, e)}
    conn = connections["default"]
    try:
        loader = MigrationLoader(conn, replace_migrations=True)
    except Exception as e:  # noqa: BLE001
        return {"error": "loading migrations (is the database reachable?): %s: %s" % (type(e).__name__, e)}
    plan = []
    seen = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node in seen:
                continue
            seen.add(node)
            plan.append(node)
    out = []
    for app, name in plan:
        migration = loader.graph.nodes[(app, name)]
        path = sys.modules[migration.__module__].__file__
        with open(path, "rb") as f:
            src = f.read()
        digest = hashlib.sha256(src).hexdigest()
        item = {
            "App": app,
            "Name": name,
            "Path": os.path.relpath(path, os.getcwd()),
            "Hash": digest,
            "Applied": (app, name) in loader.applied_migrations,
        }
        if digest in cached:
            item["Cached"] = True
            out.append(item)
            continue
        buf = io.StringIO()
        sql = call_command("sqlmigrate", app, name, stdout=buf, stderr=io.StringIO())
        item["SQL"] = (sql or "") + "\n"
        item["Atomic"] = bool(migration.atomic)
        item["OperationLines"] = operation_lines(src, len(migration.operations))
        irreversible = []
        for i, op in enumerate(migration.operations):
            ops = [op]
            if isinstance(op, SeparateDatabaseAndState):
                ops = op.database_operations
            for o in ops:
                if isinstance(o, RunPython) and o.reverse_code is None:
                    irreversible.append(i)
                    break
        item["Irreversible"] = irreversible
        out.append(item)
    return {"django": django.get_version(), "migrations": out}


def operation_lines(src, n):
    """Line of each element of the class-level "operations = [...]" list."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "operations" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)) and len(node.value.elts) == n:
                return [e.lineno for e in node.value.elts]
    return []


if __name__ == "__main__":
    # Whatever the project prints while loading goes to stderr, so stdout
    # carries only the JSON answer.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = main()
    except Exception as e:  # noqa: BLE001 - reported to the caller
        result = {"error": "%s: %s" % (type(e).__name__, e)}
    real_stdout.write(json.dumps(result))
    real_stdout.flush()

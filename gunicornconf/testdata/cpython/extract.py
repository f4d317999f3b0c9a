# Extracts source snippets from CPython 3.11's own test suite into
# snippets.json, the corpus of TestParseAgreesWithCPythonTests.
#
# Source: Debian 12 (bookworm) package libpython3.11-testsuite
# 3.11.2-6+deb12u9, files under /usr/lib/python3.11/test/ (CPython
# v3.11.2, Lib/test/). Run by hand:
#
#     apt-get install libpython3.11-testsuite
#     python3 testdata/cpython/extract.py > testdata/cpython/snippets.json
#
# A snippet is any string literal passed to a call (directly, or inside a
# list or tuple argument; the argument of textwrap.dedent() dedented),
# every doctest example of test_syntax.py, and the whole text of the small
# badsyntax_*.py files. Many are not Python at all; that does not matter:
# the test asks only that Parse and compile() agree. The verdict recorded
# beside each snippet is compile(src.encode(), "conf.py", "exec") (bytes,
# as Parse gets them) by the
# python3 that ran this script (its version is recorded as "python").
import ast
import doctest
import json
import os
import sys
import textwrap
import warnings

TESTDIR = "/usr/lib/python3.11/test"
FILES = [
    "test_syntax.py", "test_grammar.py", "test_exceptions.py", "test_fstring.py",
    "test_positional_only_arg.py", "test_keywordonlyarg.py", "test_unpack_ex.py",
    "test_genexps.py", "test_named_expressions.py", "test_global.py", "test_scope.py",
    "test_string_literals.py", "test_eof.py", "test_utf8source.py", "test_coroutines.py",
    "test_future.py", "test_generators.py", "test_setcomps.py", "test_listcomps.py",
    "test_dictcomps.py", "test_unpack.py", "test_decorators.py", "test_class.py",
    "test_compile.py", "test_ast.py", "test_tokenize.py", "test_unparse.py",
    "test_patma.py", "test_except_star.py", "test_type_comments.py", "test_flufl.py",
    "test_string.py", "test_lambda.py" if os.path.exists(os.path.join(TESTDIR, "test_lambda.py")) else None,
]
MAXLEN = 4000


def verdict(src):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(src.encode("utf-8", "surrogatepass"), "conf.py", "exec", dont_inherit=True)
            return True
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            return False


def strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            yield from strings(e)


def callname(f):
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def main():
    seen = set()
    out = []

    def add(src, fname, line):
        if not src.strip() or len(src) > MAXLEN or src in seen or "\x00" in src:
            return
        seen.add(src)
        out.append({"file": fname, "line": line, "src": src, "cpython": verdict(src)})

    for fname in FILES:
        if fname is None:
            continue
        path = os.path.join(TESTDIR, fname)
        if not os.path.exists(path):
            continue
        text = open(path, encoding="utf-8").read()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            dedent = callname(node.func) == "dedent"
            for a in list(node.args) + [k.value for k in node.keywords]:
                for s in strings(a):
                    add(textwrap.dedent(s) if dedent else s, fname, a.lineno)
        if fname == "test_syntax.py":
            for ex in doctest.DocTestParser().get_examples(ast.get_docstring(tree, clean=False) or ""):
                add(ex.source, fname, ex.lineno + 1)
    for fname in sorted(os.listdir(TESTDIR)):
        if fname.startswith("badsyntax_") and fname.endswith(".py"):
            raw = open(os.path.join(TESTDIR, fname), "rb").read()
            try:
                add(raw.decode("utf-8"), fname, 1)
            except UnicodeDecodeError:
                pass
    json.dump({"source": "Debian 12 libpython3.11-testsuite 3.11.2-6+deb12u9, /usr/lib/python3.11/test (CPython v3.11.2 Lib/test)",
               "python": sys.version.split()[0], "snippets": out}, sys.stdout, indent=0, ensure_ascii=True)
    sys.stdout.write("\n")


main()

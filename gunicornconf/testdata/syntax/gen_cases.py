# Generates cases.json: the accept/reject classes where gunicornconf's
# parser disagreed with CPython (found by FuzzParse or by the corpus of
# CPython's own tests), each with variants of the rule, and compile()'s
# verdict recorded. Run from gunicornconf/:
#     python3 testdata/syntax/gen_cases.py > testdata/syntax/cases.json
# The class names the CPython stage and source that decides.
import json
import sys
import warnings

CASES = {
    "tokenizer: backslash continuation needs a following line (Parser/tokenizer.c tok_continuation_line)": [
        "x = 5\\", "\\", "\\\n", "\\\n\\\n", "x = 1 + \\\n", "x = 1 + \\\n2\n", "A.\u03bc\\\n",
        "x = 1 \\ \n", "if x:\n    \\\n  y = 1\n", "def f():\n    \\\n x: 0\n    global x", "def f():\n    \\\n x: 0\n", "\ndef fib(n):\n    \\\n'''doc'''\n    \\\na, b = 0, 1\n",
    ],
    "tokenizer: a final CRLF gets one more newline (Parser/tokenizer.c translate_newlines)": [
        "\\\r\n", "x = 1\\\r\n", "x = 1\n\\\r\n", "x = 1\\\r\n\r\n", "x = 1\\\n", "x = (1\r\n", "x = 1\r\n", "if x:\r\n    \\\r\n",
    ],
    "tokenizer: coding declarations (PEP 263; tokenizer.c get_normal_name, Lib/encodings/aliases.py)": [
        "#coding:utf", "#coding:utf8", "#coding:UTF_8", "#coding:u8", "#coding:utf-8-sig", "#coding:utf8-sig",
        "#coding:utf-8-foo", "#coding:latin", "#coding:l1", "#coding:iso-latin-1", "#coding:latin-1-foo", "#coding:cp819",
        "#coding:ascii\nx = 1", "#coding:us\nx = 1", "#coding:ascii\nx = '\u00e9'", "#coding:646\n# \u00e9",
        "#coding:foo", "#coding:cp1252\nx = 1", "x = 1\n#coding:foo", "#!python\n#coding:foo", "\n#coding:foo",
        "# vim: set fileencoding=utf-8 :", "\r#coding:0", "\r\n#coding:0", "x\r#coding:0", "\r\r#coding:0", "\r#coding:latin-1\nx = 1", "#coding:utf\udcf7", "#coding:utf-8\n#\udcf7", "#coding:u8\n#\udcf7", "#\udcf7", "#coding=latin-1\nx = '\u00e9'",
    ],
    "tokenizer: numbers (tok_get, verify_end_of_number)": [
        "x = 1if y else 2\n", "x = 1else\n", "x = 0x1for\n", "x = 1_000\n", "x = 1__000\n", "x = 1_\n",
        "x = 0_0\n", "x = 0_7\n", "x = 07\n", "x = 0o8\n", "x = 0b2\n", "x = 0o1_7\n", "x = 1e\n", "x = 1e+\n",
        "x = 1e5j\n", "x = 1.e5\n", "x = .5j\n", "x = 0jx\n", "x = 1not in y\n", "x = 1in y\n", "x = 1is 1\n",
        "x = 0xfor\n", "x = 1or 2\n", "x = 1and 2\n", "x = 1andy\n",
    ],
    "tokenizer: identifiers (XID_Start/XID_Continue, Unicode 14)": [
        "\u00e9 = 1\n", "a\u0300 = 1\n", "\u0300a = 1\n", "x\u2e2f = 1\n", "\u037a = 1\n", "\u2118 = 1\n", "a\u00b7 = 1\n",
        "\u212e = 1\n", "x = a\u200d\n", "\U0001e4d0 = 1\n",
    ],
    "parser action: string escapes (unicodeescape and bytes decoding)": [
        "'\\xX0'", "'\\x0'", "'\\x00'", "'\\N'", "'\\N{'", "'\\N{}'", "'\\N{GREEK CAPITAL LETTER DELTA'",
        "'\\U0010FFFF'", "'\\U00110000'", "'\\u12'", "'\\u1234'", "b'\\x1'", "b'\\xZZ'", "b'\\x12'",
        "r'\\x'", "rb'\\x'", "'\\777'", "b'\\777'", "'\\q'", "b'\\N'", "b'\\u12'", "'a\\\nb'", "f'\\x1{a}'",
        "f'{a}\\x1'", "f'\\N{DASH}'", "'\\N{DASH}'", "f'{a:\\x1}'", "'''\\x'''", "'\\\\x'",
    ],
    "parser action: f-strings (Parser/string_parser.c fstring_find_expr)": [
        "f'{lambda x:x}'", "f'{(lambda x:x)}'", "f'{3!g}'", "f'{3!r}'", "f'{3!}'", "f'{a!r=}'", "f'{a=!r:>3}'",
        "f'{a:{b:{c}}}'", "f'{a:{b}}'", "f'{ }'", "f'{a b}'", "f'{*a}'", "f'{*a,}'", "f'{a}}'", "f'{{a}}'",
        "f'{x:{{}}}'", "f'{a:}'", "f'{a=:}'", "f'{a!s:}'", "f'{a#}'", "f'{a[\"b\"]}'", "f'{\"a\"}'",
        "f'''{'''a'''}'''", "f'{a:=1}'", "f'{(a:=1)}'", "f'{a!=b}'", "f'{a<b}'", "f'{a>=b}'", "f'{)}'",
        "f'{a)}'", "f'{(a}'", "f'{[}'", "f'{!r}'", "f'{:x}'", "f'{=}'", "f'\\{a}'", "f'{f\"{a}\"}'",
        "f'{f\"{a b}\"}'", "f'{a:{{b}}}'", "f'{yield}'", "f'{a if b}'", "f'{a if b else c}'", "f'{1.}'",
        "f'{0x}'", "f'{\"\\N\"}'", "rf'{a}\\N'", "f'{a}' b'x'", "f'{a}' 'x'",
    ],
    "grammar: parameters (python.gram parameters, slash_no_default, star_etc)": [
        "def f(a, /, c, /): pass", "def f(a,/,/,b): pass", "lambda a, /, b, /: None", "def f(a, /): pass",
        "def f(/): pass", "def f(a=1, /, b): pass", "def f(a=1, /, b=2): pass", "def f(*, a, /): pass",
        "def f(*a: *b): pass", "def f(a: *b): pass", "lambda *a, b=1, **c: 0", "lambda a=1, b: 0",
        "def f(**a,): pass", "def f(*a,): pass", "def f(*,): pass", "lambda *: 0", "def f(a, *, b): pass",
    ],
    "grammar: arguments and comprehensions (args, kwargs, genexp)": [
        "f(x for x in L,)", "f(x for x in L)", "f(x for x in L, 1)", "f(1, x for x in L)", "f(a=1, *b)",
        "f(**a, *b)", "f(**a, b=1)", "f(*a, b)", "f(a=1, b)", "f(a for a in b for c in d if e)",
        "[x for x in 1, 2]", "[x for x in (1, 2)]", "f(a:=1)", "f(a=b:=1)", "f(*a:=1)", "f((a)=1)",
    ],
    "grammar: Python 2 and other statements tree-sitter reads (raise X, Y; except E as a.b)": [
        "raise X, Y\n", "raise X, Y, Z\n", "raise X from Y\n", "raise\n", "raise from X\n",
        "try:\n    pass\nexcept E as a.b:\n    pass", "try:\n    pass\nexcept E as a[b]:\n    pass",
        "try:\n    pass\nexcept (E, F) as e:\n    pass", "try:\n    pass\nexcept E, F:\n    pass",
        "with(0 as A,):0", "with (a as b, c as d,): pass", "with (a as b): pass", "with (a, b) as c: pass", "(a as b)",
        "x = a as b", "f(a as b)", "with a as b, (c as d): pass", "with ((a as b)): pass", "for a as b in c: pass",
        "exec 'x'\n", "print 'x'\n", "x = `1`\n", "x = 1 <> 2\n",
    ],
    "compiler: __debug__ is never bound (Python/compile.c forbidden_name)": [
        "__debug__ = 1\n", "(__debug__ := 1)\n", "del __debug__\n", "__debug__: int\n", "a.__debug__: int\n",
        "a.__debug__ = 1\n", "a.__debug__ += 1\n", "del a.__debug__\n", "import __debug__\n",
        "from a import b as __debug__\n", "def __debug__(): pass\n", "class __debug__: pass\n",
        "try: pass\nexcept E as __debug__: pass\n", "f(__debug__=1)\n", "lambda __debug__: 1\n",
        "global __debug__\n", "from __future__ import annotations\nobject.__debug__: int",
    ],
    "compiler: annotated assignment targets (Python/compile.c compiler_annassign)": [
        "(w): complex = 1j\n", "((a)): int\n", "(a.b): int\n", "(a, b): int\n", "[a]: int\n", "(a,): int\n",
        "a.b: int\n", "a[1]: int = 2\n", "(a[1]): int\n", "f(): int\n",
    ],
    "compiler: starred expressions (Python/compile.c starunpack, 'can't use starred expression here')": [
        "*A,", "*A", "*a, b", "x = *a,", "x = *a", "x = *a, b", "return *a,", "def f():\n    return *a, b\n",
        "def f():\n    return *a\n", "for x in *a, b: pass", "for x in *a: pass", "x = yield *a,", "def f():\n    yield *a\n",
        "def f():\n    yield *a,\n", "(*a,)", "(*a)", "[*a]", "{*a}", "print(*a)", "x[*a]", "x[*a,]", "x[*a] = 1",
        "x = 1, *a", "*a, = b", "a = *b, = c", "del *a,", "del (*a,)", "assert *a", "x += *a,", "x += *a",
        "with *a: pass", "if *a, b: pass", "while *a: pass", "x: int = *a,", "x: int = *a", "lambda: *a",
        "lambda: (*a,)", "f(x=*a)", "{**a, *b}", "{*a: 1}", "x = [i for i in *a, b]", "x = [*i for i in a]",
        "A[*b*b] = 1\n", "a[*b*b]", "[*b*b]", "*b*b", "*b*b,", "x = *b*b", "x = *b*b,", "f(*b*b)", "f(*b or c)",
        "[*b or c]", "a[*b or c]", "a[*b if c else d]", "f(*b if c else d)", "[*b if c else d]", "return *b*b",
        "(*b*b,)", "{*b|c}", "a[*b < c]", "[*b < c]", "a[1, *b*b, 2]", "for x in *b*b: pass", "for x in *b*b,: pass",
        "0,*A(0)", "*A(0)", "*A(0),", "[*A(0)]", "[*a.b]", "[*a[0]]", "f(*a(b).c[d])", "x = *a.b", "x = *a.b,", "a[*b.c]: int",
        "A:A[*0[0]]", "A:A[*b]", "A: A[*b.c]", "A: A[*b(c)]", "A: *b", "A: A[*b] = 1", "def f(a: A[*b[0]]): pass",
        "(f) += 1\n", "((f)) += 1\n", "(f.a) += 1\n", "(f,) += 1\n", "(f[0]) += 1\n",
    ],
    "compiler: annotation without a value checks the subscript (Python/compile.c check_ann_subscr)": [
        "slice[1:2, *Ts, ]:43", "x[*a]: int", "x[*a,]: int", "x[(*a,)]: int", "x[(*a, b), c]: int", "x[[*a]]: int",
        "x[*a]: int = 1", "x[1:2, *a]: int", "x[1:2, *a] = 1", "x[*a*b]: int", "x[a, *b]: int = 2", "x[*a].y: int",
        "x[a:b, c]: int", "(x[*a]): int",
    ],
    "compiler: __future__ imports, relative ones too (Python/future.c, compile.c compiler_from_import)": [
        "from . __future__ import braces", "from .__future__ import braces", "from ..__future__ import x",
        "from . import __future__", "from .__future__ import annotations", "x = 1\nfrom .__future__ import annotations",
        "def f():\n    from __future__ import annotations\n", "if x:\n    from __future__ import annotations\n",
        "'doc'\nfrom __future__ import annotations", "'doc'\n'doc2'\nfrom __future__ import annotations",
        "from __future__ import annotations; from __future__ import division", "import __future__",
        "from __future__ import (annotations,)", "from __future__ import annotations as a",
        "from __future__ import *", "class C:\n    from __future__ import annotations\n",
        "from __future__ import nested_scopes, generators, division, absolute_import, with_statement, print_function, unicode_literals, barry_as_FLUFL, generator_stop",
        "try:\n    from __future__ import annotations\nexcept: pass\n", "\n\n# c\nfrom __future__ import annotations",
        "f'doc'\nfrom __future__ import annotations", "b'doc'\nfrom __future__ import annotations",
        "'a' 'b'\nfrom __future__ import annotations", "('doc')\nfrom __future__ import annotations",
    ],
    "compiler: except* (PEP 654; Python/compile.c, EXCEPTION_GROUP_HANDLER frame block)": [
        "try: pass\nexcept* E: pass", "try: pass\nexcept *E: pass", "try: pass\nexcept* E as e: pass", "try: pass\nexcept*: pass",
        "try: pass\nexcept* (A, B): pass", "try: pass\nexcept* A, B: pass", "for x in y:\n try: pass\n except* E: break",
        "for x in y:\n try: pass\n except* E: continue", "def f():\n try: pass\n except* E: return", "def f():\n try: pass\n except* E: return 1",
        "try: pass\nexcept* E:\n for x in y: break", "try: pass\nexcept* E:\n def f(): return", "try: pass\nexcept* E:\n while 1: continue",
        "for x in y:\n try: pass\n except* E:\n  pass\n finally: break", "for x in y:\n try: break\n except* E: pass",
        "try: pass\nexcept* E: pass\nelse: pass\nfinally: pass", "try: pass\nexcept* E: pass\nexcept E: pass", "try: pass\nexcept* E: break",
        "try: pass\nexcept* E:\n class C: return", "try: pass\nexcept* E:\n lambda: (yield)", "def f():\n try: pass\n except* E: yield",
        "try: pass\nexcept* E as __debug__: pass", "try: pass\nexcept* E as e.x: pass", "for x in y:\n try: pass\n except* E:\n  try: pass\n  except E: break",
        "async def f():\n try: pass\n except* E: await x", "for x in y:\n try: pass\n except* E:\n  with a: continue",
        "def f():\n try: pass\n except* E:\n  for x in y: return", "for x in y:\n try: pass\n except* E:\n  for z in w: pass\n  else: break",
        "def f():\n try: pass\n except* E:\n  while 1:\n   return", "try: pass\nexcept* E: pass\nexcept* F as f: pass\nfinally: pass",
        "try: pass\nexcept* E:\n x = [i for i in y]", "def f():\n try: pass\n except* E:\n  g = lambda: 1\n  return",
        "while 1:\n try: pass\n except* E:\n  try: pass\n  finally: continue",
        "try:\n  pass\nexcept * E @ e:\n  pass\n", "try:\n  pass\nexcept * E.a(b):\n  pass\n", "try:\n  pass\nexcept*E|F:\n  pass\n",
    ],
    "compiler: match statements (PEP 634; Python/compile.c compiler_match, compiler_pattern_*)": [
        "match x:\n case y: pass\n case 1: pass", "match x:\n case 1: pass\n case y: pass", "match x:\n case _: pass\n case 1: pass",
        "match x:\n case 1: pass\n case _: pass", "match x:\n case y if y: pass\n case 1: pass", "match x:\n case y | 1: pass",
        "match x:\n case 1 | y: pass", "match x:\n case _ | 1: pass", "match x:\n case (y as z): pass\n case 1: pass",
        "match x:\n case 1 as y: pass\n case 2: pass", "match x:\n case [y, y]: pass", "match x:\n case [y, *y]: pass",
        "match x:\n case [*a, *b]: pass", "match x:\n case [*_, *_]: pass", "match x:\n case [*_]: pass",
        "match x:\n case (1 as y) | (2 as z): pass", "match x:\n case (1 as y) | (2 as y): pass", "match x:\n case [a, b] | [b, a]: pass",
        "match x:\n case [a] | [a, b]: pass", "match x:\n case C(a=1, a=2): pass", "match x:\n case C(a=1, b=2): pass",
        "match x:\n case C(y, a=y): pass", "match x:\n case C(a=y, 1): pass", "match x:\n case C(1, a=y): pass",
        "match x:\n case {1: a, 1: b}: pass", "match x:\n case {1: a, 1.0: b}: pass", "match x:\n case {True: a, 1: b}: pass",
        "match x:\n case {'a': a, \"a\": b}: pass", "match x:\n case {'a': a, 'b': b}: pass", "match x:\n case {-1: a, 1: b}: pass",
        "match x:\n case {0x10: a, 16: b}: pass", "match x:\n case {a.b: a, a.b: b}: pass", "match x:\n case {1: a, **a}: pass",
        "match x:\n case {**a}: pass", "match x:\n case {**_}: pass", "match x:\n case f'x': pass", "match x:\n case {f'x': a}: pass",
        "match x:\n case __debug__: pass", "match x:\n case [*__debug__]: pass", "match x:\n case C(__debug__=1): pass",
        "match x:\n case 1+2j: pass", "match x:\n case 1+2: pass", "match x:\n case -1j: pass", "match x:\n case 1j+2j: pass",
        "match x:\n case -1-2j: pass", "match x:\n case a.b: pass\n case y: pass", "match x:\n case a.b(): pass",
        "match x:\n case (): pass", "match x:\n case []: pass", "match x:\n case (a): pass\n case 1: pass",
        "match x:\n case a, b: pass\n case 1: pass", "match x:\n case *a, b: pass", "match x:\n case *a: pass",
        "match x:\n case a | b: pass", "match x:\n case [a | b]: pass", "match x:\n case [1 | b]: pass",
        "match x:\n case 'a' 'b': pass", "match x:\n case b'a': pass", "match x:\n case None | True | False: pass",
        "match x, y:\n case a, b: pass", "match *x, y:\n case a: pass", "match = 1\nmatch.x = 2\nmatch(1)\n",
        "match x:\n case 1:\n  match y:\n   case z: pass\n   case 2: pass", "def f():\n match x:\n  case y: pass\n global y",
        "def f():\n match x:\n  case y: pass\n def g():\n  nonlocal y", "match x:\n case {1: _, **rest}: pass",
        "match x:\n case C(a, b, c=d): pass", "match x:\n case C(a, b=c,): pass", "match x:\n case [a, (b, *c), {1: d}]: pass",
        "match x:\n case _:\n  pass\n case _: pass", "match x:\n case y:\n  pass", "match x:\n case 1 if x: pass\n case _ if y: pass\n case 2: pass",
        "match x:\n case (a as b) as c: pass", "match x:\n case a as b: pass", "match x:\n case 1 as _: pass", "match x:\n case a.b as c: pass",
    ],
    "tree-sitter cannot read valid Python (refused as not modelled)": [
        "a, *(b, c) = seq\n", "a, *[b, c] = seq\n", "[*(a, b)] = c\n",
    ],
}


def verdict(src):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(src.encode("utf-8", "surrogateescape"), "conf.py", "exec", dont_inherit=True)
            return True
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            return False


out = []
for cls, srcs in CASES.items():
    for s in srcs:
        # A lone surrogate \udcXX stands for the raw byte 0xXX.
        out.append({"class": cls, "src": s, "hex": s.encode("utf-8", "surrogateescape").hex(), "cpython": verdict(s)})
json.dump({"python": sys.version.split()[0], "cases": out}, sys.stdout, indent=0, ensure_ascii=True)
sys.stdout.write("\n")

# Differential oracle for gunicornconf's parser: reads sources framed as
# "<length>\n<bytes>" on stdin and answers one line per source, "ok" when
# CPython's compile() accepts it and "error LINE COL" when it raises
# (SyntaxError, ValueError for null bytes, RecursionError or MemoryError
# for sources nested too deeply).
import sys

inp = sys.stdin.buffer
out = sys.stdout
while True:
    header = inp.readline()
    if not header:
        break
    src = inp.read(int(header))
    try:
        compile(src, "conf.py", "exec", dont_inherit=True)
        out.write("ok\n")
    except SyntaxError as e:
        out.write("error %s %s\n" % (e.lineno or 0, e.offset or 0))
    except (ValueError, RecursionError, MemoryError, OverflowError) as e:
        out.write("error 0 0\n")
    out.flush()

import os
import multiprocessing as mp
from os import environ as env


def on_starting(server):
    pass


def post_fork(server, worker, extra=None):
    pass


def pre_request(worker, req, /):
    pass


def worker_int(worker, *args, **kwargs):
    pass


def child_exit(*, server, worker):
    pass


post_request = lambda worker, req, environ, resp: None
when_ready = lambda: None


class Helper:
    value = 1


if os.environ.get("DEBUG"):
    loglevel = "debug"
else:
    loglevel = "info"

for i in range(3):
    last = i

try:
    import setproctitle
except ImportError:
    setproctitle = None

workers = mp.cpu_count() * 2 + 1
threads = int(os.environ.get("THREADS", "4"))
timeout = int(env.get("TIMEOUT") or 30)
port = os.getenv("PORT", "8000")
bind = "0.0.0.0:" + port
name = f"gunicorn-{port}"
comp = [w for w in range(3)]

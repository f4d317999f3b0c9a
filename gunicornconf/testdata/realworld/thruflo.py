# Source: thruflo/thruflo, gunicorn.prod.py, commit e0cc9471163d50db23366ef040fa75b9b41dddb6.
# Fetched with the search tool; comments dropped, code as published.
backlog = 2048
bind = "unix:/tmp/gunicorn.sock"
daemon = False
debug = False
keepalive = 5
logfile = "log/gunicorn.log"
loglevel = "info"
pidfile = None
workers = 4
umask = 0
user = None
group = None
proc_name = None
spew=False
timeout=30
tmp_upload_dir = None
worker_class = "egg:gunicorn#gevent"
worker_connections=1000

after_fork=lambda server, worker: server.log.info(
    "Worker spawned (pid: %s)" % worker.pid
)

before_fork=lambda server, worker: True

before_exec=lambda server: server.log.info("Forked child, reexecuting")

when_ready=lambda server: server.log.info("Gunicorn started.")

# Source: mrapplexz/hack_digital_ambulance, web/config.py, commit cc3eab9510fb00a92b08c2ca27e9a1e5572d3cba.
# Fetched with the search tool; comments dropped, code as published.
bind = '0.0.0.0:8050'
backlog = 2048
workers = 8
worker_class = 'sync'
worker_connections = 1000
timeout = 30
keepalive = 2
errorlog = '-'
loglevel = 'info'
accesslog = '-'
def post_fork(server, worker):
    server.log.info("Worker spawned (pid: %s)", worker.pid)

def pre_fork(server, worker):
    pass

def pre_exec(server):
    server.log.info("Forked child, re-executing.")

def when_ready(server):
    server.log.info("Server is ready. Spawning workers")

def worker_abort(worker):
    worker.log.info("worker received SIGABRT signal")

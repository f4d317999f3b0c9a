# Source: stevarino/cubed-tube, hermit_tube/gunicorn_conf.py, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
workers = 5

raw_env = [
    'PROMETHEUS_MULTIPROC_DIR=./prometheus_tmp',
    ''
]

bind = 'unix:hermit-tube.socket'

umask = '007'

accesslog = '/var/www/hermit.tube/logs/gunicorn.logs'

def post_fork(server, worker):
    server.log.info("Worker spawned (pid: %s)", worker.pid)

def on_starting(server):
    server.log.info("on_starting")

def worker_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)

# Source: stevarino/cubed-tube, hermit_tube/gunicorn_conf.py, commit c94bde0238770a16f54071eb51f57f7a18345739.
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

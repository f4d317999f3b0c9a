# Source: meanother/project_promise, config/gunicorn_config.py, commit 1e6bdc175c0e2270e59a6e28f4c3c4ebdef282df.
# Fetched with the search tool; comments dropped, code as published.
command = '/home/ubpc/project_promise/venv/bin/gunicorn'
pythonpath = '/home/ubpc/project_promise/config'
bind = '0.0.0.0:8283'
workers = 5
user = 'ubpc'
limit_request_field = 3200
limit_request_field_size = 0
errorlog = '/home/ubpc/project_promise/bin/error.log'
loglevel = 'info'
accesslog = '/home/ubpc/project_promise/bin/access.log'
raw_env = 'DJANGO_SETTINGS_MODULE=config.settings'
redirect_stderr=True
autorestart=True


def post_fork(server, worker):
    server.log.info("Worker spawned (pid: %s)", worker.pid)

def when_ready(server):
    server.log.info("Server is ready. Spawning workers")

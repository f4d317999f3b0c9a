# Source: mohammad-pakravan/staff_manager_backend, compose/prod/gunicorn.conf.py, commit 7b821394fad3b59b8c728e7cc5691de318dd533c.
# Verbatim below these two header lines (the search index's stored version of the file).
bind = "0.0.0.0:8000"
workers = 3
worker_class = "sync"
worker_connections = 1000
timeout = 120
keepalive = 2
max_requests = 1000
max_requests_jitter = 100
preload_app = True
accesslog = "/app/logs/gunicorn_access.log"
errorlog = "/app/logs/gunicorn_error.log"
loglevel = "info"



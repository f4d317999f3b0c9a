# Source: barecasco/wgplot, gunicorn_config.py, commit 2e7f561db46fe5a6a7b33741e2d7b9d7aea60bab.
# Fetched with the search tool; comments dropped, code as published.
bind = "0.0.0.0:8081"
workers = 2
worker_class = "gevent"
worker_connections = 1000
timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 100

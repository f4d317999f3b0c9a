# Source: barecasco/wgplot, gunicorn_config.py, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
bind = "0.0.0.0:8081"
workers = 2
worker_class = "gevent"
worker_connections = 1000
timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 100

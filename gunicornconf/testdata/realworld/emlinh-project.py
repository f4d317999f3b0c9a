# Source: manh26x/emlinh-project, emlinh_mng/gunicorn.conf.py, commit 2308c8baab8782162709d87672ab303cfd6f4d3a.
# Fetched with the search tool; comments dropped, code as published.
import multiprocessing
import os

# Server socket
bind = "0.0.0.0:5000"
backlog = 2048

# Worker processes
workers = 2
worker_class = "sync"
worker_connections = 1000
timeout = 60
keepalive = 30
max_requests = 1000
max_requests_jitter = 50

# Restart workers after this many requests, to help prevent memory leaks
preload_app = True

# Logging
accesslog = "access.log"
errorlog = "error.log"
loglevel = "info"

# Process naming
proc_name = "emlinh_flask_app"

# Server mechanics
pidfile = "gunicorn.pid"
user = None
group = None
tmp_upload_dir = None

# SSL
keyfile = None
certfile = None

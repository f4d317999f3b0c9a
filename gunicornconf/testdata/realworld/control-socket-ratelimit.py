# Source: search-index file id 70558135117, a gunicorn config, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
import os

bind = "0.0.0.0:8000"
workers = int(os.getenv("WEB_WORKERS", "2"))
threads = 4
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = ""
worker_tmp_dir = "/tmp"
control_socket_disable = True

# Source: search-index file id 57675635378, a gunicorn production config, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
"""Gunicorn production configuration."""

import os


bind = "0.0.0.0:5001"
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
threads = int(os.getenv("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.getenv("GUNICORN_TIMEOUT", "180"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
capture_output = True
control_socket_disable = True

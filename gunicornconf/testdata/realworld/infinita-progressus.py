# Source: ruthlessPuppy/infinita_progressus, backend/gunicorn.conf.py, commit 0ece5e9de0b66f8522808e0535733eb817dd55da.
# Fetched with the search tool; comments dropped, code as published.
bind = "0.0.0.0:8000"
workers = 4
threads = 8
worker_class = "gthread"
timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 50

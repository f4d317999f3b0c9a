# Source: czangusiek/zamowienia-magazyn, gunicorn.conf.py, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
bind = "0.0.0.0:10000"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 50

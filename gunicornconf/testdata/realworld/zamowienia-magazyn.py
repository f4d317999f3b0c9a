# Source: czangusiek/zamowienia-magazyn, gunicorn.conf.py, commit 99997534b8945c351157e3acdc0be0f840947a4b.
# Fetched with the search tool; comments dropped, code as published.
bind = "0.0.0.0:10000"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 50

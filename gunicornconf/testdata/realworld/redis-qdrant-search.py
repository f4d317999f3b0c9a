# Source: ttm1234/redis_qdrant_search, gunicorn.conf.py, commit 617d01a1c912ebab55345d2c0fbaa7c218b1178f.
# Fetched with the search tool; comments dropped, code as published.
bind = '0.0.0.0:8000'
workers = 4
worker_class = 'gevent'
worker_connections = 1000
timeout = 30
keepalive = 10
max_requests = 2000
max_requests_jitter = 20

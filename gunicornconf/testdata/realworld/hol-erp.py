# Source: gestholdev/hol-erp, backend/gunicorn_config.py, commit c5349e7faae03c7141ba7576cf75b084e57aab54.
# Fetched with the search tool; comments dropped, code as published.
bind = "127.0.0.1:8001"
workers = 3
worker_class = "sync"
timeout = 120
accesslog = "/var/log/gunicorn/access.log"
errorlog = "/var/log/gunicorn/error.log"
loglevel = "info"

# Source: llybin/burst_explorer, gunicorn.conf.py, commit 1a3795e96adbfad59766fcd63a8122124fd80b5c.
# Fetched with the search tool; code as published.
# https://docs.gunicorn.org/en/stable/settings.html

import multiprocessing

bind = "0.0.0.0:5000"
workers = 2 * multiprocessing.cpu_count() - 1
threads = 2 * multiprocessing.cpu_count()
timeout = 30
keepalive = 2
max_requests = 500
max_requests_jitter = 100
chdir = "/app"
worker_tmp_dir = "/dev/shm"
forwarded_allow_ips = "*"
proxy_allow_ips = "*"
loglevel = "info"

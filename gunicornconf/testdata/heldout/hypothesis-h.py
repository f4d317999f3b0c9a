# Source: hypothesis/h, conf/gunicorn.conf.py, commit 17c276a8c3c10c9bca5fd3e9ea02b2bcc6e970f1.
# Verbatim below these two header lines (the search index's stored version of the file).
from os import environ


bind = "unix:/tmp/gunicorn-web.sock"
worker_tmp_dir = "/dev/shm"
workers = environ["WEB_NUM_WORKERS"]

max_requests = 1_000_000
max_requests_jitter = 250_000

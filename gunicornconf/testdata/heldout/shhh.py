# Source: smallwat3r/shhh, gunicorn/gunicorn.conf.py, commit 209aa61ac71804460067e6c28b23410e00684f32.
# Verbatim below these two header lines (the search index's stored version of the file).
import multiprocessing

bind = "0.0.0.0:5000"
worker_class = "gevent"
workers = multiprocessing.cpu_count() * 2 + 1

# Source: inventree/InvenTree, InvenTree/gunicorn.conf.py, commit 0908b8a666571fd48a35de58cb3091ce5bbda709.
# Verbatim below these two header lines (the search index's stored version of the file).
import multiprocessing

bind = "0.0.0.0:8000"

workers = multiprocessing.cpu_count() * 2 + 1

max_requests = 1000
max_requests_jitter = 50

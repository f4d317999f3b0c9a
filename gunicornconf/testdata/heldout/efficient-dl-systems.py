# Source: mryab/efficient-dl-systems, week06_deployment/04_metrics/gunicorn.py, commit 93eaa46b69c4712670aa1c6e3c399f61cea2d740.
# Verbatim below these two header lines (the search index's stored version of the file).
import multiprocessing

from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics


def child_exit(server, worker):
    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)


bind = '0.0.0.0:8080'
workers = 1  # multiprocessing.cpu_count() * 2 + 1
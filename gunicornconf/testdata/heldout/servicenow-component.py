# Source: WonderCode22/servicenow_component, service_now_service/gunicorn.py, commit 09fa74f5c3e23ec564f8fcd5a9d56dd94ad543b9.
# Verbatim below these two header lines (the search index's stored version of the file).
import os
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)


if os.environ.get('MODE') == 'dev':
    reload = True

bind = '0.0.0.0:5000'
workers = 4
threads = 4

# Source: search-index file id 70367874532, a gunicorn.conf.py template, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
import os

_ROOT = os.path.dirname(os.path.abspath(__file__))
_LOGS = os.path.join(_ROOT, "logs")
os.makedirs(_LOGS, exist_ok=True)
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
reload = os.environ.get("GUNICORN_RELOAD") == "1"
capture_output = True
accesslog = os.path.join(_LOGS, "access.log")
errorlog = os.path.join(_LOGS, "error.log")
loglevel = "info"
control_socket_disable = True

# Source: hypothesis/h, conf/gunicorn-websocket.conf.py, commit b11e61eb82d7ed02c651c913e949c3529bc14e95.
# Verbatim below these two header lines (the search index's stored version of the file).
bind = "0.0.0.0:5000"
worker_class = "h.streamer.Worker"
graceful_timeout = 0
workers = 2
worker_connections = 8192

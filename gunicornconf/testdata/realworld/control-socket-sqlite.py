# Source: search-index file id 69233508638, a gunicorn production config, commit not returned by the index for this file.
# Fetched with the search tool; comments dropped, code as published.
bind = "127.0.0.1:5000"
workers = 2
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 120
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = "info"

# Source: bbhagat1234/python-docs-hello-world, gunicorn.py, commit 025b70db7fa52b9038c13aa45b1d5d690ef095a8.
# Fetched with the search tool; code as published.
bind = '0.0.0.0:8000'
workers: 2
worker_class: gevent
threads: 1
timeout: 600
graceful_timeout: 30
accesslog: gunicorn-access.log
errorlog: gunicorn-error.log
loglevel: debug

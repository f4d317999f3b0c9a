# Source: weijiang1994/Blogin, gunicorn_conf.py, commit 0590e2c7f6f10a70472a67b8924c4f6b8bfc8edd.
# Fetched with the search tool; code as published.
worker = 4
worker_class = 'eventlet'
bind = '0.0.0.0:8000'
pidfile = '/tmp/gunicorn.pid'
accesslog = '/var/logs/gunicorn_access.log'
errorlog = '/var/logs/gunicorn_error.log'
capture_output = True
worker_connections = 1000

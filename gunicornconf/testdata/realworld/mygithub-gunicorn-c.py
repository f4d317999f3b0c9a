# Source: mmvitamush/MyGitHub, gunicorn_c.py, commit 6bb1722734cc38c3101cf09f0e5c92a335a8429d.
# Fetched with the search tool; code as published.
bind = '127.0.0.1:8000'
workers = 5
backlog = 2048
worker_class = 'gevent'
debug = True
daemon = True
pidfile = 'gunicorn.pid'
logfile = 'gunicorn.log'
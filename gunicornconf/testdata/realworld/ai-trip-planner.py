# Source: ohby88/ai-trip-planner_best, gunicorn.conf.py, commit fb604225891fc681cc5d64ef76d988f573fc4afd.
# Fetched with the search tool; comments dropped, code as published.
import multiprocessing

# Gunicorn config variables
loglevel = "info"
workers = multiprocessing.cpu_count() * 2 + 1
bind = "0.0.0.0:8000"
keepalive = 120
worker_class = "gevent"

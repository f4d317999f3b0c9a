# Source: rynowak/benchmarks-playground, python/weatherapp-flask/gunicorn_conf.py, commit a09a6a7259a18db641fefe3c219e0c94164a7438.
# Fetched with the search tool; comments dropped, code as published.
import multiprocessing
import os

workers = multiprocessing.cpu_count() * 3
if "CPUS" in os.environ:
  workers = (int)(float(os.environ["CPUS"])) * 3

bind = "0.0.0.0:5000"
keepalive = 120
errorlog = '-'
pidfile = 'gunicorn.pid'

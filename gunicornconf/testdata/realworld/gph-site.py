# Source: galacticpuzzlehunt/gph-site, gph/gunicorn.py, commit 284463db0c99084be1eb6221f5255bea03d29476.
# Fetched with the search tool; code as published.
#!/usr/bin/env python3
import multiprocessing

workers = multiprocessing.cpu_count() * 2 + 1
worker_class = 'uvicorn.workers.UvicornWorker'
loglevel = 'debug'
pidfile = 'gunicorn.pid'
reload = True

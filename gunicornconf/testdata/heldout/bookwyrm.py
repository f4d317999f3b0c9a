# Source: bookwyrm-social/bookwyrm, gunicorn.conf.py, commit 06a7ab11e555bd960149c2436a6b4b31847b8923.
# Verbatim below these two header lines (the search index's stored version of the file).
import multiprocessing
from environs import Env

env = Env()
env.read_env()

bind = "0.0.0.0:8000"
workers = multiprocessing.cpu_count() * 2 + 1
if env.bool("DEBUG", False):
    reload = True

# Source: Ilhasoft/ureport, gunicorn/gunicorn.conf.py, commit a930a6d5c613f9a0986a2bc0a4e5828ae25e3368.
# Verbatim below these two header lines (the search index's stored version of the file).
import multiprocessing


bind = '0.0.0.0:8000'
workers = multiprocessing.cpu_count() * 2 + 1
threads = workers
name = 'rapidpro'
env = 'DJANGO_SETTINGS_MODULE=ureport.settings'
proc_name = 'ureport'
default_proc_name = proc_name
loglevel = 'debug'
accesslog = 'gunicorn.access'
errorlog = 'gunicorn.error'
timeout = 120
chdir = '/app'
capture_output = True
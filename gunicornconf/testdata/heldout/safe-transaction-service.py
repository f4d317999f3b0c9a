# Source: safe-global/safe-transaction-service, gunicorn.conf.py, commit 08c1519cc603f9b357f00e03d8840489f86b9006.
# Verbatim below these two header lines (the search index's stored version of the file).
access_logfile = '-'
error_logfile = '-'
graceful_timeout = 120
log_file = '-'
log_level = 'info'
logger_class = 'safe_transaction_service.utils.loggers.CustomGunicornLogger'
# max_requests = 2000  # Restart a worker after it has processed a given number of requests (for memory leaks)
preload_app = False  # Load application code before the worker processes are forked (problems with gevent patching)
timeout = 90
worker_class = 'gevent'
worker_connections = 2000


def post_fork(server, worker):
    try:
        from psycogreen.gevent import patch_psycopg
        patch_psycopg()
        worker.log.info("Made Psycopg2 Green")
    except ImportError:
        worker.log.info("Psycopg2 not patched")

# Source: makeplane/plane, apiserver/gunicorn.config.py, commit 39f69b7ed2595eeb7806e911dfa464f43e942508.
# Verbatim below these two header lines (the search index's stored version of the file).
from psycogreen.gevent import patch_psycopg


def post_fork(server, worker):
    patch_psycopg()
    worker.log.info("Made Psycopg2 Green")

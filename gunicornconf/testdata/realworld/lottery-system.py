# Source: vardanaloyan/lottery-system, lottery_system/config/gunicorn_conf.py, commit 66add6b78d6a33412b83bb0fd809c1956beb5d11.
# Fetched with the search tool; code as published.
# Gunicorn config variables
loglevel = "info"
errorlog = "-"
accesslog = "stdout"
worker_tmp_dir = "/dev/shm"
graceful_timeout = 120
timeout = 1000
keepalive = 5
threads = 3

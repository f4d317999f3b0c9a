# Source: netbox-community/netbox-docker, docker/gunicorn_config.py, commit 1072d243a312a0b15e7b7bc01451b258d75d59dd.
# Verbatim below these two header lines (the search index's stored version of the file).
command = '/usr/bin/gunicorn'
pythonpath = '/opt/netbox/netbox'
bind = '0.0.0.0:8001'
workers = 3
user = 'root'
errorlog = '-'
accesslog = '-'
capture_output = False

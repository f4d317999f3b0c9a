# Source: HumanSignal/label-studio, deploy/gunicorn.conf.py, commit ee63d12f242f9affb42f03351754ff7de63c4513.
# Verbatim below these two header lines (the search index's stored version of the file).
wsgi_app = 'core.wsgi'
bind = '0.0.0.0:8000'
chdir = '/label-studio/label_studio'

# Source: santhl123/RagChatbot, gunicorn_config.py, commit 08a0419bdaff228eef410ce6ec5b5cb2defa5275.
# Fetched with the search tool; comments dropped, code as published.
workers = 3
bind = "0.0.0.0:8000"
timeout = 120
keepalive = 5
errorlog = "logs/gunicorn-error.log"
accesslog = "logs/gunicorn-access.log"
loglevel = "info"

# Source: demmys/arch_lingr_bot, gunicorn.py, commit 2f210992a5a424e8dbfc234aa028a1cffc22dca5.
# Fetched with the search tool; code as published.
bind = '127.0.0.1:5000'
workers = 4
backlog = 2048
accesslog = '/var/log/gunicorn/access.log'
errorlog = '/var/log/gunicorn/error.log'
loglevel = 'info'

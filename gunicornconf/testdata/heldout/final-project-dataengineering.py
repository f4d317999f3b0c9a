# Source: Ricainz/Final-Project-DataEngineering, gunicorn_config.py, commit 26274ede4ad6f546ed8a681ba152ab7fc39a05aa.
# Verbatim below these two header lines (the search index's stored version of the file).
bind = "0.0.0.0:5000"
workers = 6
threads = 4
timeout = 120

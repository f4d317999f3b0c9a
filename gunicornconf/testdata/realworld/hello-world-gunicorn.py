# Source: andyudina/web_tech_hw_1, helloworld/configs/hello-world-gunicorn.py, commit e796bc394b4791cceed79090747d16960cdf4e19.
# Fetched with the search tool; comments dropped, code as published.
import multiprocessing

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2 + 1

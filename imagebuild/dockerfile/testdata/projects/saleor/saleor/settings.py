import os

PROJECT_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
STATIC_ROOT: str = os.path.join(PROJECT_ROOT, "static")
STATIC_URL: str = os.environ.get("STATIC_URL", "/static/")

import os
from pathlib import Path

BASE_DIR: Path = Path(__file__).resolve().parent.parent
STATIC_ROOT = Path(os.getenv("PAPERLESS_STATICDIR", BASE_DIR.parent / "static"))
STATIC_URL = os.getenv("PAPERLESS_STATIC_URL", "/static/")
ASGI_APPLICATION = "paperless.asgi.application"

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATIC_ROOT = BASE_DIR / "static-collected"
STATIC_URL = "/static/"
COMPRESS_OFFLINE = True
COMPRESS_CSS_HASHING_METHOD = "content"

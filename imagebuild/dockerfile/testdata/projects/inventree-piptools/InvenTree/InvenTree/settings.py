import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATIC_ROOT = Path(os.getenv("INVENTREE_STATIC_ROOT", BASE_DIR / "static_root"))
STATIC_URL = "/static/"

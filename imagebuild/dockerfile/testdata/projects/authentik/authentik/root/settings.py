from pathlib import Path

BASE_DIR = Path(__file__).absolute().parent.parent.parent
STATIC_URL = "/static/"
ASGI_APPLICATION = "authentik.root.asgi.application"

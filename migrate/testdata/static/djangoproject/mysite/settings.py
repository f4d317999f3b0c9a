"""Settings for the test project. The database comes from DATABASE_URL
(postgres://user:pass@host:port/name), as the deploykit tests set it."""
import os
from urllib.parse import urlparse, unquote

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["blog"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

_url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/") or "postgres",
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}

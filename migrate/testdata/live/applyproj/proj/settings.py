# Minimal settings for deploykit's apply -project tests. The database
# comes from DEPLOYKIT_DATABASE_URL (postgres://user:pass@host:port/name).
import os
from urllib.parse import urlparse, unquote

_u = urlparse(os.environ["DEPLOYKIT_DATABASE_URL"])
SECRET_KEY = "test-only"
INSTALLED_APPS = ["shop"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _u.path.lstrip("/"),
        "USER": unquote(_u.username or ""),
        "PASSWORD": unquote(_u.password or ""),
        "HOST": _u.hostname,
        "PORT": _u.port or 5432,
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

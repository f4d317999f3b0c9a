# Minimal Django project for cdn's real-origin tests: WhiteNoise served by
# gunicorn. The tests write settings.py = this file + cdn.RenderSettings(...)
# + the variant's lines, then run a real `collectstatic --noinput`.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.staticfiles"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
]
ROOT_URLCONF = "urls"
STATICFILES_DIRS = [BASE_DIR / "static"]

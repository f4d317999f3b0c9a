# Source: deploykit code-search corpus, file id 54780255206. The index returned this public file without
# its repository, path or commit, so it cannot be attributed; kept as input for deploykit's cdn checker.
# Excerpt: the static-file and neighbouring lines of the file, other settings left out.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = 'redacted-by-deploykit'

DEBUG = True

ALLOWED_HOSTS = ['*']


# This is a static personal site: no database, no admin, no auth, no sessions.
# Content lives in apps/website/content.py, not in a database.
INSTALLED_APPS = [
    'django.contrib.staticfiles',
    'apps.website',
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    'whitenoise.middleware.WhiteNoiseMiddleware',
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = 'conf.urls'

WSGI_APPLICATION = 'conf.wsgi.application'

# No database. The ORM is unused; site content is in apps/website/content.py.
DATABASES = {}


# Static files (CSS, JavaScript, Images)
STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
WHITENOISE_MAX_AGE = 31536000

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

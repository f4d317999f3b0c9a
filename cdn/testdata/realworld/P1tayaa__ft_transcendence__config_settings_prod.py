# Source: https://github.com/P1tayaa/ft_transcendence/blob/0598ed0baf75bb520549f4f3c935a6b1cee60df0/src/config/settings/prod.py
# (repository P1tayaa/ft_transcendence, path src/config/settings/prod.py, commit 0598ed0baf75bb520549f4f3c935a6b1cee60df0), kept as input for deploykit's cdn checker.
from .base import *

DEBUG = False
ALLOWED_HOSTS = ['*']

SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

MIDDLEWARE.insert(1, 'whitenoise.middleware.WhiteNoiseMiddleware')
STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")  # This is a new directory
STATIC_URL = "/static/"
STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"

MEDIA_ROOT = os.path.join(BASE_DIR, "src",  "static", "media")
MEDIA_URL = "/static/media/"

WHITENOISE_ROOT = None  # Don't serve files from WHITENOISE_ROOT
WHITENOISE_INDEX_FILE = False  # Don't look for index.html
WHITENOISE_AUTOREFRESH = True  # Refresh files during development

# Ensure media files are collected during collectstatic


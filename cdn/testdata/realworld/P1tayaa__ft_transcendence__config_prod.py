# Source: https://github.com/P1tayaa/ft_transcendence/blob/10f3707a1cd2922c29b34883fa942bd7f65a3899/src/config/prod.py
# (repository P1tayaa/ft_transcendence, path src/config/prod.py, commit 10f3707a1cd2922c29b34883fa942bd7f65a3899), kept as input for deploykit's cdn checker.
from .base import *

DEBUG = False
ALLOWED_HOSTS = ['*']

SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

MIDDLEWARE.insert(1, 'whitenoise.middleware.WhiteNoiseMiddleware')
STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"

WHITENOISE_ROOT = None  # Don't serve files from WHITENOISE_ROOT
WHITENOISE_INDEX_FILE = False  # Don't look for index.html
WHITENOISE_AUTOREFRESH = True  # Refresh files during development

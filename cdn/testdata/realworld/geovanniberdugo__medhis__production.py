# Source: https://github.com/geovanniberdugo/medhis/blob/b8f8df111432bfab537853ed8e8dbd4603e9707d/dasalud/settings/production.py
# (repository geovanniberdugo/medhis, path dasalud/settings/production.py, commit b8f8df111432bfab537853ed8e8dbd4603e9707d), kept as input for deploykit's cdn checker.
from .base import *

DEBUG = False

#  Ssl configuration

SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Staticfiles

STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'

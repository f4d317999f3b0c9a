# Source: https://github.com/kevgathuku/kevgathuku-django-blog/blob/4e3637339c397af497e70eed29fbc0d1a798655c/kevgathuku/settings/production.py
# (repository kevgathuku/kevgathuku-django-blog, path kevgathuku/settings/production.py, commit 4e3637339c397af497e70eed29fbc0d1a798655c), kept as input for deploykit's cdn checker.
from .base import *

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

TEMPLATE_DEBUG = False

# Allow all host headers
ALLOWED_HOSTS = ['*']

# Honor the 'X-Forwarded-Proto' header for request.is_secure()
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')

#Whitenoise static files storage
STATICFILES_STORAGE = 'whitenoise.django.GzipManifestStaticFilesStorage'

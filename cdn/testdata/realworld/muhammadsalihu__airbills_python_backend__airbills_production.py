# Source: https://github.com/muhammadsalihu/airbills_python_backend/blob/b60ee89ef0c58d2cfb2ef60d6d9b176f4625e952/airbills/production.py
# (repository muhammadsalihu/airbills_python_backend, path airbills/production.py, commit b60ee89ef0c58d2cfb2ef60d6d9b176f4625e952), kept as input for deploykit's cdn checker.
# myproject/production.py
from .settings import *


DEBUG = False
ALLOWED_HOSTS = ['.azurewebsites.net']  # Add your Azure domain

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'whitenoise.middleware.WhiteNoiseMiddleware',  # Add this
    # ... rest of your middleware
]

STATIC_ROOT = BASE_DIR / 'staticfiles'
STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'

# settings/production.py: sections 3b and 3c of the design document,
# verbatim, on top of the base settings.
import os

from .base import *  # noqa: F401,F403

STATIC_URL = 'https://minimalwave-static.azureedge.net/static/'

# Optional: Azure Blob Storage for static files
STATICFILES_STORAGE = 'storages.backends.azure_storage.AzureStorage'
AZURE_ACCOUNT_NAME = os.getenv('AZURE_STORAGE_ACCOUNT')
AZURE_CONTAINER = 'static'
AZURE_CUSTOM_DOMAIN = 'minimalwave-static.azureedge.net'

# settings/production.py
WHITENOISE_MAX_AGE = 31536000  # 1 year for static files with hash names

# Source: https://github.com/FAIRDataPipeline/data-registry/blob/1849834383ff08edaff8ee3eda1b748081c12a0c/drams/local-settings.py
# (repository FAIRDataPipeline/data-registry, path drams/local-settings.py, commit 1849834383ff08edaff8ee3eda1b748081c12a0c), kept as input for deploykit's cdn checker.
# Excerpt: the DEBUG, host and static-file lines of the file; the secret key and other settings left out.
import os

# Build paths inside the project like this: os.path.join(BASE_DIR, ...)
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False
# DEBUG_PROPAGATE_EXCEPTIONS = True

ALLOWED_HOSTS = ['127.0.0.1', 'localhost']

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'whitenoise.middleware.WhiteNoiseMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
]

# Static files (CSS, JavaScript, Images)
# https://docs.djangoproject.com/en/3.0/howto/static-files/

STATIC_URL = '/static/'
STATIC_ROOT = os.path.join(BASE_DIR, "static")
STATICFILES_DIRS = [
]
STATICFILES_STORAGE = 'whitenoise.storage.CompressedStaticFilesStorage'

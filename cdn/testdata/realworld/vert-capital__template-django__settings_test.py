# Source: https://github.com/vert-capital/template-django/blob/1a218042c0e619ff821fde0c45d4de0af0e4b117/src/conf/settings_test.py
# (repository vert-capital/template-django, path src/conf/settings_test.py, commit 1a218042c0e619ff821fde0c45d4de0af0e4b117), kept as input for deploykit's cdn checker.
from decouple import config

from .settings import *

STATIC_URL = config('STATIC_URL', default='/static/')
STATIC_ROOT = config('STATIC_ROOT', default='staticfiles')

STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'
DEFAULT_FILE_STORAGE = 'django.core.files.storage.FileSystemStorage'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': ':memory:',
        'TEST': {}
    }
}

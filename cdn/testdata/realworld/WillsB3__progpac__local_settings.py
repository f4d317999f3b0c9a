# Source: https://github.com/WillsB3/progpac/blob/ffcde1c69be82cd501250a8c4c334b1302e504f6/progpac/local_settings.py
# (repository WillsB3/progpac, path progpac/local_settings.py, commit ffcde1c69be82cd501250a8c4c334b1302e504f6), kept as input for deploykit's cdn checker.
from settings import *

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.path.join(SITE_ROOT, 'development.db')
    }
}

DEBUG=True
STATIC_URL = '/static/'
STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'

COMPRESS_ENABLED = False
COMPRESS_OFFLINE = False

COMPRESS_PRECOMPILERS = ()

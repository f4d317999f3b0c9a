# Source: https://github.com/martolini/reactchat/blob/fb22776e6dfa4ec66979cc5815ebbc42953beab5/sharexio/dev_settings.py
# (repository martolini/reactchat, path sharexio/dev_settings.py, commit fb22776e6dfa4ec66979cc5815ebbc42953beab5), kept as input for deploykit's cdn checker.
DEBUG = True
DEV = True

STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'
STATIC_URL = '/static/'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': 'db.sqlite3',
    }
}

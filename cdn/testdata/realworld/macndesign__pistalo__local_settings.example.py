# Source: https://github.com/macndesign/pistalo/blob/1aa107a06f47edb559b03093151a59483b6c1c1a/pistalo/local_settings.example.py
# (repository macndesign/pistalo, path pistalo/local_settings.example.py, commit 1aa107a06f47edb559b03093151a59483b6c1c1a), kept as input for deploykit's cdn checker.
from settings import *

STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'
STATIC_URL = '/static/'

DEFAULT_FILE_STORAGE = 'django.core.files.storage.FileSystemStorage'
MEDIA_URL = '/media/'

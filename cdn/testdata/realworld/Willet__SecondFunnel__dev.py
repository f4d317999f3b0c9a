# Source: https://github.com/Willet/SecondFunnel/blob/04bcdd98a93220ff08652c878300a6c19b152a15/secondfunnel/settings/dev.py
# (repository Willet/SecondFunnel, path secondfunnel/settings/dev.py, commit 04bcdd98a93220ff08652c878300a6c19b152a15), kept as input for deploykit's cdn checker.
# Excerpt: the environment, DEBUG and static-file lines of the file; credentials and other settings left out.
from common import *

ENVIRONMENT = "dev"
DEBUG = True
TEMPLATE_DEBUG = DEBUG
MOCK_IR_SERVER = True

AWS_STORAGE_BUCKET_NAME = 'secondfunnel-test-static'

DEFAULT_FILE_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'
STATICFILES_STORAGE = DEFAULT_FILE_STORAGE
COMPRESS_STORAGE = STATICFILES_STORAGE

STATIC_URL = '/static/'
COMPRESS_URL = STATIC_URL
STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage'

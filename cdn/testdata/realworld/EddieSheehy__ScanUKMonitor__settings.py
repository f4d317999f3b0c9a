# Source: https://github.com/EddieSheehy/ScanUKMonitor/blob/663845fa17091207b74234bbe2eb7fe6af4412ee/settings.py
# (repository EddieSheehy/ScanUKMonitor, path settings.py, commit 663845fa17091207b74234bbe2eb7fe6af4412ee), kept as input for deploykit's cdn checker.
MIDDLEWARE = [
  'django.middleware.security.SecurityMiddleware',
  'whitenoise.middleware.WhiteNoiseMiddleware',
]

STATICFILES_STORAGE = 'whitenoise.storage.CompressedStaticFilesStorage'

# Source: https://github.com/ShanmukaRS25/Finance_tracker/blob/71866597f562b77836c2aa30fde36006a09c5dfd/finance_tracker/settings.py
# (repository ShanmukaRS25/Finance_tracker, path finance_tracker/settings.py, commit 71866597f562b77836c2aa30fde36006a09c5dfd), kept as input for deploykit's cdn checker.
MIDDLEWARE = [
    # ...
    'whitenoise.middleware.WhiteNoiseMiddleware',
    # ...
]

STATIC_ROOT = BASE_DIR / 'staticfiles'
STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'

ALLOWED_HOSTS = ['*']

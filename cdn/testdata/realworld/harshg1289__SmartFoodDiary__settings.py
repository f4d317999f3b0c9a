# Source: https://github.com/harshg1289/SmartFoodDiary/blob/e60033ce5bd96dc81e64ef77d432f5a0f4bf0dd9/settings.py
# (repository harshg1289/SmartFoodDiary, path settings.py, commit e60033ce5bd96dc81e64ef77d432f5a0f4bf0dd9), kept as input for deploykit's cdn checker.
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'whitenoise.middleware.WhiteNoiseMiddleware',
    ...
]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'

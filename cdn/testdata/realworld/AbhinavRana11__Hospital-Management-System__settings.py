# Source: https://github.com/AbhinavRana11/Hospital-Management-System/blob/e46495c451451a5f0c43ce187ec51229ef1f214b/settings.py
# (repository AbhinavRana11/Hospital-Management-System, path settings.py, commit e46495c451451a5f0c43ce187ec51229ef1f214b), kept as input for deploykit's cdn checker.
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'whitenoise.middleware.WhiteNoiseMiddleware',
    ...
]

STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')
STATIC_URL = '/static/'
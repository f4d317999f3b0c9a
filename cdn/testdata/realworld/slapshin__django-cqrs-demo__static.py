# Source: https://github.com/slapshin/django-cqrs-demo/blob/5bb51bd81716aa3d19a9e3e2eb4f459107d1d095/src/settings/components/static.py
# (repository slapshin/django-cqrs-demo, path src/settings/components/static.py, commit 5bb51bd81716aa3d19a9e3e2eb4f459107d1d095), kept as input for deploykit's cdn checker.
STATIC_URL = "/static/"
STATIC_ROOT = "/var/www/static"
STATICFILES_FINDERS = (
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
)

STATICFILES_STORAGE = (
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
)

# Source: https://github.com/nitinraturi/django-structure/blob/e4a23014104b6ac7f06cd6b08f56b827731ce5a4/conf/settings/base/assets.py
# (repository nitinraturi/django-structure, path conf/settings/base/assets.py, commit e4a23014104b6ac7f06cd6b08f56b827731ce5a4), kept as input for deploykit's cdn checker.
import os

# Static files (CSS, JavaScript, Images)
# https://docs.djangoproject.com/en/{{ docs_version }}/howto/static-files/
STATIC_URL = '/static/'
STATIC_ROOT = os.path.join(BASE_DIR,"static_cdn","static_root")

STATICFILES_DIRS = (
    os.path.join(BASE_DIR, "static"),
)

STATICFILES_STORAGE = 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'

STATICFILES_FINDERS = (
    'django.contrib.staticfiles.finders.FileSystemFinder',
    'django.contrib.staticfiles.finders.AppDirectoriesFinder',
)

MEDIA_URL = '/media/'
MEDIA_ROOT = os.path.join(BASE_DIR, 'static_cdn',"media_root")

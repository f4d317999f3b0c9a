# Source: https://github.com/yashgo0018/django-ecommerce/blob/0e19a6ede123b793c8e3cf1b631874e74c85f372/ecommerce/settings/prod.py
# (repository yashgo0018/django-ecommerce, path ecommerce/settings/prod.py, commit 0e19a6ede123b793c8e3cf1b631874e74c85f372), kept as input for deploykit's cdn checker.
from .base import *

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.mysql',
        'NAME': os.environ.get('DB_NAME'),
        'HOST': os.environ.get('DB_HOST'),
        'PASSWORD': os.environ.get('DB_PASSWORD'),
        'USER': os.environ.get('DB_USER'),
        'OPTIONS': {
            'init_command': "SET sql_mode='STRICT_TRANS_TABLES'",
        },
    }
}

SECRET_KEY = 'redacted-by-deploykit'
ALLOWED_HOSTS = ['ecommerce.pythonanywhere.com']


STATIC_URL = '/static/'

MEDIA_ROOT = '/home/ecommerce/ecommerce/media'
MEDIA_URL = '/media/'
STATIC_ROOT = '/home/ecommerce/ecommerce/static'
STATIC_URL = '/static/'

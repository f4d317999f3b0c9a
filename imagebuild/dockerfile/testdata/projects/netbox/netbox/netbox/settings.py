import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC_ROOT = BASE_DIR + '/static'
STATIC_URL = '/static/'
WSGI_APPLICATION = 'netbox.wsgi.application'

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "build-only")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.staticfiles", "blog"]
ROOT_URLCONF = "blog.urls"
STATIC_URL = "/static/"
STATIC_ROOT = "staticfiles"
WSGI_APPLICATION = "blog.wsgi.application"

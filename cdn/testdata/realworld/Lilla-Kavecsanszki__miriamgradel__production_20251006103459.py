# Source: https://github.com/Lilla-Kavecsanszki/miriamgradel/blob/1f1526cf7b2dc708914c7278e4a5b8105f5ae7dc/.history/miriamgradel/settings/production_20251006103459.py
# (repository Lilla-Kavecsanszki/miriamgradel, path .history/miriamgradel/settings/production_20251006103459.py, commit 1f1526cf7b2dc708914c7278e4a5b8105f5ae7dc), kept as input for deploykit's cdn checker.
# miriamgradel/settings/production.py  (TEMPORARY rollback)
from .base import *

DEBUG = False

STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

if "whitenoise.middleware.WhiteNoiseMiddleware" not in MIDDLEWARE:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

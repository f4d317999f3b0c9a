# Source: deploykit code-search corpus, file id 30209337417. The index returned this public file without
# its repository, path or commit, so it cannot be attributed; kept as input for deploykit's cdn checker.
# Excerpt: the static-file and neighbouring lines of the file, other settings left out.
"""
Django production settings.
"""
from .base import *
import os
from django.core.exceptions import ImproperlyConfigured

DEBUG = False

# Add WhiteNoise middleware for serving static files
MIDDLEWARE.insert(1, 'whitenoise.middleware.WhiteNoiseMiddleware')

# WhiteNoise configuration - override staticfiles storage
STORAGES["staticfiles"] = {
  "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
}

WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

SECURE_BROWSER_XSS_FILTER = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = 'DENY'
SECURE_HSTS_SECONDS = 31536000

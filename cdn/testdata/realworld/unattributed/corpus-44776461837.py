# Source: deploykit code-search corpus, file id 44776461837. The index returned this public file without
# its repository, path or commit, so it cannot be attributed; kept as input for deploykit's cdn checker.
# Excerpt: the static-file and neighbouring lines of the file, other settings left out.
import sys

from .base import *

# like on dev
DEBUG = True

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
    },
    "staticfiles": {
        # https://stackoverflow.com/a/76117900
        # "disables the caching behavior for the tests, for static files to load properly"
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# this is used to quelch a
# "UserWarning: No directory at: .../staticfiles/" warning
WHITENOISE_AUTOREFRESH = True

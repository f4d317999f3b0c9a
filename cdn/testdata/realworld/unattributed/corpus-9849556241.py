# Source: deploykit code-search corpus, file id 9849556241. The index returned this public file without
# its repository, path or commit, so it cannot be attributed; kept as input for deploykit's cdn checker.
# Excerpt: the static-file and neighbouring lines of the file, other settings left out.
import os
from pathlib import Path
from decouple import config

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = config("SECRET_KEY")

DEBUG = False

# Combine both lists and filter empty strings
ENV_HOSTS = os.getenv('ALLOWED_HOSTS', '').split(',')

# ✅ Static files
STATIC_URL = '/static/'
STATICFILES_DIRS = [
    BASE_DIR / "static",  # Place your static files here
]

# KEEP ONLY ONE COPY OF THESE (remove duplicates):
STATIC_URL = '/static/'
STATIC_ROOT = os.path.join(BASE_DIR, 'staticfiles')  # For collectstatic
STATICFILES_DIRS = [os.path.join(BASE_DIR, 'static')]  # Your source files
STATICFILES_STORAGE = 'whitenoise.storage.CompressedManifestStaticFilesStorage'

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = 'DENY'

# Whitenoise compression and caching
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_MAX_AGE = 31536000  # 1 year cache

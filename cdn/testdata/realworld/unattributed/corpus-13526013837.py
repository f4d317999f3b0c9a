# Source: deploykit code-search corpus, file id 13526013837. The index returned this public file without
# its repository, path or commit, so it cannot be attributed; kept as input for deploykit's cdn checker.
# Excerpt: the static-file and neighbouring lines of the file, other settings left out.
from os import getenv
from os import path
from pathlib import Path

SYSTEM_ENV = getenv("SYSTEM_ENV", "dev")
DEVELOPMENT_MODE = getenv("DEVELOPMENT_MODE", "False") == "True"

BASE_DIR = Path(__file__).resolve().parent.parent

if DEVELOPMENT_MODE is True or SYSTEM_ENV == "GITHUB_WORKFLOW":
    STATIC_URL = "static/"
    STATIC_ROOT = path.join(BASE_DIR, "static")
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
        },
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
        },
    }
else:
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "max-age=86400"}
    AWS_LOCATION = "static"
    STORAGES = {
        "default": {
            "BACKEND": "core.storages.CustomS3Boto3Storage",
        },
        "staticfiles": {
            "BACKEND": "storages.backends.s3boto3.S3StaticStorage",
        },
    }

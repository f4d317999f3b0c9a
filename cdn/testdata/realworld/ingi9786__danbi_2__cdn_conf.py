# Source: https://github.com/ingi9786/danbi_2/blob/260ef59c3c3f0492c37cef4c16a26a04c8c8b0d0/backend/config/cdn/conf.py
# (repository ingi9786/danbi_2, path backend/config/cdn/conf.py, commit 260ef59c3c3f0492c37cef4c16a26a04c8c8b0d0), kept as input for deploykit's cdn checker.
import os

AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY")
AWS_STORAGE_BUCKET_NAME='django-danbi2-static-space'
AWS_S3_ENDPOINT_URL="https://sgp1.digitaloceanspaces.com"
AWS_S3_OBJECT_PARAMETERS = {
    "CacheControl": "max-age=86400",
    "ACL": "public-read"
}
AWS_LOCATION="https://django-danbi2-static-space.sgp1.digitaloceanspaces.com"
DEFAULT_FILE_STORAGE = "config.cdn.backends.MediaRootS3BotoStorage"
STATICFILES_STORAGE = "config.cdn.backends.StaticRootS3BotoStorage"
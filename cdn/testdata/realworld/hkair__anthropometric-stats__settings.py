# Source: https://github.com/hkair/anthropometric-stats/blob/cbd0ab93e48f75c7a236e5680211b63bb5b80e21/settings.py
# (repository hkair/anthropometric-stats, path settings.py, commit cbd0ab93e48f75c7a236e5680211b63bb5b80e21), kept as input for deploykit's cdn checker.
DEFAULT_FILE_STORAGE = 'storages.backends.s3boto3.S3Boto3Storage'
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "")
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_QUERYSTRING_AUTH = False
AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
MEDIA_ROOT = os.environ.get("MEDIA_URL", "")
MEDIA_URL = '/media/'
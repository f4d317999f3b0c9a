# Source: https://github.com/wjdansrl7/FIT_EAT_UP_backend/blob/93440fb08917b999f66ad162120ba0027c4f5c55/backend/settings/prod.py
# (repository wjdansrl7/FIT_EAT_UP_backend, path backend/settings/prod.py, commit 93440fb08917b999f66ad162120ba0027c4f5c55), kept as input for deploykit's cdn checker.
from .common import *

STATICFILES_STORAGE = "backend.storages.StaticAzureStorage"
DEFAULT_FILE_STORAGE = "backend.storages.MediaAzureStorage"

AZURE_ACCOUNT_NAME = os.environ["AZURE_ACCOUNT_NAME"]
AZURE_ACCOUNT_KEY = os.environ["AZURE_ACCOUNT_KEY"]



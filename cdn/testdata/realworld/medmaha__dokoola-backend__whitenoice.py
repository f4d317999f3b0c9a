# Source: https://github.com/medmaha/dokoola-backend/blob/02ab3651d3f6900c5cf2d5f10da46baa323cb41b/src/settings/whitenoice.py
# (repository medmaha/dokoola-backend, path src/settings/whitenoice.py, commit 02ab3651d3f6900c5cf2d5f10da46baa323cb41b), kept as input for deploykit's cdn checker.
# # On older Django versions
# STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"

STORAGES = {
    # ...
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}

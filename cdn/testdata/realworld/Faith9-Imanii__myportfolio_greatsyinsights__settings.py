# Source: https://github.com/Faith9-Imanii/myportfolio_greatsyinsights/blob/53448189202a1add797796d31ebe09393f3a6f7f/myportfolio/settings.py
# (repository Faith9-Imanii/myportfolio_greatsyinsights, path myportfolio/settings.py, commit 53448189202a1add797796d31ebe09393f3a6f7f), kept as input for deploykit's cdn checker.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # add this
    "django.contrib.sessions.middleware.SessionMiddleware",
    ...
]

# Add this at the bottom of settings.py
STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

STATIC_ROOT = "/app/staticfiles"

from .base import *  # noqa: F403

SECRET_KEY = "test"

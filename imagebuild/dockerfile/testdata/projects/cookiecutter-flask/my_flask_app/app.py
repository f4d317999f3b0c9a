"""The app module, containing the app factory function."""
from flask import Flask


def create_app(config_object="my_flask_app.settings"):
    """Create application factory."""
    app = Flask(__name__.split(".")[0])
    app.config.from_object(config_object)
    return app

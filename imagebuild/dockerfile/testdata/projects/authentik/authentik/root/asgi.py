from os import environ

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

environ.setdefault("DJANGO_SETTINGS_MODULE", "authentik.root.settings")

application = ProtocolTypeRouter({"http": get_asgi_application()})

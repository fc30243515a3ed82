"""ASGI entry point: HTTP through Django, /ws/ through Channels.

Run it with `python manage.py serve` (daphne). With the in-memory channel layer the
process refuses to start when WEB_CONCURRENCY asks for more than one worker: events
published in one process would never reach websockets held by another.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extranet.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from extranet.routing import websocket_urlpatterns  # noqa: E402
from extranet.workers import check_worker_count  # noqa: E402

check_worker_count(settings.WEB_CONCURRENCY, settings.CHANNEL_LAYERS)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

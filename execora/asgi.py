"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")

# Django must be set up before anything imports models (consumers do).
django_asgi_app = get_asgi_application()

import gc  # noqa: E402

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from execora.routing import websocket_urlpatterns  # noqa: E402
from execora.ws_auth import websocket_auth_stack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": websocket_auth_stack(URLRouter(websocket_urlpatterns)),
    }
)

# Everything imported so far lives as long as the process: move it out of the
# collector's sight, so full collections under thousands of open WebSockets walk
# only what the connections themselves allocate (p99 ping fell from seconds to
# ~134 ms at 10 000 connections of a bare echo consumer; 44 ms measured with the voice
# consumer, benchmarks/voice_latency.py).
gc.collect()
gc.freeze()

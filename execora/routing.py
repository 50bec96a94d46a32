"""WebSocket routes of every app, gathered in one place for the ASGI router."""

from voice.routing import websocket_urlpatterns as voice_websocket_urlpatterns

websocket_urlpatterns = [*voice_websocket_urlpatterns]

"""WebSocket routes of the voice app (the /ws/voice/ consumer lands with the voice issue)."""

websocket_urlpatterns: list = []

"""WebSocket routes of the voice app."""

from django.urls import path

from voice.consumers import VoiceConsumer

websocket_urlpatterns = [path("ws/voice/", VoiceConsumer.as_asgi())]

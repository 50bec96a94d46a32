"""/ws/voice/: decode frames, hand them to the connection's LiveSession, send what it yields.

Authentication (session cookie or token header) and the Origin check happen
in execora.ws_auth before this runs; the frames are CONTRACTS.md's.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.serializers.json import DjangoJSONEncoder

from execora.tenancy import SESSION_KEY, membership_for_user
from voice.session import Frame, LiveSession, error_frame, session_slot_give, session_slot_take

logger = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's): the client should not retry blindly.
CLOSE_UNAUTHORISED = 4401
CLOSE_TOO_MANY = 4429


@database_sync_to_async
def _membership(user: Any, chosen: int | None):
    return membership_for_user(user, business_id=chosen)


class VoiceConsumer(AsyncWebsocketConsumer):
    # No channel layer: nothing is sent to a connection from another process, and with
    # Redis each connection would otherwise hold a blocking read on it (10 000 idle
    # connections, 10 000 Redis reads). An alias that is not configured means none.
    channel_layer_alias = "voice-no-channel-layer"
    session: LiveSession | None = None
    slot_user: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHORISED)  # before accept: the handshake gets a 403
            return
        django_session = self.scope.get("session")
        chosen = django_session.get(SESSION_KEY) if django_session is not None else None
        membership = await _membership(user, chosen)
        if membership is None:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        await self.accept()
        if not session_slot_take(user.pk):
            await self.send_frame(
                error_frame("too_many_sessions", "Too many voice connections open; close one.")
            )
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.slot_user = user.pk
        agent = dict(self.scope.get("headers", [])).get(b"user-agent", b"").decode("latin1")
        self.session = await LiveSession.open(
            user=user, business=membership.business, user_agent=agent
        )
        await self.send_frame(self.session.ready_frame())

    async def disconnect(self, code: int) -> None:
        if self.slot_user is not None:
            session_slot_give(self.slot_user)
            self.slot_user = None
        if self.session is not None:
            session, self.session = self.session, None
            await session.close()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session is None:
            return
        if bytes_data is not None:
            frames = self.session.on_bytes(bytes_data)
        else:
            frames = self.session.on_text(text_data or "")
        try:
            async for frame in frames:
                await self.send_frame(frame)
        except Exception:
            # A bug must cost one command, not the connection.
            logger.exception("voice frame failed", extra={"session": str(self.session.session_id)})
            await self.send_frame(error_frame("internal", "Something went wrong; try again."))

    async def send_frame(self, frame: Frame) -> None:
        if isinstance(frame, bytes):
            await self.send(bytes_data=frame)
        else:
            await self.send(text_data=json.dumps(frame, cls=DjangoJSONEncoder, ensure_ascii=False))

"""/ws/voice/ refuses what it must: bad frames get `error` frames and the connection
stays; strangers and other sites' pages are not let in; limits hold."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.voice.wsutil import (
    ORIGIN,
    connect,
    frames_until,
    in_test_thread,
    keep_test_connection,  # noqa: F401  (fixture)
    token_headers,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


async def _error(communicator) -> dict:
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "error", frame
    return frame


async def _still_answers(communicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"


@in_test_thread
async def test_bad_frames_get_error_frames_and_the_connection_stays(owner, shop, settings):
    settings.STT_PROVIDER = "none"
    settings.TTS_PROVIDER = "none"
    settings.VOICE_MESSAGES_PER_SECOND = 100  # the flood test below covers the rate
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    cases = [
        ({"bytes_data": b"\x00\x01" * 320}, "not_started"),  # audio before start
        ({"text_data": "{not json"}, "bad_json"),
        ({"text_data": "[1, 2]"}, "bad_frame"),
        ({"text_data": '{"type": "dance"}'}, "unknown_type"),
        ({"text_data": '{"type": "start", "sample_rate": 44100}'}, "bad_sample_rate"),
        ({"text_data": '{"type": "start", "sample_rate": 16000, "format": "mp3"}'}, "bad_format"),
        ({"text_data": '{"type": "start", "sample_rate": "16000"}'}, "bad_sample_rate"),
        ({"text_data": '{"type": "start", "sample_rate": 16000}'}, "stt_disabled"),
        ({"text_data": '{"type": "stop"}'}, "not_started"),
        ({"text_data": '{"type": "text", "text": "   "}'}, "bad_text"),
        ({"text_data": '{"type": "text", "text": "' + "a" * 600 + '"}'}, "text_too_long"),
        ({"text_data": '{"type": "confirm", "answer": "yes"}'}, "bad_frame"),
        ({"text_data": '{"type": "confirm", "answer": true}'}, "nothing_to_confirm"),
        ({"bytes_data": bytes(10 * 1024 * 1024)}, "frame_too_large"),  # 10 MB
    ]
    for frame, code in cases:
        await communicator.send_to(**frame)
        assert (await _error(communicator))["code"] == code, frame
    await _still_answers(communicator)
    await communicator.disconnect()


@in_test_thread
async def test_a_flood_is_rate_limited_and_the_connection_survives(owner, shop, settings):
    settings.TTS_PROVIDER = "none"
    settings.VOICE_MESSAGES_PER_SECOND = 5
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    for _ in range(30):
        await communicator.send_json_to({"type": "ping"})
    replies = [await communicator.receive_json_from(timeout=5) for _ in range(30)]
    codes = [r.get("code", r["type"]) for r in replies]
    assert codes.count("pong") <= 6 and codes.count("rate_limited") >= 24
    await _sleep(1.1)
    await communicator.send_json_to({"type": "text", "text": "aaj ki bikri batao"})
    frames = await frames_until(communicator)
    assert frames[-1]["type"] == "timing"
    await communicator.disconnect()


@in_test_thread
async def test_too_long_an_utterance_is_an_error_and_the_connection_stays(owner, shop, settings):
    settings.STT_PROVIDER = "local"
    settings.VOICE_MAX_UTTERANCE_SECONDS = 1
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to({"type": "start", "sample_rate": 16000})
    second = bytes(32000)
    for offset in range(0, 2 * len(second), 16000):
        await communicator.send_to(bytes_data=(second * 2)[offset : offset + 16000])
    assert (await _error(communicator))["code"] == "utterance_too_long"
    assert await communicator.receive_nothing(timeout=0.2)  # told once, not per frame
    await communicator.send_json_to({"type": "stop"})
    assert await communicator.receive_nothing(timeout=0.2)
    await _still_answers(communicator)
    await communicator.disconnect()


@in_test_thread
async def test_strangers_and_other_sites_are_refused(owner, shop):
    from execora.asgi import application

    cookie = await sync_to_async(_login_cookie)(owner)

    async def refused(headers) -> bool:
        communicator = WebsocketCommunicator(application, "/ws/voice/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return not connected

    assert await refused([ORIGIN])  # no credentials
    assert await refused([ORIGIN, (b"authorization", b"Token not-a-token")])
    assert await refused([(b"origin", b"https://evil.example"), (b"cookie", cookie)])
    assert await refused([(b"cookie", cookie)])  # a cookie without an Origin
    # A member of no shop is refused as well
    from tests.factories import UserFactory

    loner = await sync_to_async(UserFactory)(username="loner")
    assert await refused(await sync_to_async(token_headers)(loner))


@in_test_thread
async def test_sessions_per_user_are_capped(owner, shop, settings):
    settings.VOICE_MAX_SESSIONS_PER_USER = 2
    headers = await sync_to_async(token_headers)(owner)
    first, _ = await connect(headers)
    second, _ = await connect(headers)
    from execora.asgi import application

    third = WebsocketCommunicator(application, "/ws/voice/", headers=headers)
    assert (await third.connect(timeout=5))[0]
    frame = await third.receive_json_from(timeout=5)
    assert frame == {**frame, "type": "error", "code": "too_many_sessions"}
    assert (await third.receive_output(timeout=5))["type"] == "websocket.close"
    await first.disconnect()
    fourth, ready = await connect(headers)  # a slot came free
    assert ready["type"] == "ready"
    await second.disconnect()
    await fourth.disconnect()


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def _login_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()

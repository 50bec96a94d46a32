"""Helpers of the /ws/voice/ tests: a connected communicator, frames, espeak-ng command audio."""

from __future__ import annotations

import functools
import json
import subprocess
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

ORIGIN = (b"origin", b"http://127.0.0.1")


def token_headers(user) -> list[tuple[bytes, bytes]]:
    token, _ = Token.objects.get_or_create(user=user)
    return [(b"authorization", f"Token {token.key}".encode())]


async def connect(headers: list[tuple[bytes, bytes]]) -> tuple[WebsocketCommunicator, dict]:
    from execora.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/voice/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    ready = await communicator.receive_json_from(timeout=5)
    return communicator, ready


async def frames_until(
    communicator: WebsocketCommunicator, last: str = "timing", timeout: float = 10
) -> list[Any]:
    """Every frame (dicts, and bytes for audio) up to the first of type `last` or `error`."""
    frames: list[Any] = []
    while True:
        message = await communicator.receive_output(timeout=timeout)
        assert message["type"] == "websocket.send", message
        if message.get("bytes") is not None:
            frames.append(message["bytes"])
            continue
        frame = json.loads(message["text"])
        frames.append(frame)
        if frame["type"] in (last, "error"):
            return frames


def types_of(frames: list[Any]) -> list[str]:
    return ["audio" if isinstance(frame, bytes) else frame["type"] for frame in frames]


def espeak_pcm(text: str, *, voice: str = "en-us", speed: int = 150) -> bytes:
    """16 kHz 16-bit mono PCM of `text` spoken by espeak-ng (resampled by sox), with
    300 ms of silence after it, as a microphone would hear the pause."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    pcm = subprocess.run(
        [
            "sox",
            "-t",
            "wav",
            "-",
            "-t",
            "raw",
            "-r",
            "16000",
            "-e",
            "signed",
            "-b",
            "16",
            "-c",
            "1",
            "-",
            "pad",
            "0.1",
            "0.3",
        ],
        input=wav,
        check=True,
        capture_output=True,
    ).stdout
    return pcm


@pytest.fixture
def keep_test_connection(monkeypatch):
    """With `in_test_thread`, the consumer's ORM calls run on the test's thread and
    connection (voice.session.DB_THREAD_SENSITIVE), and channels' close_old_connections()
    would close that connection mid-test (autocommit is off inside the test's
    transaction): skip it for these tests."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    monkeypatch.setattr("voice.session.DB_THREAD_SENSITIVE", True)


def in_test_thread(test):
    """Run an async test body through async_to_sync from the test's own thread.

    database_sync_to_async then runs the consumer's ORM calls back on this thread,
    inside the test's transaction: plain `django_db` (a rollback) instead of the
    transactional kind, whose table flush costs seconds per test.
    """

    @functools.wraps(test)
    def run(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)

    return run

"""/ws/voice/ on a real daphne process, spoken to by a real WebSocket client (`websockets`):
espeak-ng command audio at real-time pace in, frames and WAV out, the books changed;
oversized and bad frames answered while the server stays up; strangers refused."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
import websockets
from asgiref.sync import async_to_sync
from rest_framework.authtoken.models import Token
from websockets.exceptions import InvalidStatus

from customers.models import Customer
from ledger.services import credit_add
from tests.customers.factories import make_customer
from tests.reminders import stack
from tests.utils import REPO, free_port
from tests.voice.standins.deepgram import API_KEY, DeepgramStandin
from tests.voice.wsutil import espeak_pcm
from voice.models import Utterance

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
COMMAND = "Ramesh ko 500 udhaar likho"


@pytest.fixture
def daphne(tmp_path):
    with DeepgramStandin(script=COMMAND) as deepgram:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STT_"))}
        env.update(
            DATABASE_URL=stack.test_database_url(),
            STT_PROVIDER="deepgram",
            DEEPGRAM_API_KEY=API_KEY,
            DEEPGRAM_BASE_URL=deepgram.url,
            TTS_PROVIDER="local",
            EXECORA_VAR_DIR=str(tmp_path),
            LOG_LEVEL="warning",
        )
        log = tmp_path / "daphne.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(REPO / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port),
                 "--websocket-max-message-size", str(16 * 1024 * 1024),
                 "--websocket-max-frame-size", str(16 * 1024 * 1024),
                 "execora.asgi:application"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            _wait_listening(port, process, log)
            yield f"ws://127.0.0.1:{port}/ws/voice/", process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("daphne did not listen:\n" + log.read_text()[-3000:])


async def _frames(ws, last: str = "timing") -> list:
    frames = []
    while True:
        message = await asyncio.wait_for(ws.recv(), 15)
        if isinstance(message, bytes):
            frames.append(message)
            continue
        frame = json.loads(message)
        frames.append(frame)
        if frame["type"] in (last, "error"):
            return frames


def test_a_real_client_speaks_to_a_real_daphne(daphne, shop, owner):
    # Given a shop with Ramesh, and a token
    ramesh = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=ramesh.pk, amount="750", note="Opening")
    token = Token.objects.create(user=owner).key
    url, process = daphne
    pcm = espeak_pcm(COMMAND, voice="hi")

    async def scenario():
        auth = {"Authorization": f"Token {token}"}
        async with websockets.connect(url, additional_headers=auth, max_size=None) as ws:
            ready = json.loads(await ws.recv())
            assert ready["type"] == "ready"
            # Bad frames first: each is answered, the connection stays
            await ws.send(bytes(10 * 1024 * 1024))
            assert json.loads(await ws.recv())["code"] == "frame_too_large"
            await ws.send("{garbage")
            assert json.loads(await ws.recv())["code"] == "bad_json"
            # When the command streams at real-time pace, then stop
            await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "language": "auto"}))
            start = time.monotonic()
            for index, offset in enumerate(range(0, len(pcm), 640)):
                await ws.send(pcm[offset : offset + 640])
                await asyncio.sleep(max(0, start + (index + 1) * 0.02 - time.monotonic()))
            await ws.send(json.dumps({"type": "stop"}))
            return await _frames(ws)

    frames = async_to_sync(scenario)()

    # Then transcripts, intent, result, reply, WAV audio and timing arrived in order
    kinds = ["audio" if isinstance(f, bytes) else f["type"] for f in frames]
    assert kinds[kinds.index("intent") :] == ["intent", "result", "reply", "audio", "timing"]
    assert kinds.count("transcript") >= 3
    assert frames[kinds.index("intent") - 1] == {
        "type": "transcript",
        "text": COMMAND,
        "final": True,
    }
    assert frames[kinds.index("audio")][:4] == b"RIFF"
    # And the books changed, and the utterance was recorded
    assert Customer.objects.get(pk=ramesh.pk).balance == Decimal("1250.00")
    assert Utterance.objects.get().intent == "add_credit"

    # Strangers and other sites' pages are refused at the handshake; the server stays up
    async def refused(headers: dict) -> int:
        with pytest.raises(InvalidStatus) as refusal:
            async with websockets.connect(url, additional_headers=headers):
                pass
        return refusal.value.response.status_code

    assert async_to_sync(refused)({}) == 403
    assert async_to_sync(refused)({"Origin": "https://evil.example"}) == 403
    assert async_to_sync(refused)({"Authorization": "Token nope"}) == 403
    assert process.poll() is None

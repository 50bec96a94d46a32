"""/ws/voice/ audio path: espeak-ng command audio streamed at real-time pace, push-to-talk
and hands-free, through the Deepgram provider (its local stand-in)."""

from __future__ import annotations

import asyncio
import io
import wave
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from customers.models import Customer
from ledger.services import credit_add
from tests.customers.factories import make_customer
from tests.voice.standins.deepgram import API_KEY, DeepgramStandin
from tests.voice.wsutil import (
    connect,
    espeak_pcm,
    frames_until,
    in_test_thread,
    keep_test_connection,  # noqa: F401  (fixture)
    token_headers,
    types_of,
)
from voice.models import Utterance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]
CHUNK = 640  # 20 ms
COMMAND = "Ramesh ko 500 udhaar likho"


@pytest.fixture
def ramesh(shop):
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=customer.pk, amount="750", note="Opening")
    return customer


@pytest.fixture
def deepgram(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TTS_PROVIDER = "local"
    with DeepgramStandin(script=COMMAND) as server:
        settings.STT_PROVIDER = "deepgram"
        settings.DEEPGRAM_API_KEY = API_KEY
        settings.DEEPGRAM_BASE_URL = server.url
        yield server


async def stream_real_time(communicator, pcm: bytes) -> None:
    """20 ms frames, each sent 20 ms after the one before, as a microphone does."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index, offset in enumerate(range(0, len(pcm), CHUNK)):
        await communicator.send_to(bytes_data=pcm[offset : offset + CHUNK])
        delay = start + (index + 1) * 0.02 - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)


@in_test_thread
async def test_push_to_talk_streams_and_gets_transcript_intent_result_reply_audio(
    owner, shop, ramesh, deepgram
):
    # Given an authenticated connection that starts push-to-talk
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to(
        {"type": "start", "format": "pcm_s16le", "sample_rate": 16000, "language": "auto"}
    )
    pcm = espeak_pcm(COMMAND, voice="hi")

    # When the command streams at real-time pace and the button is released
    await stream_real_time(communicator, pcm)
    await communicator.send_json_to({"type": "stop"})
    frames = await frames_until(communicator)

    # Then partial transcripts came, then the final one, intent, result, reply, audio, timing
    kinds = types_of(frames)
    first_final = kinds.index("transcript")
    partials = [f for f in frames if isinstance(f, dict) and f["type"] == "transcript"]
    assert len(partials) >= 3 and partials[0]["final"] is False and partials[-1]["final"] is True
    assert partials[-1]["text"] == COMMAND
    tail = kinds[kinds.index("intent") :]
    assert tail == ["intent", "result", "reply", "audio", "timing"]
    assert first_final < kinds.index("intent")
    assert frames[kinds.index("result")]["ok"] is True
    timing = frames[-1]["stages"]
    assert timing["stt_ms"] >= 0 and timing["total_ms"] >= timing["stt_ms"]
    await communicator.disconnect()

    # And the books changed, and the utterance was recorded with its audio
    balance = await sync_to_async(lambda: Customer.objects.get(pk=ramesh.pk).balance)()
    assert balance == Decimal("1250.00")
    utterance = await sync_to_async(Utterance.objects.get)()
    assert utterance.source == "audio" and utterance.transcript == COMMAND
    assert utterance.intent == "add_credit" and utterance.ok
    with utterance.audio.open("rb") as stored, wave.open(io.BytesIO(stored.read())) as wav:
        assert wav.getframerate() == 16000
        assert wav.getnframes() * 2 == len(pcm)
    assert abs(utterance.audio_duration_ms - len(pcm) / 32) < 2


@in_test_thread
async def test_hands_free_ends_each_utterance_after_a_pause(owner, shop, ramesh, deepgram):
    # Given hands-free listening
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to(
        {"type": "start", "sample_rate": 16000, "language": "hi-IN", "mode": "hands_free"}
    )
    # When the wake phrase and a command, then a pause, stream in, with no stop
    deepgram.script = f"Suno Execora, {COMMAND}"
    pcm = espeak_pcm(f"Suno Execora, {COMMAND}", voice="hi") + bytes(16000)
    await stream_real_time(communicator, pcm)
    frames = await frames_until(communicator)

    # Then the server heard the wake phrase, ended the utterance itself and ran the command
    assert "wake" in types_of(frames)
    finals = [f for f in frames if isinstance(f, dict) and f.get("final") is True]
    assert [f["text"] for f in finals] == [COMMAND]
    assert frames[-1]["type"] == "timing"

    # And it keeps listening: a second command runs without a new start
    deepgram.script = "Hey Execora Ramesh ka hisaab batao"
    await stream_real_time(communicator, espeak_pcm("Hey Execora Ramesh ka hisaab batao"))
    await stream_real_time(communicator, bytes(16000))
    frames = await frames_until(communicator)
    assert next(f for f in frames if isinstance(f, dict) and f["type"] == "intent")["intent"] == (
        "customer_statement"
    )
    await communicator.send_json_to({"type": "stop"})
    assert await communicator.receive_nothing(timeout=0.5)  # stop after only silence: quiet
    await communicator.disconnect()
    # The trailing silence opened the next utterance's stream; stop closed it unused.
    assert len(deepgram.streams) == 3 and deepgram.streams[2].messages
    assert await sync_to_async(Utterance.objects.filter(source="audio").count)() == 2


async def _drain_partials(communicator) -> None:
    """What arrived until a second of quiet: only partial transcripts, nothing else."""
    # (receive_nothing, not a timed-out receive: a timeout cancels the application)
    while not await communicator.receive_nothing(timeout=1.0):
        frame = await communicator.receive_json_from()
        assert frame["type"] == "transcript" and frame["final"] is False, frame


@in_test_thread
async def test_hands_free_acts_only_on_speech_addressed_to_it(owner, shop, ramesh, deepgram):
    # Given hands-free listening in a shop where people talk
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to(
        {"type": "start", "sample_rate": 16000, "language": "hi-IN", "mode": "hands_free"}
    )
    # When a command is said without the wake phrase
    deepgram.script = COMMAND
    await stream_real_time(communicator, espeak_pcm(COMMAND, voice="hi") + bytes(16000))
    # Then nothing runs: no final transcript, no intent, no error
    await _drain_partials(communicator)

    # When the wake phrase comes alone, then the command after a pause
    deepgram.script = "Hey Execora"
    await stream_real_time(communicator, espeak_pcm("Hey Execora") + bytes(16000))
    frames = await frames_until(communicator, last="wake")
    assert types_of(frames)[-1] == "wake"
    deepgram.script = COMMAND
    await stream_real_time(communicator, espeak_pcm(COMMAND, voice="hi") + bytes(16000))
    frames = await frames_until(communicator)
    await communicator.send_json_to({"type": "stop"})
    await communicator.disconnect()

    # Then the command said within the wake window ran, once
    assert [f["text"] for f in frames if isinstance(f, dict) and f.get("final")] == [COMMAND]
    assert frames[types_of(frames).index("result")]["ok"] is True
    balance = await sync_to_async(lambda: Customer.objects.get(pk=ramesh.pk).balance)()
    assert balance == Decimal("1250.00")


@in_test_thread
async def test_a_quiet_shop_never_makes_an_utterance_too_long(
    owner, shop, ramesh, deepgram, settings
):
    # Given hands-free listening with short limits
    settings.VOICE_MAX_UTTERANCE_SECONDS = 4
    settings.VOICE_HANDS_FREE_IDLE_SECONDS = 1
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to(
        {"type": "start", "sample_rate": 16000, "language": "hi-IN", "mode": "hands_free"}
    )
    # When five seconds of silence come before the command (longer than an utterance may be)
    deepgram.script = "Hey Execora Ramesh ka hisaab batao"
    silence = bytes(5 * 32000)
    await stream_real_time(communicator, silence)
    assert await communicator.receive_nothing(timeout=0.2)  # no utterance_too_long
    await stream_real_time(communicator, espeak_pcm(deepgram.script, speed=200))
    await stream_real_time(communicator, bytes(16000))
    frames = await frames_until(communicator)
    await communicator.send_json_to({"type": "stop"})
    await communicator.disconnect()
    # Then the command ran, and the silence was never an error
    assert "error" not in types_of(frames)
    assert frames[types_of(frames).index("result")]["ok"] is True

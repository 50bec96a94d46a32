"""POST /api/v1/voice/commands (a recorded command) and the read-only voice-sessions API."""

from __future__ import annotations

import io
import subprocess
import wave
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from customers.models import Customer
from ledger.services import credit_add
from tests.customers.factories import make_customer
from tests.factories import BusinessFactory, member
from tests.voice.standins.deepgram import API_KEY, DeepgramStandin
from voice.models import Utterance, VoiceSession

pytestmark = pytest.mark.django_db
URL = "/api/v1/voice/commands/"
COMMAND = "record payment of five hundred from Ramesh"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.API_THROTTLE_USER = "10000/min"
    settings.MEDIA_ROOT = tmp_path
    settings.TTS_PROVIDER = "local"


@pytest.fixture
def deepgram(settings):
    with DeepgramStandin(script=COMMAND, seconds_per_word=0.2) as server:
        settings.STT_PROVIDER = "deepgram"
        settings.DEEPGRAM_API_KEY = API_KEY
        settings.DEEPGRAM_BASE_URL = server.url
        yield server


@pytest.fixture
def ramesh(shop):
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=customer.pk, amount="750", note="Opening")
    return customer


def _client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _wav(text: str = COMMAND) -> bytes:
    return subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "130", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout


def _ogg_opus(wav: bytes) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", "-c:a", "libopus",
         "-f", "ogg", "pipe:1"],
        input=wav,
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip


def _upload(data: bytes, name: str = "command.wav") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_a_wav_command_is_transcribed_run_and_answered_with_reply_audio(
    owner, shop, ramesh, deepgram
):
    # Given a recorded payment command
    wav = _wav()
    api = _client(owner)

    # When it is posted with an Idempotency-Key
    response = api.post(
        URL,
        {"audio": _upload(wav), "language": "en-IN"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="voice-1",
    )

    # Then it answers the transcript, intent, result, reply and a link to the reply audio
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["transcript"] == COMMAND
    assert body["intent"]["intent"] == "record_payment" and body["ok"] is True
    assert body["reply"]["text"] and body["reply_audio_url"].startswith("http://testserver/")
    assert set(body["timings"]) >= {"decode_ms", "stt_ms", "engine_ms", "tts_ms", "total_ms"}
    # The whole recording reached the recogniser, as 16 kHz 16-bit PCM
    with wave.open(io.BytesIO(wav)) as source:  # espeak-ng's header has no real length
        expected = (len(wav) - 44) // 2 * 16000 // source.getframerate()
    assert abs(deepgram.streams[0].audio_bytes // 2 - expected) < 400
    assert Customer.objects.get(pk=ramesh.pk).balance == Decimal("250.00")
    audio = api.get(body["reply_audio_url"])
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(b"".join(audio.streaming_content))) as reply:
        assert reply.getnframes() > 0

    # And a retry with the same key replays the answer and writes nothing
    again = api.post(
        URL, {"audio": _upload(wav), "language": "en-IN"}, format="multipart",
        HTTP_IDEMPOTENCY_KEY="voice-1",
    )  # fmt: skip
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert Customer.objects.get(pk=ramesh.pk).balance == Decimal("250.00")
    assert Utterance.objects.count() == 1 and len(deepgram.streams) == 1


def test_an_ogg_opus_voice_note_is_decoded(owner, shop, ramesh, deepgram):
    ogg = _ogg_opus(_wav())
    assert ogg[:4] == b"OggS"
    response = _client(owner).post(URL, {"audio": _upload(ogg, "note.ogg")}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["transcript"] == COMMAND
    assert deepgram.streams[0].audio_bytes > 16000 * 2  # over a second of decoded speech
    utterance = Utterance.objects.get()
    assert utterance.audio.name.endswith(".wav") and utterance.audio_duration_ms > 1000


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"not audio at all, just text", 422, "unsupported_audio"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt garbage garbage", 400, "bad_audio"),
    ],
)
def test_what_is_not_audio_is_refused_and_nothing_changes(owner, shop, ramesh, data, status, code):
    response = _client(owner).post(URL, {"audio": _upload(data)}, format="multipart")
    assert response.status_code == status
    assert response.json()["code"] == code and "audio" in response.json()["errors"]
    assert not Utterance.objects.exists()
    assert Customer.objects.get(pk=ramesh.pk).balance == Decimal("750.00")


def test_size_and_duration_limits(owner, shop, settings):
    api = _client(owner)
    wav = _wav()
    settings.VOICE_UPLOAD_MAX_BYTES = len(wav) - 1
    response = api.post(URL, {"audio": _upload(wav)}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (413, "audio_too_large")
    settings.VOICE_UPLOAD_MAX_BYTES = len(wav)
    settings.VOICE_UPLOAD_MAX_SECONDS = 1
    response = api.post(URL, {"audio": _upload(wav)}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "audio_too_long")
    response = api.post(URL, {}, format="multipart")
    assert response.status_code == 400 and "audio" in response.json()["errors"]


def test_stt_switched_off_is_a_503_not_a_500(owner, shop, settings):
    settings.STT_PROVIDER = "none"
    response = _client(owner).post(URL, {"audio": _upload(_wav())}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (503, "stt_disabled")


def test_voice_sessions_are_read_only_and_scoped_to_the_shop(owner, shop, ramesh, deepgram):
    api = _client(owner)
    body = api.post(URL, {"audio": _upload(_wav())}, format="multipart").json()
    listing = api.get("/api/v1/voice-sessions/").json()
    assert [s["id"] for s in listing["results"]] == [body["session"]]
    session = listing["results"][0]
    assert session["channel"] == "rest" and session["utterances"][0]["transcript"] == COMMAND
    recorded = api.get(session["utterances"][0]["audio_url"])
    assert recorded.status_code == 200
    assert api.post("/api/v1/voice-sessions/", {}).status_code == 405

    # Another shop sees none of it
    other = member(BusinessFactory(name="Gupta Store"), "owner", username="gupta")
    stranger = _client(other)
    assert stranger.get("/api/v1/voice-sessions/").json()["results"] == []
    assert stranger.get(f"/api/v1/voice-sessions/{body['session']}/").status_code == 404
    assert stranger.get(session["utterances"][0]["audio_url"]).status_code == 404
    assert VoiceSession.objects.count() == 1

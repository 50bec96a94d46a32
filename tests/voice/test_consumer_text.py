"""/ws/voice/ text path: typed commands and yes/no buttons through the command engine."""

from __future__ import annotations

import io
import wave
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from customers.models import Customer
from ledger.models import JournalEntry
from ledger.services import credit_add
from tests.customers.factories import make_customer
from tests.voice.wsutil import (
    ORIGIN,
    connect,
    frames_until,
    in_test_thread,
    keep_test_connection,  # noqa: F401  (fixture)
    token_headers,
    types_of,
)
from voice.models import Utterance, VoiceSession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


@pytest.fixture
def ramesh(shop):
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=customer.pk, amount="750", note="Opening")
    return customer


@pytest.fixture(autouse=True)
def _local_tts(settings):
    settings.TTS_PROVIDER = "local"


@in_test_thread
async def test_a_typed_command_runs_and_is_answered_in_contract_order(owner, shop, ramesh):
    # Given a connection authenticated by token
    headers = await sync_to_async(token_headers)(owner)
    communicator, ready = await connect(headers)
    assert ready["type"] == "ready"

    # When the owner types a credit command
    await communicator.send_json_to({"type": "text", "text": "Ramesh ko 500 udhaar likho"})
    frames = await frames_until(communicator)

    # Then intent, result, reply, WAV audio and timing come in that order
    assert types_of(frames) == ["intent", "result", "reply", "audio", "timing"]
    intent, result, reply, audio, timing = frames
    assert intent["intent"] == "add_credit"
    assert intent["entities"]["amount"] == "500"
    assert result["ok"] is True and result["status"] == "done"
    assert "Ramesh Kumar" in reply["text"]
    with wave.open(io.BytesIO(audio)) as wav:
        assert wav.getnframes() > wav.getframerate() // 2  # over half a second of speech
    stages = timing["stages"]
    for stage in ("stt_ms", "intent_ms", "execute_ms", "reply_ms", "tts_ms", "total_ms"):
        assert stages[stage] >= 0
    assert stages["total_ms"] >= stages["tts_ms"]
    await communicator.disconnect()

    # And the books and the voice record changed
    balance = await sync_to_async(lambda: Customer.objects.get(pk=ramesh.pk).balance)()
    assert balance == Decimal("1250.00")
    utterance = await sync_to_async(Utterance.objects.get)()
    assert (utterance.source, utterance.intent, utterance.status) == ("text", "add_credit", "done")
    assert str(utterance.session_id) == ready["session_id"]
    session = await sync_to_async(VoiceSession.objects.get)(pk=utterance.session_id)
    assert session.ended_at is not None and session.business_id == shop.pk


@in_test_thread
async def test_a_confirm_frame_answers_the_engines_question(owner, shop, ramesh, settings):
    # Given a shop that asks before moving more than 1000
    shop.confirm_above_amount = Decimal("1000")
    await sync_to_async(shop.save)()
    settings.TTS_PROVIDER = "none"
    headers = await sync_to_async(token_headers)(owner)
    communicator, _ = await connect(headers)

    # When a large udhaar is typed, the engine asks first and nothing is written
    await communicator.send_json_to({"type": "text", "text": "Ramesh ko 5000 udhaar likho"})
    frames = await frames_until(communicator)
    assert types_of(frames) == ["intent", "confirm_required", "result", "reply", "timing"]
    assert frames[1]["prompt"]
    assert frames[2]["ok"] is False and frames[2]["status"] == "confirm"
    entries = JournalEntry.objects.filter(business=shop, source_type="credit")
    assert await sync_to_async(entries.count)() == 1  # the opening balance only

    # Then the yes button runs it once; a second yes writes nothing
    await communicator.send_json_to({"type": "confirm", "answer": True})
    frames = await frames_until(communicator)
    assert frames[1]["type"] == "result" and frames[1]["ok"] is True
    await communicator.send_json_to({"type": "confirm", "answer": True})
    frames = await frames_until(communicator)
    assert frames[1]["status"] == "nothing_pending"
    assert await sync_to_async(entries.count)() == 2
    await communicator.disconnect()


@in_test_thread
async def test_the_session_cookie_with_our_origin_is_accepted(owner, shop):
    # Given a browser logged in to the console
    cookie = await sync_to_async(_login_cookie)(owner)
    communicator, ready = await connect([ORIGIN, (b"cookie", cookie)])
    assert ready["type"] == "ready"
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


def _login_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()

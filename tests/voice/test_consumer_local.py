"""/ws/voice/ with the default local recogniser (pocketsphinx on the shop's grammar):
espeak-ng command audio streamed at real-time pace, answered from the books."""

from __future__ import annotations

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from customers.models import Customer
from ledger.services import credit_add
from tests.customers.factories import make_customer
from tests.voice.audio import add_noise, synthesize_pcm
from tests.voice.test_consumer_audio import stream_real_time
from tests.voice.wsutil import (
    connect,
    frames_until,
    in_test_thread,
    keep_test_connection,  # noqa: F401  (fixture)
    token_headers,
    types_of,
)
from voice.models import Utterance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


@pytest.fixture
def ramesh(shop):
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=customer.pk, amount="750", note="Opening")
    return customer


@in_test_thread
async def test_a_spoken_question_is_recognised_locally_and_answered(
    owner, shop, ramesh, settings, tmp_path
):
    # Given the fully local pipeline (pocketsphinx in, espeak-ng out)
    settings.STT_PROVIDER = "local"
    settings.TTS_PROVIDER = "local"
    settings.MEDIA_ROOT = tmp_path
    communicator, _ = await connect(await sync_to_async(token_headers)(owner))
    await communicator.send_json_to(
        {"type": "start", "format": "pcm_s16le", "sample_rate": 16000, "language": "en-IN"}
    )

    # When a question streams in at real-time pace and stops
    # (flite, with the faint noise floor every microphone has: studio-clean synthesis
    # is the recogniser's hard case, measured in docs/benchmarks.md)
    said = add_noise(synthesize_pcm("Ramesh ka kitna baaki hai", engine="flite", voice="slt"), None)
    await stream_real_time(communicator, said)
    await communicator.send_json_to({"type": "stop"})
    frames = await frames_until(communicator)
    await communicator.disconnect()

    # Then partials, the final transcript, intent, result, reply and audio came back
    kinds = types_of(frames)
    assert kinds.count("transcript") >= 2
    assert kinds[kinds.index("intent") :] == ["intent", "result", "reply", "audio", "timing"]
    final = next(f for f in frames if isinstance(f, dict) and f.get("final"))
    assert final["text"] == "Ramesh ka kitna baaki hai"
    result = frames[kinds.index("result")]
    assert result["ok"] is True and result["status"] == "answered"
    assert "750" in frames[kinds.index("reply")]["text"]
    # And the utterance was recorded with its audio; the books did not move
    balance = await sync_to_async(lambda: Customer.objects.get(pk=ramesh.pk).balance)()
    assert balance == Decimal("750.00")
    assert await sync_to_async(Utterance.objects.filter(source="audio", ok=True).count)() == 1

"""The local recogniser (pocketsphinx on the shop's grammar) on synthesised speech.

espeak-ng and flite speak commands; the audio is fed in 20 ms chunks as a browser streams
it; the transcript goes through the real command engine against PostgreSQL.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from customers.models import Customer
from customers.services import customer_create
from tests.customers.factories import make_customer
from tests.products.factories import make_product
from tests.voice.audio import add_noise, chunks, silence, synthesize_pcm
from voice.services import command_run
from voice.speech.base import SpeechError
from voice.speech.grammar import shop_grammar
from voice.speech.local import LocalRecognizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def names(shop):
    """A shop with a few customers and products (one grammar build, shared by name lists)."""
    make_customer(shop, "Ramesh Kumar", phone="9876543210")
    make_customer(shop, "Suresh Patel")
    make_customer(shop, "Lakshmi Iyer")
    make_product(shop, "Sugar", unit="kg", selling_price="45.00", gst_rate="0",
                 opening_stock="20", aliases=["cheeni"])  # fmt: skip
    make_product(shop, "Maggi", unit="packet", selling_price="14.00", gst_rate="0",
                 opening_stock="30")  # fmt: skip
    return shop


def _hear(shop, pcm: bytes, *, language: str = "en-IN"):
    """Stream `pcm` in 20 ms chunks; the partials seen, the final transcript, the recogniser."""

    recognizer = LocalRecognizer(business=shop, language=language, sample_rate=16000)

    async def run():
        partials = []
        for chunk in chunks(pcm, 20):
            partials.extend(await recognizer.feed(chunk))
        final = await recognizer.finish()
        await recognizer.close()
        return partials, final

    partials, final = asyncio.run(run())
    return partials, final, recognizer


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


@pytest.mark.parametrize(
    ("engine", "voice", "said", "intent", "entities"),
    [
        ("flite", "slt", "record payment of five hundred from ramesh", "record_payment",
         {"customer": "Ramesh Kumar", "amount": "500"}),
        ("espeak-ng", "en-us", "suresh ne dedh hazaar diye", "record_payment",
         {"customer": "Suresh Patel", "amount": "1500"}),
        ("flite", "rms", "lakshmi ka kitna baaki hai", "check_balance",
         {"customer": "Lakshmi Iyer"}),
    ],
)  # fmt: skip
def test_spoken_command_transcribed_and_understood_by_the_engine(
    names, owner, engine, voice, said, intent, entities
):
    # given a command spoken by a TTS voice, with a faint microphone noise floor
    pcm = add_noise(synthesize_pcm(said, voice=voice, engine=engine), None)

    # when it streams through the recogniser and the engine
    partials, final, _ = _hear(names, pcm)
    result = command_run(business=names, user=owner, text=final.text)

    # then the transcript is what was said, partials came while it streamed, and the
    # engine resolved the right intent and the shop's own customer
    assert final.final is True
    assert _words(final.text) == said
    assert partials and all(not p.final for p in partials)
    assert result.intent.intent == intent
    customer = Customer.objects.get(business=names, name=entities["customer"])
    if intent == "check_balance":
        assert result.status == "answered"
        assert result.data["customer"]["id"] == customer.pk
    else:
        assert Decimal(result.intent.entities["amount"]) == Decimal(entities["amount"])
        # a payment asks first or is done; either way it names the shop's customer
        assert entities["customer"].split()[0] in result.reply


def test_payment_spoken_is_written_to_the_khata(names, owner):
    # given Ramesh owes nothing yet
    ramesh = Customer.objects.get(business=names, name="Ramesh Kumar")
    pcm = add_noise(synthesize_pcm("ramesh ko paanch sau udhaar likho", engine="flite",
                                   voice="slt"), None)  # fmt: skip

    # when the udhaar is said
    _, final, _ = _hear(names, pcm)
    result = command_run(business=names, user=owner, text=final.text)
    if result.status == "confirm":
        result = command_run(
            business=names, user=owner, text="haan", conversation_id=result.conversation_id
        )

    # then 500 is on his khata
    assert result.status == "done", result.reply
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("500.00")


@pytest.mark.parametrize(
    ("engine", "voice", "said"),
    [
        ("espeak-ng", "en-us", "the weather is very nice today isn't it"),
        ("flite", "slt", "i will go to the market in the evening"),
        ("espeak-ng", "en-gb-x-rp", "she bought a new red car yesterday"),
    ],
)
def test_out_of_grammar_speech_is_not_understood(names, owner, engine, voice, said):
    # given speech that is no command
    pcm = add_noise(synthesize_pcm(said, voice=voice, engine=engine), None)

    # when it is heard
    _, final, _ = _hear(names, pcm)

    # then nothing comes out, and the engine does nothing with it
    assert final.text == ""
    result = command_run(business=names, user=owner, text=final.text)
    assert result.intent.intent == "unknown"
    assert result.status == "unknown"


def test_grammar_rebuilt_when_a_customer_is_added(names, owner):
    # given a name the shop does not have
    pcm = add_noise(synthesize_pcm("zubair ka kitna baaki hai", engine="flite", voice="slt"), None)
    before = shop_grammar(business_id=names.pk)
    _, heard_before, _ = _hear(names, pcm)
    assert "zubair" not in heard_before.text.casefold()

    # when the customer is added through the service
    customer_create(business=names, name="Zubair Khan")

    # then the next utterance uses a new grammar that has the name
    after = shop_grammar(business_id=names.pk)
    assert after.key != before.key
    assert shop_grammar(business_id=names.pk) is after  # not rebuilt per utterance
    _, heard_after, _ = _hear(names, pcm)
    assert _words(heard_after.text) == "zubair ka kitna baaki hai"
    result = command_run(business=names, user=owner, text=heard_after.text)
    assert result.intent.intent == "check_balance"
    assert result.data["customer"]["name"] == "Zubair Khan"


def test_speech_ended_fires_after_a_pause(names):
    # given a command followed by a long pause, streamed in 20 ms chunks
    speech = add_noise(synthesize_pcm("lakshmi ka kitna baaki hai", engine="flite", voice="slt",
                                      tail_ms=0), None)  # fmt: skip
    pause = add_noise(silence(1500), None, seed=1)
    recognizer = LocalRecognizer(business=names, language="en-IN")

    async def run():
        for chunk in chunks(speech):
            await recognizer.feed(chunk)
        ended_during_speech = recognizer.speech_ended()
        waited_ms = None
        for n, chunk in enumerate(chunks(pause), start=1):
            await recognizer.feed(chunk)
            if recognizer.speech_ended():
                waited_ms = n * 20
                break
        final = await recognizer.finish()
        await recognizer.close()
        return ended_during_speech, waited_ms, final

    ended_during_speech, waited_ms, final = asyncio.run(run())

    # then it fires after the pause, not during speech, within a second
    assert ended_during_speech is False
    assert waited_ms is not None and 200 <= waited_ms <= 1000, waited_ms
    assert _words(final.text) == "lakshmi ka kitna baaki hai"


def test_silence_alone_never_ends_speech(names):
    recognizer = LocalRecognizer(business=names, language="en-IN")

    async def run():
        for chunk in chunks(add_noise(silence(1500), None)):
            await recognizer.feed(chunk)
        ended = recognizer.speech_ended()
        final = await recognizer.finish()
        await recognizer.close()
        await recognizer.close()  # twice is safe
        return ended, final

    ended, final = asyncio.run(run())
    assert ended is False
    assert final.text == ""


@pytest.mark.parametrize(("engine", "voice"), [("espeak-ng", "en-us"), ("flite", "awb")])
def test_wake_phrase_then_command(names, engine, voice):
    pcm = add_noise(
        synthesize_pcm("hey execora lakshmi ka kitna baaki hai", engine=engine, voice=voice), None
    )
    _, final, recognizer = _hear(names, pcm)
    assert recognizer.woke is True
    assert _words(final.text) == "lakshmi ka kitna baaki hai"


def test_wake_phrase_alone(names):
    pcm = add_noise(synthesize_pcm("suno execora", engine="flite", voice="slt"), None)
    _, final, recognizer = _hear(names, pcm)
    assert recognizer.woke is True
    assert final.text == ""


@pytest.mark.parametrize(
    ("engine", "voice", "said"),
    [
        ("flite", "slt", "lakshmi ka kitna baaki hai"),
        ("espeak-ng", "en-us", "my phone battery is almost dead"),
    ],
)
def test_no_wake_without_the_wake_phrase(names, engine, voice, said):
    pcm = add_noise(synthesize_pcm(said, engine=engine, voice=voice), None)
    _, _, recognizer = _hear(names, pcm)
    assert recognizer.woke is False


def test_other_sample_rates_are_refused(names):
    with pytest.raises(SpeechError) as error:
        LocalRecognizer(business=names, language="en-IN", sample_rate=44100)
    assert error.value.code == "bad_sample_rate"

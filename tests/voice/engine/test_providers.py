"""Intent providers: local, openai (against a loopback stand-in of chat completions), hybrid."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import zoneinfo

import pytest
from django.core.management import call_command

from ledger.models import JournalEntry
from tests.voice.engine.conftest import books
from tests.voice.engine.openai_standin import API_KEY, OpenAIStandIn
from voice.engine.providers import (
    INTENT_JSON_SCHEMA,
    HybridProvider,
    IntentProviderError,
    LocalProvider,
    OpenAIProvider,
    intent_provider,
)
from voice.intents import INTENTS, parse

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=IST)
PAYMENT = {
    "intent": "record_payment",
    "entities": {"customer": "Suresh", "amount": "200", "payment_mode": "upi"},
    "confidence": 0.93,
    "lang": "hinglish",
}


def _strict(intent: dict) -> dict:
    """The intent as strict structured output sends it: every entity key, nulls for the unsaid."""
    entities = {key: None for key in INTENT_JSON_SCHEMA["properties"]["entities"]["properties"]}
    entities.update(intent["entities"])
    return {**intent, "entities": entities}


@pytest.fixture
def llm(settings):
    with OpenAIStandIn() as standin:
        settings.OPENAI_API_KEY = API_KEY
        settings.OPENAI_BASE_URL = standin.base_url
        settings.OPENAI_MODEL = "execora-test-model"
        settings.OPENAI_TIMEOUT_SECONDS = 2.0
        # "Suresh two hundred PhonePe" parses locally at 0.73: under this, so hybrid asks.
        settings.INTENT_CONFIDENCE_THRESHOLD = 0.8
        yield standin


def test_local_provider_is_the_parser():
    # given the local provider
    provider = intent_provider("local")
    # when it parses a sentence
    intent = provider.parse("Suresh ne 200 diye PhonePe se", now=NOW)
    # then it is exactly what voice.intents.parse says
    assert intent == parse("Suresh ne 200 diye PhonePe se", now=NOW)
    assert isinstance(provider, LocalProvider)


def test_openai_provider_sends_a_structured_output_request(llm):
    # given the stand-in answers a payment in strict structured-output form
    llm.answer(_strict(PAYMENT))
    provider = intent_provider("openai")
    # when the provider parses a sentence
    intent = provider.parse("Suresh ne 200 diye PhonePe se", now=NOW)
    # then the request was a chat completion with the model, the messages and the JSON schema
    (request,) = llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    body = request["body"]
    assert body["model"] == "execora-test-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"] == "Suresh ne 200 diye PhonePe se"
    assert "2026-03-10T09:00:00+05:30" in body["messages"][0]["content"]
    assert body["response_format"]["type"] == "json_schema"
    schema_spec = body["response_format"]["json_schema"]
    assert schema_spec["name"] == "intent"
    assert schema_spec["strict"] is True
    assert schema_spec["schema"] == INTENT_JSON_SCHEMA
    assert set(schema_spec["schema"]["properties"]["intent"]["enum"]) == set(INTENTS)
    assert schema_spec["schema"]["additionalProperties"] is False
    assert body["temperature"] == 0
    # and the answer became the intent, its nulls dropped
    assert intent.intent == "record_payment"
    assert intent.entities == {"customer": "Suresh", "amount": "200", "payment_mode": "upi"}
    assert intent.confidence == 0.93
    assert intent.lang == "hinglish"


def test_openai_provider_keeps_items_without_their_nulls(llm):
    # given an invoice answer whose items carry null unit and price
    llm.answer(
        _strict(
            {
                "intent": "create_invoice",
                "entities": {
                    "customer": "Ramesh",
                    "items": [
                        {"product": "cheeni", "quantity": "2", "unit": "kg", "unit_price": None}
                    ],
                },
                "confidence": 0.9,
                "lang": "hinglish",
            }
        )
    )
    # when it is parsed
    intent = intent_provider("openai").parse("Ramesh ka bill 2 kilo cheeni", now=NOW)
    # then the items are as the schema says, without nulls
    assert intent.entities["items"] == [{"product": "cheeni", "quantity": "2", "unit": "kg"}]


@pytest.mark.parametrize(
    "bad",
    [
        "this is not json",
        json.dumps({"intent": "launch_rocket", "entities": {}, "confidence": 0.9, "lang": "en"}),
        # a float amount: SCHEMA.md wants decimal strings
        json.dumps(
            {
                "intent": "add_credit",
                "entities": {"customer": "Ramesh", "amount": 500.0},
                "confidence": 0.9,
                "lang": "en",
            }
        ),
        # an entity the intent does not take
        json.dumps(
            {
                "intent": "check_balance",
                "entities": {"customer": "Ramesh", "amount": "5"},
                "confidence": 0.9,
                "lang": "en",
            }
        ),
        json.dumps(["not", "an", "object"]),
    ],
    ids=["prose", "unknown-intent", "float-amount", "extra-entity", "list"],
)
def test_openai_provider_rejects_a_malformed_answer(llm, bad):
    # given the stand-in answers something that is not a valid intent
    llm.content(bad)
    # when the provider parses, then it refuses the answer
    with pytest.raises(IntentProviderError):
        intent_provider("openai").parse("Ramesh ko 500", now=NOW)


@pytest.mark.parametrize("failure", ["refuse", "fail", "unauthorised"])
def test_openai_provider_reports_refusals_and_errors(llm, settings, failure):
    # given a model that refuses, a server error, or a wrong key
    if failure == "refuse":
        llm.refuse()
    elif failure == "fail":
        llm.fail(500)
    else:
        settings.OPENAI_API_KEY = "wrong-key"
    # when the provider parses, then it raises the provider's one error type
    with pytest.raises(IntentProviderError):
        intent_provider("openai").parse("Ramesh ko 500", now=NOW)
    assert len(llm.requests) == 1  # no retries: the user is waiting


def test_openai_provider_gives_up_at_its_timeout(llm, settings):
    # given a server that hangs, and a short timeout
    settings.OPENAI_TIMEOUT_SECONDS = 0.3
    llm.hang(10)
    # when the provider parses
    started = time.monotonic()
    with pytest.raises(IntentProviderError):
        intent_provider("openai").parse("Ramesh ko 500", now=NOW)
    # then it gave up near the timeout, not when the server answered
    assert time.monotonic() - started < 3


def test_hybrid_skips_the_llm_when_the_local_parse_is_sure(llm):
    # given a confident local parse
    provider = intent_provider("hybrid")
    # when hybrid parses it
    intent = provider.parse("Suresh ne 200 diye PhonePe se", now=NOW)
    # then the LLM was never asked
    assert llm.requests == []
    assert intent == parse("Suresh ne 200 diye PhonePe se", now=NOW)


def test_hybrid_asks_the_llm_when_the_local_parse_is_unsure(llm, settings):
    # given a sentence the local parser is unsure of, and an LLM that understands it
    text = "Suresh two hundred PhonePe"
    assert parse(text, now=NOW).confidence < settings.INTENT_CONFIDENCE_THRESHOLD
    llm.answer(_strict(PAYMENT))
    # when hybrid parses it
    intent = intent_provider("hybrid").parse(text, now=NOW)
    # then the LLM's answer is used
    assert len(llm.requests) == 1
    assert intent.intent == "record_payment"
    assert intent.entities["amount"] == "200"


@pytest.mark.parametrize("failure", ["malformed", "error", "hang"])
def test_hybrid_falls_back_to_local_on_any_llm_failure(llm, settings, failure):
    # given an unsure local parse, and an LLM that answers badly, fails, or hangs
    settings.OPENAI_TIMEOUT_SECONDS = 0.3
    text = "Suresh two hundred PhonePe"
    if failure == "malformed":
        llm.content('{"intent": "record_payment", "entities": {"amount": 200}}')
    elif failure == "error":
        llm.fail(503)
    else:
        llm.hang(10)
    # when hybrid parses it
    intent = intent_provider("hybrid").parse(text, now=NOW)
    # then the LLM was asked, and the local parse is the answer
    assert len(llm.requests) == 1
    assert intent == parse(text, now=NOW)


def test_hybrid_without_a_key_is_local_only(settings):
    # given no key
    settings.OPENAI_API_KEY = ""
    # when the hybrid provider is built
    provider = intent_provider("hybrid")
    # then it has no LLM and answers locally
    assert isinstance(provider, HybridProvider)
    assert provider.llm is None
    assert provider.parse("xyz abc", now=NOW) == parse("xyz abc", now=NOW)


def test_openai_provider_needs_a_key(settings):
    settings.OPENAI_API_KEY = ""
    with pytest.raises(IntentProviderError):
        intent_provider("openai")


def test_the_provider_follows_the_setting(llm, settings):
    # given INTENT_PROVIDER=openai
    settings.INTENT_PROVIDER = "openai"
    # then the configured provider is the OpenAI one, against the configured server
    provider = intent_provider()
    assert isinstance(provider, OpenAIProvider)
    assert provider.model == "execora-test-model"


@pytest.mark.django_db
def test_a_command_understood_by_the_llm_is_executed(llm, settings, say, shop, suresh):
    # given the hybrid provider and an unsure local parse the LLM understands
    settings.INTENT_PROVIDER = "hybrid"
    llm.answer(_strict(PAYMENT))
    # when the command runs
    result = say("Suresh two hundred PhonePe")
    # then the LLM's payment was recorded and read back
    assert result.status == "done", result.reply
    suresh.refresh_from_db()
    assert str(suresh.balance) == "-200.00"
    assert result.reply == (
        "Suresh Patel se 200 rupaye mil gaye UPI se. Ab 200 rupaye advance jama hai."
    )


@pytest.mark.django_db
def test_a_malformed_llm_answer_writes_nothing(llm, settings, say, shop, suresh):
    # given the hybrid provider and an LLM answering nonsense for an unsure parse
    settings.INTENT_PROVIDER = "hybrid"
    llm.content("Sure! The customer paid 200.")
    before = books(shop)
    # when the command runs
    result = say("Suresh two hundred PhonePe")
    # then the local parse was used, and (being unsure of any amount) nothing was written
    assert len(llm.requests) == 1
    local = parse("Suresh two hundred PhonePe", now=NOW)
    assert (result.intent.intent, result.intent.entities) == (local.intent, local.entities)
    assert books(shop) == before


@pytest.mark.django_db
def test_openai_provider_failure_is_a_spoken_refusal(llm, settings, say, shop, suresh):
    # given INTENT_PROVIDER=openai and a failing server
    settings.INTENT_PROVIDER = "openai"
    llm.fail(500)
    before = books(shop)
    # when a command runs
    result = say("Suresh ne 200 diye")
    # then the user hears that commands are unavailable, and nothing is written
    assert result.status == "refused"
    assert result.reply == "Abhi command samajh nahi pa raha. Thodi der mein dobara boliye."
    assert books(shop) == before
    assert not JournalEntry.objects.filter(business=shop, source_type="payment").exists()


def test_eval_intents_scores_the_hybrid_and_openai_providers(llm, tmp_path):
    # given a one-line evaluation file and an LLM that answers it right
    case = {
        "id": "pay-1",
        "text": "Suresh two hundred PhonePe",
        "now": NOW.isoformat(),
        "expected": {
            "intent": "record_payment",
            "entities": {"customer": "Suresh", "amount": "200", "payment_mode": "upi"},
        },
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(case) + "\n")
    llm.answer(_strict(PAYMENT))
    for provider in ("openai", "hybrid"):
        out = io.StringIO()
        # when eval_intents scores the provider
        call_command("eval_intents", str(path), "--provider", provider, stdout=out)
        # then the LLM's answer is scored as a full match
        assert out.getvalue().strip().splitlines()[-1] == "intent 1/1 full 1/1"
    # and a malformed answer scores as a miss, not a crash
    llm.content("nonsense")
    out = io.StringIO()
    call_command("eval_intents", str(path), "--provider", "openai", "--quiet", stdout=out)
    assert out.getvalue().strip() == "intent 0/1 full 0/1"

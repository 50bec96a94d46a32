"""REPLY_PROVIDER=openai: the LLM may phrase a reply, but never change its figures or names."""

from __future__ import annotations

import pytest
from django.db import transaction

from ledger.models import JournalEntry
from tests.voice.engine.openai_standin import API_KEY, OpenAIStandIn
from voice.engine.phrasing import keeps_the_facts

TEMPLATE = "Ramesh Kumar ke khate mein 500 rupaye udhaar likh diya. Ab kul baaki 1,250 rupaye."


@pytest.fixture
def phrasing_llm(settings):
    with OpenAIStandIn() as standin:
        settings.OPENAI_API_KEY = API_KEY
        settings.OPENAI_BASE_URL = standin.base_url
        settings.OPENAI_MODEL = "execora-test-model"
        settings.REPLY_PROVIDER = "openai"
        settings.REPLY_TIMEOUT_SECONDS = 0.5
        yield standin


@pytest.mark.parametrize(
    ("phrased", "kept"),
    [
        ("Likh diya! Ramesh Kumar par 500 rupaye udhaar, ab kul 1,250 rupaye baaki.", True),
        ("Ramesh Kumar par 500 udhaar likha. Kul baaki 1250 rupaye.", True),  # grouping only
        ("Ramesh Kumar par 50 rupaye udhaar likha. Ab kul baaki 1,250 rupaye.", False),
        ("Ramesh Kumar par 500 rupaye udhaar likha.", False),  # dropped the balance
        ("Ramesh par 500 rupaye udhaar, ab kul 1,250 rupaye baaki.", False),  # lost the surname
        ("Suresh Kumar par 500 rupaye udhaar, ab kul 1,250 rupaye baaki.", False),
        ("", False),
        ("Ramesh Kumar 500 1,250 " + "bahut " * 60, False),  # too long to speak
    ],
)
def test_a_phrasing_is_kept_only_with_every_figure_and_name(phrased, kept):
    data = {"customer": {"id": 1, "name": "Ramesh Kumar", "balance": "1250.00"}}
    assert keeps_the_facts(TEMPLATE, phrased, data) is kept


@pytest.mark.django_db(transaction=True)
def test_the_llm_phrases_the_reply_after_the_books_are_written(phrasing_llm, say, ramesh):
    # given a model that rephrases and keeps every fact
    phrasing_llm.content("Ho gaya: Ramesh Kumar par 500 rupaye udhaar, ab kul 1,250 rupaye baaki.")
    # when a command runs outside any transaction
    result = say("Ramesh ko 500 udhaar likho")
    # then the books changed once and the phrased reply is spoken
    assert result.status == "done"
    assert result.reply == "Ho gaya: Ramesh Kumar par 500 rupaye udhaar, ab kul 1,250 rupaye baaki."
    assert "phrase_ms" in result.timings
    ramesh.refresh_from_db()
    assert str(ramesh.balance) == "1250.00"
    # and the request was a plain chat completion with the template as the user message
    [request] = phrasing_llm.requests
    body = request["body"]
    assert body["model"] == "execora-test-model"
    assert body["messages"][0]["role"] == "system"
    assert "Hinglish" in body["messages"][0]["content"]
    assert body["messages"][1]["content"].startswith("Ramesh Kumar ke khate mein 500 rupaye")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["wrong_figure", "server_error", "timeout", "refusal"])
def test_any_doubt_keeps_the_template(phrasing_llm, say, ramesh, failure):
    if failure == "wrong_figure":
        phrasing_llm.content("Ramesh Kumar par 5,000 rupaye udhaar, ab kul 1,250 rupaye baaki.")
    elif failure == "server_error":
        phrasing_llm.fail(500)
    elif failure == "timeout":
        phrasing_llm.hang(3)
    else:
        phrasing_llm.refuse()
    result = say("Ramesh ko 500 udhaar likho")
    assert result.status == "done"
    assert result.reply.startswith("Ramesh Kumar ke khate mein 500 rupaye udhaar likh diya.")
    assert "1,250" in result.reply
    assert len(phrasing_llm.requests) == 1
    assert JournalEntry.objects.filter(business=ramesh.business).count() == 2


@pytest.mark.django_db(transaction=True)
def test_no_phrasing_inside_a_transaction(phrasing_llm, say, ramesh):
    # An idempotent API call runs the command inside a transaction holding row locks:
    # the model must not be waited on there.
    phrasing_llm.content("Ho gaya: Ramesh Kumar par 500 rupaye udhaar, ab kul 1,250 rupaye baaki.")
    with transaction.atomic():
        result = say("Ramesh ko 500 udhaar likho")
    assert result.reply.startswith("Ramesh Kumar ke khate mein")
    assert phrasing_llm.requests == []


@pytest.mark.django_db
def test_templates_are_the_default(settings, say, ramesh):
    assert settings.REPLY_PROVIDER == "template"
    assert say("Ramesh ka hisaab batao").reply.startswith("Ramesh Kumar")

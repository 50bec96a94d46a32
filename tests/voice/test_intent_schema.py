"""The intent contract: validation of outside intents and the scoring rules of SCHEMA.md."""

import datetime as dt

import pytest

from voice.intents import Intent, IntentValidationError
from voice.intents.scoring import Case, score


def test_a_well_formed_intent_is_accepted():
    # given an LLM's structured output with a null entity / when validated
    intent = Intent.from_dict(
        {
            "intent": "record_payment",
            "entities": {"customer": "Ramesh", "amount": "500", "payment_mode": "upi", "x": None},
            "confidence": 0.9,
            "lang": "hinglish",
        }
    )
    # then it is kept, with the empty entity left out
    assert intent.entities == {"customer": "Ramesh", "amount": "500", "payment_mode": "upi"}


@pytest.mark.parametrize(
    "data",
    [
        {"intent": "make_coffee", "entities": {}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_credit", "entities": {"amount": 500}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_credit", "entities": {"amount": "5e2"}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_credit", "entities": {"amount": "-5"}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_credit", "entities": {"amount": "0"}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_credit", "entities": {"phone": "98765"}, "confidence": 0.9, "lang": "en"},
        {"intent": "add_stock", "entities": {"unit": "tola"}, "confidence": 0.9, "lang": "en"},
        {
            "intent": "record_payment",
            "entities": {"payment_mode": "bitcoin"},
            "confidence": 0.5,
            "lang": "en",
        },
        {
            "intent": "create_reminder",
            "entities": {"when": "2026-03-11T10:00:00"},
            "confidence": 0.9,
            "lang": "en",
        },
        {
            "intent": "create_reminder",
            "entities": {"when": "tomorrow"},
            "confidence": 0.9,
            "lang": "en",
        },
        {
            "intent": "daily_summary",
            "entities": {"date": "2026-02-30"},
            "confidence": 0.9,
            "lang": "en",
        },
        {
            "intent": "create_invoice",
            "entities": {"items": [{"product": "x"}]},
            "confidence": 0.9,
            "lang": "en",
        },
        {"intent": "help", "entities": {}, "confidence": 1.5, "lang": "en"},
        {"intent": "help", "entities": {}, "confidence": "high", "lang": "en"},
        {"intent": "help", "entities": {}, "confidence": 0.5, "lang": "fr"},
        {"intent": "help", "entities": [], "confidence": 0.5, "lang": "en"},
        "help",
    ],
)
def test_malformed_intents_are_refused(data):
    with pytest.raises(IntentValidationError):
        Intent.from_dict(data)


def case(intent: str, entities: dict) -> Case:
    now = dt.datetime.fromisoformat("2026-03-10T09:00:00+05:30")
    return Case("t", "text", now, intent, entities)


def test_strings_compare_without_case_and_extra_spaces_and_with_alternatives():
    expected = case("check_balance", {"customer": ["रमेश", "Ramesh"]})
    assert score(
        expected, {"intent": "check_balance", "entities": {"customer": " ramesh "}}
    ).full_ok
    assert score(expected, {"intent": "check_balance", "entities": {"customer": "रमेश"}}).full_ok
    assert not score(
        expected, {"intent": "check_balance", "entities": {"customer": "Suresh"}}
    ).full_ok


def test_amounts_compare_as_decimals_and_when_as_an_instant():
    expected = case(
        "create_reminder",
        {"customer": "R", "amount": "500", "when": "2026-03-11T10:00:00+05:30"},
    )
    got = {"customer": "R", "amount": "500.00", "when": "2026-03-11T04:30:00+00:00"}
    assert score(expected, {"intent": "create_reminder", "entities": got}).full_ok


def test_an_unexpected_entity_spoils_the_full_match_but_not_the_intent():
    expected = case("cancel_invoice", {})
    result = score(expected, {"intent": "cancel_invoice", "entities": {"customer": "Ramesh"}})
    assert result.intent_ok and not result.full_ok
    empty = score(expected, {"intent": "cancel_invoice", "entities": {"customer": None}})
    assert empty.full_ok


def test_items_compare_in_order():
    a = {"product": "cheeni", "quantity": "2", "unit": "kg"}
    b = {"product": "tel", "quantity": "1", "unit": "l"}
    expected = case("create_invoice", {"items": [a, b]})
    assert score(expected, {"intent": "create_invoice", "entities": {"items": [a, b]}}).full_ok
    assert not score(expected, {"intent": "create_invoice", "entities": {"items": [b, a]}}).full_ok
    with_price = [{**a, "unit_price": "45"}, b]
    assert not score(
        expected, {"intent": "create_invoice", "entities": {"items": with_price}}
    ).full_ok

"""`POST /api/v1/commands` over HTTP: the answer's shape, the conversation round trip, scoping."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ledger.models import JournalEntry
from tests.factories import BusinessFactory, member

pytestmark = pytest.mark.django_db

URL = "/api/v1/commands/"


@pytest.fixture(autouse=True)
def generous_rates(settings):
    settings.API_THROTTLE_USER = "10000/min"
    settings.API_THROTTLE_ANON = "10000/min"


def _client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(owner):
    return _client(owner)


def _udhaars(shop) -> int:
    return JournalEntry.objects.filter(business=shop, memo="Udhaar").count()


def test_a_command_is_answered_with_intent_result_reply_and_conversation(api, shop, ramesh):
    response = api.post(URL, {"text": "Ramesh ko 500 udhaar likho"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["intent"] == {
        "intent": "add_credit",
        "entities": {"customer": "Ramesh", "amount": "500"},
        "confidence": body["intent"]["confidence"],
        "lang": "hinglish",
    }
    assert body["status"] == "done"
    assert body["ok"] is True
    assert body["confirmation"] is None
    assert body["result"]["customer"] == {
        "id": ramesh.pk,
        "name": "Ramesh Kumar",
        "balance": "1250.00",
    }
    assert body["reply"] == {
        "text": (
            "Ramesh Kumar ke khate mein 500 rupaye udhaar likh diya. Ab kul baaki 1,250 rupaye."
        ),
        "lang": "hinglish",
    }
    assert len(body["conversation"]) == 36
    assert _udhaars(shop) == 1


def test_a_confirmation_round_trips_through_the_conversation_id(api, shop, ramesh):
    # when a large udhaar is sent
    asked = api.post(URL, {"text": "Ramesh ko 5000 udhaar likho"}, format="json").json()
    # then the answer asks, and carries the conversation to answer in
    assert asked["status"] == "confirm"
    assert asked["ok"] is False
    assert asked["result"] is None
    assert asked["confirmation"] == {
        "prompt": "Ramesh Kumar ke khate mein 5,000 rupaye udhaar likh doon?",
        "options": [],
    }
    assert _udhaars(shop) == 0
    # when "haan" comes back with it
    done = api.post(
        URL, {"text": "haan", "conversation": asked["conversation"]}, format="json"
    ).json()
    # then the udhaar is written, once
    assert done["status"] == "done"
    assert done["conversation"] == asked["conversation"]
    assert _udhaars(shop) == 1
    again = api.post(
        URL, {"text": "haan", "conversation": asked["conversation"]}, format="json"
    ).json()
    assert again["status"] == "nothing_pending"
    assert _udhaars(shop) == 1


def test_a_choice_lists_its_options(api, shop, ramesh):
    from tests.customers.factories import make_customer

    yadav = make_customer(shop, "Ramesh Yadav")
    asked = api.post(URL, {"text": "Ramesh ka kitna baaki hai"}, format="json").json()
    assert asked["status"] == "question"
    assert sorted(o["id"] for o in asked["confirmation"]["options"]) == sorted(
        [ramesh.pk, yadav.pk]
    )
    answer = api.post(
        URL, {"text": "Ramesh Yadav", "conversation": asked["conversation"]}, format="json"
    ).json()
    assert answer["reply"]["text"] == "Ramesh Yadav ka koi baaki nahi hai."


def test_unauthenticated_is_401(shop):
    response = APIClient().post(URL, {"text": "Ramesh ko 500 udhaar"}, format="json")
    assert response.status_code == 401


def test_another_shops_conversation_is_404(api, shop, ramesh):
    # given a conversation of another shop
    other_shop = BusinessFactory(name="Gupta Stores")
    stranger = _client(member(other_shop, "owner", username="gupta"))
    theirs = stranger.post(URL, {"text": "help"}, format="json").json()["conversation"]
    # when our owner answers in it
    response = api.post(URL, {"text": "haan", "conversation": theirs}, format="json")
    # then it is not found
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_malformed_conversation_or_empty_text_is_400(api, shop):
    bad_id = api.post(URL, {"text": "haan", "conversation": "not-a-uuid"}, format="json")
    assert bad_id.status_code == 400
    assert "conversation" in bad_id.json()["errors"]
    empty = api.post(URL, {"text": "   "}, format="json")
    assert empty.status_code == 400
    assert "text" in empty.json()["errors"]


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(api, shop, ramesh):
    body = {"text": "Ramesh ko 500 udhaar likho"}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="cmd-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="cmd-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _udhaars(shop) == 1
    # the same key with another command is refused
    other = api.post(
        URL, {"text": "Ramesh ko 600 udhaar"}, format="json", HTTP_IDEMPOTENCY_KEY="cmd-1"
    )
    assert other.status_code == 422
    assert _udhaars(shop) == 1


def test_a_refusal_is_a_200_with_the_spoken_reason(api, shop, ramesh):
    response = api.post(URL, {"text": "Ramesh ko 10.555 udhaar"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["ok"]) == ("refused", False)
    assert body["reply"]["text"] == "रकम में पैसे के बाद दो से ज़्यादा अंक नहीं हो सकते।"
    assert _udhaars(shop) == 0


def test_staff_may_speak_to_the_engine(shop, ramesh, cashier):
    response = _client(cashier).post(URL, {"text": "Ramesh ka kitna baaki hai"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "answered"

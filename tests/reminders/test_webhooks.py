"""/webhooks/whatsapp/: the handshake, signatures, and statuses applied once and never backwards."""

from __future__ import annotations

import datetime
import itertools
import json

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from customers.models import Customer
from reminders.models import Reminder, WhatsAppMessage
from reminders.services import PROGRESS, reminder_schedule
from reminders.webhooks import signature_for
from tests.reminders.conftest import MORNING
from tests.reminders.factories import owing
from tests.reminders.graph_standin import (
    APP_SECRET,
    inbound_webhook,
    sign,
    status_event,
    status_webhook,
)

pytestmark = pytest.mark.django_db

URL = "/webhooks/whatsapp/"
_wamids = itertools.count(1)


def post(client, body: dict | bytes, *, signature: str | None = "valid"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature == "valid":
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign(raw, APP_SECRET)
    elif signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post(URL, data=raw, content_type="application/json", **headers)


def sent_reminder(shop, customer) -> tuple[Reminder, WhatsAppMessage]:
    """A reminder WhatsApp accepted: status sent, its message `accepted`, with a fresh wamid."""
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    wamid = f"wamid.TEST{next(_wamids):08d}"
    Reminder.objects.filter(pk=reminder.pk).update(
        status="sent", wamid=wamid, attempts=1, sent_at=MORNING
    )
    message = WhatsAppMessage.objects.create(
        business=shop,
        customer=customer,
        reminder=reminder,
        direction="out",
        kind="text",
        wa_id="919876543210",
        wamid=wamid,
        status="accepted",
        attempt=1,
    )
    reminder.refresh_from_db()
    return reminder, message


def event(message: WhatsAppMessage, status: str, **extra) -> dict:
    return status_event(
        message.wamid,
        status,
        recipient=message.wa_id,
        callback_data=str(message.reminder_id),
        **extra,
    )


# --- handshake -------------------------------------------------------------------------


def test_the_handshake_echoes_the_challenge_for_the_right_token(client, webhook_secret):
    response = client.get(
        URL,
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_the_handshake_refuses_a_wrong_token(client, webhook_secret, params):
    response = client.get(URL, params)
    assert response.status_code == 403
    assert b"1" not in response.content


def test_without_a_configured_verify_token_every_handshake_is_refused(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "x"}
    )
    assert response.status_code == 403


# --- signatures ------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_the_raw_body():
    # (openssl dgst -sha256 -hmac s3cret of "{}")
    expected = "adbde1ce40c89c14215687d5d762a47df6dfaefcfad61e2e86718ffc8498571b"
    assert signature_for(b"{}", "s3cret") == f"sha256={expected}"


@pytest.mark.parametrize("signature", [None, "sha256=deadbeef", "garbage", ""])
def test_a_bad_or_missing_signature_is_403_and_changes_nothing(
    client, shop, webhook_secret, signature
):
    reminder, message = sent_reminder(shop, owing(shop))
    response = post(client, status_webhook([event(message, "read")]), signature=signature)
    assert response.status_code == 403
    message.refresh_from_db()
    reminder.refresh_from_db()
    assert (message.status, reminder.status) == ("accepted", "sent")


def test_one_byte_changed_after_signing_is_403(client, shop, webhook_secret):
    _reminder, message = sent_reminder(shop, owing(shop))
    raw = json.dumps(status_webhook([event(message, "delivered")])).encode()
    signature = sign(raw, APP_SECRET)
    tampered = raw.replace(b'"delivered"', b'"delivereD"')
    assert len(tampered) == len(raw) and tampered != raw
    response = post(client, tampered, signature=signature)
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "accepted"


def test_no_app_secret_refuses_every_post(client, shop, settings):
    settings.WHATSAPP_APP_SECRET = ""
    _reminder, message = sent_reminder(shop, owing(shop))
    raw = json.dumps(status_webhook([event(message, "delivered")])).encode()
    response = post(client, raw, signature=sign(raw, ""))
    assert response.status_code == 403


# --- statuses ------------------------------------------------------------------------------


def test_statuses_move_the_message_and_its_reminder_forward(client, shop, webhook_secret):
    reminder, message = sent_reminder(shop, owing(shop))
    for status in ("sent", "delivered", "read"):
        assert post(client, status_webhook([event(message, status)])).status_code == 200
    message.refresh_from_db()
    reminder.refresh_from_db()
    assert (message.status, reminder.status) == ("read", "read")
    assert [entry["status"] for entry in message.status_history] == ["sent", "delivered", "read"]


def test_a_late_delivered_after_read_changes_nothing(client, shop, webhook_secret):
    _reminder, message = sent_reminder(shop, owing(shop))
    post(client, status_webhook([event(message, "read")]))
    message.refresh_from_db()
    before = (message.status, list(message.status_history), message.updated_at)
    post(client, status_webhook([event(message, "delivered")]))
    message.refresh_from_db()
    assert (message.status, message.status_history, message.updated_at) == before


def test_failed_carries_the_error_code_and_title(client, shop, webhook_secret):
    reminder, message = sent_reminder(shop, owing(shop))
    failed = event(message, "failed", error_code=131026, error_title="Message undeliverable")
    post(client, status_webhook([failed]))
    message.refresh_from_db()
    reminder.refresh_from_db()
    assert (message.status, message.error_code, message.error_title) == (
        "failed",
        "131026",
        "Message undeliverable",
    )
    assert (reminder.status, reminder.last_error_code) == ("failed", "131026")
    assert "Message undeliverable" in reminder.last_error


def test_a_status_for_a_message_we_never_sent_is_ignored(client, webhook_secret, shop):
    stray = status_event("wamid.NOBODY", "delivered", recipient="919876543210")
    assert post(client, status_webhook([stray])).status_code == 200
    assert not WhatsAppMessage.objects.exists()


def test_a_signed_body_that_is_not_json_is_400(client, webhook_secret):
    assert post(client, b"not json").status_code == 400


def test_a_status_that_beats_the_senders_own_record_fills_in_the_reminder(
    client, shop, webhook_secret
):
    # given a reminder still `sending` (its worker has not recorded the answer yet)
    reminder = reminder_schedule(business=shop, customer_id=owing(shop).pk, when=None, now=MORNING)
    Reminder.objects.filter(pk=reminder.pk).update(
        status="sending",
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    delivered = status_event(
        "wamid.EARLY", "delivered", recipient="919876543210", callback_data=str(reminder.pk)
    )
    # when
    post(client, status_webhook([delivered]))
    # then the callback data ties it to the reminder, which is settled
    reminder.refresh_from_db()
    assert (reminder.status, reminder.wamid, reminder.lease_expires_at) == (
        "delivered",
        "wamid.EARLY",
        None,
    )
    assert WhatsAppMessage.objects.get(wamid="wamid.EARLY").reminder == reminder


# --- every status three times, in any order ------------------------------------------------

STATUSES = ["sent", "delivered", "read", "failed"]


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    chosen=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4, unique=True),
    data=st.data(),
)
def test_any_order_of_repeated_statuses_ends_in_the_furthest_with_each_transition_once(
    client, shop, webhook_secret, chosen, data
):
    # given a sent reminder, and each chosen status delivered three times, shuffled
    customer = Customer.objects.filter(business=shop).first() or owing(shop)
    reminder, message = sent_reminder(shop, customer)
    deliveries = data.draw(st.permutations([s for s in chosen for _ in range(3)]))
    # when each arrives in its own webhook
    for status in deliveries:
        extra = {"error_code": 131026, "error_title": "Undeliverable"} if status == "failed" else {}
        assert post(client, status_webhook([event(message, status, **extra)])).status_code == 200
    # then the message ends in the furthest status, whatever the order
    furthest = max(chosen, key=PROGRESS.__getitem__)
    message.refresh_from_db()
    reminder.refresh_from_db()
    assert message.status == furthest
    assert reminder.status == furthest
    # and its history records transitions only forward, each at most once
    history = [entry["status"] for entry in message.status_history]
    assert len(history) == len(set(history))
    assert [PROGRESS[s] for s in history] == sorted(PROGRESS[s] for s in history)
    assert history[-1] == furthest
    # the first delivery in the shuffle always gets recorded
    assert history[0] == deliveries[0]


# --- customers' own messages ------------------------------------------------------------------


def test_an_inbound_message_is_stored_once_and_opens_the_24h_window(
    client, shop, other_shop, webhook_secret
):
    # given the same phone is a customer of two shops, and shop A wrote to them last
    ours = owing(shop)
    theirs = owing(other_shop)
    _, _message = sent_reminder(shop, ours)
    at = int(timezone.now().timestamp())
    body = inbound_webhook(
        wa_id="919876543210", text="Kal de dunga", wamid="wamid.IN1", timestamp=at
    )
    # when Meta delivers it twice
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    # then it is stored once, with the shop that wrote to them
    inbound = WhatsAppMessage.objects.get(direction="in")
    assert (inbound.business, inbound.customer, inbound.body, inbound.status) == (
        shop,
        ours,
        "Kal de dunga",
        "received",
    )
    # and both shops' customers may now get free text (the window is per WhatsApp number)
    for customer in (ours, theirs):
        customer.refresh_from_db()
        assert customer.last_inbound_message_at == datetime.datetime.fromtimestamp(
            at, tz=datetime.UTC
        )


def test_an_inbound_message_from_a_stranger_is_not_stored(client, webhook_secret, shop):
    body = inbound_webhook(wa_id="919111111111", text="hi", wamid="wamid.IN2", timestamp=1)
    assert post(client, body).status_code == 200
    assert not WhatsAppMessage.objects.exists()


def sending_reminder(shop, *, attempts: int) -> Reminder:
    reminder = reminder_schedule(business=shop, customer_id=owing(shop).pk, when=None, now=MORNING)
    Reminder.objects.filter(pk=reminder.pk).update(
        status="sending",
        attempts=attempts,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    reminder.refresh_from_db()
    return reminder


def test_a_failure_that_beats_the_senders_own_record_fails_the_reminder(
    client, shop, webhook_secret
):
    reminder = sending_reminder(shop, attempts=1)
    failed = status_event(
        "wamid.F1",
        "failed",
        recipient="919876543210",
        callback_data=str(reminder.pk),
        error_code=131026,
        error_title="Message undeliverable",
    )
    post(client, status_webhook([failed]))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error_code) == ("failed", "131026")


def test_a_failure_of_an_earlier_attempt_leaves_the_one_in_flight_alone(
    client, shop, webhook_secret
):
    # given attempt 1 timed out (unknown, no id) and attempt 2 is being sent now
    reminder = sending_reminder(shop, attempts=2)
    WhatsAppMessage.objects.create(
        business=shop,
        customer=reminder.customer,
        reminder=reminder,
        direction="out",
        kind="text",
        wa_id="919876543210",
        status="unknown",
        attempt=1,
    )
    # when WhatsApp reports attempt 1 as failed
    failed = status_event(
        "wamid.OLD1",
        "failed",
        recipient="919876543210",
        callback_data=str(reminder.pk),
        error_code=131026,
        error_title="Message undeliverable",
    )
    post(client, status_webhook([failed]))
    # then attempt 1's row records it, and the reminder waits for attempt 2's answer
    first = reminder.messages.get(attempt=1)
    assert (first.wamid, first.status) == ("wamid.OLD1", "failed")
    reminder.refresh_from_db()
    assert reminder.status == "sending"

"""Sending one reminder (the worker's service) against the Graph API stand-in, in-process."""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.services import payment_record
from reminders.models import Reminder, WhatsAppMessage
from reminders.services import (
    message_status_apply,
    number_slot_reserve,
    recipient_slot_reserve,
    reminder_cancel,
    reminder_deliver,
    reminder_schedule,
    reminders_dispatch,
)
from tests.reminders.factories import owing
from tests.reminders.graph_standin import status_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def always_open(settings):
    # Dispatch uses the real clock here: let reminders go at any hour.
    settings.REMINDER_SEND_FROM = "00:00"
    settings.REMINDER_SEND_UNTIL = "24:00"


@pytest.fixture
def run(django_capture_on_commit_callbacks, always_open):
    """Dispatch at `now` (default: the real now), then deliver every claimed reminder."""

    def dispatch_and_deliver(now: datetime.datetime | None = None) -> dict[int, str]:
        claimed: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            reminders_dispatch(enqueue=claimed.extend, now=now or timezone.now())
        return {pk: reminder_deliver(reminder_id=pk, sleep=lambda s: None) for pk in claimed}

    return dispatch_and_deliver


def schedule(shop, customer, **extra) -> Reminder:
    return reminder_schedule(business=shop, customer_id=customer.pk, when=None, **extra)


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_inside_the_24h_window_the_reminder_is_free_text_with_dues_entries_and_upi(
    shop, cloud, run
):
    # given a customer who owes and wrote to us an hour ago
    shop.upi_id = "sharma@okaxis"
    shop.save(update_fields=["upi_id"])
    customer = owing(shop, due="1250.00")
    customer.last_inbound_message_at = timezone.now() - datetime.timedelta(hours=1)
    customer.save(update_fields=["last_inbound_message_at"])
    reminder = schedule(shop, customer, message="Shukriya!")
    # when
    outcome = run()
    # then one text went, to 91 + phone, tagged with the reminder id
    assert outcome == {reminder.pk: "sent"}
    [accepted] = cloud.accepted
    assert accepted.type == "text"
    assert accepted.to == "919876543210"
    assert accepted.callback_data == str(reminder.pk)
    body = accepted.payload["text"]["body"]
    assert "₹1,250.00" in body
    assert "Udhaar" in body  # the last khata entry
    assert "sharma@okaxis" in body and "upi://pay?pa=sharma%40okaxis" in body
    assert "am=1250.00" in body
    assert "Shukriya!" in body
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.wamid == accepted.wamid
    assert (reminder.kind, reminder.amount_sent, reminder.attempts) == (
        "text",
        Decimal("1250.00"),
        1,
    )
    assert reminder.lease_expires_at is None
    message = WhatsAppMessage.objects.get(wamid=accepted.wamid)
    assert (message.reminder, message.customer, message.status) == (reminder, customer, "accepted")
    assert message.body == body


def test_outside_the_window_the_approved_template_goes_with_four_parameters(shop, cloud, run):
    customer = owing(shop, due="300.00")  # never wrote to us
    reminder = schedule(shop, customer)
    run()
    [accepted] = cloud.accepted
    template = accepted.payload["template"]
    assert accepted.type == "template"
    assert template["name"] == "payment_reminder"
    assert template["language"] == {"code": "en"}
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == ["Ramesh Kumar", shop.name, "₹300.00", "-"]
    reminder.refresh_from_db()
    assert (reminder.status, reminder.kind) == ("sent", "template")


def test_nothing_due_at_send_time_is_skipped_and_says_so(shop, cloud, run):
    customer = owing(shop, due="500.00")
    reminder = schedule(shop, customer)
    # given the customer paid before it went
    payment_record(business=shop, customer_id=customer.pk, amount="500.00")
    # when
    assert run() == {reminder.pk: "skipped"}
    # then
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SKIPPED
    assert reminder.last_error_code == "nothing_due"
    assert "Nothing was due" in reminder.last_error
    assert cloud.requests == 0


def test_an_amount_asks_for_no_more_than_is_due(shop, cloud, run):
    customer = owing(shop, due="400.00")
    reminder = schedule(shop, customer, amount="900.00")
    run()
    reminder.refresh_from_db()
    assert reminder.amount_sent == Decimal("400.00")
    assert "₹400.00" in json.dumps(cloud.accepted[0].payload, ensure_ascii=False)


def test_a_daily_reminder_repeats_until_paid_then_stops(shop, cloud, run):
    customer = owing(shop, due="200.00")
    first = schedule(shop, customer, recurrence="daily")
    # when the first goes
    run()
    # then the next is scheduled a day later, once
    following = Reminder.objects.get(previous=first)
    assert following.scheduled_at == first.scheduled_at + datetime.timedelta(days=1)
    assert (following.recurrence, following.source, following.status) == (
        "daily",
        "system",
        "scheduled",
    )
    # when the customer pays and the next one comes due
    payment_record(business=shop, customer_id=customer.pk, amount="200.00")
    assert run(now=following.next_attempt_at) == {following.pk: "skipped"}
    # then it is skipped and nothing follows it
    following.refresh_from_db()
    assert "stop here" in following.last_error
    assert not Reminder.objects.filter(previous=following).exists()
    assert len(cloud.accepted) == 1


def test_a_429_is_retried_with_backoff_and_then_sent_once(shop, cloud, run):
    customer = owing(shop)
    reminder = schedule(shop, customer)
    cloud.script("429")
    # when the first try is rate limited
    before = timezone.now()
    assert run() == {reminder.pk: "retry"}
    # then it waits, by the database, for a backoff of 1–2 s (base 2 s, half jittered)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SCHEDULED
    assert reminder.last_error_code == "130429"
    assert reminder.attempts == 1
    wait = (reminder.next_attempt_at - before).total_seconds()
    assert 1 <= wait <= 2.5
    assert run() == {}  # not yet due
    # when it is due again
    assert run(now=later(3)) == {reminder.pk: "sent"}
    # then it went exactly once, on the second request
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error_code) == ("sent", 2, "")
    assert cloud.requests_by_callback[str(reminder.pk)] == 2
    assert cloud.accepted_by_callback[str(reminder.pk)] == 1
    timeline = list(reminder.messages.order_by("pk").values_list("status", "error_code"))
    assert timeline == [("failed", "130429"), ("accepted", "")]


def test_the_backoff_grows_with_each_attempt(shop, cloud, run, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 10
    reminder = schedule(shop, owing(shop))
    cloud.script("429", "pair_limit", "429")
    waits = []
    for step in range(3):
        before = timezone.now()
        assert run(now=later(step * 100)) == {reminder.pk: "retry"}
        reminder.refresh_from_db()
        waits.append((reminder.next_attempt_at - before).total_seconds())
    # then 5–10 s, 10–20 s, 20–40 s
    assert 5 <= waits[0] <= 10.5
    assert 10 <= waits[1] <= 20.5
    assert 20 <= waits[2] <= 40.5


def test_a_400_fails_at_once_with_the_error_kept(shop, cloud, run):
    reminder = schedule(shop, owing(shop))
    cloud.script("400:131026")
    assert run() == {reminder.pk: "failed"}
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.last_error_code == "131026"
    assert "Refused by the stand-in" in reminder.last_error
    assert run(now=later(3600)) == {}  # never tried again
    assert cloud.requests == 1
    message = reminder.messages.get()
    assert (message.status, message.error_code, message.wamid) == ("failed", "131026", None)


def test_a_template_whatsapp_does_not_know_fails_at_once(shop, cloud, run, settings):
    settings.WHATSAPP_TEMPLATE_NAME = "no_such_template"
    reminder = schedule(shop, owing(shop))
    assert run() == {reminder.pk: "failed"}
    reminder.refresh_from_db()
    assert reminder.last_error_code == "132001"
    assert cloud.refusals["132001"] == 1


def test_131047_means_the_template_goes_instead_at_once(shop, cloud, run):
    customer = owing(shop)
    customer.last_inbound_message_at = timezone.now() - datetime.timedelta(hours=2)
    customer.save(update_fields=["last_inbound_message_at"])
    reminder = schedule(shop, customer)
    cloud.script("400:131047")
    # when the free text is refused as outside the window
    assert run() == {reminder.pk: "needs_template"}
    reminder.refresh_from_db()
    assert (reminder.status, reminder.needs_template) == ("scheduled", True)
    assert reminder.next_attempt_at <= timezone.now()
    # then the next dispatch sends the template
    assert run() == {reminder.pk: "sent"}
    assert [a.type for a in cloud.accepted] == ["template"]


def test_131047_fails_the_text_at_once_and_it_is_never_retried_as_text(shop, cloud, run):
    customer = owing(shop)
    customer.last_inbound_message_at = timezone.now() - datetime.timedelta(hours=2)
    customer.save(update_fields=["last_inbound_message_at"])
    reminder = schedule(shop, customer)
    cloud.script("400:131047", "400:131047")
    assert run() == {reminder.pk: "needs_template"}
    # the refused text is failed for good, with WhatsApp's code; no backoff, no second text
    text = WhatsAppMessage.objects.get(reminder=reminder)
    assert (text.kind, text.status, text.error_code) == ("text", "failed", "131047")
    # when the template is refused with 131047 too, the reminder fails at once
    assert run() == {reminder.pk: "failed"}
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error_code) == (
        "failed",
        2,
        "131047",
    )
    kinds = list(
        WhatsAppMessage.objects.filter(reminder=reminder).order_by("pk").values_list("kind")
    )
    assert kinds == [("text",), ("template",)]
    assert run() == {}  # nothing more goes


def test_131047_without_a_template_configured_fails_at_once(shop, cloud, run, settings):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    customer = owing(shop)
    customer.last_inbound_message_at = timezone.now() - datetime.timedelta(hours=2)
    customer.save(update_fields=["last_inbound_message_at"])
    reminder = schedule(shop, customer)
    cloud.script("400:131047")
    assert run() == {reminder.pk: "failed"}
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error_code) == ("failed", "131047")
    assert reminder.attempts == 1


def test_131047_reported_by_webhook_sends_the_template_next(shop, cloud, run):
    # given WhatsApp takes the text but later reports it failed with 131047
    customer = owing(shop)
    customer.last_inbound_message_at = timezone.now() - datetime.timedelta(hours=2)
    customer.save(update_fields=["last_inbound_message_at"])
    reminder = schedule(shop, customer)
    run()
    wamid = cloud.accepted[0].wamid
    # when
    applied = message_status_apply(
        status=status_event(
            wamid,
            "failed",
            recipient="919876543210",
            callback_data=str(reminder.pk),
            error_code=131047,
            error_title="Re-engagement message",
        )
    )
    # then
    assert applied
    reminder.refresh_from_db()
    assert (reminder.status, reminder.needs_template, reminder.wamid) == ("scheduled", True, "")
    assert run() == {reminder.pk: "sent"}
    assert [a.type for a in cloud.accepted] == ["text", "template"]


def test_a_500_is_unknown_and_a_status_webhook_settles_it_without_a_resend(shop, cloud, run):
    reminder = schedule(shop, owing(shop))
    cloud.script("500")
    assert run() == {reminder.pk: "unknown"}
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.UNKNOWN
    window = (reminder.next_attempt_at - timezone.now()).total_seconds()
    assert 890 < window <= 900
    # when WhatsApp's status for it arrives (it had taken the message after all)
    message_status_apply(
        status=status_event(
            "wamid.LATE1", "delivered", recipient="919876543210", callback_data=str(reminder.pk)
        )
    )
    # then the reminder is settled and the unknown attempt's row gets the id
    reminder.refresh_from_db()
    assert (reminder.status, reminder.wamid) == ("delivered", "wamid.LATE1")
    assert reminder.messages.get().wamid == "wamid.LATE1"
    assert run(now=later(1000)) == {}


def test_a_timeout_with_no_webhook_is_resent_after_the_window(shop, cloud, run):
    reminder = schedule(shop, owing(shop))
    cloud.script("hang")  # no answer, and the stand-in did not take it
    assert run() == {reminder.pk: "unknown"}
    reminder.refresh_from_db()
    assert reminder.last_error_code == "timeout"
    assert run(now=later(60)) == {}  # still waiting for a webhook
    # when the window passes with no webhook
    assert run(now=later(901)) == {reminder.pk: "sent"}
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)
    assert cloud.accepted_by_callback[str(reminder.pk)] == 1


def test_the_documented_duplicate_window_a_lost_answer_and_a_lost_webhook(shop, cloud, run):
    # given WhatsApp took the message but the answer never reached us, and no webhook came
    reminder = schedule(shop, owing(shop))
    cloud.script("hang_accept")
    assert run() == {reminder.pk: "unknown"}
    # when the window passes, it is resent: the one case that sends twice
    assert run(now=later(901)) == {reminder.pk: "sent"}
    assert cloud.accepted_by_callback[str(reminder.pk)] == 2


def test_delivering_twice_sends_once(shop, cloud, run):
    reminder = schedule(shop, owing(shop))
    claimed: list[int] = []
    reminders_dispatch(enqueue=claimed.extend)  # (the test transaction never commits)
    Reminder.objects.filter(pk=reminder.pk).update(status="claimed")
    # when the same send task runs twice (a redelivery)
    first = reminder_deliver(reminder_id=reminder.pk, sleep=lambda s: None)
    second = reminder_deliver(reminder_id=reminder.pk, sleep=lambda s: None)
    # then
    assert (first, second) == ("sent", "not_claimed")
    assert cloud.requests == 1


def test_a_reminder_cancelled_after_it_was_claimed_is_not_sent(shop, cloud):
    reminder = schedule(shop, owing(shop))
    Reminder.objects.filter(pk=reminder.pk).update(status="claimed", lease_expires_at=later(120))
    reminder_cancel(business=shop, reminder_id=reminder.pk)
    assert reminder_deliver(reminder_id=reminder.pk) == "not_claimed"
    assert cloud.requests == 0


def test_attempts_are_capped_in_the_database(shop, cloud, run, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    reminder = schedule(shop, owing(shop))
    cloud.script("429", "429", "ok")
    assert run() == {reminder.pk: "retry"}
    assert run(now=later(10)) == {reminder.pk: "failed"}
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert "Gave up after 2 attempts" in reminder.last_error
    assert run(now=later(100)) == {}
    assert cloud.requests == 2


def test_two_reminders_to_one_person_are_paced_apart(shop, cloud, run, settings):
    settings.WHATSAPP_RECIPIENT_INTERVAL_SECONDS = 2
    customer = owing(shop)
    first = schedule(shop, customer)
    second = schedule(shop, customer, message="Dusra")
    before = timezone.now()
    outcome = run()
    # then one went and the other waits for the recipient's gap
    assert sorted(outcome.values()) == ["paced", "sent"]
    waiting = Reminder.objects.get(pk=second.pk if outcome[second.pk] == "paced" else first.pk)
    assert waiting.status == Reminder.Status.SCHEDULED
    gap = (waiting.next_attempt_at - before).total_seconds()
    assert 1.5 <= gap <= 2.5
    assert cloud.requests == 1
    assert run() == {}
    time.sleep(max(0.0, (waiting.next_attempt_at - timezone.now()).total_seconds()) + 0.05)
    assert run() == {waiting.pk: "sent"}


def test_recipient_slot_lets_the_same_reminder_through_again(db):
    now = 1_000_000_000_000
    assert recipient_slot_reserve(wa_id="919800000001", holder=7, now_us=now) is None
    # then another reminder to the same person waits 6 s; the same one may go (a redelivery)
    assert recipient_slot_reserve(wa_id="919800000001", holder=8, now_us=now + 1) == now + 6_000_000
    assert recipient_slot_reserve(wa_id="919800000001", holder=7, now_us=now + 2) is None
    assert recipient_slot_reserve(wa_id="919800000001", holder=8, now_us=now + 6_000_003) is None


def test_number_slots_are_spaced_by_the_throughput(db, settings):
    settings.WHATSAPP_MESSAGES_PER_SECOND = 80
    now = 2_000_000_000_000
    slots = [number_slot_reserve(now_us=now) for _ in range(3)]
    assert slots == [now, now + 12_500, now + 25_000]
    # after a quiet spell the next slot is now, not in the past
    assert number_slot_reserve(now_us=now + 10_000_000) == now + 10_000_000

"""Scheduling, rescheduling, cancelling and listing reminders through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from execora.exceptions import ApplicationError, Conflict, NotFound
from reminders.models import Reminder, ReminderPolicy
from reminders.selectors import reminder_get, reminder_list
from reminders.services import (
    reminder_cancel,
    reminder_reschedule,
    reminder_schedule,
    reminder_send_now,
)
from tests.customers.factories import make_customer
from tests.reminders.conftest import IST, MORNING
from tests.reminders.factories import owing

pytestmark = pytest.mark.django_db


def test_schedule_writes_a_scheduled_reminder_for_the_time_asked(shop, owner):
    # given a customer who owes
    customer = owing(shop)
    when = MORNING + datetime.timedelta(hours=2)
    # when
    reminder = reminder_schedule(
        business=shop,
        customer_id=customer.pk,
        when=when,
        message="Diwali se pehle",
        recurrence="weekly",
        source="voice",
        user=owner,
        now=MORNING,
    )
    # then
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SCHEDULED
    assert reminder.scheduled_at == reminder.next_attempt_at == when
    assert reminder.amount is None  # the whole due, worked out at send time
    assert (reminder.message, reminder.recurrence, reminder.source) == (
        "Diwali se pehle",
        "weekly",
        "voice",
    )
    assert reminder.created_by == owner
    assert reminder.attempts == 0


def test_a_reminder_due_at_night_waits_for_the_shops_morning(shop):
    customer = owing(shop)
    night = datetime.datetime(2026, 3, 10, 22, 30, tzinfo=IST)
    # when
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=night, now=MORNING)
    # then it keeps the time asked but goes at 09:00 the next day, shop time
    assert reminder.scheduled_at == night
    assert reminder.next_attempt_at == datetime.datetime(2026, 3, 11, 9, 0, tzinfo=IST)


def test_early_morning_waits_until_opening_the_same_day(shop):
    customer = owing(shop)
    dawn = datetime.datetime(2026, 3, 11, 6, 0, tzinfo=IST)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=dawn, now=MORNING)
    assert reminder.next_attempt_at == datetime.datetime(2026, 3, 11, 9, 0, tzinfo=IST)


def test_a_shops_own_hours_replace_the_default_window(shop):
    # given a shop that sends from 07:30 to 21:00
    ReminderPolicy.objects.create(
        business=shop, send_from=datetime.time(7, 30), send_until=datetime.time(21, 0)
    )
    customer = owing(shop)
    late = datetime.datetime(2026, 3, 10, 20, 30, tzinfo=IST)
    dawn = datetime.datetime(2026, 3, 11, 6, 0, tzinfo=IST)
    # then
    inside = reminder_schedule(business=shop, customer_id=customer.pk, when=late, now=MORNING)
    outside = reminder_schedule(business=shop, customer_id=customer.pk, when=dawn, now=MORNING)
    assert inside.next_attempt_at == late
    assert outside.next_attempt_at == datetime.datetime(2026, 3, 11, 7, 30, tzinfo=IST)


def test_quiet_hours_follow_the_shops_time_zone(shop):
    # given a shop in Dubai: 20:30 in India is 19:00 there, inside its window
    shop.timezone = "Asia/Dubai"
    shop.save(update_fields=["timezone"])
    customer = owing(shop)
    when = datetime.datetime(2026, 3, 10, 20, 30, tzinfo=IST)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=when, now=MORNING)
    assert reminder.next_attempt_at == when


def test_no_when_means_now(shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    assert reminder.scheduled_at == MORNING


def test_an_exception_before_commit_leaves_no_reminder(shop):
    # given the caller's own transaction fails after asking for a reminder
    customer = owing(shop)
    with pytest.raises(RuntimeError), transaction.atomic():
        reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
        raise RuntimeError("the sale failed")
    # then nothing is left to send
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"when": MORNING - datetime.timedelta(hours=1)}, "in_the_past", "when"),
        ({"when": MORNING + datetime.timedelta(days=400)}, "invalid", "when"),
        ({"when": datetime.datetime(2026, 3, 11, 9, 0)}, "invalid", "when"),  # naive
        ({"amount": "0"}, "invalid_amount", "amount"),
        ({"amount": "10.005"}, "invalid_amount", "amount"),
        ({"amount": 10.5}, "invalid_amount", "amount"),
        ({"recurrence": "monthly"}, "invalid", "recurrence"),
        ({"source": "system"}, "invalid", "source"),
        ({"message": "x" * 501}, "invalid", "message"),
    ],
)
def test_schedule_refuses_bad_input(shop, changes, code, field):
    customer = owing(shop)
    arguments = {"business": shop, "customer_id": customer.pk, "when": None, "now": MORNING}
    arguments.update(changes)
    with pytest.raises(ApplicationError) as refused:
        reminder_schedule(**arguments)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message_hi
    assert not Reminder.objects.exists()


def test_a_customer_without_a_phone_cannot_get_a_reminder(shop):
    customer = make_customer(shop, "Bina Phone")
    with pytest.raises(ApplicationError) as refused:
        reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    assert refused.value.code == "no_phone"


def test_another_shops_customer_is_not_found(shop, other_shop):
    theirs = owing(other_shop)
    with pytest.raises(NotFound):
        reminder_schedule(business=shop, customer_id=theirs.pk, when=None, now=MORNING)
    assert not Reminder.objects.exists()


def test_an_explicit_amount_is_kept(shop):
    customer = owing(shop)
    reminder = reminder_schedule(
        business=shop, customer_id=customer.pk, when=None, amount="500", now=MORNING
    )
    assert reminder.amount == Decimal("500.00")


def test_reschedule_moves_the_time(shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    later = MORNING + datetime.timedelta(days=1, hours=1)
    # when
    moved = reminder_reschedule(business=shop, reminder_id=reminder.pk, when=later, now=MORNING)
    # then
    moved.refresh_from_db()
    assert moved.scheduled_at == moved.next_attempt_at == later
    assert moved.status == Reminder.Status.SCHEDULED


def test_rescheduling_a_failed_reminder_tries_again_from_the_first_attempt(shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    Reminder.objects.filter(pk=reminder.pk).update(
        status="failed", attempts=3, last_error_code="131026", last_error="Undeliverable"
    )
    later = MORNING + datetime.timedelta(hours=3)
    moved = reminder_reschedule(business=shop, reminder_id=reminder.pk, when=later, now=MORNING)
    moved.refresh_from_db()
    assert (moved.status, moved.attempts, moved.last_error_code) == ("scheduled", 0, "")


@pytest.mark.parametrize("status", ["claimed", "sending", "sent", "delivered", "unknown"])
def test_reschedule_refuses_a_reminder_that_is_going_or_gone(shop, status):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    lease = MORNING + datetime.timedelta(minutes=2)
    Reminder.objects.filter(pk=reminder.pk).update(status=status, lease_expires_at=lease)
    with pytest.raises(Conflict) as refused:
        reminder_reschedule(business=shop, reminder_id=reminder.pk, when=MORNING, now=MORNING)
    assert refused.value.code == "reminder_not_pending"
    assert refused.value.status == 409


def test_cancel_stops_a_scheduled_reminder_and_twice_is_a_no_op(shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    # when
    first = reminder_cancel(business=shop, reminder_id=reminder.pk, now=MORNING)
    again = reminder_cancel(business=shop, reminder_id=reminder.pk)
    # then
    assert first.status == again.status == Reminder.Status.CANCELLED
    assert again.status_changed_at == MORNING


def test_cancel_takes_back_a_claimed_reminder(shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    Reminder.objects.filter(pk=reminder.pk).update(
        status="claimed", lease_expires_at=MORNING + datetime.timedelta(minutes=2)
    )
    cancelled = reminder_cancel(business=shop, reminder_id=reminder.pk)
    assert (cancelled.status, cancelled.lease_expires_at) == ("cancelled", None)


@pytest.mark.parametrize("status", ["sending", "sent", "read", "skipped"])
def test_cancel_refuses_what_is_sending_or_settled(shop, status):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    Reminder.objects.filter(pk=reminder.pk).update(
        status=status, lease_expires_at=MORNING + datetime.timedelta(minutes=2)
    )
    with pytest.raises(Conflict):
        reminder_cancel(business=shop, reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == status


def test_another_shops_reminder_is_not_found_for_every_service(shop, other_shop):
    theirs = reminder_schedule(
        business=other_shop, customer_id=owing(other_shop).pk, when=None, now=MORNING
    )
    for service in (reminder_cancel, reminder_send_now):
        with pytest.raises(NotFound):
            service(business=shop, reminder_id=theirs.pk)
    with pytest.raises(NotFound):
        reminder_reschedule(business=shop, reminder_id=theirs.pk, when=None)
    with pytest.raises(NotFound):
        reminder_get(business=shop, reminder_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.status == Reminder.Status.SCHEDULED


def test_send_now_brings_the_next_attempt_forward(shop):
    customer = owing(shop)
    tomorrow = MORNING + datetime.timedelta(days=1)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=tomorrow, now=MORNING)
    sooner = reminder_send_now(business=shop, reminder_id=reminder.pk, now=MORNING)
    assert sooner.next_attempt_at == MORNING
    assert sooner.scheduled_at == tomorrow


def test_reminder_list_filters_by_status_and_stays_in_the_shop(shop, other_shop):
    customer = owing(shop)
    first = reminder_schedule(business=shop, customer_id=customer.pk, when=None, now=MORNING)
    second = reminder_schedule(
        business=shop,
        customer_id=customer.pk,
        when=MORNING + datetime.timedelta(hours=1),
        now=MORNING,
    )
    reminder_cancel(business=shop, reminder_id=first.pk)
    reminder_schedule(business=other_shop, customer_id=owing(other_shop).pk, when=None, now=MORNING)
    # then
    assert list(reminder_list(business=shop)) == [second, first]
    assert list(reminder_list(business=shop, status="cancelled")) == [first]
    assert list(reminder_list(business=shop, status=["scheduled", "cancelled"])) == [second, first]
    with pytest.raises(ApplicationError):
        reminder_list(business=shop, status="bogus")

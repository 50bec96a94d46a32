"""The dispatcher: claims due rows under a lease, takes back abandoned ones, once each."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connections

from reminders.models import Reminder
from reminders.services import reminder_schedule, reminders_dispatch
from tests.reminders.conftest import IST, MORNING
from tests.reminders.factories import owing

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """Run the dispatcher at `now`; returns what it handed to the queue after commit."""

    def run(now: datetime.datetime = MORNING) -> list[int]:
        enqueued: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            result = reminders_dispatch(enqueue=enqueued.extend, now=now)
        assert enqueued == result.enqueued
        return enqueued

    return run


def scheduled(shop, customer, when: datetime.datetime = MORNING) -> Reminder:
    return reminder_schedule(business=shop, customer_id=customer.pk, when=when, now=MORNING)


def test_due_reminders_are_claimed_with_a_lease_and_enqueued_once(shop, dispatch, settings):
    customer = owing(shop)
    due = scheduled(shop, customer)
    future = scheduled(shop, customer, MORNING + datetime.timedelta(hours=1))
    # when
    first = dispatch()
    second = dispatch()
    # then
    assert first == [due.pk]
    assert second == []  # running it twice claims nothing new
    due.refresh_from_db()
    future.refresh_from_db()
    assert due.status == Reminder.Status.CLAIMED
    assert due.lease_expires_at == MORNING + datetime.timedelta(
        seconds=settings.REMINDER_LEASE_SECONDS
    )
    assert future.status == Reminder.Status.SCHEDULED


def test_nothing_is_enqueued_when_the_claim_rolls_back(shop):
    # given a dispatch inside a transaction that fails
    scheduled(shop, owing(shop))
    enqueued: list[int] = []
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            reminders_dispatch(enqueue=enqueued.extend, now=MORNING)
            raise RuntimeError("crash before commit")
    # then nothing was handed to the broker and the row is still scheduled
    assert enqueued == []
    assert Reminder.objects.get().status == Reminder.Status.SCHEDULED


def test_a_reminder_due_in_quiet_hours_moves_to_the_morning(shop, dispatch):
    customer = owing(shop)
    reminder = scheduled(shop, customer)
    night = datetime.datetime(2026, 3, 10, 21, 15, tzinfo=IST)
    # when the dispatcher runs at night (say the worker was down all day)
    assert dispatch(now=night) == []
    # then it waits for 09:00 the next day
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SCHEDULED
    assert reminder.next_attempt_at == datetime.datetime(2026, 3, 11, 9, 0, tzinfo=IST)
    assert dispatch(now=reminder.next_attempt_at) == [reminder.pk]


def test_a_claimed_reminder_whose_task_was_lost_is_enqueued_again(shop, dispatch, settings):
    reminder = scheduled(shop, owing(shop))
    assert dispatch() == [reminder.pk]
    # when its lease runs out with no worker having started it
    after_lease = MORNING + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    assert dispatch(now=after_lease) == [reminder.pk]
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.CLAIMED
    assert reminder.lease_expires_at > after_lease


def test_a_reminder_whose_worker_died_while_sending_becomes_unknown(shop, dispatch, settings):
    reminder = scheduled(shop, owing(shop))
    dispatch()
    Reminder.objects.filter(pk=reminder.pk).update(status="sending", attempts=1)
    after_lease = MORNING + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    # when
    assert dispatch(now=after_lease) == []
    # then it is not resent at once: the request may have reached WhatsApp
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.UNKNOWN
    assert reminder.last_error_code == "worker_lost"
    resend_at = after_lease + datetime.timedelta(seconds=settings.REMINDER_UNKNOWN_RESEND_SECONDS)
    assert reminder.next_attempt_at == resend_at
    # only after the window, with no status webhook, is it claimed to go again
    assert dispatch(now=resend_at - datetime.timedelta(seconds=1)) == []
    assert dispatch(now=resend_at) == [reminder.pk]


def test_a_reminder_out_of_attempts_fails_instead_of_being_claimed(shop, dispatch, settings):
    reminder = scheduled(shop, owing(shop))
    Reminder.objects.filter(pk=reminder.pk).update(
        status="unknown", attempts=settings.REMINDER_MAX_ATTEMPTS
    )
    assert dispatch() == []
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.last_error_code == "unconfirmed"


def test_no_more_than_the_in_flight_limit_is_claimed(shop, dispatch, settings):
    settings.REMINDER_MAX_IN_FLIGHT = 3
    customer = owing(shop)
    reminders = [scheduled(shop, customer) for _ in range(5)]
    assert dispatch() == [r.pk for r in reminders[:3]]
    assert dispatch() == []  # three still in flight
    Reminder.objects.filter(pk=reminders[0].pk).update(status="sent", lease_expires_at=None)
    assert dispatch() == [reminders[3].pk]


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_claim_each_reminder_once(shop, settings):
    # given many due reminders, and two dispatchers racing (two beats by mistake), each
    # run able to claim only a few, whose sends then finish at once
    settings.REMINDER_MAX_IN_FLIGHT = 7
    customer = owing(shop)
    expected = {scheduled(shop, customer).pk for _ in range(300)}
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        def sent(ids: list[int]) -> None:
            claimed[index].extend(ids)
            Reminder.objects.filter(pk__in=ids).update(status="sent", lease_expires_at=None)

        try:
            start.wait()
            while Reminder.objects.filter(status__in=["scheduled", "claimed"]).exists():
                reminders_dispatch(enqueue=sent, now=MORNING)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then both took part, and every reminder was claimed exactly once between them
    assert claimed[0] and claimed[1]
    together = claimed[0] + claimed[1]
    assert len(together) == len(set(together)) == 300
    assert set(together) == expected

"""Reminders in the admin: filters, the message timeline, send now, cancel, shop scoping."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reminders.models import Reminder, WhatsAppMessage
from reminders.services import reminder_schedule
from tests.admin.helpers import apply_action, change_url, changelist_url, messages_of
from tests.reminders.factories import owing

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def always_open(settings):
    settings.REMINDER_SEND_FROM = "00:00"
    settings.REMINDER_SEND_UNTIL = "24:00"


def failed_reminder(shop) -> Reminder:
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    Reminder.objects.filter(pk=reminder.pk).update(
        status="failed",
        attempts=1,
        last_error_code="131026",
        last_error="131026: Message undeliverable",
    )
    WhatsAppMessage.objects.create(
        business=shop,
        customer=customer,
        reminder=reminder,
        direction="out",
        kind="template",
        wa_id="919876543210",
        status="failed",
        attempt=1,
        error_code="131026",
        error_title="Message undeliverable",
        status_history=[
            {"status": "failed", "at": "2026-03-10T04:30:00+00:00", "error_code": "131026"}
        ],
    )
    reminder.refresh_from_db()
    return reminder


def test_changelist_filters_by_status(owner_client, shop):
    failed = failed_reminder(shop)
    reminder_schedule(business=shop, customer_id=failed.customer_id, when=None)
    page = owner_client.get(changelist_url(Reminder), {"status__exact": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [failed]
    assert "131026" in page.content.decode()


def test_the_change_page_shows_the_error_and_the_message_timeline(owner_client, shop):
    reminder = failed_reminder(shop)
    page = owner_client.get(change_url(reminder))
    html = page.content.decode()
    assert page.status_code == 200
    assert "131026: Message undeliverable" in html
    assert "message timeline" in html.lower()
    assert "failed <small>2026-03-10 04:30:00 (131026)</small>" in html
    assert "Send now" in html  # a failed reminder may be tried again


def test_send_now_action_rearms_a_failed_reminder(owner_client, shop, always_open):
    reminder = failed_reminder(shop)
    response = apply_action(owner_client, Reminder, "send_now", [reminder])
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error_code) == ("scheduled", 0, "")
    assert reminder.next_attempt_at <= timezone.now()
    assert any("next dispatch" in m for m in messages_of(response))


def test_cancel_action_cancels_and_reports_refusals(owner_client, shop):
    customer = owing(shop)
    pending = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    sent = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    Reminder.objects.filter(pk=sent.pk).update(status="sent")
    response = apply_action(owner_client, Reminder, "cancel", [pending, sent])
    pending.refresh_from_db()
    sent.refresh_from_db()
    assert (pending.status, sent.status) == ("cancelled", "sent")
    notes = " ".join(messages_of(response))
    assert "cancelled" in notes and "already been sent" in notes


def test_actions_do_not_reach_another_shops_reminder(owner_client, shop, other_shop):
    theirs = reminder_schedule(business=other_shop, customer_id=owing(other_shop).pk, when=None)
    apply_action(owner_client, Reminder, "cancel", [theirs])
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"
    assert owner_client.get(change_url(theirs)).status_code == 302  # "does not exist" redirect


def test_adding_a_reminder_goes_through_the_service(owner_client, shop, owner):
    customer = owing(shop)
    when = timezone.localtime() + datetime.timedelta(days=1)
    response = owner_client.post(
        f"{changelist_url(Reminder)}add/",
        {
            "customer": customer.pk,
            "scheduled_at_0": when.strftime("%Y-%m-%d"),
            "scheduled_at_1": "11:00:00",
            "amount": "",
            "message": "Admin se",
            "recurrence": "none",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reminder = Reminder.objects.get()
    assert (reminder.source, reminder.created_by, reminder.message) == ("admin", owner, "Admin se")


def test_a_refused_add_shows_the_reason_on_the_form(owner_client, shop):
    customer = owing(shop)
    response = owner_client.post(
        f"{changelist_url(Reminder)}add/",
        {
            "customer": customer.pk,
            "scheduled_at_0": "2020-01-01",
            "scheduled_at_1": "11:00:00",
            "recurrence": "none",
        },
    )
    assert response.status_code == 200
    assert "already passed" in response.content.decode()
    assert not Reminder.objects.exists()


def test_messages_are_read_only_in_the_admin(owner_client, shop):
    reminder = failed_reminder(shop)
    message = reminder.messages.get()
    page = owner_client.get(change_url(message))
    assert page.status_code == 200
    assert "Message undeliverable" in page.content.decode()
    assert owner_client.get(f"{changelist_url(WhatsAppMessage)}add/").status_code == 403

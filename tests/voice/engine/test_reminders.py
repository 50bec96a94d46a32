"""Reminders and statements by command, through the reminders services."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from reminders.models import Reminder, WhatsAppMessage
from tests.customers.factories import make_customer
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db
IST = zoneinfo.ZoneInfo("Asia/Kolkata")


def _tomorrow_at(hour: int, minute: int = 0) -> dt.datetime:
    today = timezone.localtime(timezone.now(), IST).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(hour, minute), tzinfo=IST)


def test_a_reminder_is_scheduled(say, shop, owner, ramesh):
    result = say("Ramesh ko kal subah 10 baje 500 ka reminder bhejo")
    reminder = Reminder.objects.get(business=shop)
    assert (reminder.customer_id, reminder.amount, reminder.status) == (
        ramesh.pk,
        Decimal("500.00"),
        "scheduled",
    )
    assert reminder.scheduled_at == _tomorrow_at(10)
    assert (reminder.source, reminder.created_by) == ("voice", owner)
    assert result.reply == "Ramesh Kumar ko kal subah 10 baje 500 rupaye ka reminder chala jayega."


def test_a_reminder_to_a_customer_without_a_phone_is_refused(say, shop):
    make_customer(shop, "Mohan Lal")
    before = books(shop)
    result = say("Mohan ko kal reminder bhejo")
    assert result.status == "refused"
    assert result.reply == "Mohan Lal ka phone number nahi hai, WhatsApp nahi ja sakta."
    assert books(shop) == before


def test_cancelling_a_reminder_asks_first(say, shop, ramesh):
    say("Ramesh ko kal subah 10 baje reminder bhejo")
    asked = say("Ramesh ka reminder cancel karo")
    assert asked.status == "confirm"
    assert asked.reply == "Ramesh Kumar ka kal subah 10 baje wala reminder cancel kar doon?"
    assert Reminder.objects.get(business=shop).status == "scheduled"
    done = say("haan", conversation=asked.conversation_id)
    assert Reminder.objects.get(business=shop).status == "cancelled"
    assert done.reply == "Ramesh Kumar ka reminder cancel kar diya."


def test_cancelling_with_none_waiting_is_said(say, shop, ramesh):
    result = say("Ramesh ka reminder cancel karo")
    assert result.status == "refused"
    assert result.reply == "Ramesh Kumar ka koi reminder baaki nahi hai."


def test_a_reminder_is_moved(say, shop, ramesh):
    say("Ramesh ko kal subah 10 baje reminder bhejo")
    result = say("Ramesh ka reminder kal shaam 5 baje kar do")
    reminder = Reminder.objects.get(business=shop)
    assert reminder.scheduled_at == _tomorrow_at(17)
    assert result.reply == "Ramesh Kumar ka reminder ab kal shaam 5 baje jayega."


def test_reminders_are_listed(say, shop, ramesh, suresh):
    say("Ramesh ko kal subah 10 baje reminder bhejo")
    say("Suresh ko kal shaam 6 baje reminder bhejo")
    before = books(shop)
    result = say("kal ke reminders dikhao")
    assert result.status == "answered"
    assert result.reply == (
        "2 reminder hain: Ramesh Kumar kal subah 10 baje, Suresh Patel kal shaam 6 baje."
    )
    assert books(shop) == before
    assert say("aaj ke reminders dikhao").reply == "Koi reminder nahi hai."


def test_a_statement_goes_to_the_customer_on_whatsapp(say, shop, owner, ramesh):
    result = say("Ramesh ka hisaab bhejo")
    # the statement PDF is queued as a recorded WhatsApp document, not a text reminder
    message = WhatsAppMessage.objects.get(business=shop)
    assert (message.customer_id, message.kind, message.status) == (ramesh.pk, "document", "pending")
    assert message.payload["document"]["kind"] == "statement"
    assert message.payload["requested_by"] == owner.pk
    assert not Reminder.objects.filter(business=shop).exists()
    assert result.reply == "Ramesh Kumar ko WhatsApp par hisaab bhej rahe hain, baaki 750 rupaye."


def test_no_statement_for_someone_who_owes_nothing(say, shop, suresh):
    before = books(shop)
    result = say("Suresh ka hisaab bhejo")
    assert result.status == "refused"
    assert result.reply == "Suresh Patel ka koi baaki nahi hai, bhejne ko kuch nahi."
    assert books(shop) == before

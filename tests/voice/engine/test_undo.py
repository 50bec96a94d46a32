"""Undo: the user's own last action of the last 10 minutes, read back, then reversed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import Invoice
from ledger.models import JournalEntry
from products.models import StockMovement
from reminders.models import Reminder
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db


def test_undo_reads_back_the_udhaar_and_reverses_it(say, shop, owner, ramesh):
    # given a wrong udhaar
    say("Ramesh ko 500 udhaar likho")
    entry = JournalEntry.objects.filter(business=shop, created_by=owner).latest("pk")
    # when the user says it was wrong
    asked = say("galat ho gaya, wapas lo")
    # then the engine reads it back, and nothing is reversed yet
    assert asked.status == "confirm"
    assert asked.reply == (
        "Aapki pichhli entry: Ramesh Kumar ke khate mein 500 rupaye udhaar. Ise wapas le loon?"
    )
    assert not JournalEntry.objects.filter(reverses=entry).exists()
    # when the user says yes
    done = say("haan", conversation=asked.conversation_id)
    # then a reversing entry is posted and the balance is back
    reversal = JournalEntry.objects.get(reverses=entry)
    assert reversal.source_type == "reversal"
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("750.00")
    assert done.reply == (
        "Wapas le liya: Ramesh Kumar ke khate mein 500 rupaye udhaar. Ab kul baaki 750 rupaye."
    )
    # and the same entry is not offered again
    assert say("undo").status == "refused"


def test_undo_of_a_payment(say, shop, ramesh):
    say("Ramesh ne 300 diye")
    asked = say("undo the last entry")
    assert asked.reply == "Your last entry: 300 rupees received from Ramesh Kumar. Undo it?"
    say("yes", conversation=asked.conversation_id)
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("750.00")


def test_undo_of_a_bill_cancels_it(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 2 kilo cheeni")
    invoice = Invoice.objects.get(business=shop)
    asked = say("undo")
    assert asked.reply == (
        f"Your last entry: bill number {invoice.sequence_number} of Ramesh Kumar, 90 rupees. "
        "Undo it?"
    )
    done = say("yes", conversation=asked.conversation_id)
    invoice.refresh_from_db()
    sugar.refresh_from_db()
    assert invoice.status == "cancelled"
    assert sugar.stock_quantity == Decimal("20.000")
    assert done.reply.endswith("Total due now 750 rupees.")


def test_undo_of_a_reminder_cancels_it(say, shop, ramesh):
    say("Ramesh ko kal subah 10 baje reminder bhejo")
    asked = say("undo")
    assert asked.reply == "Your last entry: a reminder to Ramesh Kumar tomorrow at 10 AM. Undo it?"
    say("yes", conversation=asked.conversation_id)
    assert Reminder.objects.get(business=shop).status == "cancelled"


def test_undo_of_a_stock_receipt_takes_it_back_once(say, shop, sugar):
    say("50 kilo cheeni stock mein daalo")
    receipt = StockMovement.objects.get(business=shop, kind="purchase")
    asked = say("undo")
    assert asked.reply == "Your last entry: 50 kg of Sugar added to stock. Undo it?"
    say("yes", conversation=asked.conversation_id)
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("20.000")
    correction = StockMovement.objects.get(business=shop, source_type="stock_undo")
    assert (correction.source_id, correction.quantity) == (receipt.pk, Decimal("-50.000"))
    assert say("undo").status == "refused"


def test_undo_takes_the_latest_action(say, shop, ramesh, suresh):
    say("Ramesh ko 100 udhaar")
    say("Suresh ko 200 udhaar")
    asked = say("undo")
    assert "Suresh Patel" in asked.reply
    say("haan", conversation=asked.conversation_id)
    # a second undo offers the one before
    again = say("undo")
    assert "Ramesh Kumar" in again.reply


def test_undo_never_touches_another_users_action(say, shop, ramesh, cashier):
    say("Ramesh ko 500 udhaar likho", user=cashier)
    before = books(shop)
    result = say("galat ho gaya, wapas lo")  # the owner: this udhaar is the cashier's
    assert result.status == "refused"
    assert result.reply == "Pichhle 10 minute mein aapki koi entry nahi jo wapas ho sake."
    assert books(shop) == before
    # the cashier may undo their own
    asked = say("undo", user=cashier)
    assert asked.status == "confirm"


def test_undo_only_reaches_back_ten_minutes(say, shop, ramesh):
    say("Ramesh ko 500 udhaar likho")
    later = timezone.now() + dt.timedelta(minutes=11)
    result = say("undo", now=later)
    assert result.status == "refused"


def test_undo_no_writes_nothing(say, shop, ramesh):
    say("Ramesh ko 500 udhaar likho")
    before = books(shop)
    asked = say("undo")
    say("nahi", conversation=asked.conversation_id)
    assert books(shop) == before

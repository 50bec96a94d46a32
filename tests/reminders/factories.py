"""Customers who owe and reminders due now, built through the ledger (balances stay true)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from ledger.models import AccountKey, JournalEntry
from ledger.services import LineSpec, credit_add, journal_post, shop_today
from reminders.models import Reminder
from tests.customers.factories import make_customer


def owing(shop, name: str = "Ramesh Kumar", phone: str = "9876543210", due: str = "1250.00"):
    """A customer of `shop` with a phone who owes `due` (posted through the ledger)."""
    customer = make_customer(shop, name, phone=phone)
    if Decimal(due) > 0:
        credit_add(business=shop, customer_id=customer.pk, amount=due, note="Groceries")
    customer.refresh_from_db()
    return customer


def many_owing(shop, count: int, *, due: str = "100.00") -> list[Customer]:
    """`count` customers with distinct phones who each owe `due`, posted as one udhaar entry."""
    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            Customer(business=shop, name=f"Customer {n:05d}", phone=f"97{n:08d}")
            for n in range(count)
        )
        amount = Decimal(due)
        journal_post(
            business=shop,
            entry_date=shop_today(shop),
            lines=[
                *(
                    LineSpec(AccountKey.RECEIVABLES, debit=amount, customer_id=c.pk)
                    for c in customers
                ),
                LineSpec(AccountKey.UNBILLED_SALES, credit=amount * count),
            ],
            source_type=JournalEntry.SourceType.CREDIT,
            memo="Udhaar",
        )
    return customers


def due_now(shop, customers: list[Customer]) -> list[int]:
    """One reminder per customer, due now (rows written directly: the services are tested apart)."""
    now = timezone.now()
    reminders = Reminder.objects.bulk_create(
        Reminder(
            business=shop, customer=c, scheduled_at=now, next_attempt_at=now, status_changed_at=now
        )
        for c in customers
    )
    return [r.pk for r in reminders]

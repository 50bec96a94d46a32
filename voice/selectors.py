"""Reads the command engine answers from: a day's figures, who owes, reminders, the last action.

Everything is scoped by the shop. "The last action" for undo is read from the
books themselves (who created which entry, bill, reminder or stock receipt),
so it is the same whether the action came by voice, the console or the API.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer
from execora.models import Business
from execora.money import MONEY_DIGITS, ZERO
from invoices.models import Invoice, InvoiceStatus
from ledger.models import AccountKey, JournalEntry, JournalLine
from products.models import StockMovement
from reminders.models import Reminder
from voice.models import Conversation

_MONEY = DecimalField(**MONEY_DIGITS)
# Stock movements that undo a receipt name it here (source_type, source_id).
STOCK_UNDO_SOURCE = "stock_undo"


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(ZERO), output_field=_MONEY)


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    bills: int
    sales: Decimal
    received: Decimal
    credit: Decimal


def day_figures(*, business: Business, day: dt.date) -> DayFigures:
    """A day's bills (issued, not cancelled) and their total, money received and udhaar given.

    Payments and udhaar that were later reversed do not count.
    """
    invoices = Invoice.objects.filter(
        business=business, invoice_date=day, status=InvoiceStatus.ISSUED
    ).aggregate(count=Count("pk"), total=_sum("grand_total"))
    receivables = JournalLine.objects.filter(
        business=business,
        account__key=AccountKey.RECEIVABLES,
        entry__date=day,
        entry__reversed_by__isnull=True,
    )
    received = receivables.filter(entry__source_type=JournalEntry.SourceType.PAYMENT).aggregate(
        total=_sum("credit")
    )["total"]
    credit = receivables.filter(entry__source_type=JournalEntry.SourceType.CREDIT).aggregate(
        total=_sum("debit")
    )["total"]
    return DayFigures(
        day=day,
        bills=invoices["count"],
        sales=invoices["total"],
        received=received,
        credit=credit,
    )


@dataclass(frozen=True)
class Dues:
    count: int
    total: Decimal
    top: list[Customer]


def dues(*, business: Business, top: int = 3) -> Dues:
    """Customers who owe something: how many, how much in all, and the biggest few."""
    owing = Customer.objects.filter(business=business, balance__gt=0)
    totals = owing.aggregate(count=Count("pk"), total=_sum("balance"))
    return Dues(
        count=totals["count"],
        total=totals["total"],
        top=list(owing.order_by("-balance", "name", "pk")[:top]),
    )


def reminders_waiting(
    *,
    business: Business,
    customer_id: int | None = None,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[Reminder]:
    """Reminders that have not gone yet, soonest first: of one customer, on one shop day,
    or (with `now`) from now on."""
    reminders = Reminder.objects.filter(
        business=business, status=Reminder.Status.SCHEDULED
    ).select_related("customer")
    if customer_id is not None:
        reminders = reminders.filter(customer_id=customer_id)
    if day is not None:
        tz = zoneinfo.ZoneInfo(business.timezone)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        reminders = reminders.filter(
            scheduled_at__gte=start, scheduled_at__lt=start + dt.timedelta(days=1)
        )
    return list(reminders.order_by("scheduled_at", "pk"))


def invoice_by_spoken_number(*, business: Business, spoken: str) -> Invoice | None:
    """The issued-or-cancelled invoice a user named: its full number ("INV/26-27/0042"),
    or its serial ("42"), the latest financial year's first."""
    spoken = (spoken or "").strip()
    if not spoken:
        return None
    invoices = Invoice.objects.filter(business=business).select_related("customer")
    exact = invoices.filter(number__iexact=spoken).first()
    if exact is not None:
        return exact
    digits = "".join(char for char in spoken if char.isdigit())
    if not digits or len(digits) > 9:
        return None
    return invoices.filter(sequence_number=int(digits)).order_by("-financial_year", "-pk").first()


@dataclass(frozen=True)
class LastAction:
    kind: str  # "entry" (udhaar or payment), "invoice", "reminder", "stock"
    id: int
    at: dt.datetime
    obj: Any


def last_undoable_action(*, business: Business, user: Any, since: dt.datetime) -> LastAction | None:
    """The user's own latest action since `since` that undo can still take back.

    Udhaar and payments not yet reversed, bills not cancelled, reminders not yet
    gone, stock received and not yet taken back.
    """
    found: list[LastAction] = []
    entry = (
        JournalEntry.objects.filter(
            business=business,
            created_by=user,
            created_at__gte=since,
            source_type__in=[JournalEntry.SourceType.CREDIT, JournalEntry.SourceType.PAYMENT],
            reversed_by__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if entry is not None:
        found.append(LastAction("entry", entry.pk, entry.created_at, entry))
    invoice = (
        Invoice.objects.filter(
            business=business,
            created_by=user,
            created_at__gte=since,
            status=InvoiceStatus.ISSUED,
        )
        .select_related("customer")
        .order_by("-created_at", "-pk")
        .first()
    )
    if invoice is not None:
        found.append(LastAction("invoice", invoice.pk, invoice.created_at, invoice))
    reminder = (
        Reminder.objects.filter(
            business=business,
            created_by=user,
            created_at__gte=since,
            status=Reminder.Status.SCHEDULED,
        )
        .select_related("customer")
        .order_by("-created_at", "-pk")
        .first()
    )
    if reminder is not None:
        found.append(LastAction("reminder", reminder.pk, reminder.created_at, reminder))
    undone = StockMovement.objects.filter(
        business=business, source_type=STOCK_UNDO_SOURCE, source_id=OuterRef("pk")
    )
    movement = (
        StockMovement.objects.filter(
            business=business,
            created_by=user,
            created_at__gte=since,
            kind=StockMovement.Kind.PURCHASE,
        )
        .filter(~Exists(undone))
        .select_related("product")
        .order_by("-created_at", "-pk")
        .first()
    )
    if movement is not None:
        found.append(LastAction("stock", movement.pk, movement.created_at, movement))
    if not found:
        return None
    return max(found, key=lambda action: action.at)


def entry_customer_amount(entry: JournalEntry) -> tuple[Customer | None, Decimal]:
    """The customer and amount of an udhaar or payment entry (its receivables line)."""
    line = (
        JournalLine.objects.filter(entry=entry, account__key=AccountKey.RECEIVABLES)
        .select_related("customer")
        .first()
    )
    if line is None:
        return None, ZERO
    return line.customer, line.debit or line.credit


def conversations_stale(*, before: dt.datetime) -> Any:
    """Conversations nobody has touched since `before`."""
    return Conversation.objects.filter(updated_at__lt=before).filter(
        Q(pending__isnull=True) | Q(pending_expires_at__lt=before)
    )

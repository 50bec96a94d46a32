"""Reads for the console's side panel: the day's money, who owes, what just happened, low stock.

Built on the command engine's own selectors (voice.selectors.day_figures and
dues) so the panel and a spoken "aaj ka hisaab" can never disagree. Every read
is scoped by the shop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from customers.models import Customer
from execora.models import Business
from invoices.models import Invoice, InvoiceItem
from invoices.selectors import DailySummary, daily_summary
from ledger.models import AccountKey, JournalEntry, JournalLine
from ledger.services import shop_today
from products.models import Product
from voice.selectors import DayFigures, day_figures, dues

RECENT_LIMIT = 8
DUES_LIMIT = 5
LOW_STOCK_LIMIT = 8


@dataclass(frozen=True)
class Activity:
    """One line of "recent activity": an entry in the books, newest first."""

    entry_id: int
    kind: str  # JournalEntry.SourceType value
    label: str
    at: dt.datetime
    amount: Decimal
    customer_id: int | None
    customer_name: str
    invoice_id: int | None
    reference: str


@dataclass(frozen=True)
class Dashboard:
    today: DayFigures
    # The day for the accountant's eye: GST collected, money in by mode, new dues.
    summary: DailySummary
    dues_count: int
    dues_total: Decimal
    dues_top: list[Customer]
    recent: list[Activity]
    low_stock: list[Product]


def recent_activity(*, business: Business, limit: int = RECENT_LIMIT) -> list[Activity]:
    """The shop's latest journal entries, each with its receivables line's customer and amount."""
    entries = list(
        JournalEntry.objects.filter(business=business).order_by("-created_at", "-pk")[:limit]
    )
    lines = {
        line.entry_id: line
        for line in JournalLine.objects.filter(
            business=business,
            entry_id__in=[entry.pk for entry in entries],
            account__key=AccountKey.RECEIVABLES,
        ).select_related("customer")
    }
    invoice_ids = dict(
        Invoice.objects.filter(
            business=business, journal_entry_id__in=[entry.pk for entry in entries]
        ).values_list("journal_entry_id", "pk")
    )
    found = []
    for entry in entries:
        line = lines.get(entry.pk)
        found.append(
            Activity(
                entry_id=entry.pk,
                kind=entry.source_type,
                label=entry.get_source_type_display(),
                at=entry.created_at,
                amount=(line.debit or line.credit) if line is not None else Decimal("0"),
                customer_id=line.customer_id if line is not None else None,
                customer_name=line.customer.name if line is not None and line.customer else "",
                invoice_id=invoice_ids.get(entry.pk),
                reference=entry.reference,
            )
        )
    return found


def low_stock(*, business: Business, limit: int = LOW_STOCK_LIMIT) -> list[Product]:
    """Active products at or below their warning level, emptiest first."""
    return list(
        Product.objects.filter(business=business, is_active=True, low_stock_level__isnull=False)
        .filter(Q(stock_quantity__lte=F("low_stock_level")))
        .order_by("stock_quantity", "name", "pk")[:limit]
    )


def dashboard(*, business: Business) -> Dashboard:
    """Everything the side panel shows, read in a handful of queries."""
    owing = dues(business=business, top=DUES_LIMIT)
    day = shop_today(business)
    return Dashboard(
        today=day_figures(business=business, day=day),
        summary=daily_summary(business=business, day=day),
        dues_count=owing.count,
        dues_total=owing.total,
        dues_top=owing.top,
        recent=recent_activity(business=business),
        low_stock=low_stock(business=business),
    )


def invoice_lines(*, business: Business, invoice_id: int) -> tuple[Invoice, list[InvoiceItem]]:
    """An invoice of this shop and its lines (result card); Invoice.DoesNotExist otherwise."""
    invoice = Invoice.objects.select_related("customer").get(business=business, pk=invoice_id)
    return invoice, list(InvoiceItem.objects.filter(invoice=invoice).order_by("line_no"))

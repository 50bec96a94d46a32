"""Reads of a shop's invoices."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from execora.exceptions import NotFound
from execora.models import Business
from invoices.models import Invoice, InvoiceStatus


def _invoices(business: Business) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(business=business)
        .select_related("customer")
        .prefetch_related("items")
    )


def invoice_get(*, business: Business, invoice_id: int | str) -> Invoice:
    """The shop's invoice with its customer and lines; NotFound for another shop's id."""
    try:
        return _invoices(business).get(pk=int(invoice_id))
    except (Invoice.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            f"No invoice #{invoice_id} in this shop.",
            message_hi="यह बिल इस दुकान में नहीं मिला।",
            field="invoice_id",
        ) from None


def invoice_list(
    *,
    business: Business,
    customer_id: int | None = None,
    status: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Invoice]:
    """The shop's invoices, newest first; filters are optional and dates inclusive."""
    invoices = _invoices(business)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if status is not None:
        if status not in InvoiceStatus.values:
            return invoices.none()
        invoices = invoices.filter(status=status)
    if date_from is not None:
        invoices = invoices.filter(invoice_date__gte=date_from)
    if date_to is not None:
        invoices = invoices.filter(invoice_date__lte=date_to)
    return invoices.order_by("-invoice_date", "-pk")


def invoice_last(
    *, business: Business, customer_id: int | None = None, status: str | None = None
) -> Invoice | None:
    """The shop's (or the customer's) most recently issued invoice, or None ("last bill").

    "Most recent" is the order of issue (numbers are handed out in that order),
    not the invoice date, which may be back-dated.
    """
    invoices = Invoice.objects.filter(business=business)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if status is not None:
        invoices = invoices.filter(status=status)
    last = invoices.order_by("-pk").only("pk").first()
    return None if last is None else invoice_get(business=business, invoice_id=last.pk)
